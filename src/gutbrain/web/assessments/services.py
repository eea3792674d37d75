"""Scoring submitted answers with ``gutbrain.assess`` and storing them on the client's file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from gutbrain import __version__
from gutbrain.assess import AnswerSet, SafetyFlag, answer_set_from_mapping, assess
from gutbrain.errors import GutBrainError
from gutbrain.pipeline.assess import assessment_document
from gutbrain.web.assessments.models import Assessment, QuestionnaireRequest, SafetyAlert

__all__ = ["AlreadyUsedError", "Submitted", "answers_of", "build_answer_set", "submit"]


class AlreadyUsedError(Exception):
    """The request was answered (or expired) before this submission could claim it."""


@dataclass(frozen=True)
class Submitted:
    assessment: Assessment
    safety: SafetyFlag | None


def build_answer_set(client_id: str, date: Any, answers: dict[str, Any], source: str) -> AnswerSet:
    """The checked :class:`AnswerSet` (raises :class:`~gutbrain.errors.GutBrainError`)."""
    document = {"client": {"id": client_id}, "date": date.isoformat(), "answers": answers}
    return answer_set_from_mapping(document, source=source)


def answers_of(document: Any) -> dict[str, dict[str, Any]]:
    """The answers inside a stored assessment document, in the engine's mapping form."""
    out: dict[str, dict[str, Any]] = {}
    for result in document.get("results", []) if isinstance(document, dict) else []:
        items = {
            str(i["id"]): i["answer"]
            for i in result.get("items", [])
            if i.get("answer") is not None
        }
        if items:
            out[str(result["instrument"])] = items
    return out


def _previous(
    request: QuestionnaireRequest, today: Any
) -> tuple[Assessment | None, AnswerSet | None]:
    """The client's latest assessment before today, with its answers (if they can be read)."""
    earlier = Assessment.objects.filter(client=request.client, taken_on__lt=today).order_by(
        "-taken_on", "-created_at"
    )
    for candidate in earlier[:1]:
        answers = answers_of(candidate.document)
        if not answers:
            return None, None
        try:
            answer_set = build_answer_set(
                str(request.client_id), candidate.taken_on, answers, "previous assessment"
            )
        except GutBrainError:
            return None, None
        return candidate, answer_set
    return None, None


def submit(
    request: QuestionnaireRequest, answers: dict[str, Any], *, user: Any, channel: str
) -> Submitted:
    """Score, store, open a safety alert if flagged, and mark the request used — all at once.

    Raises :class:`AlreadyUsedError` when another submission won, and
    :class:`~gutbrain.errors.GutBrainError` when the engine refuses the answers.
    """
    now = timezone.now()
    today = timezone.localdate()
    answer_set = build_answer_set(str(request.client_id), today, answers, "questionnaire")
    previous, previous_set = _previous(request, today)
    result = assess(answer_set, previous_set)
    document = assessment_document(result)
    with transaction.atomic():
        won = QuestionnaireRequest.objects.usable().filter(pk=request.pk).update(used_at=now)
        if won != 1:
            raise AlreadyUsedError(str(request.pk))
        assessment = Assessment.objects.create(
            client=request.client,
            format=document["format"],
            document=document,
            provenance={
                "source": f"questionnaire ({channel})",
                "gutbrain_version": __version__,
                "instruments_version": document.get("instruments_version"),
                "request": str(request.pk),
            },
            taken_on=today,
            safety_flag=result.safety is not None,
            previous=previous,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        QuestionnaireRequest.objects.filter(pk=request.pk).update(assessment=assessment)
        if result.safety is not None:
            SafetyAlert.objects.create(
                client=request.client, assessment=assessment, priority=result.safety.priority
            )
    return Submitted(assessment, result.safety)
