"""JSON Schemas of the documents gutbrain writes (profile, plan), shipped in the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from gutbrain.knowledge.mechanisms import validate_instance

__all__ = ["plan_schema", "profile_schema", "validate_plan", "validate_profile"]


@cache
def profile_schema() -> dict[str, Any]:
    """The schema (``knowledge/data/schema/gutbrain_profile.schema.json``).

    >>> profile_schema()["properties"]["format"]["enum"]
    ['gutbrain-profile/1']
    """
    node = resources.files("gutbrain.knowledge") / "data" / "schema"
    schema: dict[str, Any] = json.loads(
        (node / "gutbrain_profile.schema.json").read_text(encoding="utf-8")
    )
    return schema


def validate_profile(document: object) -> None:
    """Raise :class:`~gutbrain.errors.KnowledgeBaseError` if ``document`` breaks the schema."""
    validate_instance(document, profile_schema(), where="GutBrainProfile")


@cache
def plan_schema() -> dict[str, Any]:
    """The plan schema (``knowledge/data/schema/gutbrain_plan.schema.json``).

    >>> plan_schema()["properties"]["format"]["enum"]
    ['gutbrain-plan/1']
    """
    node = resources.files("gutbrain.knowledge") / "data" / "schema"
    schema: dict[str, Any] = json.loads(
        (node / "gutbrain_plan.schema.json").read_text(encoding="utf-8")
    )
    return schema


def validate_plan(document: object) -> None:
    """Raise :class:`~gutbrain.errors.KnowledgeBaseError` if ``document`` breaks the plan schema."""
    validate_instance(document, plan_schema(), where="plan")
