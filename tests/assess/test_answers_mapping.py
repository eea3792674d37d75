"""Answers documents as Python data: what is accepted, and every error family with its message."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from gutbrain.assess import answer_set_from_mapping, assess
from gutbrain.assess.model import AnswerSet, Client
from gutbrain.errors import InputFormatError, OptionError


def doc(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "client": {"id": "c-001", "name": "Alex Example", "age": 34, "sex": "female"},
        "date": dt.date(2026, 11, 20),
        "answers": {"phq9": [1, 1, 2, 0, 1, 0, 1, 0, 0]},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


def test_minimal_document() -> None:
    answers = answer_set_from_mapping(doc())
    assert answers.client == Client("c-001", "Alex Example", 34, "female")
    assert answers.answers == (("phq9", (1, 1, 2, 0, 1, 0, 1, 0, 0)),)
    assert answers.preferences == answers.medications == answers.conditions == ()


def test_list_and_mapping_forms_agree() -> None:
    listed = answer_set_from_mapping(doc(answers={"gad7": [1, 2, 1, 0, None, 1, 0]}))
    mapped = answer_set_from_mapping(
        doc(answers={"gad7": {"q1": 1, "q2": 2, "q3": 1, "q4": 0, "q6": 1, "q7": 0}})
    )
    assert listed.answers == mapped.answers


def test_instruments_are_kept_in_questionnaire_order() -> None:
    answers = answer_set_from_mapping(
        doc(answers={"who5": [1] * 5, "gad7": [0] * 7, "phq9": [0] * 9})
    )
    assert answers.instrument_ids == ("phq9", "gad7", "who5")


def test_vocabulary_aliases_and_case() -> None:
    answers = answer_set_from_mapping(
        doc(
            preferences=["Vegan", "gluten-free", "vegan"],
            conditions="Celiac",
            medications=["Phenelzine", "warfarin"],
        )
    )
    assert answers.preferences == ("vegan", "gluten_free")
    assert answers.conditions == ("coeliac",)
    assert answers.medications == ("maoi", "anticoagulant")
    constraints = assess(answers).constraints
    assert {
        "vegetarian",
        "dairy_free",
        "gluten_free",
        "antidepressant",
        "psychotropic",
    } <= constraints


def test_dates_as_text_and_yes_no_as_booleans() -> None:
    answers = answer_set_from_mapping(
        doc(date="2026-01-31", answers={"medas13": [True] * 6 + [False] * 7})
    )
    assert answers.date == dt.date(2026, 1, 31)
    assert answers.answers_for("medas13") == (1,) * 6 + (0,) * 7


@pytest.mark.parametrize(
    ("document", "match"),
    [
        (["not", "a", "mapping"], "not an answers document"),
        (doc(notes="x"), "unknown field 'notes'.*expected fields client, date, answers"),
        (doc(client=...), "missing field 'client'"),
        (doc(answers=...), "missing field 'answers'"),
        (doc(client="c-001"), "client is not a mapping"),
        (doc(client={"id": "c-1", "email": "a@b"}), "unknown client field 'email'"),
        (doc(client={"name": "x"}), "missing or empty client id"),
        (doc(client={"id": "  "}), "missing or empty client id"),
        (doc(client={"id": "c", "age": 200}), "invalid client age.*0 to 130"),
        (doc(client={"id": "c", "age": "34"}), "invalid client age"),
        (doc(client={"id": "c", "sex": "f"}), "invalid client sex.*female, male"),
        (doc(client={"id": "c", "name": 5}), "client name is not text"),
        (doc(date="20/11/2026"), "invalid date.*2026-11-20"),
        (doc(date=dt.datetime(2026, 11, 20, 9, 0)), "invalid date"),
        (doc(answers={}), "no answers.*phq9, gad7"),
        (doc(answers=[1, 2]), "no answers"),
        (doc(answers={"phq8": [0] * 8}), "unknown instrument 'phq8'.*phq9, gad7, pss10.*'phq9'"),
        (
            doc(answers={"phq9": [0] * 8}),
            r"wrong number of answers for PHQ-9.*found 8 values.*9 values \(items q1\.\.q9\)",
        ),
        (doc(answers={"phq9": [0] * 10}), "wrong number of answers for PHQ-9"),
        (doc(answers={"phq9": 3}), "answers for PHQ-9 are not a list"),
        (doc(answers={"phq9": {"q10": 1}}), "unknown item 'q10' for PHQ-9.*q1, q2"),
        (
            doc(answers={"phq9": [0, 0, 4, 0, 0, 0, 0, 0, 0]}),
            r"out of range for PHQ-9 item q3.*found 4.*3 \(Nearly every day\)",
        ),
        (doc(answers={"phq9": [0, 0, -1, 0, 0, 0, 0, 0, 0]}), "out of range for PHQ-9 item q3"),
        (doc(answers={"phq9": [0, 0, 1.5, 0, 0, 0, 0, 0, 0]}), "out of range.*found 1.5"),
        (
            doc(answers={"phq9": [0, "2", 0, 0, 0, 0, 0, 0, 0]}),
            r"invalid answer to PHQ-9 item q2.*'2' \(text\)",
        ),
        (doc(answers={"phq9": [True] + [0] * 8}), "invalid answer to PHQ-9 item q1.*yes/no"),
        (doc(answers={"evs": [8, 30]}), "out of range for EVS item days_per_week.*0 to 7"),
        (doc(answers={"evs": [2.5, 30]}), "invalid answer to EVS.*whole number"),
        (doc(answers={"evs": [3, float("nan")]}), "invalid answer to EVS.*nan"),
        (doc(answers={"gbdiet": {"plant_types_per_week": 500}}), "out of range.*0 to 200"),
        (
            doc(preferences=["vegeterian"]),
            "unknown preference 'vegeterian'.*vegetarian, vegan.*did you mean 'vegetarian'",
        ),
        (
            doc(preferences=["pregnant"]),
            "'pregnancy' is one of the conditions.*move it under conditions",
        ),
        (doc(medications=["aspirin"]), "unknown medication 'aspirin'.*maoi, linezolid"),
        (doc(conditions=["diabetic"]), "unknown condition 'diabetic'.*coeliac, pregnancy"),
        (doc(medications={"maoi": True}), "medications is not a list"),
        (doc(preferences=[3]), "unknown preference '3'"),
    ],
)
def test_error_families(document: object, match: str) -> None:
    with pytest.raises(InputFormatError, match=match):
        answer_set_from_mapping(document, source="a.yaml")


def test_errors_name_the_source_and_path() -> None:
    with pytest.raises(InputFormatError) as info:
        answer_set_from_mapping(doc(answers={"gad7": [0, 0, 0, 9, 0, 0, 0]}), source="a.yaml")
    assert info.value.where == "a.yaml (answers.gad7.q4)"
    located: dict[tuple[str | int, ...], str] = {
        ("answers", "gad7", 3): "a.yaml, line 7, column 22"
    }
    with pytest.raises(InputFormatError) as info:
        answer_set_from_mapping(
            doc(answers={"gad7": [0, 0, 0, 9, 0, 0, 0]}), source="a.yaml", locate=located.get
        )
    assert info.value.where == "a.yaml, line 7, column 22 (answers.gad7.q4)"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"preferences": ("vegetarian", "pregnancy")}, "unknown preference 'pregnancy'"),
        ({"medications": ("Phenelzine",)}, "unknown medication 'Phenelzine'"),
    ],
)
def test_answer_sets_built_in_code_must_use_canonical_terms(
    kwargs: dict[str, tuple[str, ...]], match: str
) -> None:
    with pytest.raises(OptionError, match=match):
        AnswerSet(Client("c"), dt.date(2026, 1, 1), (), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"id": ""}, "client id"),
        ({"id": "c", "age": -1}, "invalid client age"),
        ({"id": "c", "sex": "F"}, "invalid client sex"),
    ],
)
def test_client_checks(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(OptionError, match=match):
        Client(**kwargs)
