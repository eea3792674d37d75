"""Where upload and report files live, and how they get there without ever being half-written.

``DATA_DIR/uploads/`` holds accepted uploads under a UUID name (mode 0600, folder 0700);
``DATA_DIR/uploads/tmp/`` the files still arriving (``*.part``) and the analysis work folders;
``DATA_DIR/reports/`` the rendered reports. None of them is served by the web server: files
leave only through the permission-checked download view. Every file is written under a
temporary name, flushed to disk (``fsync``) and renamed, so a crash leaves either nothing or a
temporary file that :func:`remove_stale` deletes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

__all__ = [
    "PendingFile",
    "remove_orphans",
    "remove_stale",
    "reports_dir",
    "tmp_dir",
    "uploads_dir",
    "write_private",
]


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


def uploads_dir() -> Path:
    return _private_dir(Path(settings.DATA_DIR) / "uploads")


def tmp_dir() -> Path:
    return _private_dir(uploads_dir() / "tmp")


def reports_dir() -> Path:
    return _private_dir(Path(settings.DATA_DIR) / "reports")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class PendingFile:
    """A file being received: ``tmp/<uuid>.part`` (0600), hashed as it is written."""

    def __init__(self) -> None:
        self.path = tmp_dir() / f"{uuid.uuid4().hex}.part"
        self._fd: int | None = os.open(
            self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._hash.update(data)
        self.size += len(data)

    def finish(self) -> str:
        """Flush to disk and close; returns the SHA-256."""
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
        return self._hash.hexdigest()

    def promote(self) -> str:
        """Rename to its final UUID name in ``uploads/``; returns that name."""
        self.finish()
        name = uuid.uuid4().hex
        os.replace(self.path, uploads_dir() / name)
        _fsync_dir(uploads_dir())
        return name

    def discard(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        self.path.unlink(missing_ok=True)


def write_private(folder: Path, suffix: str, data: bytes) -> str:
    """Write ``data`` to ``folder/<uuid><suffix>`` (0600) atomically; returns the name."""
    name = f"{uuid.uuid4().hex}{suffix}"
    temp = tmp_dir() / f"{name}.part"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, folder / name)
    _fsync_dir(folder)
    return name


def _older(path: Path, cutoff: float | None) -> bool:
    if cutoff is None:
        return True
    try:
        return path.lstat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale(max_age_seconds: float | None) -> int:
    """Delete temporary files and work folders (all, or those older than the age)."""
    cutoff = None if max_age_seconds is None else time.time() - max_age_seconds
    removed = 0
    for entry in tmp_dir().iterdir():
        if _older(entry, cutoff):
            _remove(entry)
            removed += 1
    return removed


def remove_orphans(folder: Path, known: Iterable[str], max_age_seconds: float | None) -> int:
    """Delete files in ``folder`` that no database row names (a crash between writing the file
    and committing its row), except the ``tmp`` folder and files younger than the age."""
    names = set(known)
    cutoff = None if max_age_seconds is None else time.time() - max_age_seconds
    removed = 0
    for entry in folder.iterdir():
        if entry.name == "tmp" or entry.name in names or not _older(entry, cutoff):
            continue
        _remove(entry)
        removed += 1
    return removed
