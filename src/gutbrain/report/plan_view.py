"""Plan document (``gutbrain-plan/1``) → :class:`~gutbrain.report.model.PlanView`.

The current version is ``versions[-1]``; every version is kept for the practitioner's
history table with the items it added and removed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gutbrain.plan.model import plan_from_dict
from gutbrain.report.model import PlanVersionView, PlanView

__all__ = ["build_plan_view"]


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
        items=plan_from_dict(plan).current.items,
        notes=tuple((str(n["text"]), tuple(n["citations"])) for n in plan["notes"]),
        omitted=tuple((str(o["rule"]), str(o["reason"])) for o in plan["omitted"]),
        constraints=tuple(plan["constraints"]),
        versions=tuple(versions),
        based_on=dict(plan["based_on"]),
        gutbrain_version=plan.get("gutbrain_version"),
    )
