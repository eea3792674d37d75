"""Checked documents → :class:`~gutbrain.report.model.Report` for one audience."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, get_args

from gutbrain import __version__
from gutbrain.errors import OptionError
from gutbrain.knowledge.wording import load_safety_wording
from gutbrain.pipeline.reference import ReferencePopulation
from gutbrain.pipeline.report import ReportDocuments
from gutbrain.report.assessment_view import (
    build_questionnaire_view,
    build_safety_view,
    sort_assessments,
)
from gutbrain.report.model import Audience, ProfileView, Report, Section
from gutbrain.report.plan_view import build_plan_view
from gutbrain.report.profile_view import build_profile_view

__all__ = ["AUDIENCES", "SECTION_TITLES", "build_report"]

AUDIENCES: tuple[Audience, ...] = get_args(Audience)

#: headings of the fixed sections (mechanism sections take the mechanism's title)
SECTION_TITLES: Mapping[str, str] = {
    "safety": "Your safety comes first",
    "summary": "Summary",
    "diversity": "Diversity compared with the reference group",
    "markers": "Marker taxa",
    "questionnaires": "Questionnaires",
    "plan": "Your plan",
    "methods": "Methods and provenance",
    "references": "References",
    "about": "About this report",
}


def _clean(text: object) -> str | None:
    if text is None:
        return None
    value = str(text).strip()
    return value or None


def _client(
    latest: Mapping[str, Any] | None, plan: Mapping[str, Any] | None
) -> tuple[str | None, str | None]:
    ids = []
    name = None
    if latest is not None:
        ids.append(str(latest["client"]["id"]))
        name = _clean(latest["client"].get("name"))
    if plan is not None:
        ids.append(str(plan["client"]["id"]))
        name = name or _clean(plan["client"].get("name"))
    if len(set(ids)) > 1:
        raise OptionError(
            "the assessment and the plan are of different clients",
            found="client ids " + ", ".join(ids),
            expected="documents of one client",
            fix="give the plan made from this client's assessment",
        )
    return name, (ids[0] if ids else None)


def _sections(profile: ProfileView | None, report_parts: Mapping[str, bool]) -> list[Section]:
    out = []
    if report_parts["safety"]:
        out.append(Section("safety", SECTION_TITLES["safety"]))
    out.append(Section("summary", SECTION_TITLES["summary"]))
    if profile is not None:
        out += [Section(f"mechanism-{m.id}", m.title) for m in profile.mechanisms]
        if profile.diversity is not None:
            out.append(Section("diversity", SECTION_TITLES["diversity"]))
        if profile.markers is not None:
            out.append(Section("markers", SECTION_TITLES["markers"]))
    if report_parts["questionnaires"]:
        out.append(Section("questionnaires", SECTION_TITLES["questionnaires"]))
    if report_parts["plan"]:
        out.append(Section("plan", SECTION_TITLES["plan"]))
    out += [Section(k, SECTION_TITLES[k]) for k in ("methods", "references", "about")]
    return out


def build_report(
    documents: ReportDocuments,
    audience: Audience = "client",
    *,
    references: Mapping[str, ReferencePopulation] | None = None,
    note: str | None = None,
    disclosure: str | None = None,
) -> Report:
    """The report model for ``audience`` from checked documents.

    Parameters
    ----------
    documents:
        From :func:`gutbrain.pipeline.report.read_documents` (files) or
        :func:`gutbrain.pipeline.report.check_documents` (in-memory dicts).
    audience:
        ``client`` or ``practitioner``.
    references:
        Reference populations by name, for profiles compared with a reference that is not
        packaged (packaged ones are found by name).
    note:
        A note from the practitioner (plain text; shown escaped).
    disclosure:
        Whether the practitioner earns from any product recommended (plain text).

    Raises
    ------
    OptionError
        Unknown audience, no document, or documents of different clients.
    """
    if audience not in AUDIENCES:
        raise OptionError(
            "unknown audience",
            found=repr(audience),
            expected=" or ".join(AUDIENCES),
            fix="use --audience client or --audience practitioner",
        )
    if documents.profile is None and not documents.assessments and documents.plan is None:
        raise OptionError(
            "nothing to report on",
            found="no profile, assessment or plan",
            expected="at least one of them",
            fix="give a profile, an assessment or a plan",
        )
    ordered = sort_assessments(documents.assessments) if documents.assessments else []
    latest = ordered[-1] if ordered else None
    name, client_id = _client(latest, documents.plan)
    profile = (
        None if documents.profile is None else build_profile_view(documents.profile, references)
    )
    questionnaires = build_questionnaire_view(ordered) if ordered else None
    plan = None if documents.plan is None else build_plan_view(documents.plan)
    safety = build_safety_view(latest, documents.plan)
    who = name or client_id or (f"sample {profile.sample}" if profile is not None else None)
    lead = "Gut–brain wellness report" if audience == "client" else "Practitioner report"
    dates = [d for d in (questionnaires and questionnaires.date, plan and plan.date) if d]
    sections = _sections(
        profile,
        {"safety": safety is not None, "questionnaires": bool(ordered), "plan": plan is not None},
    )
    return Report(
        audience=audience,
        title=f"{lead} for {who}" if who else lead,
        client_name=name,
        client_id=client_id,
        date=max(dates) if dates else None,
        safety=safety,
        crisis_banner=load_safety_wording().crisis_banner,
        profile=profile,
        questionnaires=questionnaires,
        plan=plan,
        note=_clean(note),
        disclosure=_clean(disclosure),
        sources=dict(documents.sources),
        gutbrain_version=__version__,
        sections=tuple(sections),
    )
