"""Uploads: receive, check, store and enqueue; analyse in the worker; recover after a crash.

The web request streams the file to a temporary name (:class:`StreamingUploadHandler`), checks
it (:mod:`gutbrain.web.results.checks`) and, in one transaction, renames it to its UUID name,
creates the :class:`~gutbrain.web.results.models.Upload` row and enqueues the analysis. The
worker (:func:`analyse`) runs the same engine as ``gutbrain analyze`` and stores one
:class:`~gutbrain.web.results.models.Result` per sample, with its report.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from gutbrain.errors import GutBrainError
from gutbrain.web.accounts.models import User
from gutbrain.web.clients.models import Client
from gutbrain.web.results.checks import Limits, UploadRejectedError, check_upload
from gutbrain.web.results.engine import EngineJob, Rendered, run_engine
from gutbrain.web.results.isolation import AnalysisCrashedError, run_limited
from gutbrain.web.results.models import Result, Upload, UploadStatus
from gutbrain.web.results.storage import (
    PendingFile,
    remove_orphans,
    remove_stale,
    reports_dir,
    tmp_dir,
    uploads_dir,
    write_private,
)

__all__ = [
    "MAX_ATTEMPTS",
    "ReceivedFile",
    "StreamingUploadHandler",
    "accept_upload",
    "analyse",
    "limits",
    "recover",
]

log = logging.getLogger("gutbrain.web.results")

#: An analysis interrupted this often (worker killed each time) is given up.
MAX_ATTEMPTS = 3
INTERRUPTED = (
    "The analysis was interrupted {n} times (the background worker stopped while it ran). "
    "Upload the file again; if this repeats, ask the practice owner to check the server."
)
INTERNAL = (
    "The analysis stopped because of an internal problem (error id {id}); the file is kept. "
    "Upload it again later, or give the error id to the practice owner."
)


def limits() -> Limits:
    return Limits.from_mb(int(settings.GUTBRAIN_UPLOAD_MAX_MB))


class ReceivedFile(UploadedFile):
    """An uploaded file already complete on disk (fsynced) under a temporary name."""

    def __init__(self, pending: PendingFile, name: str, content_type: str, sha256: str) -> None:
        super().__init__(None, name, content_type, pending.size)
        self.pending = pending
        self.sha256 = sha256

    def temporary_file_path(self) -> str:
        return str(self.pending.path)

    def close(self) -> None:
        pass


class StreamingUploadHandler(FileUploadHandler):
    """Writes each file straight into ``DATA_DIR/uploads/tmp`` (never memory or ``/tmp``),
    hashing it; a file over the size cap is dropped at once and noted in ``too_big``."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.max_bytes = limits().max_bytes
        self.pending: list[PendingFile] = []
        self.current: PendingFile | None = None
        self.too_big = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.current = PendingFile()
        self.pending.append(self.current)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        assert self.current is not None
        if self.current.size + len(raw_data) > self.max_bytes:
            self.current.discard()
            self.too_big = True
            raise SkipFile("over the size cap")
        self.current.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> ReceivedFile | None:
        if self.current is None:
            return None
        sha = self.current.finish()
        received = ReceivedFile(
            self.current, self.file_name or "upload", self.content_type or "", sha
        )
        self.current = None
        return received

    def upload_interrupted(self) -> None:
        self.discard_all()

    def discard_all(self) -> None:
        for pending in self.pending:
            pending.discard()


def accept_upload(received: ReceivedFile, client: Client, user: User) -> Upload:
    """Check the file; then, in one transaction, move it to its UUID name, create the row and
    enqueue the analysis. Raises :class:`UploadRejectedError` (the temporary file is removed)."""
    from gutbrain.web.results.tasks import analyse_upload

    name = (received.name or "upload")[:255]
    try:
        checked = check_upload(received.pending.path, name, limits())
    except UploadRejectedError:
        received.pending.discard()
        raise
    stored = ""
    try:
        with transaction.atomic():
            stored = received.pending.promote()
            upload = Upload.objects.create(
                client=client,
                original_name=name,
                stored_name=stored,
                sha256=received.sha256,
                size=received.pending.size,
                detected_format=checked.label,
                created_by=user,
            )
            analyse_upload.enqueue(str(upload.pk))
    except BaseException:
        received.pending.discard()
        if stored:
            (uploads_dir() / stored).unlink(missing_ok=True)
        raise
    upload.refresh_from_db()
    return upload


# --- the background analysis ------------------------------------------------------------------


def _claim(upload_id: str) -> Upload | None:
    won = Upload.objects.filter(pk=upload_id, status=UploadStatus.QUEUED).update(
        status=UploadStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    if won != 1:
        return None
    return Upload.objects.select_related("client").get(pk=upload_id)


def _finish(upload: Upload, status: UploadStatus, error: str = "") -> None:
    Upload.objects.filter(pk=upload.pk).update(
        status=status, error=error[:4000], finished_at=timezone.now()
    )


def _provenance(
    upload: Upload, document: dict[str, Any], summary: dict[str, Any]
) -> dict[str, Any]:
    inputs = summary.get("inputs") or [{}]
    return {
        "tool": "gutbrain analyze (practice app upload)",
        "gutbrain_version": document.get("gutbrain_version") or summary.get("gutbrain_version"),
        "knowledge_version": document.get("knowledge_version"),
        "input": {
            "original_name": upload.original_name,
            "sha256": upload.sha256,
            "size": upload.size,
            "format": inputs[0].get("format"),
            "reference": (inputs[0].get("reference") or {}).get("name"),
        },
        "upload": str(upload.pk),
    }


def analyse(upload_id: str) -> str:
    """Analyse one queued upload (the task body); returns the final status."""
    upload = _claim(upload_id)
    if upload is None:
        return "skipped"
    work = Path(tempfile.mkdtemp(prefix="work-", dir=tmp_dir()))
    try:
        job = EngineJob(
            stored=uploads_dir() / upload.stored_name,
            sha256=upload.sha256,
            original_name=upload.original_name,
            limits=limits(),
            work=work,
            pdf=bool(settings.GUTBRAIN_REPORT_PDF),
        )
        summary, rendered = run_limited(
            run_engine,
            job,
            seconds=float(settings.GUTBRAIN_ANALYSIS_TIMEOUT_SECONDS),
            extra_memory_mb=int(settings.GUTBRAIN_ANALYSIS_MEMORY_MB),
        )
        made: list[tuple[Rendered, str, str]] = []
        for item in rendered:
            html = write_private(reports_dir(), ".html", item.html)
            pdf = write_private(reports_dir(), ".pdf", item.pdf) if item.pdf else ""
            made.append((item, html, pdf))
        with transaction.atomic():
            for item, html, pdf in made:
                Result.objects.create(
                    client=upload.client,
                    format=str(item.document.get("format", "")),
                    document=item.document,
                    provenance=_provenance(upload, item.document, summary),
                    sample=str(item.document.get("sample", ""))[:200],
                    upload=upload,
                    report_html=html,
                    report_pdf=pdf,
                    created_by=upload.created_by,
                )
            _finish(upload, UploadStatus.DONE)
        return "done"
    except UploadRejectedError as exc:
        _finish(upload, UploadStatus.FAILED, str(exc))
    except GutBrainError as exc:
        _finish(upload, UploadStatus.FAILED, str(exc))
    except AnalysisCrashedError as exc:
        error_id = uuid.uuid4().hex[:12]
        log.error("upload %s: analysis failed (error id %s)\n%s", upload.pk, error_id, exc)
        _finish(upload, UploadStatus.FAILED, INTERNAL.format(id=error_id))
    except Exception:
        error_id = uuid.uuid4().hex[:12]
        log.exception("upload %s: analysis failed (error id %s)", upload.pk, error_id)
        _finish(upload, UploadStatus.FAILED, INTERNAL.format(id=error_id))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return "failed"


# --- after a crash ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    temp_removed: int
    orphans_removed: int
    requeued: int
    failed: int


def recover(max_age_seconds: float | None = 3600.0, now: datetime | None = None) -> Recovery:
    """Clean up after a killed server or worker (run when the worker starts).

    Removes temporary files (all with ``max_age_seconds=None``, when no request can be
    running), files without a database row, and puts uploads left ``running`` by a dead worker
    back in the queue, or marks them failed after :data:`MAX_ATTEMPTS`. Assumes one worker.
    """
    from gutbrain.web.results.tasks import analyse_upload

    temp = remove_stale(max_age_seconds)
    orphans = remove_orphans(
        uploads_dir(), Upload.objects.values_list("stored_name", flat=True), max_age_seconds
    )
    reports = Result.objects.exclude(report_html="").values_list("report_html", "report_pdf")
    orphans += remove_orphans(
        reports_dir(), (n for pair in reports for n in pair if n), max_age_seconds
    )
    requeued = failed = 0
    for upload in Upload.objects.filter(status=UploadStatus.RUNNING):
        if upload.attempts >= MAX_ATTEMPTS:
            _finish(upload, UploadStatus.FAILED, INTERRUPTED.format(n=upload.attempts))
            failed += 1
            continue
        with transaction.atomic():
            won = Upload.objects.filter(pk=upload.pk, status=UploadStatus.RUNNING).update(
                status=UploadStatus.QUEUED, started_at=None
            )
            if won:
                analyse_upload.enqueue(str(upload.pk))
                requeued += 1
    return Recovery(temp, orphans, requeued, failed)


def retry(upload: Upload) -> bool:
    """Queue a failed upload again (the same stored file); False when it is not failed."""
    from gutbrain.web.results.tasks import analyse_upload

    with transaction.atomic():
        won = Upload.objects.filter(pk=upload.pk, status=UploadStatus.FAILED).update(
            status=UploadStatus.QUEUED, error="", attempts=0, started_at=None, finished_at=None
        )
        if won:
            analyse_upload.enqueue(str(upload.pk))
    return bool(won)
