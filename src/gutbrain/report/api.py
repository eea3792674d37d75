"""Entry points: documents (in memory or files) → HTML text, PDF bytes, files on disk.

* :func:`render_report` — in-memory documents (dicts) → :class:`RenderedReport`;
* :func:`write_report` — the same, written to ``report.html`` (and ``report.pdf``);
* :func:`write_report_files` — what ``gutbrain report`` runs: JSON files → files.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gutbrain.pipeline.reference import ReferencePopulation
from gutbrain.pipeline.report import (
    Audience,
    RenderedReport,
    ReportDocuments,
    ReportRequest,
    check_documents,
    run_report,
    write_outputs,
)
from gutbrain.report.build import build_report
from gutbrain.report.render import render_html, render_pdf

__all__ = ["render_documents", "render_report", "write_report", "write_report_files"]


def render_documents(
    documents: ReportDocuments,
    audience: Audience = "client",
    pdf: bool = False,
    note: str | None = None,
    *,
    references: Mapping[str, ReferencePopulation] | None = None,
    disclosure: str | None = None,
) -> RenderedReport:
    """Build and render checked documents: the HTML, and the PDF when ``pdf`` is true."""
    report = build_report(
        documents, audience, references=references, note=note, disclosure=disclosure
    )
    html = render_html(report)
    return RenderedReport(html, render_pdf(html) if pdf else None)


def render_report(
    *,
    profile: Mapping[str, Any] | None = None,
    assessments: Sequence[Mapping[str, Any]] = (),
    plan: Mapping[str, Any] | None = None,
    audience: Audience = "client",
    pdf: bool = False,
    note: str | None = None,
    references: Mapping[str, ReferencePopulation] | None = None,
    disclosure: str | None = None,
) -> RenderedReport:
    """Render in-memory documents (as written by analyze / assess / plan).

    Examples
    --------
    >>> from gutbrain.plan import draft_plan, plan_to_dict
    >>> doc = plan_to_dict(draft_plan({}, [], client={"id": "c-1"}, date="2026-11-20",
    ...                               safety=None, based_on={}))
    >>> doc["gutbrain_version"] = "0"
    >>> html = render_report(plan=doc).html
    >>> html.startswith("<!DOCTYPE html>") and "Your plan" in html
    True
    """
    documents = check_documents(profile, assessments, plan)
    return render_documents(
        documents, audience, pdf, note, references=references, disclosure=disclosure
    )


def write_report(
    html_path: str | os.PathLike[str],
    *,
    profile: Mapping[str, Any] | None = None,
    assessments: Sequence[Mapping[str, Any]] = (),
    plan: Mapping[str, Any] | None = None,
    audience: Audience = "client",
    pdf_path: str | os.PathLike[str] | None = None,
    note: str | None = None,
    references: Mapping[str, ReferencePopulation] | None = None,
    disclosure: str | None = None,
) -> RenderedReport:
    """Render in-memory documents and write the HTML (and PDF), each atomically."""
    rendered = render_report(
        profile=profile,
        assessments=assessments,
        plan=plan,
        audience=audience,
        pdf=pdf_path is not None,
        note=note,
        references=references,
        disclosure=disclosure,
    )
    write_outputs(rendered, Path(html_path), None if pdf_path is None else Path(pdf_path))
    return rendered


def write_report_files(request: ReportRequest) -> dict[str, Any]:
    """Read the JSON files of ``request``, render, write; return a summary (``gutbrain report``).

    The same as ``run_report(request, render_documents)``, with ``request.disclosure`` passed on.
    """
    return run_report(request, functools.partial(render_documents, disclosure=request.disclosure))
