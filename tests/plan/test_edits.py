"""Practitioner edits: every change is a new version; bad edits are refused whole."""

from __future__ import annotations

import pytest

from gutbrain.errors import OptionError
from gutbrain.plan import Edit, SafetyBlock, apply_edits, draft_plan, render_markdown
from gutbrain.plan.model import Plan

WHEN = "2026-11-21T09:30"


def base(constraints: tuple[str, ...] = (), safety: SafetyBlock | None = None) -> Plan:
    return draft_plan(
        {"phq9.score": 6},
        constraints,
        client={"id": "c-1"},
        date="2026-11-20",
        safety=safety,
        based_on={},
    )


def test_each_edit_makes_a_version_and_keeps_the_old_ones() -> None:
    plan = base()
    first = plan.current
    edits = [
        Edit("remove", "Dr Lee", WHEN, "already does this", item="more-plants"),
        Edit("move", "Dr Lee", WHEN, "priority", item="stress-practice", position=1),
        Edit(
            "update",
            "Dr Lee",
            "2026-11-21T09:35:00+01:00",
            "local park",
            item="movement",
            fields={"what": "Walk in Victoria Park.", "duration_weeks": 6},
        ),
        Edit(
            "add",
            "Dr Lee",
            "2026-11-22",
            "client asked",
            position=2,
            fields={"title": "Cook at home", "what": "Cook twice a week.", "tags": ["gluten"]},
        ),
    ]
    new = apply_edits(plan, edits)
    assert [v.number for v in new.versions] == [1, 2, 3, 4, 5]
    assert new.versions[0] == first
    items = new.current.items
    assert items[0].id == "stress-practice"
    assert items[1].id == "practitioner-1" and items[1].source == "practitioner"
    assert items[1].evidence_grade == "practitioner"
    moved = {i.id: i for i in items}["movement"]
    assert moved.what == "Walk in Victoria Park." and moved.duration_weeks == 6
    assert moved.citations == {i.id: i for i in first.items}["movement"].citations
    assert "more-plants" not in {i.id for i in items}
    assert [v.author for v in new.versions[1:]] == ["Dr Lee"] * 4
    assert new.versions[3].time == "2026-11-21T09:35:00+01:00"


def test_added_item_ids_never_repeat_after_removal() -> None:
    add = Edit("add", "A", WHEN, "r", fields={"title": "T", "what": "W"})
    plan = apply_edits(base(), [add])
    plan = apply_edits(plan, [Edit("remove", "A", WHEN, "r", item="practitioner-1"), add])
    assert [i.id for i in plan.current.items if i.source == "practitioner"] == ["practitioner-2"]


def test_safety_block_survives_every_edit() -> None:
    safety = SafetyBlock("Your safety comes first", "Call now.", ("PHQ-9 item 9",))
    plan = base(safety=safety)
    ids = [i.id for i in plan.current.items]
    edits = [Edit("remove", "A", WHEN, "r", item=i) for i in ids]
    new = apply_edits(plan, edits)
    assert new.current.items == () and new.safety == safety
    assert render_markdown(new, {}).splitlines()[2] == "## Your safety comes first"


def test_markup_in_edits_is_escaped_in_markdown() -> None:
    edit = Edit(
        "add", "<b>Eve</b>", WHEN, "x", fields={"title": "<script>alert(1)</script>", "what": "*"}
    )
    text = render_markdown(apply_edits(base(), [edit]), {})
    assert "<script>" not in text and "&lt;script&gt;" in text and "<b>" not in text


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (Edit("remove", "A", WHEN, "r", item="nope"), "unknown item"),
        (Edit("move", "A", WHEN, "r", item="movement"), "move needs a position"),
        (Edit("move", "A", WHEN, "r", item="movement", position=9), "bad position"),
        (
            Edit("update", "A", WHEN, "r", item="movement", fields={"citations": ["X"]}),
            "cannot be edited",
        ),
        (Edit("update", "A", WHEN, "r", item="movement", fields={"what": ""}), "what must be text"),
        (
            Edit("update", "A", WHEN, "r", item="movement", fields={"duration_weeks": 0}),
            "bad duration",
        ),
        (
            Edit("update", "A", WHEN, "r", item="movement", fields={"targets": [{"metric": "m"}]}),
            "malformed target",
        ),
        (Edit("add", "A", WHEN, "r", fields={"title": "T"}), "needs what"),
        (
            Edit("add", "A", WHEN, "r", fields={"title": "T", "what": "W", "family": "x"}),
            "unknown family",
        ),
        (
            Edit("add", "A", WHEN, "r", fields={"title": "T", "what": "W", "evidence_grade": "E"}),
            "unknown evidence grade",
        ),
        (
            Edit("add", "A", WHEN, "r", fields={"title": "T", "what": "W", "tags": ["spicy"]}),
            "unknown tag",
        ),
        (Edit("add", "", WHEN, "r", fields={"title": "T", "what": "W"}), "author must be text"),
        (Edit("add", "A", WHEN, " ", fields={"title": "T", "what": "W"}), "reason must be text"),
        (Edit("add", "A", "yesterday", "r", fields={"title": "T", "what": "W"}), "bad time"),
        (Edit("rename", "A", WHEN, "r", item="movement"), "unknown edit"),  # type: ignore[arg-type]
    ],
)
def test_edit_errors(edit: Edit, match: str) -> None:
    with pytest.raises(OptionError, match=match) as info:
        apply_edits(base(), [edit])
    assert str(info.value).startswith("edit 1:")


def test_added_item_may_not_break_a_constraint() -> None:
    plan = base(("maoi",))
    edit = Edit(
        "add",
        "Dr Lee",
        WHEN,
        "likes kimchi",
        fields={"title": "Kimchi", "what": "Eat kimchi daily.", "tags": ["high_tyramine"]},
    )
    with pytest.raises(OptionError, match="conflicts with the client's constraints") as info:
        apply_edits(plan, [Edit("remove", "A", WHEN, "r", item="movement"), edit])
    assert "edit 2" in str(info.value) and "maoi" in str(info.value)
