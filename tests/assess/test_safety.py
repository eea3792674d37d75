"""The safety flag: its rules, its priority, its wording, and that nothing can switch it off."""

from __future__ import annotations

import dataclasses
import datetime as dt
import inspect
from collections.abc import Sequence

import pytest

from gutbrain.assess import AnswerSet, Assessment, Client, assess, evaluate_safety, score_instrument
from gutbrain.knowledge.instruments import get_instrument
from gutbrain.knowledge.wording import find_forbidden, load_safety_wording

N = None


def _flag(phq9: list[int | None] | None = None, gad7: list[int | None] | None = None):  # type: ignore[no-untyped-def]
    results = []
    if phq9 is not None:
        results.append(score_instrument(get_instrument("phq9"), phq9))
    if gad7 is not None:
        results.append(score_instrument(get_instrument("gad7"), gad7))
    return evaluate_safety(results)


@pytest.mark.parametrize(
    ("phq9", "gad7", "rules", "priority"),
    [
        ([0] * 9, [0] * 7, None, None),
        ([0] * 8 + [1], None, ("phq9_item9",), "urgent"),
        ([0] * 8 + [2], None, ("phq9_item9",), "highest"),
        ([0] * 8 + [3], None, ("phq9_item9",), "highest"),
        ([3, 3, 3, 3, 2, 2, 2, 2, 0], None, ("phq9_total",), "prompt"),  # 20
        ([3, 3, 3, 3, 2, 2, 2, 1, 0], None, None, None),  # 19
        (None, [3, 2, 2, 2, 2, 2, 2], ("gad7_total",), "prompt"),  # 15
        (None, [2] * 7, None, None),  # 14
        (
            [3, 3, 3, 3, 3, 3, 2, 0, 1],
            [3] * 7,
            ("phq9_item9", "phq9_total", "gad7_total"),
            "urgent",
        ),
        # prorated PHQ-9: 16 x 9 / 7 = 20.6 -> 21 >= 20
        ([3, 3, 3, 3, 2, 2, N, N, 0], None, ("phq9_total",), "prompt"),
        # not scorable (item 9 missing), but the answered items alone reach 21
        ([3, 3, 3, 3, 3, 3, 3, N, N], None, ("phq9_total",), "prompt"),
        # not scorable (3 missing) and the answered items reach only 18
        ([3, 3, 3, 3, 3, 3, N, N, N], None, None, None),
        # item 9 answered while the total is not scorable
        ([N, N, N, 0, 0, 0, 0, 0, 2], None, ("phq9_item9",), "highest"),
        # GAD-7 unscorable with one item missing, answered items reach 15
        (None, [3, 3, 3, 3, 3, N, 0], ("gad7_total",), "prompt"),
        (None, [3, 3, 3, 3, 2, N, 0], None, None),
        # item 9 unanswered raises nothing by itself (and never says 'safe')
        ([0] * 8 + [N], None, None, None),
    ],
)
def test_safety_rules(
    phq9: list[int | None] | None,
    gad7: list[int | None] | None,
    rules: tuple[str, ...] | None,
    priority: str | None,
) -> None:
    flag = _flag(phq9, gad7)
    if rules is None:
        assert flag is None
        return
    assert flag is not None
    assert flag.rules == rules
    assert flag.priority == priority
    wording = load_safety_wording()
    assert flag.headline == wording.headline[flag.priority]
    assert flag.crisis_text == wording.crisis_text
    assert flag.referral_text == wording.referral_text[flag.priority]
    assert any("988" in r.contact for r in flag.resources)


def test_flag_texts_make_no_forbidden_claim() -> None:
    flag = _flag([3, 3, 3, 3, 3, 3, 2, 0, 1], [3] * 7)
    assert flag is not None
    texts = [flag.headline, flag.crisis_text, flag.referral_text, flag.practitioner_action]
    texts += [r.text for r in flag.reasons]
    assert [t for t in texts if find_forbidden(t)] == []


def _assessment(phq9: Sequence[int | None]) -> Assessment:
    answers = AnswerSet(Client("c-1"), dt.date(2026, 11, 20), (("phq9", tuple(phq9)),))
    return assess(answers)


def test_safety_is_computed_not_passed() -> None:
    flagged = _assessment([0] * 8 + [1])
    assert flagged.safety is not None
    with pytest.raises(TypeError):
        Assessment(  # type: ignore[call-arg]
            client=flagged.client, date=flagged.date, results=flagged.results, safety=None
        )
    with pytest.raises(ValueError, match="init=False"):
        dataclasses.replace(flagged, safety=None)
    rebuilt = Assessment(client=flagged.client, date=flagged.date, results=flagged.results)
    assert rebuilt.safety == flagged.safety
    with pytest.raises(dataclasses.FrozenInstanceError):
        flagged.safety = None  # type: ignore[misc]


def test_no_option_can_switch_the_flag_off() -> None:
    for func in (assess, evaluate_safety, score_instrument):
        names = set(inspect.signature(func).parameters)
        assert not {n for n in names if "safety" in n or "flag" in n or "skip" in n}


def test_flag_survives_serialisation_and_sets_the_referral() -> None:
    assessment = _assessment([0] * 8 + [3])
    doc = assessment.to_json_dict()
    assert doc["safety"]["priority"] == "highest"
    assert doc["safety"]["reasons"][0]["rule"] == "phq9_item9"
    assert doc["referral"] == "prompt_professional_care"
    assert doc["wording"]["no_flag_note"] is None
    calm = _assessment([0] * 9).to_json_dict()
    assert calm["safety"] is None and calm["wording"]["no_flag_note"]
    assert find_forbidden(calm["wording"]["no_flag_note"]) == []
