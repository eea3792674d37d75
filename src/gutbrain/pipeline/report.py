"""The ``gutbrain report`` job: profile / assessment(s) / plan JSON files → HTML (and PDF).

This layer reads and checks the three kinds of documents gutbrain writes and writes the
outputs atomically. Building and rendering the report is the job of :mod:`gutbrain.report`
(a higher layer), which hands its renderer to :func:`run_report`; the command line and the
demo call :func:`gutbrain.report.write_report_files` or :func:`gutbrain.report.write_report`.

Every problem with an input becomes a :class:`~gutbrain.errors.GutBrainError` that names the
file, what was found and what was expected:

* a missing, unreadable or empty file (:class:`~gutbrain.errors.InputError`);
* a file that is not JSON, not a JSON object, or carries another ``format`` tag;
* a document that breaks the shipped JSON Schema (the pointer of the first problem);
* no document at all (:class:`~gutbrain.errors.OptionError`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from gutbrain.errors import GutBrainError, InputFormatError, OptionError
from gutbrain.io.textfile import read_bytes
from gutbrain.io.tsv_out import make_outdir, write_bytes
from gutbrain.knowledge.assessment_schema import validate_assessment_document
from gutbrain.knowledge.profile_schema import validate_plan, validate_profile

__all__ = [
    "FORMATS",
    "Audience",
    "DocumentKind",
    "RenderedReport",
    "ReportDocuments",
    "ReportRenderer",
    "ReportRequest",
    "check_document",
    "check_documents",
    "read_document",
    "read_documents",
    "run_report",
    "write_outputs",
]

#: who the report is written for
Audience = Literal["client", "practitioner"]
#: the three kinds of documents a report is built from
DocumentKind = Literal["profile", "assessment", "plan"]

#: format tag of each kind of document
FORMATS: Mapping[DocumentKind, str] = {
    "profile": "gutbrain-profile/1",
    "assessment": "gutbrain-assessment/1",
    "plan": "gutbrain-plan/1",
}
_MAKER: Mapping[DocumentKind, str] = {
    "profile": "gutbrain analyze (OUT/profiles/<sample>.json)",
    "assessment": "gutbrain assess ANSWERS.yaml -o assessment.json",
    "plan": "gutbrain plan",
}
_VALIDATORS: Mapping[DocumentKind, Callable[[object], None]] = {
    "profile": validate_profile,
    "assessment": validate_assessment_document,
    "plan": validate_plan,
}


@dataclass(frozen=True)
class ReportDocuments:
    """Checked documents a report is built from, with where each came from.

    ``assessments`` are in the order given; the report sorts them by date.
    ``sources`` maps ``"profile"``, ``"plan"`` and ``"assessment 1"`` … to a file path or
    another label (``"profile (in memory)"``) for messages and provenance.
    """

    profile: Mapping[str, Any] | None = None
    assessments: tuple[Mapping[str, Any], ...] = ()
    plan: Mapping[str, Any] | None = None
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report: the self-contained HTML text and, when asked for, the PDF bytes."""

    html: str
    pdf: bytes | None = None


@dataclass(frozen=True)
class ReportRequest:
    """Everything ``gutbrain report`` needs.

    Parameters
    ----------
    output:
        HTML file to write.
    profile, assessments, plan:
        Input documents (at least one).
    audience:
        ``client`` (plain language) or ``practitioner`` (adds tables, states, provenance).
    pdf:
        PDF file to write as well, or ``None``.
    note:
        A note from the practitioner to show in the report (plain text).
    disclosure:
        Whether the practitioner earns from any product recommended (plain text).
    """

    output: Path
    profile: Path | None = None
    assessments: tuple[Path, ...] = ()
    plan: Path | None = None
    audience: Audience = "client"
    pdf: Path | None = None
    note: str | None = None
    disclosure: str | None = None


#: what :func:`run_report` calls: ``render(documents, audience, want_pdf, note)``
ReportRenderer = Callable[[ReportDocuments, Audience, bool, "str | None"], RenderedReport]


def _format_error(kind: DocumentKind, where: str, found: str) -> InputFormatError:
    return InputFormatError(
        f"not a gutbrain {kind} document",
        where=where,
        found=found,
        expected=f"format {FORMATS[kind]!r}",
        fix=f"give a file written by {_MAKER[kind]}",
    )


def check_document(kind: DocumentKind, document: object, where: str) -> Mapping[str, Any]:
    """Check one parsed document: a JSON object with the right format tag that fits the schema.

    Parameters
    ----------
    kind:
        ``profile``, ``assessment`` or ``plan``.
    document:
        The parsed JSON value.
    where:
        File name or label for messages.

    Returns
    -------
    Mapping
        The document itself.

    Raises
    ------
    InputFormatError
        Not an object, another format tag, or a schema violation (naming the JSON pointer).

    Examples
    --------
    >>> check_document("plan", {"format": "gutbrain-profile/1"}, "p.json")
    Traceback (most recent call last):
    ...
    gutbrain.errors.InputFormatError: p.json: not a gutbrain plan document; found format \
'gutbrain-profile/1'; expected format 'gutbrain-plan/1'; fix: give a file written by gutbrain plan
    """
    if not isinstance(document, dict):
        raise _format_error(kind, where, f"a JSON {type(document).__name__}, not an object")
    tag = document.get("format")
    if tag != FORMATS[kind]:
        raise _format_error(kind, where, f"format {tag!r}" if tag is not None else "no format")
    try:
        _VALIDATORS[kind](document)
    except GutBrainError as exc:
        pointer = (exc.where or "/").rsplit(", ", 1)[-1]
        raise InputFormatError(
            f"{kind} document does not follow its schema ({exc.problem})",
            where=f"{where}, {pointer}",
            found=exc.found,
            expected=exc.expected,
            fix=f"give an unmodified file written by {_MAKER[kind]}",
        ) from None
    return document


def read_document(kind: DocumentKind, path: str | os.PathLike[str]) -> Mapping[str, Any]:
    """Read, parse and check one JSON document (see :func:`check_document`).

    Raises
    ------
    InputError
        Missing, unreadable or empty file.
    InputFormatError
        Not UTF-8 JSON, or see :func:`check_document`.
    """
    where = os.fspath(path)
    data = read_bytes(path)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputFormatError(
            "not UTF-8 text",
            where=where,
            found=f"byte 0x{data[exc.start]:02x} at offset {exc.start}",
            expected=f"a {FORMATS[kind]} JSON document",
            fix=f"give a file written by {_MAKER[kind]}",
        ) from None
    except json.JSONDecodeError as exc:
        raise InputFormatError(
            "not valid JSON",
            where=f"{where}, line {exc.lineno}, column {exc.colno}",
            found=exc.msg,
            expected=f"a {FORMATS[kind]} JSON document",
            fix=f"give a file written by {_MAKER[kind]}",
        ) from None
    return check_document(kind, document, where)


def _none_given() -> OptionError:
    return OptionError(
        "nothing to report on",
        found="no profile, assessment or plan",
        expected="at least one of --profile, --assessment, --plan",
        fix="e.g. gutbrain report --profile OUT/profiles/S1.json -o report.html",
    )


def check_documents(
    profile: object | None = None,
    assessments: Sequence[object] = (),
    plan: object | None = None,
) -> ReportDocuments:
    """Check in-memory documents (e.g. those the demo just made) and bundle them.

    Raises
    ------
    OptionError
        None of the three is given.
    InputFormatError
        A document is malformed (see :func:`check_document`).
    """
    if profile is None and not assessments and plan is None:
        raise _none_given()
    sources: dict[str, str] = {}
    checked_profile = None
    if profile is not None:
        sources["profile"] = "profile (in memory)"
        checked_profile = check_document("profile", profile, sources["profile"])
    checked: list[Mapping[str, Any]] = []
    for i, doc in enumerate(assessments, start=1):
        sources[f"assessment {i}"] = f"assessment {i} (in memory)"
        checked.append(check_document("assessment", doc, sources[f"assessment {i}"]))
    checked_plan = None
    if plan is not None:
        sources["plan"] = "plan (in memory)"
        checked_plan = check_document("plan", plan, sources["plan"])
    return ReportDocuments(checked_profile, tuple(checked), checked_plan, sources)


def read_documents(
    profile: Path | None = None,
    assessments: Sequence[Path] = (),
    plan: Path | None = None,
) -> ReportDocuments:
    """Read and check the documents named on the command line.

    Raises
    ------
    OptionError
        None of the three is given.
    InputError, InputFormatError
        A file is missing, not JSON, of another format, or breaks its schema.
    """
    if profile is None and not assessments and plan is None:
        raise _none_given()
    sources: dict[str, str] = {}
    loaded_profile = None
    if profile is not None:
        loaded_profile = read_document("profile", profile)
        sources["profile"] = os.fspath(profile)
    loaded: list[Mapping[str, Any]] = []
    for i, path in enumerate(assessments, start=1):
        loaded.append(read_document("assessment", path))
        sources[f"assessment {i}"] = os.fspath(path)
    loaded_plan = None
    if plan is not None:
        loaded_plan = read_document("plan", plan)
        sources["plan"] = os.fspath(plan)
    return ReportDocuments(loaded_profile, tuple(loaded), loaded_plan, sources)


def _check_outputs(html: Path, pdf: Path | None) -> None:
    if pdf is not None and Path(os.path.abspath(pdf)) == Path(os.path.abspath(html)):
        raise OptionError(
            "the HTML and the PDF would be the same file",
            found=os.fspath(pdf),
            expected="two different paths",
            fix="e.g. -o report.html --pdf report.pdf",
        )
    for path in (html, pdf):
        if path is not None and path.is_dir():
            raise OptionError(
                "output is a directory",
                found=os.fspath(path),
                expected="a file path",
                fix="give a file name, e.g. report.html",
            )


def write_outputs(rendered: RenderedReport, html: Path, pdf: Path | None = None) -> None:
    """Write the HTML (and the PDF when both a path and bytes are given), each atomically.

    Parent directories are created as needed.
    """
    _check_outputs(html, pdf)
    make_outdir(html.parent if str(html.parent) else Path("."))
    write_bytes(html, rendered.html.encode("utf-8"))
    if pdf is not None and rendered.pdf is not None:
        make_outdir(pdf.parent if str(pdf.parent) else Path("."))
        write_bytes(pdf, rendered.pdf)


def run_report(request: ReportRequest, render: ReportRenderer) -> dict[str, Any]:
    """Read and check the inputs, render with ``render``, write the outputs; return a summary.

    ``render(documents, audience, want_pdf, note)`` builds and renders the report; it is
    :func:`gutbrain.report.render_documents` (passed in because the report layer sits above
    this one). :func:`gutbrain.report.write_report_files` also passes ``request.disclosure``.
    """
    _check_outputs(request.output, request.pdf)
    documents = read_documents(request.profile, request.assessments, request.plan)
    rendered = render(documents, request.audience, request.pdf is not None, request.note)
    write_outputs(rendered, request.output, request.pdf)
    outputs = {"html": os.fspath(request.output)}
    if request.pdf is not None:
        outputs["pdf"] = os.fspath(request.pdf)
    return {
        "audience": request.audience,
        "inputs": dict(documents.sources),
        "outputs": outputs,
        "html_bytes": len(rendered.html.encode("utf-8")),
        "pdf_bytes": None if rendered.pdf is None else len(rendered.pdf),
    }
