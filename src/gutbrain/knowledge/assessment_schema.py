"""The JSON Schema of the assessment document (``gutbrain-assessment/1``), shipped with gutbrain."""

from __future__ import annotations

from functools import cache
from typing import Any

from gutbrain.knowledge.mechanisms import validate_instance
from gutbrain.knowledge.profile_schema import packaged_schema

__all__ = ["assessment_schema", "validate_assessment_document"]


@cache
def assessment_schema() -> dict[str, Any]:
    """The schema (``knowledge/data/schema/gutbrain_assessment.schema.json``).

    >>> assessment_schema()["properties"]["format"]["enum"]
    ['gutbrain-assessment/1']
    """
    return packaged_schema("gutbrain_assessment.schema.json")


def validate_assessment_document(document: object) -> None:
    """Raise :class:`~gutbrain.errors.KnowledgeBaseError` if ``document`` breaks the schema."""
    validate_instance(document, assessment_schema(), where="assessment")
