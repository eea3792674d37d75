"""Answers → assessment → facts → plan, over random answers and constraint sets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.assess import answer_set_from_mapping, assess
from gutbrain.knowledge.vocabulary import load_vocabulary
from gutbrain.pipeline.plan import assessment_facts, safety_block
from gutbrain.plan import draft_plan, render_markdown
from gutbrain.plan.engine import forbidden_tags

VOCAB = load_vocabulary()
SECTIONS = {s: sorted(VOCAB.ids(s)) for s in ("preferences", "conditions", "medications")}


@given(
    st.lists(st.integers(0, 3), min_size=9, max_size=9),
    st.lists(st.integers(0, 3), min_size=7, max_size=7),
    st.lists(st.integers(0, 4), min_size=10, max_size=10),
    st.lists(st.sampled_from(SECTIONS["preferences"]), max_size=4, unique=True),
    st.lists(st.sampled_from(SECTIONS["conditions"]), max_size=3, unique=True),
    st.lists(st.sampled_from(SECTIONS["medications"]), max_size=3, unique=True),
)
@settings(max_examples=150, deadline=None)
def test_random_answers_give_safe_plans(
    phq9: list[int],
    gad7: list[int],
    pss10: list[int],
    preferences: list[str],
    conditions: list[str],
    medications: list[str],
) -> None:
    answers = answer_set_from_mapping(
        {
            "client": {"id": "c-9"},
            "date": "2026-11-20",
            "answers": {"phq9": phq9, "gad7": gad7, "pss10": pss10},
            "preferences": preferences,
            "conditions": conditions,
            "medications": medications,
        }
    )
    assessment = assess(answers)
    constraints = sorted(assessment.constraints)
    plan = draft_plan(
        assessment_facts(assessment),
        constraints,
        client={"id": "c-9"},
        date="2026-11-20",
        safety=safety_block(assessment),
        based_on={},
    )
    forbidden = forbidden_tags(constraints)
    for item in plan.current.items:
        assert not set(item.tags) & set(forbidden)
        assert item.citations and item.evidence_grade in "ABCD"
    flagged = phq9[8] > 0 or sum(phq9) >= 20 or sum(gad7) >= 15
    assert (plan.safety is not None) == flagged
    if flagged:
        lines = render_markdown(plan, {}).splitlines()
        assert lines[2] == f"## {plan.safety.title}"  # type: ignore[union-attr]
        assert plan.current.items[0].id == "professional-support"
