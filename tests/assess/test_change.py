"""Change since a previous assessment: direction-aware, against each instrument's MID."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from gutbrain.assess import AnswerSet, Client, assess, compare, score_instrument
from gutbrain.errors import OptionError
from gutbrain.knowledge.instruments import get_instrument


def _phq9(total: int) -> list[int]:
    """Nine PHQ-9 answers summing to ``total`` (item 9 kept at 0)."""
    answers = [0] * 9
    for i in range(total):
        answers[i % 8] += 1
    return answers


def _who5(raw: int) -> list[int]:
    answers = [0] * 5
    for i in range(raw):
        answers[i % 5] += 1
    return answers


@pytest.mark.parametrize(
    ("instrument", "before", "after", "delta", "category"),
    [
        # PHQ-9: lower is better, MID 5 points (Löwe 2004)
        ("phq9", _phq9(15), _phq9(10), -5, "improved"),
        ("phq9", _phq9(15), _phq9(11), -4, "no_meaningful_change"),
        ("phq9", _phq9(10), _phq9(15), 5, "worsened"),
        ("phq9", _phq9(10), _phq9(14), 4, "no_meaningful_change"),
        ("phq9", _phq9(8), _phq9(8), 0, "no_meaningful_change"),
        ("phq9", _phq9(24), _phq9(2), -22, "improved"),
        # GAD-7: lower is better, MID 4 points (Toussaint 2020)
        ("gad7", [2] * 7, [1, 1, 1, 1, 2, 2, 2], -4, "improved"),
        ("gad7", [2] * 7, [1, 1, 1, 2, 2, 2, 2], -3, "no_meaningful_change"),
        ("gad7", [0] * 7, [1, 1, 1, 1, 0, 0, 0], 4, "worsened"),
        # WHO-5: higher is better, MID 10 percentage points (Topp 2015)
        ("who5", _who5(10), _who5(13), 12, "improved"),
        ("who5", _who5(13), _who5(10), -12, "worsened"),
        ("who5", _who5(10), _who5(12), 8, "no_meaningful_change"),
        ("who5", _who5(12), _who5(10), -8, "no_meaningful_change"),
        # no established MID: change shown, not rated
        ("pss10", [2] * 10, [0, 0, 0, 4, 4, 0, 4, 4, 0, 0], -20, "not_rated"),
        ("evs", [1, 30], [5, 30], 120, "not_rated"),
        # no better direction
        ("bsfs", [1, None, None], [4, None, None], 3, "not_rated"),
    ],
)
def test_change_category(
    instrument: str, before: list[int | None], after: list[int | None], delta: int, category: str
) -> None:
    inst = get_instrument(instrument)
    change = compare(inst, score_instrument(inst, after), score_instrument(inst, before))
    assert change.delta == delta
    assert change.category == category
    if category != "not_rated":
        assert change.mid == inst.mid.value  # type: ignore[union-attr]
        assert change.citations


def test_change_without_a_previous_score_is_not_rated() -> None:
    inst = get_instrument("gad7")
    now = score_instrument(inst, [1] * 7)
    unscored = score_instrument(inst, [None] + [1] * 6)
    assert compare(inst, now, None).category == "not_rated"
    assert "previous" in compare(inst, now, unscored).reason
    change = compare(inst, unscored, now)
    assert change.category == "not_rated" and change.previous_score == 7 and change.delta is None


def _answers(date: str, client: str = "c-1", **answers: Sequence[int | None]) -> AnswerSet:
    return AnswerSet(
        Client(client),
        dt.date.fromisoformat(date),
        tuple((k, tuple(v)) for k, v in answers.items()),
    )


def test_assess_attaches_changes_and_the_previous_date() -> None:
    before = _answers("2026-10-01", phq9=_phq9(16), who5=_who5(8))
    now = _answers("2026-11-01", phq9=_phq9(9), who5=_who5(10), gad7=[0] * 7)
    assessment = assess(now, before)
    assert assessment.previous_date == dt.date(2026, 10, 1)
    phq9, gad7, who5 = assessment.results
    assert (phq9.change.delta, phq9.change.category) == (-7, "improved")  # type: ignore[union-attr]
    assert gad7.change.category == "not_rated"  # type: ignore[union-attr]
    assert (who5.change.delta, who5.change.category) == (8, "no_meaningful_change")  # type: ignore[union-attr]
    assert assess(now).results[0].change is None


@pytest.mark.parametrize(
    ("previous", "match"),
    [
        (_answers("2026-10-01", client="c-2", gad7=[0] * 7), "another client"),
        (_answers("2026-11-01", gad7=[0] * 7), "not earlier"),
        (_answers("2026-12-01", gad7=[0] * 7), "not earlier"),
    ],
)
def test_previous_must_be_earlier_and_same_client(previous: AnswerSet, match: str) -> None:
    with pytest.raises(OptionError, match=match):
        assess(_answers("2026-11-01", gad7=[1] * 7), previous)
