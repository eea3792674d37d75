"""Taxon-stratified function tables (format ``ko-per-taxon``, Omixer-RPM ``-a 2``).

Layout: header ``taxon_col<TAB>function_col<TAB>samples…``, then one row per
(taxon, function id) pair, e.g. omixer-rpmR's ``species_matrix.tsv``::

    species<TAB>KO<TAB>s06a<TAB>s06b
    Aeromonas hydrophila<TAB>K04077<TAB>2.95<TAB>0.0

Duplicate (taxon, function) rows are summed; the community table is the sum
over taxa. Rows with an empty function id (omixer-rpmR's example has one for
most taxa) are dropped with a note, their taxa still listed in the per-taxon
table: Omixer-RPM reads them as the id ``""``, which no module uses, so they
never change a result.
"""

from __future__ import annotations

import os

from gutbrain.errors import InputFormatError
from gutbrain.io.ko_table import check_unique_samples, head_rows, looks_taxon_function, read_grid
from gutbrain.io.profile import FunctionalProfile, stratified_table
from gutbrain.io.textfile import display_name, read_head

__all__ = ["read", "sniff"]


def sniff(head: str) -> bool:
    """Whether ``head`` looks like taxon, function id, then numbers.

    >>> sniff("species\\tKO\\tS1\\nBacteroides dorei\\tK00001\\t2.5\\n")
    True
    >>> sniff("KO\\tS1\\tS2\\nK00001\\t2.5\\t1\\n")
    False
    """
    return looks_taxon_function(head_rows(head)[1])


def read(path: str | os.PathLike[str]) -> FunctionalProfile:
    """Read a taxon × function × sample table; see the module docstring."""
    name = display_name(path)
    grid = read_grid(path, read_head(path), n_labels=2)
    samples = grid.value_names
    check_unique_samples(name, samples, offset=3)
    taxa_col, function_col = grid.labels
    keep = [i for i, f in enumerate(function_col) if f.strip()]
    notes = []
    if len(keep) < len(function_col):
        n = len(function_col) - len(keep)
        notes.append(f"dropped {n} row{'s' * (n != 1)} with an empty function id (taxa kept)")
    for i in keep:
        if not taxa_col[i].strip():
            raise InputFormatError(
                "empty taxon name",
                where=grid.where(i, 1),
                found="an empty cell",
                expected="a taxon name in column 1 of every row",
                fix="name the taxon (e.g. 'unclassified') or delete the row",
            )
    if not keep:
        raise InputFormatError(
            "no function rows",
            where=name,
            found="only rows with an empty function id",
            expected="rows with a function id (e.g. K00001) in column 2",
            fix="check the column order: taxon, function id, then samples",
        )
    pairs = [(taxa_col[i], function_col[i]) for i in keep]
    per_taxon, merged = stratified_table(
        pairs, grid.values[keep], samples, source=name, taxa=[t for t in taxa_col if t.strip()]
    )
    if merged:
        notes.append(f"summed {merged} duplicate (taxon, function) rows")
    return FunctionalProfile(
        "ko-per-taxon",
        name,
        per_taxon.collapse(),
        per_taxon,
        "unknown",
        "features-as-rows",
        tuple(notes),
    )
