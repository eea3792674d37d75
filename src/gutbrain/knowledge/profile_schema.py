"""JSON Schemas of the documents gutbrain writes (profile, plan), shipped in the package."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from gutbrain.knowledge.mechanisms import validate_instance

__all__ = [
    "packaged_schema",
    "plan_schema",
    "profile_schema",
    "validate_plan",
    "validate_profile",
]


def packaged_schema(filename: str) -> dict[str, Any]:
    """A JSON Schema shipped in ``knowledge/data/schema/``."""
    node = resources.files("gutbrain.knowledge") / "data" / "schema" / filename
    schema: dict[str, Any] = json.loads(node.read_text(encoding="utf-8"))
    return schema


@cache
def profile_schema() -> dict[str, Any]:
    """The schema (``knowledge/data/schema/gutbrain_profile.schema.json``).

    >>> profile_schema()["properties"]["format"]["enum"]
    ['gutbrain-profile/1']
    """
    return packaged_schema("gutbrain_profile.schema.json")


def validate_profile(document: object) -> None:
    """Raise :class:`~gutbrain.errors.KnowledgeBaseError` if ``document`` breaks the schema."""
    validate_instance(document, profile_schema(), where="GutBrainProfile")


@cache
def plan_schema() -> dict[str, Any]:
    """The plan schema (``knowledge/data/schema/gutbrain_plan.schema.json``).

    >>> plan_schema()["properties"]["format"]["enum"]
    ['gutbrain-plan/1']
    """
    return packaged_schema("gutbrain_plan.schema.json")


def validate_plan(document: object) -> None:
    """Raise :class:`~gutbrain.errors.KnowledgeBaseError` if ``document`` breaks the plan schema."""
    validate_instance(document, plan_schema(), where="plan")
