"""The plan document: versions of a ranked list of recommendations.

A :class:`Plan` keeps every version: version 1 is drafted from the rules, each
practitioner edit adds a version with its author, time and reason. The safety
block, when present, is not an item: it always comes first and no edit can
remove or move it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Omission",
    "Plan",
    "PlanItem",
    "PlanNote",
    "PlanVersion",
    "SafetyBlock",
    "WeeklyTarget",
    "plan_from_dict",
    "plan_to_dict",
]


@dataclass(frozen=True)
class WeeklyTarget:
    """A measurable target for each of the first weeks (``values[0]`` = week 1)."""

    metric: str
    label: str
    unit: str
    values: tuple[float, ...]
    goal: float


@dataclass(frozen=True)
class PlanItem:
    """One recommendation of a plan version."""

    id: str
    family: str
    title: str
    what: str
    amount: str
    frequency: str
    duration_weeks: int
    targets: tuple[WeeklyTarget, ...]
    rationale: tuple[str, ...]
    evidence_grade: str
    citations: tuple[str, ...]
    cautions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = "rule"
    rule: str | None = None
    option: str | None = None


@dataclass(frozen=True)
class SafetyBlock:
    """Crisis resources and referral, shown before anything else."""

    title: str
    text: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class PlanNote:
    """A plan-wide note (medication, follow-up)."""

    id: str
    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Omission:
    """A recommendation that applied but was left out, and why."""

    rule: str
    reason: str


@dataclass(frozen=True)
class PlanVersion:
    """One version of the item list, with who made it, when and why."""

    number: int
    author: str
    time: str
    reason: str
    items: tuple[PlanItem, ...]


@dataclass(frozen=True)
class Plan:
    """A versioned plan. ``versions[-1]`` is the current one."""

    format: str
    client: Mapping[str, Any]
    date: str
    header: str
    safety: SafetyBlock | None
    notes: tuple[PlanNote, ...]
    constraints: tuple[str, ...]
    omitted: tuple[Omission, ...]
    based_on: Mapping[str, Any]
    versions: tuple[PlanVersion, ...] = field(default=())

    @property
    def current(self) -> PlanVersion:
        """The latest version."""
        return self.versions[-1]


def _item_dict(item: PlanItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "family": item.family,
        "title": item.title,
        "what": item.what,
        "amount": item.amount,
        "frequency": item.frequency,
        "duration_weeks": item.duration_weeks,
        "targets": [
            {
                "metric": t.metric,
                "label": t.label,
                "unit": t.unit,
                "weekly": list(t.values),
                "goal": t.goal,
            }
            for t in item.targets
        ],
        "rationale": list(item.rationale),
        "evidence_grade": item.evidence_grade,
        "citations": list(item.citations),
        "cautions": list(item.cautions),
        "tags": list(item.tags),
        "source": item.source,
        "rule": item.rule,
        "option": item.option,
    }


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """Plain, JSON-ready form (deterministic: no clock, no randomness)."""
    return {
        "format": plan.format,
        "client": dict(plan.client),
        "date": plan.date,
        "header": plan.header,
        "safety": None
        if plan.safety is None
        else {
            "title": plan.safety.title,
            "text": plan.safety.text,
            "reasons": list(plan.safety.reasons),
        },
        "notes": [{"id": n.id, "text": n.text, "citations": list(n.citations)} for n in plan.notes],
        "constraints": list(plan.constraints),
        "omitted": [{"rule": o.rule, "reason": o.reason} for o in plan.omitted],
        "based_on": dict(plan.based_on),
        "current_version": plan.current.number,
        "versions": [
            {
                "number": v.number,
                "author": v.author,
                "time": v.time,
                "reason": v.reason,
                "items": [_item_dict(i) for i in v.items],
            }
            for v in plan.versions
        ],
    }


def _item(d: Mapping[str, Any]) -> PlanItem:
    return PlanItem(
        id=d["id"],
        family=d["family"],
        title=d["title"],
        what=d["what"],
        amount=d["amount"],
        frequency=d["frequency"],
        duration_weeks=int(d["duration_weeks"]),
        targets=tuple(
            WeeklyTarget(t["metric"], t["label"], t["unit"], tuple(t["weekly"]), t["goal"])
            for t in d["targets"]
        ),
        rationale=tuple(d["rationale"]),
        evidence_grade=d["evidence_grade"],
        citations=tuple(d["citations"]),
        cautions=tuple(d["cautions"]),
        tags=tuple(d["tags"]),
        source=d["source"],
        rule=d["rule"],
        option=d["option"],
    )


def plan_from_dict(d: Mapping[str, Any]) -> Plan:
    """Inverse of :func:`plan_to_dict` (the caller validates the schema first)."""
    safety = d["safety"]
    return Plan(
        format=d["format"],
        client=dict(d["client"]),
        date=d["date"],
        header=d["header"],
        safety=None
        if safety is None
        else SafetyBlock(safety["title"], safety["text"], tuple(safety["reasons"])),
        notes=tuple(PlanNote(n["id"], n["text"], tuple(n["citations"])) for n in d["notes"]),
        constraints=tuple(d["constraints"]),
        omitted=tuple(Omission(o["rule"], o["reason"]) for o in d["omitted"]),
        based_on=dict(d["based_on"]),
        versions=tuple(
            PlanVersion(
                v["number"],
                v["author"],
                v["time"],
                v["reason"],
                tuple(_item(i) for i in v["items"]),
            )
            for v in d["versions"]
        ),
    )
