"""Plan document (``gutbrain-plan/1``) → :class:`~gutbrain.report.model.PlanView`.

The current version is ``versions[-1]``; every version is kept for the practitioner's
history table with the items it added and removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gutbrain.report.model import PlanItemView, PlanVersionView, PlanView, TargetView

__all__ = ["build_plan_view"]


def _item(doc: Mapping[str, Any]) -> PlanItemView:
    return PlanItemView(
        id=str(doc["id"]),
        family=str(doc["family"]),
        title=str(doc["title"]),
        what=str(doc["what"]),
        amount=str(doc["amount"]),
        frequency=str(doc["frequency"]),
        duration_weeks=int(doc["duration_weeks"]),
        targets=tuple(
            TargetView(
                metric=str(t["metric"]),
                label=str(t["label"]),
                unit=str(t["unit"]),
                weekly=tuple(float(x) for x in t["weekly"]),
                goal=float(t["goal"]),
            )
            for t in doc["targets"]
        ),
        rationale=tuple(str(r) for r in doc["rationale"]),
        evidence_grade=str(doc["evidence_grade"]),
        citations=tuple(doc["citations"]),
        cautions=tuple(str(c) for c in doc["cautions"]),
        source=str(doc["source"]),
        rule=doc["rule"],
    )


def build_plan_view(plan: Mapping[str, Any]) -> PlanView:
    """The plan as the report shows it (``plan`` is a checked document).

    Examples
    --------
    >>> from gutbrain.plan import draft_plan, plan_to_dict
    >>> doc = plan_to_dict(draft_plan({"phq9.score": 6}, [], client={"id": "c-1"},
    ...                               date="2026-11-20", safety=None, based_on={}))
    >>> view = build_plan_view(doc)
    >>> view.current_version, view.versions[0].author
    (1, 'gutbrain')
    """
    versions = []
    before: tuple[str, ...] = ()
    for v in plan["versions"]:
        ids = tuple(str(i["id"]) for i in v["items"])
        versions.append(
            PlanVersionView(
                number=int(v["number"]),
                author=str(v["author"]),
                time=str(v["time"]),
                reason=str(v["reason"]),
                item_ids=ids,
                added=tuple(i for i in ids if i not in before),
                removed=tuple(i for i in before if i not in ids),
            )
        )
        before = ids
    current = plan["versions"][-1]
    return PlanView(
        date=str(plan["date"]),
        header=str(plan["header"]),
        current_version=int(current["number"]),
        items=tuple(_item(i) for i in current["items"]),
        notes=tuple((str(n["text"]), tuple(n["citations"])) for n in plan["notes"]),
        omitted=tuple((str(o["rule"]), str(o["reason"])) for o in plan["omitted"]),
        constraints=tuple(plan["constraints"]),
        versions=tuple(versions),
        based_on=dict(plan["based_on"]),
        gutbrain_version=plan.get("gutbrain_version"),
    )
