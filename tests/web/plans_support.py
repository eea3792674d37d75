"""Helpers for the plan and progress tests: real engine documents on a World client's file."""

from __future__ import annotations

from datetime import date
from typing import Any

from gutbrain.assess import answer_set_from_mapping, assess
from gutbrain.pipeline.assess import assessment_document
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.clients.models import Client
from gutbrain.web.plans import services
from gutbrain.web.plans.models import Plan
from gutbrain.web.results.models import Result

__all__ = ["add_assessment", "add_profile", "drafted", "items_of", "phq9"]


def phq9(total: int, item9: int = 0) -> list[int]:
    """Nine PHQ-9 answers summing to ``total`` with item 9 = ``item9``."""
    rest = total - item9
    values = []
    for _ in range(8):
        v = min(3, rest)
        values.append(v)
        rest -= v
    return [*values, item9]


def add_assessment(
    client: Client,
    day: str,
    answers: dict[str, list[int]],
    preferences: tuple[str, ...] = (),
) -> Assessment:
    """Score ``answers`` with the engine and store the assessment document on the file."""
    mapping: dict[str, Any] = {
        "client": {"id": str(client.pk)},
        "date": day,
        "answers": answers,
        "preferences": list(preferences),
    }
    scored = assess(answer_set_from_mapping(mapping))
    doc = assessment_document(scored)
    return Assessment.objects.create(
        client=client,
        format=doc["format"],
        document=doc,
        taken_on=date.fromisoformat(day),
        safety_flag=scored.safety is not None,
    )


def add_profile(client: Client, sample: str, scores: dict[str, float], shared: bool) -> Result:
    """A small ``gutbrain-profile/1`` document with the given mechanism scores."""
    mechanisms = [
        {
            "id": mid,
            "title": mid.replace("_", " ").title(),
            "score": score,
            "confidence": 0.8,
            "state": "ok",
            "evidence_grade": "C",
            "components": [
                {
                    "id": f"{mid}-c",
                    "label": f"{mid} component",
                    "state": "ok",
                    "percentile": score,
                    "value": score / 10,
                }
            ],
        }
        for mid, score in scores.items()
    ]
    doc = {"format": "gutbrain-profile/1", "sample": sample, "mechanisms": mechanisms}
    return Result.objects.create(
        client=client,
        format="gutbrain-profile/1",
        document=doc,
        sample=sample,
        shared_with_client=shared,
    )


def drafted(client: Client, user: Any) -> Plan:
    """A draft plan made by the engine from the file's documents (as the draft view does)."""
    return services.draft_for_client(client, user)


def items_of(plan: Plan) -> list[str]:
    """Item ids of the plan's current version."""
    plan.refresh_from_db()
    return [i["id"] for i in plan.document["versions"][-1]["items"]]
