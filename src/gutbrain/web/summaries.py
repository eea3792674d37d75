"""Short, display-ready views of gutbrain's JSON documents for the app's pages.

The full report (wording, charts, PDF) is ``gutbrain.report``'s job; these are the few lines a
dashboard or a record page needs, tolerant of documents written by older versions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["DocumentSummary", "summarise_assessment", "summarise_plan", "summarise_profile"]


@dataclass
class DocumentSummary:
    """A heading, a table (header + rows), and free-text notes."""

    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _num(value: Any, digits: int = 0) -> str:
    """A score for display, or an en dash when it is missing.

    >>> _num(59.1358), _num(None), _num(972.5, 1), _num(6)
    ('59', '–', '972.5', '6')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}" if digits else f"{round(value):d}"


def _words(text: Any) -> str:
    return str(text).replace("_", " ") if text else ""


def summarise_profile(doc: dict[str, Any]) -> DocumentSummary:
    """Mechanism scores (0–100, against the reference) with state and evidence grade."""
    out = DocumentSummary(
        f"Gut–brain profile, sample {doc.get('sample', '?')}",
        ("Mechanism", "Score (of 100)", "State", "Evidence"),
    )
    for mech in doc.get("mechanisms", []):
        out.rows.append(
            (
                str(mech.get("title", mech.get("id", "?"))),
                _num(mech.get("score")),
                _words(mech.get("state")),
                str(mech.get("evidence_grade", "")),
            )
        )
    if doc.get("wording"):
        out.notes.append(str(doc["wording"]))
    return out


def summarise_assessment(doc: dict[str, Any]) -> DocumentSummary:
    """Each questionnaire's score, band and change since the previous assessment."""
    out = DocumentSummary(
        f"Questionnaires of {doc.get('date', '?')}",
        ("Questionnaire", "Score", "Band", "Change"),
    )
    for res in doc.get("results", []):
        band = res.get("band") or {}
        change = res.get("change") or {}
        score = res.get("score")
        digits = 1 if isinstance(score, float) and not score.is_integer() else 0
        out.rows.append(
            (
                str(res.get("short_name", res.get("instrument", "?"))),
                _num(score, digits),
                str(band.get("label", "")),
                _words(change.get("category")),
            )
        )
    if doc.get("safety"):
        out.notes.append("This assessment raised the safety flag: see the full assessment.")
    return out


def summarise_plan(doc: dict[str, Any]) -> DocumentSummary:
    """The current version's recommendations."""
    versions = doc.get("versions") or [{}]
    current = versions[-1]
    out = DocumentSummary(
        f"Plan of {doc.get('date', '?')}, version {current.get('number', '?')}",
        ("Recommendation", "What", "How often"),
    )
    for item in current.get("items", []):
        out.rows.append(
            (str(item.get("title", "?")), str(item.get("what", "")), str(item.get("frequency", "")))
        )
    if doc.get("header"):
        out.notes.append(str(doc["header"]))
    for note in doc.get("notes", []):
        if isinstance(note, dict) and note.get("text"):
            out.notes.append(str(note["text"]))
    return out
