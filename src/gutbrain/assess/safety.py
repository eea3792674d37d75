"""The safety flag: raised by fixed rules, never by an option, never switched off.

Rules (issue 5; project evidence notes B.2, B.3):

* PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0;
* PHQ-9 total of 20 or more;
* GAD-7 total of 15 or more.

A total counts when the scored total (prorated where the instrument allows) reaches the
threshold, and also when the answered items alone already reach it — an unanswered item can
only add to a total, so a partly answered questionnaire can still raise the flag. The
software never tells anyone they are safe: a flag that is absent means only that these
rules were not met (evidence notes E.4 item 10).

Priority: ``highest`` when item 9 is 2 or 3 (more than half the days / nearly every day),
``urgent`` when item 9 is 1, ``prompt`` when only a total rule is met.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from gutbrain.assess.results import InstrumentResult, Number, json_number
from gutbrain.knowledge.wording import (
    CrisisResource,
    SafetyPriority,
    load_safety_wording,
)

__all__ = [
    "GAD7_TOTAL_THRESHOLD",
    "PHQ9_ITEM9_THRESHOLD",
    "PHQ9_TOTAL_THRESHOLD",
    "SafetyFlag",
    "SafetyReason",
    "SafetyRule",
    "evaluate_safety",
]

SafetyRule = Literal["phq9_item9", "phq9_total", "gad7_total"]

#: item 9 of the PHQ-9 at or above this value raises the flag
PHQ9_ITEM9_THRESHOLD = 1
#: a PHQ-9 total at or above this value raises the flag
PHQ9_TOTAL_THRESHOLD = 20
#: a GAD-7 total at or above this value raises the flag
GAD7_TOTAL_THRESHOLD = 15


@dataclass(frozen=True)
class SafetyReason:
    """One rule that was met, with the value that met it and a plain-language text."""

    rule: SafetyRule
    instrument: str
    value: Number
    threshold: Number
    text: str

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "rule": self.rule,
            "instrument": self.instrument,
            "value": json_number(self.value),
            "threshold": self.threshold,
            "text": self.text,
        }


@dataclass(frozen=True)
class SafetyFlag:
    """Crisis resources and a referral that come first in every plan and report.

    The flag is computed from the instrument results when an
    :class:`~gutbrain.assess.model.Assessment` is built; there is no way to build an
    assessment without it.
    """

    priority: SafetyPriority
    reasons: tuple[SafetyReason, ...]
    headline: str
    crisis_text: str
    referral_text: str
    practitioner_action: str
    resources: tuple[CrisisResource, ...]
    citations: tuple[str, ...]

    @property
    def rules(self) -> tuple[SafetyRule, ...]:
        """The rules that were met."""
        return tuple(r.rule for r in self.reasons)

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "priority": self.priority,
            "reasons": [r.to_json_dict() for r in self.reasons],
            "headline": self.headline,
            "crisis_text": self.crisis_text,
            "referral_text": self.referral_text,
            "practitioner_action": self.practitioner_action,
            "resources": [
                {"name": r.name, "region": r.region, "contact": r.contact} for r in self.resources
            ],
            "citations": list(self.citations),
        }


def _answered_sum(result: InstrumentResult) -> Number:
    return sum(i.answer for i in result.items if i.answer is not None)


def _total(result: InstrumentResult) -> Number:
    """The larger of the scored total and the sum of the answered items."""
    answered = _answered_sum(result)
    if result.score is None:
        return answered
    return max(result.score, answered)


def evaluate_safety(results: Iterable[InstrumentResult]) -> SafetyFlag | None:
    """The safety flag the results raise, or ``None`` when no rule is met.

    >>> from gutbrain.assess.scoring import score_instrument
    >>> from gutbrain.knowledge.instruments import get_instrument
    >>> phq9 = score_instrument(get_instrument("phq9"), [0, 0, 0, 0, 0, 0, 0, 0, 1])
    >>> flag = evaluate_safety([phq9])
    >>> flag.priority, flag.rules
    ('urgent', ('phq9_item9',))
    >>> evaluate_safety([score_instrument(get_instrument("phq9"), [0] * 9)]) is None
    True
    """
    wording = load_safety_wording()
    reasons: list[SafetyReason] = []
    item9: Number = 0
    for result in results:
        if result.instrument == "phq9":
            answer = result.item("q9")
            if answer.answer is not None and answer.answer >= PHQ9_ITEM9_THRESHOLD:
                item9 = answer.answer
                text = wording.reasons["phq9_item9"].format(answer=answer.option or answer.answer)
                reasons.append(
                    SafetyReason("phq9_item9", "phq9", item9, PHQ9_ITEM9_THRESHOLD, text)
                )
            total = _total(result)
            if total >= PHQ9_TOTAL_THRESHOLD:
                text = wording.reasons["phq9_total"].format(value=json_number(total))
                reasons.append(
                    SafetyReason("phq9_total", "phq9", total, PHQ9_TOTAL_THRESHOLD, text)
                )
        elif result.instrument == "gad7":
            total = _total(result)
            if total >= GAD7_TOTAL_THRESHOLD:
                text = wording.reasons["gad7_total"].format(value=json_number(total))
                reasons.append(
                    SafetyReason("gad7_total", "gad7", total, GAD7_TOTAL_THRESHOLD, text)
                )
    if not reasons:
        return None
    priority: SafetyPriority = "highest" if item9 >= 2 else "urgent" if item9 >= 1 else "prompt"
    return SafetyFlag(
        priority=priority,
        reasons=tuple(reasons),
        headline=wording.headline[priority],
        crisis_text=wording.crisis_text,
        referral_text=wording.referral_text[priority],
        practitioner_action=wording.practitioner_action[priority],
        resources=wording.resources,
        citations=wording.citations,
    )
