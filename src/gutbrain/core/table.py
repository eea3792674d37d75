"""Small immutable abundance tables: the currency between ``io`` and ``core``.

Orientation follows BIOM: **features are rows, samples are columns**
(``values.shape == (n_features, n_samples)``). Tables are validated once, when
they are built (finite, non-negative, unique ids, matching shapes); the value
array is made read-only so that no function can mutate a table it was given.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from gutbrain.errors import InputFormatError

__all__ = [
    "FeatureTable",
    "StratifiedTable",
    "ValueKind",
    "check_abundances",
    "check_unique_ids",
]

#: What the numbers are: raw counts, relative abundances (per-sample sums ~1 or
#: ~100) or abundances in some other unit (RPK, CPM, coverage, ...).
ValueKind = Literal["counts", "relative", "abundance"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


def check_unique_ids(ids: tuple[str, ...], what: str, source: str) -> None:
    """Raise :class:`InputFormatError` naming the first id that occurs twice."""
    if len(set(ids)) != len(ids):
        dup = next(i for i, n in Counter(ids).items() if n > 1)
        raise InputFormatError(
            f"duplicate {what} id",
            where=source,
            found=InputFormatError.quote(dup),
            expected=f"each {what} id once",
            fix=f"rename or merge the duplicated {what}s",
        )


def check_abundances(values: FloatArray, source: str) -> None:
    """Raise :class:`InputFormatError` for a NaN, infinite or negative value."""
    if values.size == 0:
        return
    if not np.isfinite(values).all():
        raise InputFormatError(
            "missing or infinite value",
            where=source,
            found="NaN or infinity",
            expected="finite numbers",
            fix="replace missing values by 0 or remove the feature",
        )
    if (values < 0).any():
        raise InputFormatError(
            "negative abundance",
            where=source,
            found=f"minimum {values.min():g}",
            expected="values >= 0",
            fix="give abundances, not log-ratios or differences",
        )


def _frozen_float(values: npt.ArrayLike) -> FloatArray:
    arr = np.array(values, dtype=np.float64, copy=True)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class FeatureTable:
    """Features × samples abundance table.

    Parameters
    ----------
    features, samples:
        Unique ids, in row and column order.
    values:
        Array of shape ``(len(features), len(samples))``; copied, made
        read-only. Must be finite and non-negative.
    kind:
        What the numbers are (see :data:`ValueKind`).
    units:
        Free-text unit label carried into outputs (e.g. ``"RPK"``).
    source:
        Where the table came from, used in error messages.

    Examples
    --------
    >>> t = FeatureTable(("K00001", "K00002"), ("S1",), [[1.0], [0.0]])
    >>> t.shape
    (2, 1)
    >>> t.column("S1").tolist()
    [1.0, 0.0]
    """

    features: tuple[str, ...]
    samples: tuple[str, ...]
    values: FloatArray
    kind: ValueKind = "abundance"
    units: str = "unknown"
    source: str = "<table>"

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "samples", tuple(self.samples))
        values = _frozen_float(self.values)
        if values.ndim != 2 or values.shape != (len(self.features), len(self.samples)):
            raise InputFormatError(
                "table shape does not match its ids",
                where=self.source,
                found=f"values {values.shape}",
                expected=f"({len(self.features)}, {len(self.samples)})",
                fix="report this as a gutbrain bug",
            )
        check_unique_ids(self.features, "feature", self.source)
        check_unique_ids(self.samples, "sample", self.source)
        check_abundances(values, self.source)
        object.__setattr__(self, "values", values)

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_features, n_samples)``."""
        return (len(self.features), len(self.samples))

    def column(self, sample: str) -> FloatArray:
        """Values of one sample, in feature order."""
        return self.values[:, self.samples.index(sample)]


@dataclass(frozen=True)
class StratifiedTable:
    """(taxon, feature) × samples table, e.g. a HUMAnN stratified table.

    Each row is one (taxon, feature) pair, given by indices into ``taxa`` and
    ``features``; pairs are unique.

    Examples
    --------
    >>> t = StratifiedTable(("t1", "t2"), ("K1",), [0, 1], [0, 0], ("S1",), [[1.0], [2.0]])
    >>> t.n_rows
    2
    >>> t.collapse().values.tolist()
    [[3.0]]
    """

    taxa: tuple[str, ...]
    features: tuple[str, ...]
    taxon_index: IntArray
    feature_index: IntArray
    samples: tuple[str, ...]
    values: FloatArray
    kind: ValueKind = "abundance"
    units: str = "unknown"
    source: str = "<table>"
    _sorted: bool = field(default=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("taxa", "features", "samples"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        ti = np.array(self.taxon_index, dtype=np.intp, copy=True)
        fi = np.array(self.feature_index, dtype=np.intp, copy=True)
        values = _frozen_float(self.values)
        n = ti.shape[0]
        if (
            ti.ndim != 1
            or fi.shape != (n,)
            or values.shape != (n, len(self.samples))
            or (n and (ti.min() < 0 or ti.max() >= len(self.taxa)))
            or (n and (fi.min() < 0 or fi.max() >= len(self.features)))
        ):
            raise InputFormatError(
                "stratified table indices do not match its ids",
                where=self.source,
                found=f"{n} rows, values {values.shape}",
                expected="one taxon and feature index per row",
                fix="report this as a gutbrain bug",
            )
        check_unique_ids(self.taxa, "taxon", self.source)
        check_unique_ids(self.features, "feature", self.source)
        check_unique_ids(self.samples, "sample", self.source)
        key = ti.astype(np.int64) * max(len(self.features), 1) + fi
        if np.unique(key).size != n:
            raise InputFormatError(
                "duplicate (taxon, feature) row",
                where=self.source,
                expected="each taxon/feature pair once",
                fix="report this as a gutbrain bug (readers sum duplicates)",
            )
        check_abundances(values, self.source)
        ti.setflags(write=False)
        fi.setflags(write=False)
        object.__setattr__(self, "taxon_index", ti)
        object.__setattr__(self, "feature_index", fi)
        object.__setattr__(self, "values", values)

    @property
    def n_rows(self) -> int:
        """Number of (taxon, feature) rows."""
        return int(self.taxon_index.shape[0])

    def collapse(self) -> FeatureTable:
        """Sum over taxa: the community-level :class:`FeatureTable`."""
        out = np.zeros((len(self.features), len(self.samples)))
        np.add.at(out, self.feature_index, self.values)
        return FeatureTable(
            self.features,
            self.samples,
            out,
            kind=self.kind,
            units=self.units,
            source=self.source,
        )
