"""The ``gutbrain assess`` job: answers file (+ optional previous one) → assessment.

Reads the YAML answers through :mod:`gutbrain.io.answers`, checks and scores them with
:mod:`gutbrain.assess`, and (with an output path) writes the assessment document: JSON with
sorted keys, validated against the shipped schema, byte-identical for the same inputs and
gutbrain version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gutbrain import __version__
from gutbrain.assess import AnswerSet, Assessment, answer_set_from_mapping, assess
from gutbrain.io.answers import read_answer_document
from gutbrain.io.tsv_out import make_outdir, write_bytes
from gutbrain.knowledge.assessment_schema import validate_assessment_document

__all__ = [
    "AssessRequest",
    "assessment_document",
    "assessment_json",
    "load_answers",
    "run_assess",
]


@dataclass(frozen=True)
class AssessRequest:
    """What to assess: an answers file, optionally an earlier one, optionally where to write."""

    answers: Path
    previous: Path | None = None
    output: Path | None = None


def load_answers(path: str | Path) -> AnswerSet:
    """Read and check one answers file; errors name the file, line and column."""
    document = read_answer_document(path)
    return answer_set_from_mapping(document.data, source=document.source, locate=document.locate)


def assessment_document(assessment: Assessment) -> dict[str, Any]:
    """The assessment as a JSON document with the gutbrain version, checked against the schema."""
    document = assessment.to_json_dict()
    document["gutbrain_version"] = __version__
    validate_assessment_document(document)
    return document


def assessment_json(assessment: Assessment) -> bytes:
    """The document as UTF-8 JSON: sorted keys, two-space indent, final newline."""
    text = json.dumps(assessment_document(assessment), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def run_assess(request: AssessRequest) -> Assessment:
    """Assess the answers; write the JSON document when ``request.output`` is set."""
    current = load_answers(request.answers)
    previous = None if request.previous is None else load_answers(request.previous)
    assessment = assess(current, previous)
    if request.output is not None:
        data = assessment_json(assessment)
        make_outdir(request.output.parent if str(request.output.parent) else Path("."))
        write_bytes(request.output, data)
    return assessment
