"""Hypothesis invariants: bounds, monotonicity, bands, the safety rule, and the schema."""

from __future__ import annotations

import datetime as dt
import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.assess import AnswerSet, Assessment, Client, assess, evaluate_safety, score_instrument
from gutbrain.knowledge.assessment_schema import validate_assessment_document
from gutbrain.knowledge.instruments import Instrument, Item, get_instrument, load_instruments

INSTRUMENTS = load_instruments()
Answer = int | float | None


def _value(item: Item) -> st.SearchStrategy[Answer]:
    if item.kind == "choice":
        return st.sampled_from(item.allowed_values)
    if item.integer:
        return st.integers(int(item.minimum), int(item.maximum))
    return st.floats(item.minimum, item.maximum, allow_nan=False)


def answers_for(instrument: Instrument, missing: bool = True) -> st.SearchStrategy[list[Answer]]:
    parts = [st.one_of(st.none(), _value(i)) if missing else _value(i) for i in instrument.items]
    return st.tuples(*parts).map(list)


@st.composite
def instrument_answers(draw: st.DrawFn) -> tuple[Instrument, list[Answer]]:
    instrument = draw(st.sampled_from(INSTRUMENTS))
    return instrument, draw(answers_for(instrument))


@settings(deadline=None)
@given(instrument_answers())
def test_score_within_range_and_band_matches(case: tuple[Instrument, list[Answer]]) -> None:
    instrument, answers = case
    result = score_instrument(instrument, answers)
    assert len(result.items) == len(instrument.items)
    if not result.scorable:
        assert result.score is None and result.band is None and result.reason
        return
    if instrument.scoring.method == "profile":
        assert result.score is None
        return
    assert result.score is not None
    assert instrument.scoring.minimum <= result.score <= instrument.scoring.maximum  # type: ignore[operator]
    assert result.band is not None
    if instrument.scoring.method != "ipaq_short":
        band = instrument.band(result.band.id)
        assert band.contains(result.score)


def _raise_one(instrument: Instrument, answers: list[Answer], index: int) -> list[Answer] | None:
    """The answers with item ``index`` one option (or one unit) higher, if possible."""
    item = instrument.items[index]
    value = answers[index]
    if value is None:
        return None
    if item.kind == "choice":
        higher = [v for v in item.allowed_values if v > value]
        if not higher:
            return None
        new: Answer = higher[0]
    else:
        if value + 1 > item.maximum:
            return None
        new = value + 1
    return [new if i == index else a for i, a in enumerate(answers)]


@settings(deadline=None)
@given(st.data())
def test_sum_scores_are_monotonic(data: st.DataObject) -> None:
    instrument = data.draw(
        st.sampled_from([i for i in INSTRUMENTS if i.scoring.method in ("sum", "product")])
    )
    answers = data.draw(answers_for(instrument))
    index = data.draw(st.integers(0, len(instrument.items) - 1))
    raised = _raise_one(instrument, answers, index)
    if raised is None:
        return
    before = score_instrument(instrument, answers)
    after = score_instrument(instrument, raised)
    if instrument.scoring.method == "sum":
        assert before.scorable == after.scorable  # answering higher never unanswers
    if before.score is None or after.score is None:
        return
    if instrument.items[index].reversed:
        assert after.score <= before.score
    else:
        assert after.score >= before.score
    if instrument.scoring.method == "sum" and not before.prorated:
        step = instrument.scoring.multiplier
        assert abs(after.score - before.score) == step


@settings(deadline=None)
@given(st.data())
def test_ipaq_is_monotonic_in_minutes_and_days(data: st.DataObject) -> None:
    instrument = get_instrument("ipaq_sf")
    answers = data.draw(answers_for(instrument, missing=False))
    index = data.draw(st.integers(0, 5))
    raised = _raise_one(instrument, answers, index)
    if raised is None:
        return
    before = score_instrument(instrument, answers)
    after = score_instrument(instrument, raised)
    if before.score is not None and after.score is not None:
        assert after.score >= before.score
        order = ["low", "moderate", "high"]
        assert order.index(after.band.id) >= order.index(before.band.id)  # type: ignore[union-attr]


def _expected_total(answers: list[Answer], max_missing: int, never: int | None) -> float:
    """Independent re-statement of the total used by the safety rule."""
    answered = [a for a in answers if a is not None]
    total: float = sum(answered)
    missing = len(answers) - len(answered)
    if 0 < missing <= max_missing and (never is None or answers[never] is not None):
        total = max(
            total,
            math.floor(Fraction(sum(answered)) * len(answers) / len(answered) + Fraction(1, 2)),
        )
    return total


@settings(max_examples=300, deadline=None)
@given(
    answers_for(get_instrument("phq9")),
    answers_for(get_instrument("gad7")),
    st.booleans(),
)
def test_safety_flag_iff_rule(phq9: list[Answer], gad7: list[Answer], with_gad7: bool) -> None:
    results = [score_instrument(get_instrument("phq9"), phq9)]
    if with_gad7:
        results.append(score_instrument(get_instrument("gad7"), gad7))
    rule = (
        (phq9[8] is not None and phq9[8] > 0)
        or _expected_total(phq9, 2, 8) >= 20
        or (with_gad7 and _expected_total(gad7, 0, None) >= 15)
    )
    flag = evaluate_safety(results)
    assert (flag is not None) == rule
    if flag is not None and phq9[8]:
        assert flag.reasons[0].rule == "phq9_item9"
        assert flag.priority == ("highest" if phq9[8] >= 2 else "urgent")


@st.composite
def answer_sets(draw: st.DrawFn) -> AnswerSet:
    chosen = draw(st.lists(st.sampled_from(INSTRUMENTS), min_size=1, max_size=4, unique=True))
    chosen.sort(key=lambda i: i.order)
    answers = tuple((i.id, tuple(draw(answers_for(i)))) for i in chosen)
    return AnswerSet(
        Client(
            "c-1", draw(st.none() | st.just("A. Example")), draw(st.none() | st.integers(0, 130))
        ),
        dt.date(2026, 11, 20),
        answers,
        preferences=tuple(draw(st.sets(st.sampled_from(["vegan", "fish_allergy", "halal"])))),
        medications=tuple(draw(st.sets(st.sampled_from(["maoi", "anticoagulant"])))),
    )


@settings(max_examples=60, deadline=None)
@given(answer_sets())
def test_documents_follow_the_schema_and_carry_the_flag(answers: AnswerSet) -> None:
    assessment = assess(answers)
    doc = assessment.to_json_dict()
    validate_assessment_document(doc)
    assert (doc["safety"] is None) == (evaluate_safety(assessment.results) is None)
    rebuilt = Assessment(client=assessment.client, date=assessment.date, results=assessment.results)
    assert rebuilt.safety == assessment.safety
