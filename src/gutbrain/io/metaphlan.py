"""MetaPhlAn 3 and 4 taxonomic profiles (format ``metaphlan``).

Two shapes are read:

* a single-sample profile: ``#`` header lines (``#mpa_v…``, ``#SampleID``,
  ``#clade_name<TAB>NCBI_tax_id<TAB>relative_abundance[<TAB>additional_species]``
  or, in MetaPhlAn 4, ``#clade_name<TAB>clade_taxid<TAB>relative_abundance``
  with extra columns such as ``coverage``); columns after the relative
  abundance are ignored;
* a merged table (``merge_metaphlan_tables.py``): header
  ``clade_name<TAB>[NCBI_tax_id|clade_taxid<TAB>]sample1<TAB>…``.

Clades are ``k__Bacteria|p__…|s__Genus_species[|t__…]``. Species rows (an
``s__`` rank and no ``t__``) are kept; a profile without species rows keeps
its genus rows. ``UNKNOWN`` / ``UNCLASSIFIED`` rows give the per-sample
unclassified share; the taxid column gives :attr:`Lineage.taxid` (the last id
of the ``|`` chain). Values are relative abundances in percent. Lines without
a TAB (as in some MetaPhlAn 3 headers) are split on runs of spaces.
"""

from __future__ import annotations

import math
import os
import re

import numpy as np
import scipy.sparse as sp

from gutbrain.core.lineage import Lineage, parse_lineage
from gutbrain.errors import GutBrainError, InputFormatError
from gutbrain.io.ko_table import check_unique_samples
from gutbrain.io.taxon_profile import TaxonProfile
from gutbrain.io.textfile import decode_text, display_name, is_number, location, read_bytes

__all__ = ["abundance_cell", "read", "sniff"]

_CLADE = re.compile(r"[kd]__[^|\t]*(?:\|[a-z]__[^|\t]*)*")
_TAXID_COLUMNS = frozenset({"ncbi_tax_id", "clade_taxid", "taxid"})
_UNCLASSIFIED = frozenset({"unknown", "unclassified", "unclassified_unknown"})
_DEFAULT_SAMPLE_IDS = frozenset(
    {"metaphlan2_analysis", "metaphlan_analysis", "metaphlan3_analysis"}
)
_EXPECTED_NUMBER = "a finite number >= 0 (a relative abundance in percent)"


def _split(line: str) -> list[str]:
    line = line.rstrip("\r\n")
    return line.split("\t") if "\t" in line else line.split()


def sniff(head: str) -> bool:
    """Whether ``head`` looks like a MetaPhlAn profile or merged table.

    >>> sniff("#mpa_v30_CHOCOPhlAn_201901\\n#clade_name\\tNCBI_tax_id\\trelative_abundance\\n")
    True
    >>> sniff("clade_name\\tS1\\nk__Bacteria\\t100\\nk__Bacteria|p__Firmicutes\\t60\\n")
    True
    >>> sniff("ID\\tFaecalibacterium prausnitzii\\nS1\\t0.1\\n")
    False
    """
    lines = [line for line in head.split("\n") if line.strip()]
    if not lines:
        return False
    first = lines[0].lstrip("\ufeff")
    if first.startswith(("#mpa_", "#clade_name")) or _split(first)[:1] == ["clade_name"]:
        return True
    cells = [_split(line)[0] for line in lines[1:200] if not line.startswith("#")]
    clades = [c for c in cells if _CLADE.fullmatch(c)]
    return bool(cells) and len(clades) >= 0.5 * len(cells) and any("|" in c for c in clades)


def abundance_cell(cell: str, where: str) -> float:
    """The number in ``cell``, or an InputFormatError at ``where`` saying what is wrong."""
    text = cell.strip()
    if not text:
        problem, fix = "missing value (empty cell)", "write 0 for an absent clade"
    elif not is_number(text):
        problem, fix = "non-numeric value", "correct the cell"
    else:
        value = float(text)
        if math.isnan(value):
            problem, fix = "missing value (NaN)", "write 0 for an absent clade"
        elif math.isinf(value):
            problem, fix = "infinite value", "replace it by a finite abundance"
        elif value < 0:
            problem, fix = "negative value", "give relative abundances, not log-ratios"
        else:
            return value
    raise InputFormatError(
        problem,
        where=where,
        found=InputFormatError.quote(cell) if text else "an empty cell",
        expected=_EXPECTED_NUMBER,
        fix=fix,
    )


def _taxid(cell: str) -> int | None:
    last = cell.strip().split("|")[-1]
    if last.isdigit() and int(last) > 0:
        return int(last)
    return None


def _sample_name(path: str | os.PathLike[str]) -> str:
    base = os.path.basename(os.fspath(path))
    return base.split(".", 1)[0] or base


def read(path: str | os.PathLike[str]) -> TaxonProfile:
    """Read a MetaPhlAn 3/4 profile or merged table.

    Raises
    ------
    InputFormatError
        Empty or header-only file, a row whose clade is not a MetaPhlAn clade,
        a bad number (with line and column), duplicate sample ids, binary data.
    """
    name = display_name(path)
    text = decode_text(read_bytes(path), name)
    lines = text.split("\n")
    header: list[str] | None = None
    header_line = 0
    sample_id: str | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        cells = _split(line)
        if line.startswith("#"):
            key = cells[0].lstrip("#").lower()
            if key == "sampleid" and len(cells) > 1:
                sample_id = cells[1].strip()
            elif key == "clade_name":
                header, header_line = [c.strip() for c in cells], number
            continue
        if header is None:
            if cells[0].strip().lower() in ("clade_name", "id", "#clade_name"):
                header, header_line = [c.strip() for c in cells], number
                continue
            header, header_line = ["clade_name", "NCBI_tax_id", "relative_abundance"], 0
        rows.append((number, cells))
    if header is None or not rows:
        raise InputFormatError(
            "no data rows",
            where=name,
            found="only header or comment lines",
            expected="clade rows such as 'k__Bacteria|...|s__Genus_species<TAB>...<TAB>12.5'",
            fix="check that the MetaPhlAn run finished and the file was written completely",
        )
    header[0] = header[0].lstrip("#")
    has_taxid = len(header) > 1 and header[1].lower() in _TAXID_COLUMNS
    first_value = 2 if has_taxid else 1
    single = len(header) > first_value and header[first_value].lower() == "relative_abundance"
    if single:
        value_columns = [first_value]
        default = sample_id is None or sample_id.lower() in _DEFAULT_SAMPLE_IDS
        samples: tuple[str, ...] = (_sample_name(path) if default else str(sample_id),)
    else:
        value_columns = list(range(first_value, len(header)))
        samples = tuple(header[first_value:])
        if not samples:
            raise InputFormatError(
                "no sample columns",
                where=location(name, header_line or 1),
                found=InputFormatError.quote("\t".join(header)),
                expected="clade_name, optionally a taxid column, then one column per sample",
                fix="check the delimiter and the header line",
            )
        check_unique_samples(name, samples, first_value + 1, f"line {header_line}, columns")
    width = max(value_columns) + 1
    clades: list[str] = []
    taxids: list[int | None] = []
    values = np.zeros((len(rows), len(value_columns)))
    unclassified = np.zeros(len(value_columns))
    has_unclassified = False
    keep_rows: list[int] = []
    for r, (number, cells) in enumerate(rows):
        if len(cells) < width:
            raise InputFormatError(
                f"line {number} has {len(cells)} fields, expected at least {width}",
                where=location(name, number),
                found=f"{len(cells)} fields",
                expected=f"{width} fields: " + ", ".join(header[:width]),
                fix="give every row one cell per column",
            )
        for j, col in enumerate(value_columns):
            values[r, j] = abundance_cell(cells[col], location(name, number, col + 1, header[col]))
        clade = cells[0].strip()
        if clade.lower() in _UNCLASSIFIED:
            unclassified += values[r]
            has_unclassified = True
            continue
        if not _CLADE.fullmatch(clade):
            raise InputFormatError(
                "not a MetaPhlAn clade",
                where=location(name, number, 1, header[0]),
                found=InputFormatError.quote(clade),
                expected="a clade such as 'k__Bacteria|p__Firmicutes|...|s__Genus_species'",
                fix="give a MetaPhlAn profile, or use --input-format table for other tables",
            )
        clades.append(clade)
        taxids.append(_taxid(cells[1]) if has_taxid else None)
        keep_rows.append(r)
    leaf = [c.rsplit("|", 1)[-1][:3] for c in clades]
    level = "s__" if "s__" in leaf else "g__" if "g__" in leaf else None
    if level is None:
        raise InputFormatError(
            "no species or genus rows",
            where=name,
            found=f"{len(clades)} clades, none ending in s__ or g__",
            expected="clades down to species ('...|s__Genus_species') or genus",
            fix="run MetaPhlAn with the default taxonomic level (-t rel_ab)",
        )
    chosen = [i for i, tag in enumerate(leaf) if tag == level]
    lineages: list[Lineage] = []
    for i in chosen:
        try:
            lineages.append(parse_lineage(clades[i], taxid=taxids[i]))
        except GutBrainError as exc:  # pragma: no cover - _CLADE already checked the syntax
            raise InputFormatError(str(exc), where=name) from None
    matrix = values[[keep_rows[i] for i in chosen]]
    rank = "species" if level == "s__" else "genus"
    notes = [f"kept {len(chosen)} {rank} rows of {len(rows)} rows", "values: percent"]
    return TaxonProfile(
        format="metaphlan",
        source=name,
        features=tuple(clades[i] for i in chosen),
        lineages=tuple(lineages),
        samples=samples,
        values=sp.csc_array(matrix),
        kind="relative",
        sequencing="shotgun",
        unclassified=unclassified if has_unclassified else None,
        notes=tuple(notes),
    )
