"""The answers of one person on one date, and the assessment made from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from gutbrain.assess.results import InstrumentResult
from gutbrain.assess.safety import SafetyFlag, evaluate_safety
from gutbrain.errors import OptionError
from gutbrain.knowledge.instruments import REFERRAL_LEVELS, ReferralLevel, instruments_version
from gutbrain.knowledge.vocabulary import Section, load_vocabulary
from gutbrain.knowledge.wording import load_safety_wording

__all__ = [
    "ASSESSMENT_FORMAT",
    "SEXES",
    "Answer",
    "AnswerSet",
    "Assessment",
    "Client",
    "Sex",
]

#: format tag of the assessment document
ASSESSMENT_FORMAT = "gutbrain-assessment/1"
Sex = Literal["female", "male", "intersex", "other", "prefer_not_to_say"]
SEXES: tuple[Sex, ...] = get_args(Sex)
#: one checked answer: a number, or None when unanswered
Answer = int | float | None


@dataclass(frozen=True)
class Client:
    """Who answered. Only ``id`` is required.

    >>> Client("c-001", "Alex Example", 34, "female").age
    34
    """

    id: str
    name: str | None = None
    age: int | None = None
    sex: Sex | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise OptionError("client id must be a non-empty text", found=repr(self.id))
        if self.age is not None and not (isinstance(self.age, int) and 0 <= self.age <= 130):
            raise OptionError(
                "invalid client age", found=repr(self.age), expected="a whole number from 0 to 130"
            )
        if self.sex is not None and self.sex not in SEXES:
            raise OptionError(
                "invalid client sex", found=repr(self.sex), expected="one of " + ", ".join(SEXES)
            )

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "age": self.age, "sex": self.sex}


def _check_terms(terms: tuple[str, ...], section: Section) -> None:
    vocabulary = load_vocabulary()
    valid = vocabulary.ids(section)
    for term in terms:
        if term not in valid:
            raise OptionError(
                f"unknown {section[:-1]} {term!r}",
                found=repr(term),
                expected="one of " + ", ".join(valid),
                fix="use the canonical vocabulary id",
            )


@dataclass(frozen=True)
class AnswerSet:
    """The checked answers of one client on one date, with their constraints.

    ``answers`` holds (instrument id, answers in item order) pairs; build it with
    :func:`~gutbrain.assess.answers.answer_set_from_mapping` so every answer is checked.
    ``preferences``, ``conditions`` and ``medications`` are canonical vocabulary ids.
    """

    client: Client
    date: dt.date
    answers: tuple[tuple[str, tuple[Answer, ...]], ...]
    preferences: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    source: str = "answers"

    def __post_init__(self) -> None:
        _check_terms(self.preferences, "preferences")
        _check_terms(self.conditions, "conditions")
        _check_terms(self.medications, "medications")

    @property
    def instrument_ids(self) -> tuple[str, ...]:
        """Ids of the instruments answered."""
        return tuple(i for i, _ in self.answers)

    def answers_for(self, instrument_id: str) -> tuple[Answer, ...] | None:
        """The answers to one instrument, or ``None`` when it was not answered."""
        for key, values in self.answers:
            if key == instrument_id:
                return values
        return None


@dataclass(frozen=True)
class Assessment:
    """Scored questionnaires of one client on one date: what the plan engine consumes.

    ``safety`` is not a constructor argument: it is always computed from ``results`` by
    :func:`~gutbrain.assess.safety.evaluate_safety`, so no option or caller can switch it off.

    Parameters
    ----------
    client, date:
        Who, and when the questionnaires were answered.
    results:
        One :class:`~gutbrain.assess.results.InstrumentResult` per answered instrument, in
        questionnaire order.
    preferences, medications, conditions:
        Canonical vocabulary ids (``vegetarian``, ``maoi``, ``pregnancy`` ...).
    previous_date:
        Date of the assessment the changes refer to, if any.
    """

    client: Client
    date: dt.date
    results: tuple[InstrumentResult, ...]
    preferences: tuple[str, ...] = ()
    medications: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ()
    previous_date: dt.date | None = None
    format: str = ASSESSMENT_FORMAT
    safety: SafetyFlag | None = field(init=False)

    def __post_init__(self) -> None:
        ids = [r.instrument for r in self.results]
        if len(set(ids)) != len(ids):
            raise OptionError("an instrument appears twice in the results", found=", ".join(ids))
        if self.format != ASSESSMENT_FORMAT:
            raise OptionError(
                "unknown assessment format", found=repr(self.format), expected=ASSESSMENT_FORMAT
            )
        _check_terms(self.preferences, "preferences")
        _check_terms(self.conditions, "conditions")
        _check_terms(self.medications, "medications")
        object.__setattr__(self, "safety", evaluate_safety(self.results))

    def result(self, instrument_id: str) -> InstrumentResult | None:
        """The result of one instrument, or ``None`` when it was not answered."""
        for result in self.results:
            if result.instrument == instrument_id:
                return result
        return None

    @property
    def constraints(self) -> frozenset[str]:
        """Preferences, conditions and medications with every term they imply.

        ``coeliac`` brings ``gluten_free``; ``vegan`` brings ``vegetarian`` and
        ``dairy_free``; ``maoi`` brings ``antidepressant`` and ``psychotropic``.
        """
        return load_vocabulary().closure(self.preferences + self.conditions + self.medications)

    @property
    def referral(self) -> ReferralLevel:
        """The most pressing referral level of all results (and of the safety flag)."""
        levels = [REFERRAL_LEVELS.index(r.referral) for r in self.results]
        if self.safety is not None:
            levels.append(REFERRAL_LEVELS.index("prompt_professional_care"))
        return REFERRAL_LEVELS[max(levels, default=0)]

    def to_json_dict(self) -> dict[str, Any]:
        """The assessment document (format ``gutbrain-assessment/1``), JSON-ready.

        Deterministic: the same assessment gives the same document. The shipped schema is
        ``knowledge/data/schema/gutbrain_assessment.schema.json``.
        """
        wording = load_safety_wording()
        return {
            "format": self.format,
            "instruments_version": instruments_version(),
            "client": self.client.to_json_dict(),
            "date": self.date.isoformat(),
            "previous_date": None if self.previous_date is None else self.previous_date.isoformat(),
            "safety": None if self.safety is None else self.safety.to_json_dict(),
            "referral": self.referral,
            "results": [r.to_json_dict() for r in self.results],
            "preferences": list(self.preferences),
            "medications": list(self.medications),
            "conditions": list(self.conditions),
            "constraints": sorted(self.constraints),
            "wording": {
                "questionnaire_disclaimer": wording.questionnaire_disclaimer,
                "crisis_banner": wording.crisis_banner,
                "no_flag_note": None if self.safety is not None else wording.no_flag_note,
            },
        }
