"""Generic function × sample tables (format ``ko``), and the numeric-table reader all formats share.

A ``ko`` table has function ids (KO, COG, eggNOG, TIGRFAM, UniRef, ...) in one
direction and samples in the other, separated by TAB or comma:

* features as rows: header ``anything<TAB>sample ids…``, then ``id<TAB>numbers…``;
* samples as rows: header ``anything<TAB>function ids…``, then ``sample<TAB>numbers…``.

The orientation is recognised from the header: when most of its cells from
column 2 on are function ids (:func:`~gutbrain.core.module_types.id_namespace`)
and most first-column values are not, samples are rows. Duplicate feature ids
are summed, duplicate sample ids are an error.

The shared reader (:func:`read_grid`) parses the file once with polars and an
explicit schema, checks the numbers on the resulting array, and only when
anything is wrong re-reads the text with :func:`~gutbrain.io.textfile.scan_grid`
to report the first bad line and column exactly.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from gutbrain.core.module_types import id_namespace
from gutbrain.core.table import FeatureTable
from gutbrain.errors import InputFormatError
from gutbrain.io.profile import FloatArray, FunctionalProfile, Orientation, group_rows, sum_rows
from gutbrain.io.textfile import (
    decode_text,
    display_name,
    is_gzip,
    is_number,
    location,
    no_data_error,
    read_bytes,
    read_head,
    scan_grid,
)

__all__ = [
    "Grid",
    "check_unique_samples",
    "detect_orientation",
    "head_rows",
    "looks_taxon_function",
    "read",
    "read_grid",
    "sniff",
    "split_line",
    "stratified_error",
]


@dataclass(frozen=True)
class Grid:
    """A table of ``n_labels`` text columns followed by numeric columns.

    ``values[r]`` is the data row on file line ``r + 2`` (blank lines are only
    allowed after the last row).
    """

    source: str
    delimiter: str
    header: tuple[str, ...]
    labels: tuple[tuple[str, ...], ...]
    values: FloatArray

    @property
    def value_names(self) -> tuple[str, ...]:
        """Header cells of the numeric columns."""
        start = len(self.labels)
        return self.header[start : start + self.values.shape[1]]

    def where(self, row: int | None = None, column: int | None = None) -> str:
        """Location of data row ``row`` (0-based) and file column ``column`` (1-based)."""
        name = None if column is None else self.header[column - 1]
        return location(self.source, None if row is None else row + 2, column, name)


def split_line(line: str, delimiter: str) -> list[str]:
    """Split one line (without its line end) into cells; CSV honours double quotes."""
    if delimiter == "\t":
        return line.split("\t")
    try:
        return next(csv.reader([line], delimiter=delimiter, strict=True), [""])
    except csv.Error:
        return line.split(delimiter)


def head_rows(head: str, limit: int = 200) -> tuple[str, list[list[str]]]:
    """Delimiter and the first ``limit`` non-blank rows of a head, split into cells.

    The delimiter is TAB when the first line has one, else comma when it has
    one, else TAB.

    >>> head_rows("id,S1\\r\\nK00001,2\\r\\n")
    (',', [['id', 'S1'], ['K00001', '2']])
    """
    lines = head.split("\n")
    first = lines[0].removesuffix("\r")
    delimiter = "\t" if "\t" in first or "," not in first else ","
    rows = []
    for line in lines:
        text = line.removesuffix("\r")
        if text.strip():
            rows.append(split_line(text, delimiter))
            if len(rows) >= limit:
                break
    return delimiter, rows


def _header(head: str, name: str, n_labels: int) -> tuple[str, list[str], int, int]:
    """Delimiter, header cells, number of named columns and expected fields per row."""
    lines = head.split("\n", 2)
    first = lines[0].removesuffix("\r")
    if "\r" in first:
        raise InputFormatError(
            "old Mac line ends (CR only)",
            where=location(name, 1),
            found="lines separated by carriage returns alone",
            expected="lines ending in LF or CRLF",
            fix='convert the line ends, e.g. with \'tr "\\r" "\\n"\'',
        )
    delimiter = "\t" if "\t" in first or "," not in first else ","
    header = split_line(first, delimiter)
    named = len(header)
    while named > n_labels and not header[named - 1].strip():
        named -= 1
    if named <= n_labels:
        raise InputFormatError(
            "no sample columns",
            where=location(name, 1),
            found=f"{len(header)} header cell(s): {InputFormatError.quote(first)}",
            expected=f"{n_labels} label column(s) then one column per sample, "
            "separated by tabs or commas",
            fix="check the delimiter and the header line",
        )
    for col in range(n_labels, named):
        if not header[col].strip():
            raise InputFormatError(
                "empty column name in the header",
                where=location(name, 1, col + 1),
                found="an empty header cell",
                expected="a sample (or function) id for every numeric column",
                fix="name the column or delete it",
            )
    width = named
    if len(lines) > 1 and lines[1].strip():
        cells = split_line(lines[1].removesuffix("\r"), delimiter)
        if len(cells) > named and not any(c.strip() for c in cells[named:]):
            width = len(cells)  # consistent trailing empty fields, checked on every row
    return delimiter, header, named, width


def _is_blank(row: tuple[Any, ...]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def _fast(df: Any, n_labels: int, named: int) -> tuple[tuple[tuple[str, ...], ...], Any] | None:
    """Labels and values from the polars frame, or ``None`` when anything needs a closer look."""
    n = df.height
    while n > 0 and _is_blank(df.row(n - 1)):
        n -= 1
    if n < df.height:
        df = df.head(n)
    for col in df.columns[named:]:
        extra = df.get_column(col)
        if extra.null_count() or not extra.str.strip_chars().eq("").all():
            return None
    label_cols = [df.get_column(c) for c in df.columns[:n_labels]]
    if any(c.null_count() or c.str.contains("[\x00\r]").any() for c in label_cols):
        return None
    values = df[:, n_labels:named].to_numpy()
    if values.dtype != np.float64:
        return None
    if values.size and not (values.min() >= 0.0 and values.max() < np.inf):
        return None  # NaN (or a null), infinity or a negative value somewhere
    return tuple(tuple(c.to_list()) for c in label_cols), values


def read_grid(
    path: str | os.PathLike[str], head: str, n_labels: int, *, exact: bool = False
) -> Grid:
    """Read a table of ``n_labels`` text columns followed by numeric columns.

    ``exact=True`` skips the fast reader (the result is the same, only slower).

    Raises
    ------
    InputFormatError
        With the exact line and column of the first problem: ragged row, blank
        line, empty, NA, NaN, infinite, negative or non-numeric cell, binary data.
    """
    import polars as pl  # deferred: ~0.15 s of start-up that taxonomic runs never need

    name = display_name(path)
    delimiter, header, named, width = _header(head, name, n_labels)
    schema = {
        f"c{i}": pl.String if i < n_labels or i >= named else pl.Float64 for i in range(width)
    }
    tsv = delimiter == "\t"
    data = None if tsv and not is_gzip(path) else read_bytes(path)
    quoted = data is not None and not tsv and b'"' in data
    found = None
    # an unbalanced quote can make polars panic: leave such files to the exact scan
    if not exact and not (quoted and data is not None and data.count(b'"') % 2):
        try:
            df = pl.read_csv(
                os.fspath(path) if data is None else io.BytesIO(data),
                has_header=False,
                skip_rows=1,
                separator=delimiter,
                quote_char='"' if quoted else None,
                schema=schema,
                empty_string_is_null=False,
                raise_if_empty=False,
                glob=False,
            )
            found = _fast(df, n_labels, named)
        except (Exception, pl.exceptions.PanicException):
            found = None  # the exact scan below says what is wrong
    if found is not None and width > named:
        # polars fills a short row's trailing text cells with "", so rows that
        # lack the trailing empty fields are found by counting the tabs
        data = read_bytes(path) if data is None else data
        expected = len(header) - 1 + (width - 1) * found[1].shape[0]
        if not tsv or data.count(b"\t") != expected:
            found = None
    if found is not None:
        labels, values = found
        if values.shape[0] == 0:
            raise no_data_error(name)
    else:
        text = decode_text(read_bytes(path) if data is None else data, name)
        columns, values = scan_grid(
            text, name, delimiter, header, n_labels, named - n_labels, width
        )
        labels = tuple(tuple(c) for c in columns)
    return Grid(name, delimiter, tuple(header), labels, values)


def stratified_error(name: str, found: str, fmt: str) -> InputFormatError:
    """The error for a taxon-stratified table read as ``ko``."""
    return InputFormatError(
        "the table looks taxon-stratified",
        where=name,
        found=found,
        expected="one function id per row or column and numbers only (input format 'ko')",
        fix=f"use --input-format {fmt} (or --input-format auto)",
    )


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def looks_taxon_function(rows: list[list[str]]) -> bool:
    """Whether split head rows are taxon, function id, then numbers (``ko-per-taxon``)."""
    if len(rows) < 2 or len(rows[0]) < 3:
        return False
    data = [r for r in rows[1:] if len(r) >= 3]
    functions = [id_namespace(r[1]) != "other" for r in data if r[1].strip()]
    taxa = [id_namespace(r[0]) == "other" and not is_number(r[0]) for r in data]
    numbers = [is_number(r[2]) for r in data]
    return _share(functions) >= 0.5 and _share(taxa) >= 0.5 and _share(numbers) >= 0.5


def detect_orientation(head: str) -> Orientation:
    """``samples-as-rows`` when header cells are function ids and first-column values are not.

    >>> detect_orientation("sample\\tK00001\\tK00002\\nS1\\t1\\t2\\n")
    'samples-as-rows'
    >>> detect_orientation("KO\\tS1\\nK00001\\t1\\n")
    'features-as-rows'
    """
    _, rows = head_rows(head)
    header_ids = _share([id_namespace(c) != "other" for c in rows[0][1:1001] if c.strip()])
    first_ids = _share([id_namespace(r[0]) != "other" for r in rows[1:]])
    return "samples-as-rows" if header_ids > 0.5 and first_ids < 0.5 else "features-as-rows"


def sniff(head: str) -> bool:
    """Whether ``head`` looks like a ``ko`` table: a header, then mostly numbers after column 1.

    >>> sniff("KO\\tS1\\nK00001\\t1.5\\n"), sniff("a,b\\nx,y\\n")
    (True, False)
    """
    _, rows = head_rows(head)
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    width = min(len(rows[0]), 1001)  # a sample of the columns is enough
    cells = [c for r in rows[1:] for c in r[1:width] if c.strip()]
    numeric = sum(is_number(c) for c in cells)
    return numeric > 0 and numeric >= 0.5 * len(cells)


def _reject_stratified_head(head: str, name: str) -> None:
    _, rows = head_rows(head)
    if looks_taxon_function(rows):
        row = next(r for r in rows[1:] if len(r) >= 3)
        raise stratified_error(
            name,
            f"a taxon column ({InputFormatError.quote(row[0])}) before a function-id "
            f"column ({InputFormatError.quote(row[1])})",
            "ko-per-taxon",
        )


def _reject_piped(ids: tuple[str, ...], name: str) -> None:
    piped = next((i for i in ids if "|" in i), None)
    if piped is not None:
        raise stratified_error(
            name,
            f"HUMAnN-style stratified id {InputFormatError.quote(piped)}",
            "humann",
        )


def check_unique_samples(
    source: str,
    samples: tuple[str, ...],
    offset: int,
    unit: str = "line 1, columns",
    empty_where: Callable[[int], str] | None = None,
) -> None:
    """Raise on the first repeated sample id (and, with ``empty_where``, empty one).

    Sample *i* sits at position ``i + offset`` of ``unit`` (e.g. header
    columns, or lines when samples are rows). ``empty_where(i)`` locates an
    empty id; ids are checked in order, so the first problem is reported.
    """
    seen: dict[str, int] = {}
    for pos, sample in enumerate(samples):
        if sample in seen:
            raise InputFormatError(
                "duplicate sample id",
                where=f"{source}, {unit} {seen[sample] + offset} and {pos + offset}",
                found=InputFormatError.quote(sample),
                expected="each sample id once",
                fix="rename or merge the duplicated samples",
            )
        seen[sample] = pos
        if empty_where is not None and not sample.strip():
            raise InputFormatError(
                "empty sample id",
                where=empty_where(pos),
                found="an empty cell",
                expected="a sample id in column 1 of every row",
                fix="name the sample or delete the row",
            )


def read(path: str | os.PathLike[str]) -> FunctionalProfile:
    """Read a ``ko`` table (either orientation, TAB or comma)."""
    name = display_name(path)
    head = read_head(path)
    _reject_stratified_head(head, name)
    orientation = detect_orientation(head)
    grid = read_grid(path, head, n_labels=1)
    notes: list[str] = []
    if orientation == "features-as-rows":
        samples, features, values = grid.value_names, grid.labels[0], grid.values
        check_unique_samples(name, samples, offset=2)
        _reject_piped(features, name)
        if "" in features or any(not f.strip() for f in features):
            keep = np.array([bool(f.strip()) for f in features])
            features = tuple(f for f, k in zip(features, keep, strict=True) if k)
            values = values[keep]
            n = int((~keep).sum())
            notes.append(f"dropped {n} row{'s' * (n != 1)} with an empty feature id")
    else:
        samples, features, values = grid.labels[0], grid.value_names, grid.values.T
        check_unique_samples(
            grid.source, samples, 2, "lines", empty_where=lambda pos: grid.where(pos, 1)
        )
        _reject_piped(features, name)
    inverse, first = group_rows(features)
    if first.shape[0] != len(features):
        notes.append(f"summed {len(features) - first.shape[0]} duplicate feature ids")
        values = sum_rows(values, inverse, first)
        features = tuple(features[i] for i in first)
    community = FeatureTable(features, samples, values, source=name)
    return FunctionalProfile("ko", name, community, None, "unknown", orientation, tuple(notes))
