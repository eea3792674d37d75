"""Low-level access to text tables: bytes, gzip, encoding checks and the file head.

Every reader goes through these helpers, so that all formats accept the same
things: gzip detected by its magic bytes (not the extension), a UTF-8 byte-order
mark, CRLF line ends, and no final newline. What is not a UTF-8 text table
(NUL bytes, undecodable bytes, other compressions, images) is rejected with one
:class:`~gutbrain.errors.InputFormatError` that says where.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from gutbrain.errors import InputError, InputFormatError

__all__ = [
    "HEAD_BYTES",
    "decode_text",
    "display_name",
    "is_gzip",
    "is_number",
    "location",
    "no_data_error",
    "read_bytes",
    "read_head",
    "scan_grid",
]

#: The head given to ``sniff()``: at least this many bytes of (un-gzipped) text ...
HEAD_BYTES = 64 * 1024
#: ... extended, for very wide tables, until it holds the header and two data lines ...
_HEAD_MIN_LINES = 3
#: ... but never past this size.
_HEAD_CAP = 16 * 1024 * 1024

_GZIP_MAGIC = b"\x1f\x8b"
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data"),
    (b"PK\x03\x04", "a zip archive (or an .xlsx workbook)"),
    (b"\xd0\xcf\x11\xe0", "an OLE document (e.g. an .xls workbook)"),
    (b"\x89PNG", "a PNG image"),
    (b"%PDF", "a PDF document"),
)
_TEXT_EXPECTED = "a tab- or comma-separated UTF-8 text table, optionally gzip-compressed"

#: Numbers as the fast parser (polars) reads them: decimal or scientific
#: notation, ``inf``/``infinity``/``nan`` in any case, leading spaces or tabs allowed.
_NUMBER = re.compile(
    r"[ \t]*[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)",
    re.IGNORECASE,
)


def display_name(path: str | os.PathLike[str]) -> str:
    """The path as the user gave it, for messages and ``source`` fields."""
    return os.fspath(path)


def location(
    source: str, line: int | None = None, column: int | None = None, name: str | None = None
) -> str:
    """``"a.tsv, line 3, column 2 (S1)"``; parts left out when ``None``.

    >>> location("a.tsv", 3, 2, "S1")
    'a.tsv, line 3, column 2 (S1)'
    >>> location("a.tsv", 1)
    'a.tsv, line 1'
    """
    text = source
    if line is not None:
        text += f", line {line}"
    if column is not None:
        text += f", column {column}"
        if name is not None:
            text += f" ({InputFormatError.quote(name)})" if name == "" else f" ({name})"
    return text


def is_number(cell: str) -> bool:
    """Whether ``cell`` reads as a number (NaN and infinity included).

    >>> [is_number(x) for x in ("1", "-2.5e3", ".5", "nan", "Inf", "abc", "1,5", "")]
    [True, True, True, True, True, False, False, False]
    """
    return _NUMBER.fullmatch(cell) is not None


def _open(path: str | os.PathLike[str]) -> BinaryIO:
    name = display_name(path)
    try:
        return open(path, "rb")
    except FileNotFoundError:
        problem, fix = "file not found", "check the path"
    except IsADirectoryError:
        problem, fix = "is a directory, not a file", "give the path of the table file itself"
    except PermissionError:
        problem, fix = "permission denied", "make the file readable"
    except OSError as exc:
        problem, fix = f"cannot open the file ({exc.strerror or 'I/O error'})", "check the file"
    raise InputError(problem, where=name, expected="a readable file", fix=fix)


def _gzip_error(name: str) -> InputFormatError:
    return InputFormatError(
        "truncated or corrupt gzip",
        where=name,
        found="a gzip stream that cannot be decompressed to its end",
        expected="a complete gzip file",
        fix="download or copy the file again, or check it with 'gzip -t'",
    )


def _empty_error(name: str, gzipped: bool) -> InputFormatError:
    return InputFormatError(
        "empty file",
        where=name,
        found="no text" + (" after decompression" if gzipped else ""),
        expected="a header line followed by data rows",
        fix="check that the file was written completely",
    )


def read_head(path: str | os.PathLike[str]) -> str:
    """The first :data:`HEAD_BYTES` of text (un-gzipped, BOM removed), cut at a line end.

    For tables whose lines are longer than that, the head is extended until it
    holds the header and two data lines (at most 16 MiB), so a sniffer always
    sees complete lines.

    Raises
    ------
    InputFormatError
        Empty file, corrupt gzip, binary data or text that is not UTF-8.
    """
    name = display_name(path)
    with _open(path) as raw:
        gzipped = raw.read(2) == _GZIP_MAGIC
        raw.seek(0)
        stream: BinaryIO | gzip.GzipFile = gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw
        chunks: list[bytes] = []
        size = newlines = 0
        at_end = False
        try:
            while size < _HEAD_CAP:
                chunk = stream.read(HEAD_BYTES if not chunks else 4 * HEAD_BYTES)
                if not chunk:
                    at_end = True
                    break
                chunks.append(chunk)
                size += len(chunk)
                newlines += chunk.count(b"\n")
                if size >= HEAD_BYTES and newlines >= _HEAD_MIN_LINES:
                    break
        except (OSError, EOFError, zlib.error) as exc:
            if gzipped:
                raise _gzip_error(name) from exc
            raise InputError("cannot read the file", where=name, fix="check the file") from exc
    data = b"".join(chunks)
    if not at_end:
        cut = data.rfind(b"\n")
        if cut < 0:
            raise InputFormatError(
                "first line is too long",
                where=location(name, 1),
                found=f"no line end in the first {size} bytes",
                expected=_TEXT_EXPECTED,
                fix="check that this is a text table with one row per line",
            )
        data = data[: cut + 1]
    text = decode_text(data, name)
    if not text.strip():
        raise _empty_error(name, gzipped)
    return text


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """The whole content as bytes, decompressed when the file is gzip."""
    name = display_name(path)
    with _open(path) as raw:
        try:
            data = raw.read()
        except OSError as exc:
            raise InputError("cannot read the file", where=name, fix="check the file") from exc
    gzipped = data[:2] == _GZIP_MAGIC
    if gzipped:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise _gzip_error(name) from exc
    if not data.strip():
        raise _empty_error(name, gzipped)
    return data


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts with the gzip magic bytes."""
    with _open(path) as raw:
        return raw.read(2) == _GZIP_MAGIC


def _binary_error(where: str, found: str) -> InputFormatError:
    return InputFormatError(
        "not a text table (binary data)",
        where=where,
        found=found,
        expected=_TEXT_EXPECTED,
        fix="check that you gave the right file; export the table as UTF-8 text",
    )


def decode_text(data: bytes, name: str) -> str:
    """Decode UTF-8 ``data`` (a leading BOM removed), rejecting binary content.

    Raises
    ------
    InputFormatError
        Known binary signatures, UTF-16, NUL bytes, or bytes that are not UTF-8,
        with the line where the first bad byte is.
    """
    for magic, what in _OTHER_MAGIC:
        if data.startswith(magic):
            raise _binary_error(name, what)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputFormatError(
            "UTF-16 text",
            where=name,
            found="a UTF-16 byte-order mark",
            expected=_TEXT_EXPECTED,
            fix="save the table as UTF-8 (e.g. 'Tab-delimited text' or 'CSV UTF-8')",
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise _binary_error(location(name, line), f"a NUL byte at byte offset {nul}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFormatError(
            "text is not UTF-8",
            where=location(name, line),
            found=f"byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
            expected=_TEXT_EXPECTED,
            fix="re-save the table with UTF-8 encoding",
        ) from None
    return text.removeprefix("\ufeff")


# --- exact, slow scan of a numeric table (used to locate errors) ------------------------

FloatArray = npt.NDArray[np.float64]

_NA_TOKENS = frozenset({"na", "n/a", "#n/a", "null", "none", "nil", "-", "?", "."})
_EXPECTED_NUMBER = "a finite number >= 0 (e.g. 0, 12 or 3.5e-2)"
_MISSING_FIX = "write 0 for an absent feature, or remove the row"


def no_data_error(name: str) -> InputFormatError:
    """The error for a table that has a header line and nothing else."""
    return InputFormatError(
        "no data rows",
        where=name,
        found="only a header line",
        expected="at least one data row after the header",
        fix="check that the table was written completely",
    )


def _cell_value(cell: str) -> float | tuple[str, str]:
    """The value of a numeric cell, or ``(problem, fix)`` when it cannot be used."""
    if not cell.strip():
        return "missing value (empty cell)", _MISSING_FIX
    if not is_number(cell):
        if cell.strip().lower() in _NA_TOKENS:
            return "missing value (NA)", _MISSING_FIX
        return (
            "non-numeric value",
            "correct the cell; if this column holds names or taxa, "
            "choose the matching --input-format",
        )
    value = float(cell)
    if math.isnan(value):
        return "missing value (NaN)", _MISSING_FIX
    if math.isinf(value):
        return "infinite value", "replace it by a finite abundance"
    if value < 0:
        return "negative value", "give abundances, not log-ratios or differences"
    return value


def _rows(text: str, delimiter: str, name: str) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of every line after the header; ``[]`` for blank lines."""
    # CRs ending a line or a cell are dropped (CRLF), as the fast reader does
    text = re.sub(rf"\r+(?=[{re.escape(delimiter)}\n]|\Z)", "", text)
    if "\r" in text:
        raise InputFormatError(
            "carriage return inside a line",
            where=location(name, text.count("\n", 0, text.index("\r")) + 1),
            found="a CR character that does not end the line",
            expected="lines ending in LF or CRLF, without other CRs",
            fix="convert the line ends of the file (e.g. with dos2unix)",
        )
    if delimiter == "\t":
        for number, line in enumerate(text.split("\n")[1:], start=2):
            yield number, line.split("\t") if line.strip() else []
        return
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        for cells in reader:
            if reader.line_num > 1:
                yield reader.line_num, cells if any(c.strip() for c in cells) else []
    except csv.Error as exc:
        raise InputFormatError(
            "malformed CSV row",
            where=location(name, reader.line_num + 1),
            found=InputFormatError.quote(str(exc)),
            expected="comma-separated cells with balanced double quotes",
            fix="re-export the table as CSV or as tab-separated text",
        ) from None


def scan_grid(
    text: str,
    name: str,
    delimiter: str,
    header: list[str],
    n_labels: int,
    n_values: int,
    width: int,
) -> tuple[list[list[str]], FloatArray]:
    """Parse the rows after the header cell by cell, in file order.

    This is the slow, exact reader behind the fast one: it raises on the first
    bad line or cell with its 1-based line (the header is line 1) and column.
    Data rows must have exactly ``width`` fields: ``n_labels`` label cells,
    ``n_values`` numbers, then empty cells. Blank lines are allowed at the end only.

    Returns
    -------
    labels, values
        ``labels[i]`` is label column *i*; ``values`` has one row per data row.
    """
    labels: list[list[str]] = [[] for _ in range(n_labels)]
    values = np.empty((text.count("\n") + 1, n_values))
    sep = "tab" if delimiter == "\t" else "comma"
    blank: int | None = None
    n = 0
    for line, cells in _rows(text, delimiter, name):
        if not cells:
            blank = blank or line
            continue
        if blank is not None:
            raise InputFormatError(
                "blank line inside the table",
                where=location(name, blank),
                found="an empty line",
                expected="a data row (blank lines are allowed only at the end)",
                fix="delete the blank line(s)",
            )
        if len(cells) != width:
            raise InputFormatError(
                f"line {line} has {len(cells)} fields, expected {width}",
                where=location(name, line),
                found=f"{len(cells)} {sep}-separated fields",
                expected=f"{width} fields, one per header column",
                fix=f"give every row one cell per column; look for missing cells or extra {sep}s",
            )
        for col in range(n_labels + n_values, width):
            if cells[col].strip():
                raise InputFormatError(
                    "value in a column without a header name",
                    where=location(name, line, col + 1),
                    found=InputFormatError.quote(cells[col]),
                    expected="empty trailing cells, as the header has no name there",
                    fix="add the missing name to the header or delete the stray cell",
                )
        for j in range(n_values):
            col = n_labels + j
            value = _cell_value(cells[col])
            if isinstance(value, tuple):
                cell = cells[col]
                raise InputFormatError(
                    value[0],
                    where=location(name, line, col + 1, header[col]),
                    found=InputFormatError.quote(cell) if cell.strip() else "an empty cell",
                    expected=_EXPECTED_NUMBER,
                    fix=value[1],
                )
            values[n, j] = value
        for i in range(n_labels):
            labels[i].append(cells[i])
        n += 1
    if n == 0:
        raise no_data_error(name)
    return labels, values[:n]
