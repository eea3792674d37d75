"""What a stool-test upload may be, checked before anything reads it as a table.

Allow-list (``docs/practice-app.md``, "Uploads and analysis"): ``.tsv``, ``.txt``, ``.csv``
(MetaPhlAn, HUMAnN, KO tables; UTF-8 text) and ``.biom`` (BIOM 1.0 JSON or BIOM 2.1 HDF5), each
also as ``.gz``, or a ``.zip`` holding exactly one of them. The name **and** the content must
agree (magic bytes, UTF-8 without NUL bytes); archives are checked from their directory first
(member count, names, declared and actual unpacked size, compression ratio), then read as a
stream that stops at the cap. Every refusal is an :class:`UploadRejectedError` with a message
for the user: what was found, what is accepted and what to do.
"""

from __future__ import annotations

import codecs
import gzip
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, cast

__all__ = [
    "ALLOWED_SUFFIXES",
    "Limits",
    "UploadRejectedError",
    "check_upload",
    "open_payload",
]

ALLOWED_SUFFIXES = (".tsv", ".txt", ".csv", ".biom")
TEXT_SUFFIXES = (".tsv", ".txt", ".csv")
ACCEPTED = (
    ".tsv, .txt, .csv or .biom (MetaPhlAn, HUMAnN or KO tables, BIOM), optionally as .gz, "
    "or a .zip holding one such file"
)
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (GZIP_MAGIC, "gzip-compressed data"),
    (ZIP_MAGIC, "a zip archive (or a spreadsheet)"),
    (HDF5_MAGIC, "an HDF5 file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an Office document"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"7z\xbc\xaf", "a 7-zip archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
)
_CHUNK = 1 << 16


class UploadRejectedError(Exception):
    """The file is not accepted; ``str(exc)`` is the message for the user."""


@dataclass(frozen=True)
class Limits:
    """Caps for one upload: its size, its unpacked size and the compression ratio."""

    max_bytes: int
    max_unpacked_bytes: int
    max_ratio: int = 100

    @classmethod
    def from_mb(cls, mb: int) -> Limits:
        """``mb`` for the file, four times as much unpacked.

        >>> Limits.from_mb(50).max_unpacked_bytes // (1 << 20)
        200
        """
        return cls(mb << 20, 4 * (mb << 20))


@dataclass(frozen=True)
class Checked:
    """An accepted upload: its container (``plain``/``gz``/``zip``), the member's name inside a
    zip, and the detected format of the table (``text`` / ``biom-json`` / ``biom-hdf5``)."""

    container: str
    member: str | None
    inner_suffix: str
    detected: str

    @property
    def label(self) -> str:
        return self.detected if self.container == "plain" else f"{self.detected} ({self.container})"


def _mb(n: int) -> str:
    return f"{n / (1 << 20):g} MB"


def _suffix(name: str) -> tuple[str, str]:
    """(container, table suffix) from a file name; refuses anything off the allow-list.

    >>> _suffix("S1_profile.TSV.gz")
    ('gz', '.tsv')
    >>> _suffix("x.zip")
    ('zip', '')
    """
    lower = name.lower()
    if lower.endswith(".zip"):
        return "zip", ""
    container = "gz" if lower.endswith(".gz") else "plain"
    stem = lower[:-3] if container == "gz" else lower
    suffix = PurePosixPath(stem).suffix
    if suffix not in ALLOWED_SUFFIXES:
        shown = PurePosixPath(lower).suffix or "no extension"
        raise UploadRejectedError(
            f"This file type is not accepted: found {shown!r}; expected {ACCEPTED}. "
            "Export the results as a table and upload that."
        )
    return container, suffix


def _looks_binary(start: bytes) -> str | None:
    for magic, what in _BINARY_MAGIC:
        if start.startswith(magic):
            return what
    return None


def _check_text(chunks: Iterator[bytes], what: str) -> None:
    """UTF-8 text without NUL bytes, streamed (the line of the first problem is named)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line = 1
    for chunk in chunks:
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            near = line + chunk[: exc.start].count(b"\n")
            raise UploadRejectedError(
                f"{what} is not UTF-8 text (near line {near}): found "
                "bytes of another encoding; expected a UTF-8 text table. Save the table as "
                "UTF-8 (e.g. 'CSV UTF-8' or 'Unicode text') and upload it again."
            ) from None
        if "\x00" in text:
            at = line + text[: text.index("\x00")].count("\n")
            raise UploadRejectedError(
                f"{what} contains NUL bytes (line {at}): found binary data; expected a UTF-8 "
                "text table. Upload the exported table itself."
            )
        line += text.count("\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise UploadRejectedError(
            f"{what} ends in the middle of a character: expected complete UTF-8 text. "
            "Upload the whole file again."
        ) from None


def _capped(stream: IO[bytes], cap: int, what: str) -> Iterator[bytes]:
    total = 0
    while chunk := stream.read(_CHUNK):
        total += len(chunk)
        if total > cap:
            raise UploadRejectedError(
                f"{what} unpacks to more than {_mb(cap)}: this looks like a compression bomb "
                "or a far larger table than a stool test. Upload the table uncompressed or "
                "split it."
            )
        yield chunk


def _first(chunks: Iterator[bytes]) -> tuple[bytes, Iterator[bytes]]:
    head = next(chunks, b"")

    def rest() -> Iterator[bytes]:
        yield head
        yield from chunks

    return head, rest()


def _check_content(suffix: str, chunks: Iterator[bytes], what: str, allow_hdf5: bool) -> str:
    head, chunks = _first(chunks)
    if not head:
        raise UploadRejectedError(f"{what} is empty: expected a table. Upload the exported file.")
    binary = _looks_binary(head)
    if suffix == ".biom" and head.startswith(HDF5_MAGIC):
        if not allow_hdf5:
            raise UploadRejectedError(
                f"{what}: a compressed BIOM HDF5 table is not accepted; expected BIOM HDF5 "
                "uncompressed or BIOM JSON. Upload the .biom file as it is."
            )
        for _ in chunks:  # read to the end (the cap of the stream applies)
            pass
        return "biom-hdf5"
    if binary is not None:
        expected = "a BIOM JSON or HDF5 table" if suffix == ".biom" else "a UTF-8 text table"
        raise UploadRejectedError(
            f"The content of {what} does not match its name: found {binary}; expected "
            f"{expected}. Check that you chose the right file."
        )
    _check_text(chunks, what)
    if suffix == ".biom":
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            raise UploadRejectedError(
                f"{what} is not a BIOM table: found text that is not JSON; expected BIOM 1.0 "
                "JSON or BIOM 2.1 HDF5. Rename a text table to .tsv, or export BIOM again."
            )
        return "biom-json"
    return "text"


def _safe_member(info: zipfile.ZipInfo) -> str:
    name = info.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if (
        not name
        or "\\" in name
        or name.startswith("/")
        or (len(name) > 1 and name[1] == ":")
        or any(p in ("..", "") for p in parts)
    ):
        raise UploadRejectedError(
            f"The zip archive holds a file with an unsafe path ({name[:80]!r}): expected a plain "
            "file name. Zip the table on its own and upload it again."
        )
    if info.is_dir():
        raise UploadRejectedError(
            "The zip archive holds a folder: expected exactly one table file. "
            "Zip the table on its own."
        )
    return PurePosixPath(name).name


def _check_zip(path: Path, limits: Limits) -> Checked:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadRejectedError(
            "The zip archive is damaged or incomplete: expected a readable .zip. "
            "Create the archive again, or upload the table itself."
        ) from None
    with archive:
        infos = archive.infolist()
        if len(infos) != 1:
            raise UploadRejectedError(
                f"The zip archive holds {len(infos)} files: expected exactly one table. "
                "Upload the tables one by one."
            )
        (info,) = infos
        member = _safe_member(info)
        if info.flag_bits & 0x1:
            raise UploadRejectedError(
                "The zip archive is encrypted: expected an archive without a password."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UploadRejectedError(
                "The zip archive uses an unusual compression method: expected a standard "
                "(deflate) zip. Create it again with a common tool."
            )
        container, suffix = _suffix(member)
        if container != "plain":
            raise UploadRejectedError(
                f"The zip archive holds {member!r}, itself compressed: expected a plain table "
                "inside. Unpack it and zip the table only."
            )
        if info.file_size > limits.max_unpacked_bytes or info.file_size > limits.max_ratio * max(
            info.compress_size, 1 << 10
        ):
            raise UploadRejectedError(
                f"The zip archive unpacks to {_mb(info.file_size)} from "
                f"{_mb(info.compress_size)}: this looks like a compression bomb (limit "
                f"{_mb(limits.max_unpacked_bytes)}, ratio {limits.max_ratio}:1). Upload the "
                "table itself."
            )
        try:
            with archive.open(info) as stream:
                detected = _check_content(
                    suffix,
                    _capped(stream, min(info.file_size, limits.max_unpacked_bytes), member),
                    member,
                    allow_hdf5=True,
                )
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
            raise UploadRejectedError(
                "The zip archive is damaged (its content does not unpack): expected a readable "
                ".zip. Create the archive again."
            ) from None
        return Checked("zip", info.filename, suffix, detected)


def check_upload(path: Path, name: str, limits: Limits) -> Checked:
    """Check an uploaded file (already on disk at ``path``, sent as ``name``)."""
    container, suffix = _suffix(name)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise UploadRejectedError(
            f"The file is {_mb(size)}, larger than the {_mb(limits.max_bytes)} limit. "
            "Upload it gzip-compressed (.gz) or ask the practice owner to raise the limit."
        )
    with path.open("rb") as handle:
        start = handle.read(8)
    if container == "zip":
        if not start.startswith(ZIP_MAGIC):
            raise UploadRejectedError(
                f"The content does not match the name: found {_looks_binary(start) or 'no zip'}"
                " where a zip archive was expected. Check that you chose the right file."
            )
        return _check_zip(path, limits)
    if container == "gz":
        if not start.startswith(GZIP_MAGIC):
            raise UploadRejectedError(
                "The content does not match the name: this .gz file is not gzip-compressed. "
                "Remove the .gz ending or compress the file with gzip."
            )
        try:
            with gzip.open(path, "rb") as stream:
                detected = _check_content(
                    suffix,
                    _capped(cast(IO[bytes], stream), limits.max_unpacked_bytes, name),
                    name,
                    allow_hdf5=False,
                )
        except (gzip.BadGzipFile, zlib.error, EOFError, OSError):
            raise UploadRejectedError(
                "The gzip file is damaged or incomplete: expected a whole .gz file. "
                "Compress the table again and upload it."
            ) from None
        return Checked("gz", None, suffix, detected)
    with path.open("rb") as handle:
        detected = _check_content(suffix, _capped(handle, size, name), name, allow_hdf5=True)
    return Checked("plain", None, suffix, detected)


def open_payload(path: Path, checked: Checked, out: Path, limits: Limits) -> Path:
    """The table to analyse: ``path`` itself (gzip is read by gutbrain), or the zip's member
    unpacked to ``out`` (streamed, with the cap applied again)."""
    if checked.container != "zip" or checked.member is None:
        return path
    with (
        zipfile.ZipFile(path) as archive,
        archive.open(checked.member) as stream,
        out.open("wb") as target,
    ):
        for chunk in _capped(stream, limits.max_unpacked_bytes, checked.member):
            target.write(chunk)
    return out
