"""Wording rules as data: the forbidden claims, and the texts of the safety flag.

``data/wording/forbidden.json`` lists the claims gutbrain must never make (the must-not-claim
list of the project's evidence notes, section E.4): each with the rule number, a description
and regular expressions that find it. :func:`find_forbidden` checks any text against them, so
the instruments, the assessment, the plan and the report share one list.

``data/wording/safety.json`` holds the crisis, referral and practitioner texts used by
:mod:`gutbrain.assess.safety` (gutbrain's own wording, after section E.3).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

from gutbrain.errors import KnowledgeBaseError

__all__ = [
    "SAFETY_PRIORITIES",
    "CrisisResource",
    "ForbiddenClaim",
    "ForbiddenMatch",
    "SafetyPriority",
    "SafetyWording",
    "find_forbidden",
    "forbidden_matches",
    "load_forbidden",
    "load_safety_wording",
    "wording_citations",
]

#: priority of a safety flag, most pressing first
SafetyPriority = Literal["highest", "urgent", "prompt"]
SAFETY_PRIORITIES: tuple[SafetyPriority, ...] = get_args(SafetyPriority)
_REASONS = ("phq9_item9", "phq9_total", "gad7_total")


@dataclass(frozen=True)
class ForbiddenClaim:
    """One kind of claim that must not be made, with the patterns that find it."""

    id: str
    rule: int
    description: str
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class ForbiddenMatch:
    """Where a text makes a forbidden claim: the claim id, its rule and the matched words."""

    id: str
    rule: int
    text: str


@dataclass(frozen=True)
class CrisisResource:
    """A place to get help now."""

    name: str
    region: str
    contact: str


@dataclass(frozen=True)
class SafetyWording:
    """The texts of a safety flag, by priority, and the always-visible help texts."""

    headline: Mapping[SafetyPriority, str]
    crisis_text: str
    referral_text: Mapping[SafetyPriority, str]
    practitioner_action: Mapping[SafetyPriority, str]
    reasons: Mapping[str, str]
    resources: tuple[CrisisResource, ...]
    questionnaire_disclaimer: str
    crisis_banner: str
    no_flag_note: str
    citations: tuple[str, ...]

    def texts(self) -> list[str]:
        """Every text, for wording checks."""
        out = [self.crisis_text, self.questionnaire_disclaimer, self.crisis_banner]
        out.append(self.no_flag_note)
        for table in (self.headline, self.referral_text, self.practitioner_action, self.reasons):
            out.extend(table.values())
        out.extend(f"{r.name} {r.region} {r.contact}" for r in self.resources)
        return out


def _read(name: str) -> dict[str, Any]:
    node = resources.files("gutbrain.knowledge") / "data" / "wording" / name
    data: dict[str, Any] = json.loads(node.read_text(encoding="utf-8"))
    return data


def _bad(name: str, problem: str, found: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(
        problem,
        where=f"gutbrain:wording/{name}",
        found=found,
        fix="correct the wording file",
    )


@cache
def load_forbidden() -> tuple[ForbiddenClaim, ...]:
    """The forbidden claims, in the order of the must-not-claim list.

    >>> [c.rule for c in load_forbidden()][:3]
    [1, 2, 3]
    """
    claims = []
    for entry in _read("forbidden.json")["entries"]:
        try:
            patterns = tuple(re.compile(p, re.IGNORECASE) for p in entry["patterns"])
        except (re.error, TypeError) as exc:
            raise _bad("forbidden.json", "invalid pattern", f"{entry.get('id')}: {exc}") from exc
        if not patterns:
            raise _bad("forbidden.json", "entry without patterns", str(entry.get("id")))
        claims.append(
            ForbiddenClaim(entry["id"], int(entry["rule"]), entry["description"], patterns)
        )
    return tuple(claims)


def forbidden_matches(text: str) -> list[ForbiddenMatch]:
    """Every forbidden claim ``text`` makes, with the words that make it.

    >>> forbidden_matches("This probiotic cures anxiety.")[0].text
    'cures anxiety'
    """
    found = []
    for claim in load_forbidden():
        for pattern in claim.patterns:
            match = pattern.search(text)
            if match is not None:
                found.append(ForbiddenMatch(claim.id, claim.rule, match.group(0)))
                break
    return found


def find_forbidden(text: str) -> list[str]:
    """Ids of the forbidden claims made in ``text`` (empty when the text is fine).

    Negated uses are allowed: "This is not a diagnosis", "do not stop your medication".

    >>> find_forbidden("Your score shows that you have depression.")
    ['diagnosis_claim']
    >>> find_forbidden("These questionnaires are screening tools, not a diagnosis.")
    []
    """
    return [m.id for m in forbidden_matches(text)]


@cache
def load_safety_wording() -> SafetyWording:
    """The texts of the safety flag and the always-visible help texts.

    >>> "116 123" in load_safety_wording().crisis_banner
    True
    """
    data = _read("safety.json")
    for table in ("headline", "referral_text", "practitioner_action"):
        if sorted(data[table]) != sorted(SAFETY_PRIORITIES):
            raise _bad(
                "safety.json", f"{table} must have one text per priority", ", ".join(data[table])
            )
    if sorted(data["reasons"]) != sorted(_REASONS):
        raise _bad("safety.json", "reasons must cover the safety rules", ", ".join(data["reasons"]))
    return SafetyWording(
        headline=dict(data["headline"]),
        crisis_text=data["crisis_text"],
        referral_text=dict(data["referral_text"]),
        practitioner_action=dict(data["practitioner_action"]),
        reasons=dict(data["reasons"]),
        resources=tuple(CrisisResource(**r) for r in data["resources"]),
        questionnaire_disclaimer=data["questionnaire_disclaimer"],
        crisis_banner=data["crisis_banner"],
        no_flag_note=data["no_flag_note"],
        citations=tuple(data["citations"]),
    )


def wording_citations() -> frozenset[str]:
    """Citation keys used by the two wording files (all must resolve in references.json)."""
    return frozenset(_read("forbidden.json")["citations"]) | frozenset(
        _read("safety.json")["citations"]
    )
