"""Classic QIIME / ``biom convert --to-tsv`` OTU tables (format ``table``).

::

    # Constructed from biom file
    #OTU ID<TAB>S1<TAB>S2[<TAB>taxonomy]
    295053<TAB>20<TAB>18[<TAB>k__Bacteria; p__Firmicutes; …]

Feature ids are arbitrary (OTU numbers, ASV hashes); the optional last
``taxonomy`` column gives their lineages, otherwise lineages come from the ids
when they are taxon names and are unresolvable when not (fine for diversity,
reported as unresolved by ``gutbrain taxa``).
"""

from __future__ import annotations

import os
import re

import scipy.sparse as sp

from gutbrain.core.lineage import Lineage, parse_lineage
from gutbrain.errors import GutBrainError, InputFormatError
from gutbrain.io.ko_table import check_unique_samples
from gutbrain.io.profile import group_rows, sum_rows
from gutbrain.io.taxon_profile import TaxonProfile, infer_kind
from gutbrain.io.textfile import decode_text, display_name, location, read_bytes, scan_grid

__all__ = ["read", "sniff"]

_COMMENT = "# constructed from biom file"
_HEADERS = ("#otu id", "#otu_id", "#otuid", "#feature id", "#featureid")
_TAXONOMY = ("taxonomy", "taxon", "consensus lineage", "consensuslineage")
_LINE = re.compile(r"line (\d+)")


def _split_head(text: str) -> tuple[int, list[str]]:
    """Number of comment lines before the header, and the lines from the header on."""
    lines = text.split("\n")
    skip = 1 if lines and lines[0].strip().lower().startswith(_COMMENT) else 0
    return skip, lines[skip:]


def sniff(head: str) -> bool:
    """Whether ``head`` is a classic OTU table.

    >>> sniff("# Constructed from biom file\\n#OTU ID\\tS1\\n1\\t3\\n"), sniff("id\\tS1\\n")
    (True, False)
    """
    _, lines = _split_head(head)
    return bool(lines) and lines[0].split("\t", 1)[0].strip().lower() in _HEADERS


def _lineage(label: str) -> Lineage:
    try:
        return parse_lineage(label)
    except GutBrainError:
        return Lineage.unresolvable(label)


def read(path: str | os.PathLike[str]) -> TaxonProfile:
    """Read a classic OTU table (TAB-separated).

    Raises
    ------
    InputFormatError
        As the other readers: bad cells with line and column, ragged rows,
        duplicate samples, empty or binary files; an unparsable taxonomy string.
    """
    name = display_name(path)
    skip, lines = _split_head(decode_text(read_bytes(path), name))
    header = lines[0].rstrip("\r").split("\t")
    has_tax = len(header) > 2 and header[-1].strip().lower() in _TAXONOMY
    taxonomy: list[str] = []
    body = lines
    if has_tax:
        body = [lines[0].rstrip("\r").rsplit("\t", 1)[0]]
        for line in lines[1:]:
            if not line.strip():
                body.append(line)
                continue
            cells, _, tax = line.rstrip("\r").rpartition("\t")
            body.append(cells)
            taxonomy.append(tax)
    fields = body[0].split("\t")
    try:
        labels, values = scan_grid(
            "\n".join(body), name, "\t", fields, 1, len(fields) - 1, len(fields)
        )
    except InputFormatError as exc:
        where = _LINE.sub(lambda m: f"line {int(m.group(1)) + skip}", exc.where or name)
        raise InputFormatError(
            exc.problem, where=where, found=exc.found, expected=exc.expected, fix=exc.fix
        ) from None
    samples = tuple(fields[1:])
    check_unique_samples(name, samples, offset=2)
    features = tuple(labels[0])
    lineages: list[Lineage] = []
    for i, feature in enumerate(features):
        if has_tax:
            try:
                lineages.append(parse_lineage(taxonomy[i]))
            except InputFormatError as exc:
                raise InputFormatError(
                    exc.problem,
                    where=location(name, i + 2 + skip, len(header), header[-1]),
                    found=exc.found,
                    expected=exc.expected,
                    fix=exc.fix,
                ) from None
        else:
            lineages.append(_lineage(feature))
    notes = ["read as a classic OTU table (#OTU ID header)"]
    inverse, first = group_rows(features)
    if first.shape[0] != len(features):
        notes.append(f"summed {len(features) - first.shape[0]} duplicate feature ids")
        values = sum_rows(values, inverse, first)
        features = tuple(features[i] for i in first)
        lineages = [lineages[i] for i in first]
    matrix = sp.csc_array(values)
    kind, rule = infer_kind(matrix)
    notes.append(rule)
    return TaxonProfile(
        format="table",
        source=name,
        features=features,
        lineages=tuple(lineages),
        samples=samples,
        values=matrix,
        kind=kind,
        notes=tuple(notes),
    )
