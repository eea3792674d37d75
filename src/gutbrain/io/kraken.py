"""Kraken 2 reports and Bracken abundance tables (format ``kraken``), one sample per file.

Kraken 2 report: six TAB columns — percent of reads in the clade, clade
reads, direct reads, rank code (``U``, ``R``, ``D``, ``K``, ``P``, ``C``,
``O``, ``F``, ``G``, ``S``, and sub-ranks such as ``S1``), NCBI taxid, and the
name indented by two spaces per level (eight columns with
``--report-minimizer-data``). Lineages are built from the indentation;
species (``S``) rows are the features, with their clade reads as counts; the
``U`` row gives the unclassified percent.

Bracken output: header ``name taxonomy_id taxonomy_lvl kraken_assigned_reads
added_reads new_est_reads fraction_total_reads``; ``new_est_reads`` are the
counts (or, with ``bracken_value="fraction_total_reads"``, the fractions as
relative abundances).

The sample id is the file name up to its first ``.``.
"""

from __future__ import annotations

import os
from typing import Literal

import numpy as np
import scipy.sparse as sp

from gutbrain.core.lineage import Lineage, lineage_from_ranks
from gutbrain.errors import InputFormatError
from gutbrain.io.metaphlan import abundance_cell
from gutbrain.io.taxon_profile import TaxonKind, TaxonProfile
from gutbrain.io.textfile import decode_text, display_name, is_number, location, read_bytes

__all__ = ["BRACKEN_HEADER", "BrackenValue", "read", "sniff"]

BRACKEN_HEADER = (
    "name",
    "taxonomy_id",
    "taxonomy_lvl",
    "kraken_assigned_reads",
    "added_reads",
    "new_est_reads",
    "fraction_total_reads",
)
BrackenValue = Literal["new_est_reads", "fraction_total_reads"]

_RANK_PREFIX = {"D": "d", "K": "k", "P": "p", "C": "c", "O": "o", "F": "f", "G": "g", "S": "s"}
_REPORT_EXPECTED = (
    "a Kraken 2 report line: percent, clade reads, direct reads, rank code, taxid, name "
    "(tab-separated)"
)


def _is_report_line(cells: list[str]) -> bool:
    return (
        len(cells) in (6, 8)
        and all(is_number(c) for c in cells[:3])
        and cells[-3].strip()[:1] in "URDKPCOFGS-"
        and cells[-2].strip().isdigit()
    )


def sniff(head: str) -> bool:
    """Whether ``head`` is a Kraken 2 report or a Bracken table.

    >>> sniff("100.00\\t10\\t0\\tR\\t1\\troot\\n"), sniff("\\t".join(BRACKEN_HEADER) + "\\n")
    (True, True)
    """
    lines = [line.rstrip("\r") for line in head.split("\n") if line.strip()]
    if not lines:
        return False
    if tuple(c.strip() for c in lines[0].split("\t")) == BRACKEN_HEADER:
        return True
    rows = [line.split("\t") for line in lines[:50]]
    return sum(_is_report_line(r) for r in rows) >= max(1, int(0.8 * len(rows)))


def _sample_id(path: str | os.PathLike[str]) -> str:
    base = os.path.basename(os.fspath(path))
    return base.split(".", 1)[0] or base


def _no_rows(name: str, what: str) -> InputFormatError:
    return InputFormatError(
        "no data rows",
        where=name,
        found=f"no {what}",
        expected="species rows (rank code S) with read counts",
        fix="check that Kraken 2 / Bracken finished and wrote the whole file",
    )


def _read_report(
    lines: list[str], name: str
) -> tuple[list[str], list[Lineage], list[float], float]:
    features: list[str] = []
    lineages: list[Lineage] = []
    counts: list[float] = []
    unclassified = 0.0
    stack: list[tuple[int, str, str]] = []  # (depth, rank code, name)
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if not _is_report_line(cells):
            raise InputFormatError(
                "not a Kraken 2 report line",
                where=location(name, number),
                found=InputFormatError.quote(line),
                expected=_REPORT_EXPECTED,
                fix="give the report written with 'kraken2 --report', or a Bracken table",
            )
        percent = abundance_cell(cells[0], location(name, number, 1, "percent"))
        clade = abundance_cell(cells[1], location(name, number, 2, "clade reads"))
        rank, taxid, label = cells[-3].strip(), int(cells[-2].strip()), cells[-1]
        taxon = label.strip()
        depth = (len(label) - len(label.lstrip(" "))) // 2
        if rank == "U":
            unclassified += percent
            continue
        while stack and stack[-1][0] >= depth:
            stack.pop()
        stack.append((depth, rank, taxon))
        if rank != "S":
            continue
        ranks = [f"{_RANK_PREFIX[r]}__{n}" for _, r, n in stack if r in _RANK_PREFIX]
        features.append(taxon)
        lineages.append(lineage_from_ranks(ranks, label=taxon, taxid=taxid))
        counts.append(clade)
    return features, lineages, counts, unclassified


def _read_bracken(
    lines: list[str], name: str, value: BrackenValue
) -> tuple[list[str], list[Lineage], list[float]]:
    column = BRACKEN_HEADER.index(value)
    features: list[str] = []
    lineages: list[Lineage] = []
    values: list[float] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(BRACKEN_HEADER):
            raise InputFormatError(
                f"line {number} has {len(cells)} fields, expected {len(BRACKEN_HEADER)}",
                where=location(name, number),
                found=f"{len(cells)} tab-separated fields",
                expected="the 7 Bracken columns: " + ", ".join(BRACKEN_HEADER),
                fix="give every row one cell per column",
            )
        for col in (3, 4, 5, 6):
            abundance_cell(cells[col], location(name, number, col + 1, BRACKEN_HEADER[col]))
        taxon, level = cells[0].strip(), cells[2].strip()
        taxid = int(cells[1]) if cells[1].strip().isdigit() else None
        prefix = _RANK_PREFIX.get(level[:1], "s")
        features.append(taxon)
        lineages.append(lineage_from_ranks([f"{prefix}__{taxon}"], label=taxon, taxid=taxid))
        values.append(float(cells[column]))
    return features, lineages, values


def read(
    path: str | os.PathLike[str], *, bracken_value: BrackenValue = "new_est_reads"
) -> TaxonProfile:
    """Read a Kraken 2 report or a Bracken table (one sample).

    Raises
    ------
    InputFormatError
        Lines that are not report lines, bad numbers (with line and column),
        no species rows, duplicate species, empty or binary files.
    """
    name = display_name(path)
    lines = [line.rstrip("\r") for line in decode_text(read_bytes(path), name).split("\n")]
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise InputFormatError(
            "empty file",
            where=name,
            found="only blank or whitespace lines",
            expected="a Kraken 2 report or a Bracken table",
            fix="check that the file was written completely",
        )
    notes: list[str] = []
    share: np.ndarray | None = None
    kind: TaxonKind
    if tuple(c.strip() for c in first.split("\t")) == BRACKEN_HEADER:
        features, lineages, values = _read_bracken(lines, name, bracken_value)
        kind = "counts" if bracken_value == "new_est_reads" else "relative"
        notes.append(f"Bracken table, values: {bracken_value}")
        if not features:
            raise _no_rows(name, "rows after the Bracken header")
    else:
        features, lineages, values, unclassified = _read_report(lines, name)
        kind = "counts"
        share = np.array([unclassified])
        notes.append("Kraken 2 report, values: clade reads of species (S) rows")
        if not features:
            raise _no_rows(name, "species (S) rows in the report")
    return TaxonProfile(
        format="kraken",
        source=name,
        features=tuple(features),
        lineages=tuple(lineages),
        samples=(_sample_id(path),),
        values=sp.csc_array(np.array(values, dtype=np.float64).reshape(-1, 1)),
        kind=kind,
        sequencing="shotgun",
        unclassified=share,
        notes=tuple(notes),
    )
