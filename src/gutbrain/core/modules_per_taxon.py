"""Module scoring per taxon (Omixer-RPM ``-a 2``), vectorised over taxa and samples.

Each (taxon, sample) pair is scored as if it were a sample of its own: the
abundances of that taxon's functions only. Columns are laid out taxon-major
in blocks of taxa, so memory stays bounded however many taxa there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gutbrain.core.modules import (
    DEFAULT_CHUNK,
    CompiledModules,
    ScoringOptions,
    score_modules,
)
from gutbrain.core.table import StratifiedTable

__all__ = ["PerTaxonScores", "score_modules_per_taxon"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class PerTaxonScores:
    """Coverage and abundance with shape (taxa, modules, samples).

    Only taxa that carry at least one identifier of the compiled modules are
    listed; every other taxon has coverage 0 in every module.
    """

    taxa: tuple[str, ...]
    module_ids: tuple[str, ...]
    coverage: FloatArray
    abundance: FloatArray


def score_modules_per_taxon(
    compiled: CompiledModules,
    table: StratifiedTable,
    options: ScoringOptions | None = None,
    *,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> PerTaxonScores:
    """Score every compiled module for every taxon in every sample.

    ``compiled`` must be compiled against ``table.features``. ``progress`` is
    called with the number of samples × taxa finished after each block.

    Examples
    --------
    >>> from gutbrain.core.modules import compile_modules
    >>> from gutbrain.knowledge.module_format import parse_modules
    >>> mods = parse_modules("M1\\tm\\nK1\\nK2\\n///\\n")
    >>> t = StratifiedTable(("a", "b"), ("K1", "K2"), [0, 0, 1], [0, 1, 0], ("S",),
    ...                     [[1.0], [3.0], [5.0]])
    >>> s = score_modules_per_taxon(compile_modules(mods, t.features), t)
    >>> s.taxa, s.coverage[:, 0, 0].tolist(), s.abundance[:, 0, 0].tolist()
    (('a', 'b'), [1.0, 0.5], [2.0, 5.0])
    """
    n_samples = len(table.samples)
    n_used = compiled.used_rows.shape[0]
    n_mod = len(compiled.modules)
    position = np.full(len(table.features), -1, dtype=np.intp)
    position[compiled.used_rows] = np.arange(n_used)
    used_pos = position[table.feature_index]
    keep = used_pos >= 0
    taxon_of_row = table.taxon_index[keep]
    feature_of_row = used_pos[keep]
    row_values = table.values[keep]
    taxa_idx = np.unique(taxon_of_row)
    n_taxa = taxa_idx.shape[0]
    local = np.searchsorted(taxa_idx, taxon_of_row)
    order = np.argsort(local, kind="stable")
    local, feature_of_row, row_values = local[order], feature_of_row[order], row_values[order]
    coverage = np.zeros((n_taxa, n_mod, n_samples))
    abundance = np.full((n_taxa, n_mod, n_samples), np.nan)
    identity_rows = np.arange(n_used)
    sub = CompiledModules(
        modules=compiled.modules,
        n_features=n_used,
        used_rows=identity_rows,
        alt_matrix=compiled.alt_matrix,
        alt_step_starts=compiled.alt_step_starts,
        groups=compiled.groups,
        complex_alts=compiled.complex_alts,
        complex_rows=compiled.complex_rows,
        complex_weights=compiled.complex_weights,
    )
    per_block = max(1, int(chunk) // max(n_samples, 1))
    bounds = np.searchsorted(local, np.arange(0, n_taxa + per_block, per_block))
    for b, start in enumerate(range(0, n_taxa, per_block)):
        stop = min(start + per_block, n_taxa)
        lo, hi = int(bounds[b]), int(bounds[b + 1])
        block = np.zeros((n_used, stop - start, n_samples))
        block[feature_of_row[lo:hi], local[lo:hi] - start, :] = row_values[lo:hi]
        scores = score_modules(
            sub, block.reshape(n_used, (stop - start) * n_samples), options, chunk=chunk
        )
        shape = (n_mod, stop - start, n_samples)
        coverage[start:stop] = scores.coverage.reshape(shape).transpose(1, 0, 2)
        abundance[start:stop] = scores.abundance.reshape(shape).transpose(1, 0, 2)
        if progress is not None:
            progress((stop - start) * n_samples)
    return PerTaxonScores(
        taxa=tuple(table.taxa[i] for i in taxa_idx),
        module_ids=tuple(m.id for m in compiled.modules),
        coverage=coverage,
        abundance=abundance,
    )
