"""Tables for cohort statistics: feature tables and sample metadata, either orientation.

:func:`read_feature_table` accepts every profile gutbrain reads (MetaPhlAn, Kraken/Bracken,
BIOM, ``.qza``, HUMAnN, taxon × KO matrices) through their own readers, a ``gutbrain
analyze`` output folder (its ``mechanisms.tsv``), and any plain tab- or comma-separated
table with row ids in the first column (module, trait, diversity tables, MaAsLin inputs).
:func:`read_metadata_table` reads a plain table of sample variables. Plain tables may have
R's header without a corner cell (one name fewer than data fields) and double-quoted cells.

Which axis holds the samples is not decided here: the cohort job matches the ids of both
tables (:mod:`gutbrain.pipeline.cohort`). Cells stay strings until then, except for the
numeric profiles.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from gutbrain.errors import InputError, InputFormatError
from gutbrain.io import biom_table, humann, ko_per_taxon, kraken, metaphlan, otu_table, qza
from gutbrain.io.functional import read_functional_profile
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.io.textfile import decode_text, display_name, read_bytes, read_head

__all__ = ["RawTable", "read_feature_table", "read_metadata_table"]

#: cells read as missing values (R ``NA`` and the usual spreadsheet spellings)
NA_TOKENS = frozenset({"", "NA", "NaN", "nan", "N/A", "n/a", "NULL", "null"})


@dataclass(frozen=True)
class RawTable:
    """A labelled table as read: ``cells`` has the file's rows and columns.

    ``numeric`` tables (profiles read by a format reader) hold floats with the
    features as rows; plain tables hold strings and any orientation.
    """

    source: str
    format: str
    cells: pd.DataFrame
    numeric: bool
    orientation: Literal["features-as-rows", "unknown"] = "unknown"


def _delimiter(text: str, path: str | os.PathLike[str]) -> str:
    first = text.split("\n", 1)[0]
    if "\t" in first:
        return "\t"
    if str(path).lower().rstrip(".gz").endswith(".csv") or "," in first:
        return ","
    return "\t"


def _fields(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _plain(path: str | os.PathLike[str], what: str) -> RawTable:
    name = display_name(path)
    text = decode_text(read_bytes(path), name).replace("\r\n", "\n")
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 2:
        raise InputFormatError(
            f"no data rows in the {what}",
            where=name,
            found=f"{len(lines)} non-empty line(s)",
            expected="a header line and at least one data row",
            fix="check that the table was written completely",
        )
    delimiter = _delimiter(text, path)
    header, first = _fields(lines[0], delimiter), _fields(lines[1], delimiter)
    if len(header) == len(first) - 1:  # R write.table header: no corner cell
        text = delimiter + text.lstrip("\ufeff")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputFormatError(
            f"malformed {what}",
            where=name,
            found=InputFormatError.quote(str(exc).strip()),
            expected="one cell per header column on every line",
            fix="re-export the table as tab-separated text",
        ) from None
    frame = frame.fillna("")
    _check_widths(lines, delimiter, name, what, r_style=len(header) == len(first) - 1)
    names = [str(c).strip() for c in frame.iloc[0, 1:]]
    ids = [str(c).strip() for c in frame.iloc[1:, 0]]
    for kind, labels in (("column", names), ("row", ids)):
        dup = [k for k, n in Counter(labels).items() if n > 1]
        if dup:
            raise InputFormatError(
                f"duplicate {kind} name in the {what}",
                where=name,
                found=InputFormatError.quote(dup[0]),
                expected=f"each {kind} name once",
                fix=f"rename or merge the duplicated {kind}s",
            )
    cells = frame.iloc[1:, 1:].copy()
    cells.index = pd.Index(ids)
    cells.columns = pd.Index(names)
    return RawTable(name, "table", cells, numeric=False)


def _check_widths(lines: list[str], delimiter: str, name: str, what: str, r_style: bool) -> None:
    """Every data row has as many fields as the header (pandas pads short rows silently)."""
    if any('"' in line for line in lines):
        widths = [len(cells) for cells in csv.reader(lines, delimiter=delimiter)]
    else:
        widths = [line.count(delimiter) + 1 for line in lines]
    expected = widths[0] + (1 if r_style else 0)
    for k, width in enumerate(widths[1:], start=1):
        if width != expected:
            label = lines[k].split(delimiter, 1)[0]
            raise InputFormatError(
                f"row with {width} fields in the {what}, expected {expected}",
                where=f"{name}, data row {k} ({label})",
                found=f"{width} {'tab' if delimiter == chr(9) else 'comma'}-separated fields",
                expected=f"{expected} fields, one per header column",
                fix="give every row one cell per column (an empty cell or NA for a missing value)",
            )


def _profile_format(path: str | os.PathLike[str]) -> str | None:
    """The gutbrain profile format of ``path``, or ``None`` for a plain table."""
    try:
        with open(path, "rb") as raw:
            start = raw.read(8)
    except OSError:
        return None
    if qza.sniff_bytes(start) or start.startswith(biom_table.HDF5_MAGIC):
        return "taxon"
    head = read_head(path)
    if biom_table.sniff(head) or metaphlan.sniff(head) or kraken.sniff(head):
        return "taxon"
    if otu_table.sniff(head):
        return "taxon"
    if humann.sniff(head) or ko_per_taxon.sniff(head):
        return "functional"
    return None


def read_feature_table(path: str | os.PathLike[str]) -> RawTable:
    """A feature table of any format gutbrain reads (see the module docstring).

    Raises
    ------
    InputError
        A missing file, or an unreadable or malformed table (naming the file).
    """
    p = Path(path)
    if p.is_dir():
        mech = p / "mechanisms.tsv"
        if not mech.is_file():
            raise InputError(
                "folder without a feature table",
                where=str(p),
                found="a folder with no mechanisms.tsv",
                expected="a table file, or a gutbrain analyze output folder",
                fix="give the table file itself (e.g. OUT/mechanisms.tsv)",
            )
        table = _plain(mech, "feature table")
        return RawTable(table.source, "gutbrain-analyze", table.cells, numeric=False)
    if not p.exists():
        raise InputError(
            "file not found",
            where=str(p),
            expected="an existing feature table",
            fix="check the path",
        )
    kind = _profile_format(p)
    if kind == "taxon":
        tp = read_taxon_profile(p)
        dense = np.asarray(tp.values.toarray(), dtype=np.float64)
        frame = pd.DataFrame(dense, index=list(tp.features), columns=list(tp.samples))
        return RawTable(tp.source, tp.format, frame, True, "features-as-rows")
    if kind == "functional":
        fp = read_functional_profile(p)
        com = fp.community
        frame = pd.DataFrame(
            np.asarray(com.values, dtype=np.float64),
            index=list(com.features),
            columns=list(com.samples),
        )
        return RawTable(fp.source, fp.format, frame, True, "features-as-rows")
    return _plain(p, "feature table")


def read_metadata_table(path: str | os.PathLike[str]) -> RawTable:
    """Sample metadata: a plain table, samples as rows or as columns."""
    p = Path(path)
    if not p.is_file():
        raise InputError(
            "file not found",
            where=str(p),
            expected="an existing metadata table (tab- or comma-separated)",
            fix="check the path",
        )
    return _plain(p, "metadata table")
