"""Instrument definitions, vocabulary and wording as data: schema, cross-checks, citations."""

from __future__ import annotations

import copy
import json
from importlib import resources
from typing import Any

import pytest

from gutbrain.errors import KnowledgeBaseError, OptionError
from gutbrain.knowledge import instruments as ki
from gutbrain.knowledge.assessment_schema import assessment_schema
from gutbrain.knowledge.mechanisms import reference_keys, validate_instance
from gutbrain.knowledge.vocabulary import SECTIONS, load_vocabulary, normalise_term
from gutbrain.knowledge.wording import (
    find_forbidden,
    forbidden_matches,
    load_forbidden,
    load_safety_wording,
    wording_citations,
)

REFS = reference_keys()


def raw(instrument_id: str) -> dict[str, Any]:
    node = resources.files("gutbrain.knowledge") / "data" / "instruments" / f"{instrument_id}.json"
    data: dict[str, Any] = json.loads(node.read_text("utf-8"))
    return data


def test_packaged_instruments_validate() -> None:
    ki.validate_instruments()
    assert ki.instrument_ids() == (
        "phq9",
        "gad7",
        "pss10",
        "who5",
        "bsfs",
        "medas13",
        "gbdiet",
        "ipaq_sf",
        "evs",
        "stress_practice",
    )


def test_schema_is_draft_2020_12_and_accepts_every_file() -> None:
    schema = ki.instrument_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    for inst in ki.load_instruments():
        validate_instance(raw(inst.id), schema)
    assert assessment_schema()["$schema"] == schema["$schema"]


def test_every_citation_key_resolves() -> None:
    for inst in ki.load_instruments():
        assert inst.all_citations() <= REFS, inst.id
        assert inst.citations and inst.licence.citations
    assert wording_citations() <= REFS


@pytest.mark.parametrize(
    ("instrument", "items", "minimum", "maximum", "mid"),
    [
        ("phq9", 9, 0, 27, 5),
        ("gad7", 7, 0, 21, 4),
        ("pss10", 10, 0, 40, None),
        ("who5", 5, 0, 100, 10),
        ("bsfs", 3, 1, 7, None),
        ("medas13", 13, 0, 13, None),
        ("ipaq_sf", 7, 0, 19278, None),
        ("evs", 2, 0, 4200, None),
    ],
)
def test_published_facts(
    instrument: str, items: int, minimum: float, maximum: float, mid: float | None
) -> None:
    inst = ki.get_instrument(instrument)
    assert len(inst.items) == items
    assert (inst.scoring.minimum, inst.scoring.maximum) == (minimum, maximum)
    assert (inst.mid.value if inst.mid else None) == mid


def test_pss10_reverses_items_4_5_7_8_and_who5_multiplies_by_4() -> None:
    pss = ki.get_instrument("pss10")
    assert [i.id for i in pss.items if i.reversed] == ["q4", "q5", "q7", "q8"]
    assert ki.get_instrument("who5").scoring.multiplier == 4
    assert ki.get_instrument("phq9").missing.never_missing == ("q9",)
    assert "wine" not in json.dumps(raw("medas13")).replace("without the wine item", "").replace(
        "wine item (7 or more glasses a week) is removed", ""
    )


def test_wording_is_shipped_only_where_the_licence_allows() -> None:
    shipped = {i.id for i in ki.load_instruments() if i.licence.wording_shipped}
    assert {"phq9", "gad7", "who5"} <= shipped
    assert not {"pss10", "medas13", "ipaq_sf", "evs"} & shipped
    for inst in ki.load_instruments():
        assert all((item.text is not None) == inst.licence.wording_shipped for item in inst.items)
        assert inst.licence.note and inst.licence.attribution


def test_unknown_instrument_lists_the_valid_ones() -> None:
    with pytest.raises(OptionError, match=r"unknown instrument 'phq2'.*phq9, gad7"):
        ki.get_instrument("phq2")


def _broken(instrument: str, path: tuple[Any, ...], value: object) -> dict[str, Any]:
    data = copy.deepcopy(raw(instrument))
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value is ...:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("instrument", "path", "value", "match"),
    [
        ("phq9", ("id",), "PHQ 9", "does not match the pattern"),
        ("phq9", ("domain",), "mental", "value not allowed"),
        ("phq9", ("scoring", "maximum"), 30, "score range does not follow from the items"),
        ("who5", ("scoring", "multiplier"), 5, "score range does not follow"),
        ("phq9", ("bands", 1, "min"), 6, "without gaps or overlaps"),
        ("phq9", ("bands", 4, "max"), 26, "end at the maximum"),
        ("phq9", ("missing", "never_missing"), ["q10"], "never_missing names an unknown item"),
        ("phq9", ("missing", "max_missing"), 9, "must leave at least one"),
        ("phq9", ("items", 0, "response_set"), "nope", "choice item needs a known response_set"),
        ("phq9", ("items", 0, "text"), None, "item text must be given exactly"),
        ("pss10", ("items", 0, "text"), "Some wording", "item text must be given exactly"),
        ("evs", ("items", 1, "skipped_when_zero"), "minutes_per_session", "skipped_when_zero"),
        ("evs", ("items", 0, "unit"), ..., "number item needs"),
        (
            "bsfs",
            ("mid",),
            {"value": 1, "unit": "type", "note": "x", "citations": ["x"]},
            "needs a direction",
        ),
        ("gbdiet", ("scoring", "method"), "sum", "inconsistent sum scoring"),
        ("ipaq_sf", ("scoring", "parameters", "met_walking"), ..., "inconsistent ipaq_short"),
        ("evs", ("scoring", "parameters"), {"a": 1}, "only ipaq_short scoring takes parameters"),
        ("gad7", ("missing", "method"), "prorate", None),
        ("bsfs", ("missing", "method"), "prorate", "prorating needs sum scoring"),
        ("phq9", ("referral_rules", 1, "id"), "phq9_assessment", "duplicate referral rule"),
        ("phq9", ("citations",), [], "too few items"),
        ("phq9", ("licence", "status"), "public", "value not allowed"),
    ],
)
def test_parse_rejects_inconsistent_definitions(
    instrument: str, path: tuple[Any, ...], value: object, match: str | None
) -> None:
    data = _broken(instrument, path, value)
    if match is None:  # a change that is allowed
        ki.parse_instrument(data, "test")
        return
    with pytest.raises(KnowledgeBaseError, match=match):
        ki.parse_instrument(data, "test")


# --------------------------------------------------------------------------- vocabulary


def test_vocabulary_covers_the_constraints_the_plan_needs() -> None:
    vocabulary = load_vocabulary()
    needed = {
        "preferences": {
            "vegetarian",
            "vegan",
            "lactose_intolerant",
            "gluten_free",
            "fish_allergy",
            "shellfish_allergy",
            "nut_allergy",
        },
        "conditions": {"coeliac", "pregnancy", "immunocompromised", "ibs_fodmap"},
        "medications": {"maoi", "linezolid", "anticoagulant"},
    }
    for section in SECTIONS:
        assert needed[section] <= set(vocabulary.ids(section))
    assert vocabulary.closure(["coeliac"]) == {"coeliac", "gluten_free"}
    assert "immunocompromised" in vocabulary.closure(["immunosuppressant"])
    assert vocabulary.lookup("Celiac disease") is not None
    assert vocabulary.lookup("unknown thing") is None
    assert normalise_term("Lactose-intolerant ") == "lactose_intolerant"


# --------------------------------------------------------------------------- wording

_ALLOWED = [  # evidence notes E.2, left column, and our own disclaimers
    "Your sample shows fewer butyrate-producing bacteria than most people in our reference group.",
    "In large population studies, people reporting lower mood more often had lower Coprococcus. "
    "This does not mean your mood is caused by your gut.",
    "This plan supports healthy eating, activity and stress management. It is not a treatment "
    "for depression or anxiety.",
    "Your questionnaire score is in the range where a professional assessment is recommended.",
    "Talk to your prescriber before adding supplements; do not stop medication.",
    "Do not stop your medication without your prescriber.",
    "Research on this probiotic strain is early and mixed (3 small trials, 1 null).",
    "These questionnaires are screening tools, not a diagnosis.",
    "A questionnaire cannot tell whether someone is safe.",
    "The gut–brain serotonin pathway involves host cells.",
]
_FORBIDDEN = [  # evidence notes E.2, right column, and E.4
    ("You have a depression-associated microbiome.", 1),
    ("Your stool test predicts depression.", 1),
    ("Your score shows that you have depression.", 1),
    ("You have major depressive disorder.", 1),
    ("Your gut is producing too little serotonin.", 2),
    ("Your brain serotonin levels are low.", 2),
    ("95 % of serotonin is made in the gut.", 2),
    ("Your results show a leaky gut.", 3),
    ("Your LPS load is high.", 3),
    ("This strain protects the blood-brain barrier.", 4),
    ("Butyrate supports neurogenesis.", 4),
    ("Your gut makes enough B12 so you don't need supplements.", 5),
    ("This protocol treats depression.", 6),
    ("Kefir cures anxiety.", 6),
    ("Replace your antidepressant with probiotics.", 6),
    ("A cure for depression.", 6),
    ("A clinically proven psychobiotic.", 7),
    ("Guaranteed results in four weeks.", 7),
    ("Your mental health microbiome score is 72.", 9),
    ("You are safe.", 10),
    ("Low suicide risk.", 10),
]


@pytest.mark.parametrize("text", _ALLOWED)
def test_allowed_wording_passes(text: str) -> None:
    assert find_forbidden(text) == []


@pytest.mark.parametrize(("text", "rule"), _FORBIDDEN)
def test_forbidden_wording_is_found(text: str, rule: int) -> None:
    assert rule in {m.rule for m in forbidden_matches(text)}


def test_forbidden_list_covers_every_checkable_rule() -> None:
    rules = {c.rule for c in load_forbidden()}
    assert rules == set(range(1, 11)) - {8}


def _shipped_texts() -> list[str]:
    texts = [t for inst in ki.load_instruments() for t in inst.texts()]
    texts += load_safety_wording().texts()
    texts += [t.label for t in load_vocabulary().terms]
    return texts


def test_no_shipped_text_makes_a_forbidden_claim() -> None:
    texts = _shipped_texts()
    assert len(texts) > 300
    offending = {t: find_forbidden(t) for t in texts if find_forbidden(t)}
    assert offending == {}
