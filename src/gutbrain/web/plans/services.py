"""Drafting, editing and publishing plans with gutbrain's plan engine.

* :func:`draft_for_client`: version 1 from the client's latest profile and assessment(s), by
  :func:`gutbrain.pipeline.plan.draft_from_documents`, stored as a draft with its provenance.
* :func:`apply_edit`: one practitioner edit (:mod:`gutbrain.plan.edits`), a new plan version
  inside the document, checked against the plan schema; saved with author, time and reason in
  the row's history (django-simple-history). A published plan is never changed in place:
  the edit goes to a new draft that revises it.
* :func:`publish`: the draft becomes the client's plan; the earlier published plan is
  superseded (kept, and still shown to the client as an earlier plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gutbrain import __version__
from gutbrain.assess import Assessment as Scored
from gutbrain.assess import answer_set_from_mapping, assess
from gutbrain.errors import GutBrainError
from gutbrain.knowledge.plan_rules import load_plan_rules
from gutbrain.knowledge.profile_schema import validate_plan
from gutbrain.knowledge.wording import find_forbidden
from gutbrain.pipeline.plan import catalogue_item, draft_from_documents, plan_document
from gutbrain.plan import Edit, apply_edits, plan_from_dict
from gutbrain.plan import Plan as EnginePlan
from gutbrain.web.accounts.models import User
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.assessments.services import answers_of
from gutbrain.web.clients.models import Client
from gutbrain.web.plans.models import Plan, PlanStatus
from gutbrain.web.results.models import Result

__all__ = [
    "PlanError",
    "apply_edit",
    "catalogue",
    "catalogue_fields",
    "draft_for_client",
    "editable_draft",
    "engine_plan",
    "forbidden_wording",
    "publish",
]


class PlanError(Exception):
    """A plan action the engine or the rules refuse; the message is for the practitioner."""


def forbidden_wording(text: str) -> list[str]:
    """Ids of the claims a wellness plan must not make (diagnosis, cure …) in ``text``."""
    return find_forbidden(text) if text else []


def _scored(assessment: Assessment | None, previous: Assessment | None) -> Scored | None:
    """The stored assessment scored again by the engine (``None`` when its answers are gone)."""
    if assessment is None:
        return None

    def answer_set(row: Assessment) -> Any:
        doc = row.document if isinstance(row.document, dict) else {}
        answers = answers_of(doc)
        if not answers:
            return None
        mapping = {
            "client": {"id": str(row.client_id)},
            "date": row.taken_on.isoformat(),
            "answers": answers,
            **{k: list(doc.get(k) or []) for k in ("preferences", "conditions", "medications")},
        }
        try:
            return answer_set_from_mapping(mapping, source=f"assessment {row.taken_on}")
        except GutBrainError:
            return None

    current = answer_set(assessment)
    if current is None:
        return None
    earlier = None if previous is None else answer_set(previous)
    return assess(current, earlier)


def _now() -> str:
    return timezone.now().replace(microsecond=0).isoformat()


def _save(plan: Plan, reason: str, user: User) -> None:
    """Save with the history record's reason and user (also outside a request)."""
    plan._change_reason = reason  # type: ignore[attr-defined]  # read by simple-history
    plan._history_user = user  # type: ignore[attr-defined]
    plan.save()


def draft_for_client(client: Client, user: User) -> Plan:
    """Draft a plan from the client's latest profile and assessment(s); store it as a draft.

    Raises :class:`PlanError` when the latest assessment raised the safety flag but its
    answers cannot be scored again (the safety block would be lost).
    """
    result = Result.objects.visible_to(user).filter(client=client).order_by("-created_at").first()
    latest = list(
        Assessment.objects.visible_to(user)
        .filter(client=client)
        .order_by("-taken_on", "-created_at")[:2]
    )
    assessment = latest[0] if latest else None
    previous = (assessment.previous if assessment else None) or (
        latest[1] if len(latest) > 1 else None
    )
    scored = _scored(assessment, previous)
    if assessment is not None and scored is None and assessment.safety_flag:
        raise PlanError(
            "The latest assessment raised the safety flag, but its answers cannot be read "
            "again, so the plan's safety block cannot be built. Send the questionnaires again."
        )
    profile = result.document if result is not None and isinstance(result.document, dict) else None
    if profile is not None and not isinstance(profile.get("mechanisms"), list):
        profile = None
    try:
        engine = draft_from_documents(
            scored,
            profile,
            client={"id": str(client.pk), "name": client.display_name},
            date=(scored.date if scored else timezone.localdate()).isoformat(),
        )
        document = plan_document(engine)
    except (GutBrainError, KeyError, TypeError, ValueError) as exc:
        raise PlanError(
            "The plan engine could not use these documents (the profile or the assessment is "
            "incomplete)."
        ) from exc
    plan = Plan(
        client=client,
        format=document["format"],
        document=document,
        provenance={
            "source": "drafted in the practice app",
            "engine": f"gutbrain {__version__}",
            "gutbrain_version": __version__,
            "plan_rules_version": load_plan_rules().version,
            "result": None if result is None else str(result.pk),
            "assessment": None if assessment is None else str(assessment.pk),
            "previous_assessment": None if previous is None or scored is None else str(previous.pk),
        },
        status=PlanStatus.DRAFT,
        created_by=user,
    )
    _save(plan, "drafted by the plan engine", user)
    return plan


def engine_plan(document: Any) -> EnginePlan:
    """A stored document as the engine's plan (:class:`PlanError` if it is not a valid plan)."""
    try:
        validate_plan(document)
        return plan_from_dict(document)
    except (GutBrainError, KeyError, TypeError, ValueError) as exc:
        raise PlanError(
            "This plan document is not a complete gutbrain plan, so it cannot be edited here. "
            "Draft a new plan instead."
        ) from exc


def editable_draft(plan: Plan, user: User) -> Plan:
    """``plan`` itself when it is a draft; for a published plan, the draft that revises it
    (made now, as a copy, when there is none yet)."""
    if plan.status == PlanStatus.DRAFT:
        return plan
    existing = Plan.objects.filter(revises=plan, status=PlanStatus.DRAFT).first()
    if existing is not None:
        return existing
    draft = Plan(
        client=plan.client,
        format=plan.format,
        document=plan.document,
        provenance={**plan.provenance, "revises": str(plan.pk)},
        status=PlanStatus.DRAFT,
        revises=plan,
        created_by=user,
    )
    when = plan.published_at or plan.created_at
    _save(draft, f"new draft from the plan published {when:%Y-%m-%d}", user)
    return draft


def apply_edit(plan: Plan, user: User, op: str, reason: str, **kwargs: Any) -> Plan:
    """Apply one edit (``add``/``remove``/``move``/``update``); returns the draft changed.

    ``kwargs`` are :class:`~gutbrain.plan.Edit`'s ``item``, ``position`` and ``fields``.
    Raises :class:`PlanError` with the engine's reason when the edit is refused.
    """
    existing = (
        Plan.objects.filter(revises=plan, status=PlanStatus.DRAFT).first()
        if plan.status != PlanStatus.DRAFT
        else None
    )
    current = engine_plan((existing or plan).document)
    edit = Edit(op, str(user), _now(), reason, **kwargs)  # type: ignore[arg-type]
    try:
        document = plan_document(apply_edits(current, [edit]))
    except GutBrainError as exc:
        raise PlanError(f"{exc.problem} ({exc.found}). {exc.fix}.") from exc
    with transaction.atomic():
        draft = editable_draft(plan, user)
        draft.document = document
        _save(draft, f"{op}: {reason}", user)
    return draft


def publish(plan: Plan, user: User) -> Plan:
    """Publish a draft; earlier published plans of the client are superseded."""
    if plan.status != PlanStatus.DRAFT:
        raise PlanError("Only a draft can be published.")
    engine_plan(plan.document)
    now = timezone.now()
    with transaction.atomic():
        earlier = Plan.objects.filter(
            client_id=plan.client_id, status=PlanStatus.PUBLISHED, superseded_at__isnull=True
        ).exclude(pk=plan.pk)
        for old in earlier.select_for_update():
            old.superseded_at = now
            _save(old, "superseded by a newer published plan", user)
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = now
        _save(plan, f"published by {user}", user)
    return plan


@dataclass(frozen=True)
class CatalogueEntry:
    """A rule of the catalogue as the add form offers it."""

    id: str
    title: str
    family: str
    evidence_grade: str


def catalogue() -> list[CatalogueEntry]:
    """Every rule of the plan-rule catalogue, in the catalogue's order."""
    return [
        CatalogueEntry(r.id, r.title, r.family.replace("_", " "), r.evidence_grade)
        for r in load_plan_rules().rules
    ]


def catalogue_fields(rule_id: str, plan: EnginePlan) -> dict[str, Any]:
    """The ``add`` fields for a catalogue rule, adapted to the plan's constraints."""
    try:
        fields = catalogue_item(rule_id, plan.constraints)
    except GutBrainError as exc:
        raise PlanError(f"{exc.problem} ({exc.found}).") from exc
    if isinstance(fields, str):
        raise PlanError(f"This recommendation does not suit the client: {fields}.")
    return fields
