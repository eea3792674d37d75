"""The analysis of one stored upload, free of Django so it can run in a fresh child process.

:func:`run_engine` is what the worker's isolated child executes (see
:mod:`gutbrain.web.results.isolation`): it re-checks the stored file, unpacks it, runs the same
engine as ``gutbrain analyze`` and renders each profile's report. Everything it needs arrives
in an :class:`EngineJob` of plain values; it never touches the database or the settings.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gutbrain.errors import GutBrainError
from gutbrain.io.checksum import sha256_file
from gutbrain.knowledge.profile_schema import validate_profile
from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze
from gutbrain.web.results.checks import Limits, UploadRejectedError, check_upload, open_payload

__all__ = ["EngineJob", "Rendered", "run_engine", "safe_name"]

log = logging.getLogger("gutbrain.web.results")


@dataclass(frozen=True)
class EngineJob:
    """One analysis: the stored file, what it must hash to, the name the user knows it by."""

    stored: Path
    sha256: str
    original_name: str
    limits: Limits
    work: Path
    pdf: bool


@dataclass(frozen=True)
class Rendered:
    document: dict[str, Any]
    html: bytes
    pdf: bytes | None


def safe_name(name: str) -> str:
    """A file name for messages: the original's last part, harmless characters only.

    >>> safe_name("../../etc/pass wd.tsv")
    'pass_wd.tsv'
    """
    base = re.split(r"[\\/]", name)[-1]
    keep = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return keep[:120] or "upload.tsv"


def _render(document: dict[str, Any], pdf: bool) -> Rendered:
    from gutbrain.report.api import render_report

    if pdf:
        try:
            report = render_report(profile=document, audience="practitioner", pdf=True)
            return Rendered(document, report.html.encode(), report.pdf)
        except GutBrainError as exc:  # no PDF renderer here: HTML only
            log.warning("report PDF not made: %s", exc)
    report = render_report(profile=document, audience="practitioner")
    return Rendered(document, report.html.encode(), None)


def run_engine(job: EngineJob) -> tuple[dict[str, Any], list[Rendered]]:
    """Analyse ``job.stored``; gutbrain's errors come back naming the user's file name."""
    if not job.stored.is_file() or sha256_file(job.stored) != job.sha256:
        raise UploadRejectedError(
            "The stored file is missing or no longer matches what was uploaded (checksum). "
            "Upload the file again."
        )
    checked = check_upload(job.stored, job.original_name, job.limits)
    display = job.work / safe_name(job.original_name)
    payload = open_payload(
        job.stored, checked, job.work / f".payload{checked.inner_suffix}", job.limits
    )
    display.symlink_to(payload)
    try:
        summary = run_analyze(AnalyzeRequest((display,), job.work / ".out"))
    except GutBrainError as exc:
        # gutbrain's own message names the file; show the name the user knows
        raise UploadRejectedError(str(exc).replace(str(display), job.original_name)) from None
    rendered = []
    for path in sorted((job.work / ".out" / "profiles").glob("*.json")):
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        validate_profile(document)
        rendered.append(_render(document, job.pdf))
    return summary, rendered
