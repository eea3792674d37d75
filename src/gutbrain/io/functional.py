"""Read a functional profile in any supported format, detected from its content.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "profile.tsv"
>>> _ = path.write_text("KO\\tS1\\tS2\\nK00001\\t1.5\\t0\\nK00002\\t2\\t3\\n")
>>> profile = read_functional_profile(path)
>>> profile.format, profile.community.shape, profile.community.column("S2").tolist()
('ko', (2, 2), [0.0, 3.0])
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import get_args

from gutbrain.errors import InputFormatError, OptionError
from gutbrain.io import humann, ko_per_taxon, ko_table
from gutbrain.io.ko_table import head_rows
from gutbrain.io.profile import (
    FORMAT_SUMMARIES,
    FunctionalProfile,
    InputFormat,
    ProfileFormat,
)
from gutbrain.io.textfile import display_name, no_data_error, read_head

__all__ = ["detect_format", "read_functional_profile"]

_SNIFFERS: tuple[tuple[ProfileFormat, Callable[[str], bool]], ...] = (
    ("humann", humann.sniff),
    ("ko-per-taxon", ko_per_taxon.sniff),
    ("ko", ko_table.sniff),
)
_READERS: dict[ProfileFormat, Callable[[str | os.PathLike[str]], FunctionalProfile]] = {
    "humann": humann.read,
    "ko-per-taxon": ko_per_taxon.read,
    "ko": ko_table.read,
}


def _supported() -> str:
    return "; ".join(f"'{fmt}' ({summary})" for fmt, summary in FORMAT_SUMMARIES)


def detect_format(path: str | os.PathLike[str]) -> ProfileFormat:
    """The format of a functional-profile file, from its first lines.

    HUMAnN is tried first, then ``ko-per-taxon``, then ``ko``.

    Raises
    ------
    InputFormatError
        When the file cannot be read as text, has no data rows, or matches no format.
    """
    head = read_head(path)
    for fmt, sniff in _SNIFFERS:
        if sniff(head):
            return fmt
    _, rows = head_rows(head)
    if len(rows) < 2:
        raise no_data_error(display_name(path))
    raise InputFormatError(
        "unrecognised functional-profile format",
        where=display_name(path),
        found=f"first line {InputFormatError.quote(head.split(chr(10), 1)[0].rstrip())}, "
        "and no numeric sample columns",
        expected=f"one of the supported formats: {_supported()}",
        fix="check that this is a functional profile, or name its format with "
        "--input-format humann|ko-per-taxon|ko",
    )


def read_functional_profile(
    path: str | os.PathLike[str], input_format: InputFormat = "auto"
) -> FunctionalProfile:
    """Read a HUMAnN, ``ko`` or ``ko-per-taxon`` functional profile.

    Parameters
    ----------
    path:
        The file, plain or gzip-compressed (detected from its magic bytes).
    input_format:
        ``"auto"`` (default) detects the format; see :func:`detect_format`.

    Returns
    -------
    FunctionalProfile
        Community table (features × samples), optional per-taxon table, units,
        orientation and notes on what was changed (dropped, summed rows).

    Raises
    ------
    InputFormatError
        Naming file, line and column of the first problem.
    OptionError
        For an unknown ``input_format``.
    """
    if input_format not in get_args(InputFormat):
        raise OptionError(
            "unknown input format",
            where="input_format",
            found=InputFormatError.quote(str(input_format)),
            expected="auto, " + ", ".join(fmt for fmt, _ in FORMAT_SUMMARIES),
            fix="choose one of these",
        )
    fmt = detect_format(path) if input_format == "auto" else input_format
    return _READERS[fmt](path)
