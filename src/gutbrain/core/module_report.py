"""Which module results are reported, per database: rows, cells and counts.

Reporting rules (the ``gutbrain modules`` output contract):

* a row is a module (or a taxon/module pair) that is computable from the
  input and reaches the cut-off in **at least one** sample;
* an abundance cell is empty (NaN here) where that sample is below the
  cut-off or the module has no observed step; coverage cells always hold the
  exact coverage;
* Omixer-RPM writes ``0.0`` in both files for samples below the cut-off; we
  keep the coverage and leave the abundance empty, so that "not reported" is
  never read as "absent".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from gutbrain.core.module_cutoff import Computability
from gutbrain.core.module_types import ModuleDatabase

__all__ = ["DatabaseResult", "select_reported"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DatabaseResult:
    """Reported results of one module database over all samples."""

    database: ModuleDatabase
    cutoff: float
    cutoff_mode: Literal["explicit", "auto"]
    computability: tuple[Computability, ...]
    row_taxa: tuple[str, ...] | None  # per row in per-taxon mode, else None
    row_modules: tuple[str, ...]
    coverage: FloatArray  # (rows, samples)
    abundance: FloatArray  # (rows, samples), NaN = empty cell
    passing_per_sample: npt.NDArray[np.int64]  # reported modules (or pairs) per sample

    @property
    def not_computable(self) -> tuple[Computability, ...]:
        """Modules that the input cannot support."""
        return tuple(c for c in self.computability if not c.computable)


def select_reported(
    coverage: FloatArray,
    abundance: FloatArray,
    cutoff: float,
    computable: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.intp], FloatArray, npt.NDArray[np.int64]]:
    """Apply the cut-off to (rows, samples) arrays.

    Parameters
    ----------
    coverage, abundance:
        Scores, rows × samples.
    cutoff:
        Inclusive coverage cut-off.
    computable:
        Per row; rows that are not computable are never reported.

    Returns
    -------
    rows, abundance, passing_per_sample
        Indices of reported rows; their abundance with NaN below the cut-off;
        the number of reported rows that pass in each sample.

    Examples
    --------
    >>> cov = np.array([[2 / 3, 0.5], [0.2, 0.1]])
    >>> ab = np.array([[6.5, 2.0], [1.0, 1.0]])
    >>> rows, a, n = select_reported(cov, ab, 0.66, np.array([True, True]))
    >>> rows.tolist(), a.tolist(), n.tolist()
    ([0], [[6.5, nan]], [1, 0])
    """
    passes = (coverage >= cutoff) & computable[:, None]
    rows = np.flatnonzero(passes.any(axis=1))
    kept = passes[rows]
    values = np.where(kept, abundance[rows], np.nan)
    return rows, values, kept.sum(axis=0).astype(np.int64)
