"""Reference-population files: gzip-compressed JSON text, written deterministically.

The JSON itself is made and parsed in :mod:`gutbrain.pipeline.reference`; this
module only moves text to and from disk. Files are written with gzip ``mtime=0``
and no file name in the header, so the same text always gives the same bytes.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path

from gutbrain.errors import InputError, InputFormatError

__all__ = ["compress_reference", "read_reference", "write_reference"]


def compress_reference(text: str) -> bytes:
    """Deterministic gzip bytes of ``text`` (UTF-8, level 9, ``mtime=0``).

    >>> compress_reference("{}") == compress_reference("{}")
    True
    >>> gzip.decompress(compress_reference("{}")).decode()
    '{}'
    """
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buf.getvalue()


def read_reference(path: str | os.PathLike[str]) -> str:
    """The JSON text of a reference file, gzip-compressed or plain.

    Raises
    ------
    InputError
        When the file cannot be read.
    InputFormatError
        When it is a damaged gzip or not UTF-8 text.
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            "cannot read reference file",
            where=os.fspath(path),
            found=exc.strerror or type(exc).__name__,
            expected="a readable .json.gz reference population",
            fix="check the path",
        ) from None
    try:
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8")
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise InputFormatError(
            "damaged reference file",
            where=os.fspath(path),
            found=str(exc),
            expected="gzip-compressed UTF-8 JSON",
            fix="rebuild the reference with tools/build_references.py",
        ) from None


def write_reference(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` gzip-compressed (deterministic bytes), atomically.

    Raises
    ------
    InputError
        When the file cannot be written.
    """
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_bytes(compress_reference(text))
        os.replace(tmp, target)
    except OSError as exc:
        raise InputError(
            "cannot write reference file",
            where=os.fspath(path),
            found=exc.strerror or type(exc).__name__,
            expected="a writable directory",
            fix="choose another output path or fix its permissions",
        ) from None
