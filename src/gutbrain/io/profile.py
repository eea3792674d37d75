"""What every functional-profile reader returns, and how readers merge duplicate rows."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from gutbrain.core.table import FeatureTable, StratifiedTable, ValueKind

__all__ = [
    "FORMAT_SUMMARIES",
    "FunctionalProfile",
    "InputFormat",
    "Orientation",
    "ProfileFormat",
    "group_rows",
    "stratified_table",
    "sum_rows",
]

#: Format asked for by the user; ``"auto"`` sniffs the file.
InputFormat = Literal["auto", "ko", "ko-per-taxon", "humann"]
#: Format a file was read as.
ProfileFormat = Literal["ko", "ko-per-taxon", "humann"]
#: Layout of the table in the file.
Orientation = Literal["features-as-rows", "samples-as-rows"]

#: One line per supported format, in auto-detection order, for messages and help.
FORMAT_SUMMARIES: tuple[tuple[ProfileFormat, str], ...] = (
    ("humann", "HUMAnN gene-family/KO/pathway table, header '# Gene Family' or '#HEADERS'"),
    ("ko-per-taxon", "taxon column, function-id column, then one numeric column per sample"),
    ("ko", "function id x sample numbers, either orientation, tab- or comma-separated"),
)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class FunctionalProfile:
    """A functional profile read from one file.

    Attributes
    ----------
    format:
        The format the file was read as.
    source:
        The file path as given.
    community:
        Community-level abundances, features × samples.
    per_taxon:
        Per-taxon abundances when the file is stratified by taxon, else ``None``.
    units:
        Unit label, e.g. ``"RPK"``, ``"CPM"``, ``"relative abundance"`` or ``"unknown"``.
    orientation:
        Whether features were rows or columns in the file.
    notes:
        What the reader changed, e.g. ``"dropped 1 UNMAPPED row"``.
    """

    format: ProfileFormat
    source: str
    community: FeatureTable
    per_taxon: StratifiedTable | None
    units: str
    orientation: Orientation
    notes: tuple[str, ...] = ()


def group_rows(keys: Sequence[Hashable]) -> tuple[IntArray, IntArray]:
    """Group equal keys, in order of first appearance.

    Returns
    -------
    inverse, first
        ``inverse[i]`` is the group of ``keys[i]``; ``first[g]`` the index of the
        first key of group ``g``.

    >>> inverse, first = group_rows(["a", "b", "a"])
    >>> inverse.tolist(), first.tolist()
    ([0, 1, 0], [0, 1])
    """
    index: dict[Hashable, int] = {}
    inverse = np.fromiter(
        (index.setdefault(k, len(index)) for k in keys), dtype=np.intp, count=len(keys)
    )
    first = np.empty(len(index), dtype=np.intp)
    first[inverse[::-1]] = np.arange(len(keys) - 1, -1, -1, dtype=np.intp)
    return inverse, first


def sum_rows(values: FloatArray, inverse: IntArray, first: IntArray) -> FloatArray:
    """Sum the rows of ``values`` within each group of :func:`group_rows`.

    Rows are added in file order, so the result does not depend on anything else.
    Returns ``values`` itself when no group has more than one row.

    >>> inverse, first = group_rows(["a", "b", "a"])
    >>> sum_rows(np.array([[1.0], [2.0], [4.0]]), inverse, first).tolist()
    [[5.0], [2.0]]
    """
    if first.shape[0] == inverse.shape[0]:
        return values
    out = values[first]
    repeated = np.ones(inverse.shape[0], dtype=bool)
    repeated[first] = False
    np.add.at(out, inverse[repeated], values[repeated])
    return out


def stratified_table(
    pairs: Sequence[tuple[str, str]],
    values: FloatArray,
    samples: tuple[str, ...],
    *,
    kind: ValueKind = "abundance",
    units: str = "unknown",
    source: str,
    taxa: Sequence[str] = (),
) -> tuple[StratifiedTable, int]:
    """A :class:`StratifiedTable` from ``(taxon, feature)`` rows, duplicates summed.

    Taxa are listed in order of first appearance, after those of ``taxa`` (which
    lets a reader keep taxa whose rows it dropped). Returns the table and how
    many rows were merged into earlier ones.

    >>> t, merged = stratified_table([("t1", "K1"), ("t2", "K1"), ("t1", "K1")],
    ...                              np.array([[1.0], [2.0], [4.0]]), ("S1",), source="x")
    >>> t.taxa, t.features, t.values.tolist(), merged
    (('t1', 't2'), ('K1',), [[5.0], [2.0]], 1)
    """
    inverse, first = group_rows(pairs)
    summed = sum_rows(values, inverse, first)
    unique = [pairs[i] for i in first]
    taxon_names = [*taxa, *(t for t, _ in unique)]
    taxon_index, taxa_first = group_rows(taxon_names)
    feature_index, features_first = group_rows([f for _, f in unique])
    table = StratifiedTable(
        tuple(taxon_names[i] for i in taxa_first),
        tuple(unique[i][1] for i in features_first),
        taxon_index[len(taxa) :],
        feature_index,
        samples,
        summed,
        kind=kind,
        units=units,
        source=source,
    )
    return table, len(pairs) - len(unique)
