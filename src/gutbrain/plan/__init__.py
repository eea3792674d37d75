"""Personalised plans: rules → ranked, constraint-safe recommendations, with versioned edits.

Pure: dataclasses in, dataclasses out; no file access. The rules are data in
:mod:`gutbrain.knowledge.plan_rules`; :mod:`gutbrain.pipeline.plan` turns an
assessment and a profile into the *facts* the rules read.
"""

from gutbrain.plan.conditions import holds
from gutbrain.plan.edits import EDITABLE_FIELDS, Edit, apply_edits
from gutbrain.plan.engine import PLAN_FORMAT, draft_plan
from gutbrain.plan.markdown import render_markdown
from gutbrain.plan.model import (
    Omission,
    Plan,
    PlanItem,
    PlanNote,
    PlanVersion,
    SafetyBlock,
    WeeklyTarget,
    plan_from_dict,
    plan_to_dict,
)

__all__ = [
    "EDITABLE_FIELDS",
    "PLAN_FORMAT",
    "Edit",
    "Omission",
    "Plan",
    "PlanItem",
    "PlanNote",
    "PlanVersion",
    "SafetyBlock",
    "WeeklyTarget",
    "apply_edits",
    "draft_plan",
    "holds",
    "plan_from_dict",
    "plan_to_dict",
    "render_markdown",
]
