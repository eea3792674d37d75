"""Generic taxon × sample tables (format ``table``), TSV or CSV, in either orientation.

Taxa are named by binomials (``Faecalibacterium prausnitzii`` or
``Faecalibacterium_prausnitzii``), ``g__X;s__Y`` pairs, or Greengenes, SILVA or
GTDB lineage strings (:func:`~gutbrain.core.lineage.parse_lineage`).

Orientation: taxa are the side whose labels parse as lineages: the header
cells from column 2 on (samples as rows) or the first-column values (taxa as
rows). R ``write.table`` output, whose header lacks the first (row-name) cell
and whose names are double-quoted, is accepted too (e.g. the MaAsLin 3 HMP2
table). Duplicate taxon labels are summed; duplicate sample ids are an error.
Whether values are counts or relative abundances is inferred by
:func:`~gutbrain.io.taxon_profile.infer_kind`.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from gutbrain.core.lineage import Lineage, parse_lineage
from gutbrain.errors import GutBrainError, InputFormatError
from gutbrain.io.ko_table import check_unique_samples, head_rows, read_grid
from gutbrain.io.profile import Orientation, group_rows, sum_rows
from gutbrain.io.taxon_profile import TaxonProfile, infer_kind
from gutbrain.io.textfile import (
    decode_text,
    display_name,
    is_number,
    location,
    read_bytes,
    read_head,
    scan_grid,
)

__all__ = ["detect_orientation", "read", "sniff"]


def _unquote(cell: str) -> str:
    text = cell.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return cell


def _parses(label: str) -> bool:
    try:
        parse_lineage(_unquote(label))
    except GutBrainError:
        return False
    return bool(_unquote(label).strip())


def _share(labels: list[str]) -> float:
    labels = [c for c in labels if c.strip()]
    return sum(_parses(c) for c in labels) / len(labels) if labels else 0.0


def _r_style(rows: list[list[str]]) -> bool:
    """Header one cell shorter than the data rows (R ``write.table`` with row names)."""
    return len(rows) >= 2 and len(rows[1]) == len(rows[0]) + 1 and not is_number(rows[1][0])


def detect_orientation(head: str) -> Orientation | None:
    """``features-as-rows`` when first-column labels are taxa, ``samples-as-rows`` when the
    header cells are; ``None`` when neither side holds taxon names.

    >>> detect_orientation("ID\\tBlautia obeum\\tAkkermansia\\nS1\\t0.5\\t0.5\\n")
    'samples-as-rows'
    >>> detect_orientation("taxon,S1\\ng__Blautia;s__Blautia obeum,3\\n")
    'features-as-rows'
    """
    _, rows = head_rows(head)
    if len(rows) < 2:
        return None
    header = rows[0] if _r_style(rows) else rows[0][1:]
    columns = _share(header[:200])
    first = _share([r[0] for r in rows[1:]])
    if columns >= 0.5 and columns > first:
        return "samples-as-rows"
    if first >= 0.5:
        return "features-as-rows"
    return None


def sniff(head: str) -> bool:
    """Whether ``head`` is a numeric table with taxon names on one side.

    >>> sniff("taxon\\tS1\\nBlautia obeum\\t3\\n"), sniff("KO\\tS1\\nK00001\\t3\\n")
    (True, False)
    """
    _, rows = head_rows(head)
    if len(rows) < 2 or len(rows[0]) < 2:
        return False
    cells = [c for r in rows[1:] for c in r[1:200] if c.strip()]
    numeric = sum(is_number(c) for c in cells)
    return numeric >= 0.5 * max(len(cells), 1) and detect_orientation(head) is not None


def _read_r_style(
    path: str | os.PathLike[str], name: str
) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
    text = decode_text(read_bytes(path), name)
    first, _, _ = text.partition("\n")
    delimiter = "\t" if "\t" in first or "," not in first else ","
    header = [""] + [_unquote(c) for c in first.rstrip("\r").split(delimiter)]
    labels, values = scan_grid(text, name, delimiter, header, 1, len(header) - 1, len(header))
    return tuple(header[1:]), tuple(_unquote(c) for c in labels[0]), values


def _lineages(
    name: str, features: tuple[str, ...], orientation: Orientation, header_offset: int
) -> tuple[Lineage, ...]:
    out: list[Lineage] = []
    for pos, label in enumerate(features):
        try:
            out.append(parse_lineage(label))
        except InputFormatError as exc:
            if orientation == "features-as-rows":
                where = location(name, pos + 2, 1)
            else:
                where = location(name, 1, pos + header_offset)
            raise InputFormatError(
                exc.problem, where=where, found=exc.found, expected=exc.expected, fix=exc.fix
            ) from None
    return tuple(out)


def read(path: str | os.PathLike[str]) -> TaxonProfile:
    """Read a taxon × sample table (either orientation, TAB or comma).

    Raises
    ------
    InputFormatError
        Neither side holds taxon names ("unknown lineage syntax"), a bad number
        (with line and column), duplicate sample ids, empty or binary files.
    """
    name = display_name(path)
    head = read_head(path)
    orientation = detect_orientation(head)
    _, rows = head_rows(head)
    if orientation is None:
        example = rows[1][0] if len(rows) > 1 and rows[1] else rows[0][0]
        if len(rows) < 2:
            grid = read_grid(path, head, n_labels=1)  # raises the header-only error
        raise InputFormatError(
            "unknown lineage syntax",
            where=location(name, 2, 1) if len(rows) > 1 else location(name, 1),
            found=f"no taxon names in the first column or the header, e.g. "
            f"{InputFormatError.quote(example)}",
            expected="taxon names (binomials, 'g__X;s__Y', Greengenes, SILVA or GTDB "
            "lineages) as row labels or column names",
            fix="name the taxa, or use --input-format metaphlan/biom/kraken for those formats",
        )
    notes: list[str] = [f"orientation: {orientation}"]
    if _r_style(rows):
        columns, row_labels, values = _read_r_style(path, name)
        header_offset = 1
        notes.append("read as R write.table output (header without a row-name cell)")
    else:
        grid = read_grid(path, head, n_labels=1)
        columns = tuple(_unquote(c) for c in grid.value_names)
        row_labels = tuple(_unquote(c) for c in grid.labels[0])
        values = grid.values
        header_offset = 2
    if orientation == "features-as-rows":
        samples, features = columns, row_labels
        check_unique_samples(name, samples, offset=header_offset)
    else:
        samples, features, values = row_labels, columns, values.T
        check_unique_samples(name, samples, offset=2, unit="lines")
    lineages = _lineages(name, features, orientation, header_offset)
    inverse, first = group_rows(features)
    if first.shape[0] != len(features):
        notes.append(f"summed {len(features) - first.shape[0]} duplicate taxon labels")
        values = sum_rows(values, inverse, first)
        features = tuple(features[i] for i in first)
        lineages = tuple(lineages[i] for i in first)
    matrix = sp.csc_array(values)
    kind, rule = infer_kind(matrix)
    notes.append(rule)
    return TaxonProfile(
        format="table",
        source=name,
        features=features,
        lineages=lineages,
        samples=samples,
        values=matrix,
        kind=kind,
        sequencing="unknown",
        notes=tuple(notes),
    )
