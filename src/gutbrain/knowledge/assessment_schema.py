"""The JSON Schema of the assessment document (``gutbrain-assessment/1``), shipped with gutbrain."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from gutbrain.knowledge.mechanisms import validate_instance

__all__ = ["assessment_schema", "validate_assessment_document"]


@cache
def assessment_schema() -> dict[str, Any]:
    """The schema (``knowledge/data/schema/gutbrain_assessment.schema.json``).

    >>> assessment_schema()["properties"]["format"]["enum"]
    ['gutbrain-assessment/1']
    """
    node = resources.files("gutbrain.knowledge") / "data" / "schema"
    schema: dict[str, Any] = json.loads(
        (node / "gutbrain_assessment.schema.json").read_text(encoding="utf-8")
    )
    return schema


def validate_assessment_document(document: object) -> None:
    """Raise :class:`~gutbrain.errors.KnowledgeBaseError` if ``document`` breaks the schema."""
    validate_instance(document, assessment_schema(), where="assessment")
