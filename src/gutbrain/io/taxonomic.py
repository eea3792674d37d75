"""One entry point for taxonomic profiles: recognise the format, call its reader.

Auto-detection order: ``qza`` (zip magic), ``biom`` (HDF5 magic, or JSON with
``"format": "Biological Observation Matrix"``), ``metaphlan``, ``kraken``,
``table``. Gzip is transparent for the text formats.
"""

from __future__ import annotations

import gzip
import os
import zlib

from gutbrain.errors import InputFormatError, OptionError
from gutbrain.io import biom_table, kraken, metaphlan, otu_table, qza, taxon_table
from gutbrain.io.taxon_profile import (
    FORMAT_SUMMARIES,
    TaxonFormat,
    TaxonInputFormat,
    TaxonProfile,
)
from gutbrain.io.textfile import display_name, read_head

__all__ = ["detect_taxon_format", "read_taxon_profile"]

_FORMATS: tuple[TaxonFormat, ...] = ("metaphlan", "biom", "qza", "kraken", "table")


def _supported() -> str:
    return "; ".join(f"{fmt}: {text}" for fmt, text in FORMAT_SUMMARIES)


def _start(path: str | os.PathLike[str]) -> bytes:
    """The first bytes, un-gzipped when possible (binary formats are sniffed on these)."""
    try:
        with open(path, "rb") as raw:
            start = raw.read(4096)
    except OSError:
        return b""  # read_head raises the proper 'file not found' error
    if start[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as stream:
                return stream.read(4096)
        except (OSError, EOFError, zlib.error):
            return start
    return start


def detect_taxon_format(path: str | os.PathLike[str]) -> TaxonFormat:
    """The format of a taxonomic profile, from its first bytes and head.

    Raises
    ------
    InputFormatError
        When no format matches (listing the supported ones), or the file is
        empty, binary garbage or a truncated gzip.
    """
    start = _start(path)
    if qza.sniff_bytes(start):
        return "qza"
    if start.startswith(biom_table.HDF5_MAGIC):
        return "biom"
    head = read_head(path)
    if biom_table.sniff(head):
        return "biom"
    if metaphlan.sniff(head):
        return "metaphlan"
    if kraken.sniff(head):
        return "kraken"
    if otu_table.sniff(head) or taxon_table.sniff(head):
        return "table"
    first = head.split("\n", 1)[0]
    raise InputFormatError(
        "unrecognised taxonomic profile",
        where=display_name(path),
        found=f"first line {InputFormatError.quote(first)}",
        expected="one of: " + _supported(),
        fix="check the file, or give --input-format explicitly",
    )


def read_taxon_profile(
    path: str | os.PathLike[str],
    input_format: TaxonInputFormat = "auto",
    taxonomy: str | os.PathLike[str] | None = None,
    *,
    require_taxonomy: bool = False,
) -> TaxonProfile:
    """Read a taxonomic profile of any supported format.

    ``taxonomy`` (a QIIME 2 taxonomy TSV or ``.qza``) is joined to BIOM and
    ``.qza`` tables by feature id; it is an error for the other formats, which
    carry their taxa themselves.

    Examples
    --------
    >>> from pathlib import Path
    >>> data = Path(__file__).parents[3] / "tests" / "data" / "taxonomic"
    >>> read_taxon_profile(data / "SRR1234.k2report").features[0]
    'Bacteroides dorei'
    """
    if input_format != "auto" and input_format not in _FORMATS:
        raise OptionError(
            "unknown input format",
            found=repr(input_format),
            expected="auto or one of " + ", ".join(_FORMATS),
            fix="choose one of the listed formats",
        )
    fmt: TaxonFormat = detect_taxon_format(path) if input_format == "auto" else input_format
    if taxonomy is not None and fmt not in ("biom", "qza"):
        raise OptionError(
            "a taxonomy table only applies to BIOM and qza feature tables",
            where=display_name(path),
            found=f"format {fmt!r} with taxonomy={display_name(taxonomy)!r}",
            expected="taxonomy= only with a BIOM or .qza table",
            fix="leave out the taxonomy for this format",
        )
    if fmt == "qza":
        return qza.read(path, taxonomy=taxonomy, require_taxonomy=require_taxonomy)
    if fmt == "biom":
        return biom_table.read(path, taxonomy=taxonomy, require_taxonomy=require_taxonomy)
    if fmt == "metaphlan":
        return metaphlan.read(path)
    if fmt == "kraken":
        return kraken.read(path)
    if otu_table.sniff(read_head(path)):
        return otu_table.read(path)
    return taxon_table.read(path)
