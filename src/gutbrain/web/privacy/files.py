"""Stored files that belong to a record: ``FileField`` files and the files that models keep
by name in a folder of the data directory (uploads, rendered reports).

Every path is resolved and must lie inside ``DATA_DIR``; a name that would leave its folder
(``../x``) is ignored rather than followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models

__all__ = ["StoredFile", "data_dir", "stored_files"]

#: (app label, model name, field name) → folder under DATA_DIR holding the named file
NAMED_FILES: dict[tuple[str, str, str], str] = {
    ("results", "upload", "stored_name"): "uploads",
    ("results", "result", "report_html"): "reports",
    ("results", "result", "report_pdf"): "reports",
}


@dataclass(frozen=True)
class StoredFile:
    """A file on disk and a name for it inside an export (``files/<model>/<id>/<field>…``)."""

    path: Path
    member: str


def data_dir() -> Path:
    return Path(settings.DATA_DIR).resolve()


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def stored_files(obj: models.Model) -> list[StoredFile]:
    """The files on disk that ``obj`` refers to (existing or not)."""
    meta = obj._meta
    root = data_dir()
    found: list[StoredFile] = []
    for field in meta.concrete_fields:
        name = getattr(obj, field.attname, None)
        if not name or not isinstance(name, str | models.fields.files.FieldFile):
            continue
        path: Path | None = None
        if isinstance(field, models.FileField):
            storage: Any = field.storage
            try:
                path = Path(storage.path(str(name))).resolve()
            except NotImplementedError:  # not a file-system storage
                continue
        else:
            folder = NAMED_FILES.get((meta.app_label, meta.model_name or "", field.name))
            if folder is None:
                continue
            base = (root / folder).resolve()
            candidate = (base / str(name)).resolve()
            if candidate.parent != base:
                continue
            path = candidate
        if path is None or not _inside(path, root):
            continue
        member = f"files/{meta.model_name}/{obj.pk}/{field.name}-{path.name}"
        found.append(StoredFile(path=path, member=member))
    return found
