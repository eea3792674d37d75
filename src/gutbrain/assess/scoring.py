"""Scoring one instrument's answers by the rule in its definition.

Methods (``scoring.method`` of the instrument file):

``sum``
    Σ item values, reverse-scored items as ``min + max − value``, times ``multiplier``
    (WHO-5: raw × 4). Unanswered items: with ``missing.method = prorate`` and at most
    ``max_missing`` unanswered (none of ``never_missing``), the raw sum is prorated to all
    items, ``sum × n / answered``, rounded half up to a whole point; otherwise not scored.
``category``
    The value of ``primary_item`` (Bristol: the usual stool type, 1–7).
``product``
    The product of ``factors`` (Exercise Vital Sign: days × minutes); a factor skipped
    because its gate item is 0 counts as 0.
``profile``
    No total score: every answer is reported and compared with its target.
``ipaq_short``
    The IPAQ short-form protocol (:mod:`gutbrain.assess.ipaq`).

The result also carries the band the score falls in, and the most pressing referral level
of the instrument's referral rules that the answers meet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from gutbrain.assess.ipaq import score_ipaq
from gutbrain.assess.results import BandResult, InstrumentResult, ItemResult, Number
from gutbrain.assess.validation import check_answers
from gutbrain.knowledge.instruments import REFERRAL_LEVELS, Instrument, ReferralLevel

__all__ = ["round_half_up", "score_instrument"]


def round_half_up(value: Fraction) -> int:
    """Round to the nearest whole number, halves up (12.5 → 13, 12.49 → 12).

    >>> round_half_up(Fraction(25, 2)), round_half_up(Fraction(90, 8))
    (13, 11)
    """
    return math.floor(value + Fraction(1, 2))


@dataclass(frozen=True)
class _Outcome:
    score: Number | None
    scorable: bool
    prorated: bool
    reason: str
    values: tuple[Number | None, ...]
    band_id: str | None = None


def _ids(items: Iterable[str]) -> str:
    return ", ".join(items)


def _times(raw: Number, multiplier: float) -> Number:
    product = raw * multiplier
    return int(product) if float(product).is_integer() else product


def _sum(inst: Instrument, answers: Sequence[Number | None], missing: list[str]) -> _Outcome:
    values = tuple(
        item.reverse(int(v)) if item.reversed and v is not None else v
        for item, v in zip(inst.items, answers, strict=True)
    )
    required = [i for i in inst.items if not i.optional]
    n = len(required)
    total = sum(
        v for i, v in zip(inst.items, values, strict=True) if v is not None and not i.optional
    )
    rule = inst.missing
    if not missing:
        return _Outcome(
            _times(total, inst.scoring.multiplier), True, False, f"all {n} items answered", values
        )
    blocked = [i for i in missing if i in rule.never_missing]
    if blocked:
        reason = (
            f"item {_ids(blocked)} unanswered: the {inst.short_name} total is never "
            "prorated without it"
        )
    elif rule.method != "prorate":
        reason = (
            f"{len(missing)} of {n} items unanswered ({_ids(missing)}): {inst.short_name} "
            "totals are not scored with unanswered items"
        )
    elif len(missing) > rule.max_missing:
        reason = (
            f"{len(missing)} of {n} items unanswered ({_ids(missing)}): at most "
            f"{rule.max_missing} may be prorated"
        )
    else:
        raw = round_half_up(Fraction(total) * n / (n - len(missing)))
        reason = (
            f"{len(missing)} of {n} items unanswered ({_ids(missing)}): prorated from the "
            "mean of the answered items"
        )
        return _Outcome(_times(raw, inst.scoring.multiplier), True, True, reason, values)
    return _Outcome(None, False, False, reason, values)


def _category(inst: Instrument, answers: Sequence[Number | None]) -> _Outcome:
    primary = str(inst.scoring.primary_item)
    value = answers[inst.item_ids.index(primary)]
    if value is None:
        label = inst.item(primary).label.lower()
        return _Outcome(None, False, False, f"{label} unanswered", tuple(answers))
    return _Outcome(
        value, True, False, "scored from the " + inst.item(primary).label.lower(), tuple(answers)
    )


def _product(
    inst: Instrument, answers: Sequence[Number | None], missing: list[str], skipped: list[bool]
) -> _Outcome:
    if missing:
        return _Outcome(None, False, False, f"unanswered: {_ids(missing)}", tuple(answers))
    product: Number = 1
    for factor in inst.scoring.factors:
        index = inst.item_ids.index(factor)
        value = answers[index]
        product *= 0 if skipped[index] or value is None else value
    values = tuple(None if s else v for v, s in zip(answers, skipped, strict=True))
    return _Outcome(product, True, False, "all questions answered", values)


def _profile(inst: Instrument, answers: Sequence[Number | None], missing: list[str]) -> _Outcome:
    if missing:
        reason = f"{len(missing)} required question(s) unanswered ({_ids(missing)})"
        return _Outcome(None, False, False, reason, tuple(answers))
    return _Outcome(
        None, True, False, "all required questions answered; no total score", tuple(answers)
    )


def _referral(
    inst: Instrument, outcome: _Outcome, answers: Sequence[Number | None]
) -> tuple[ReferralLevel, tuple[str, ...], tuple[str, ...]]:
    level: ReferralLevel = "none"
    texts: list[str] = []
    cites: list[str] = []
    for rule in inst.referral_rules:
        score = outcome.score if outcome.scorable else None
        if rule.kind == "score_at_least":
            met = score is not None and score >= rule.value
        elif rule.kind == "score_at_most":
            met = score is not None and score <= rule.value
        else:
            met = any(a is not None and a <= rule.value for a in answers)
        if met:
            texts.append(rule.text)
            cites.extend(rule.citations)
            if REFERRAL_LEVELS.index(rule.level) > REFERRAL_LEVELS.index(level):
                level = rule.level
    return level, tuple(texts), tuple(cites)


def _unique(keys: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(keys))


def score_instrument(
    instrument: Instrument, answers: object, *, age: int | None = None
) -> InstrumentResult:
    """Check and score one instrument's answers.

    Parameters
    ----------
    instrument:
        The instrument definition (:func:`~gutbrain.knowledge.instruments.get_instrument`).
    answers:
        A list in item order (``None`` for unanswered) or a mapping item id → answer.
    age:
        The client's age, to note when it is outside the instrument's validated ages.

    Raises
    ------
    InputFormatError
        Wrong number of answers, unknown item, or an answer the item does not accept.

    Examples
    --------
    PHQ-9 item 3 unanswered: prorated, 9 × 5 / 8 = 5.625 → 6.

    >>> from gutbrain.knowledge.instruments import get_instrument
    >>> r = score_instrument(get_instrument("phq9"), [1, 1, None, 0, 1, 0, 1, 0, 1])
    >>> r.score, r.band.label, r.prorated
    (6, 'Mild', True)

    PSS-10 with every item 0: items 4, 5, 7, 8 reverse to 4, so the total is 16.

    >>> score_instrument(get_instrument("pss10"), [0] * 10).score
    16
    """
    values = check_answers(instrument, answers, instrument.short_name)
    ids = instrument.item_ids
    by_id = dict(zip(ids, values, strict=True))
    skipped = [
        item.skipped_when_zero is not None and by_id[item.skipped_when_zero] == 0
        for item in instrument.items
    ]
    missing = [
        item.id
        for item, v, s in zip(instrument.items, values, skipped, strict=True)
        if v is None and not item.optional and not s
    ]
    method = instrument.scoring.method
    if method == "sum":
        outcome = _sum(instrument, values, missing)
    elif method == "category":
        outcome = _category(instrument, values)
    elif method == "product":
        outcome = _product(instrument, values, missing, skipped)
    elif method == "profile":
        outcome = _profile(instrument, values, missing)
    else:
        ipaq = score_ipaq(instrument, values)
        outcome = _Outcome(
            ipaq.score, ipaq.score is not None, False, ipaq.reason, ipaq.values, ipaq.category
        )
    band = None
    if outcome.scorable and outcome.score is not None:
        found = (
            instrument.band(outcome.band_id)
            if outcome.band_id is not None
            else instrument.band_for(outcome.score)
        )
        band = None if found is None else BandResult(found.id, found.label, found.description)
    level, reasons, rule_citations = _referral(instrument, outcome, values)
    items = tuple(
        ItemResult(
            id=item.id,
            label=item.label,
            answer=answer,
            value=value,
            option=item.option_label(answer) if answer is not None else None,
            target_met=None if item.target is None or answer is None else item.target.met(answer),
            skipped=skip,
        )
        for item, answer, value, skip in zip(
            instrument.items, values, outcome.values, skipped, strict=True
        )
    )
    notes: list[str] = []
    ages = instrument.validated_ages
    if ages is not None and age is not None and not ages[0] <= age <= ages[1]:
        notes.append(
            f"{instrument.short_name} is validated for ages {ages[0]} to {ages[1]}; "
            f"interpret with care at age {age}."
        )
    citations = [*instrument.citations, *instrument.scoring.citations]
    if missing:
        citations.extend(instrument.missing.citations)
    citations.extend(rule_citations)
    scoring = instrument.scoring
    return InstrumentResult(
        instrument=instrument.id,
        short_name=instrument.short_name,
        name=instrument.name,
        domain=instrument.domain,
        scorable=outcome.scorable,
        score=outcome.score,
        score_min=None if scoring.minimum is None else _times(scoring.minimum, 1),
        score_max=None if scoring.maximum is None else _times(scoring.maximum, 1),
        unit=scoring.unit,
        band=band,
        direction=instrument.direction,
        items=items,
        n_missing=len(missing),
        prorated=outcome.prorated,
        reason=outcome.reason,
        referral=level,
        referral_reasons=reasons,
        notes=tuple(notes),
        citations=_unique(citations),
    )
