"""Practitioner edits: add, remove, move and update items, one new version each.

Every edit names its author, time (ISO 8601) and reason, and makes a new plan
version; earlier versions are kept unchanged. Edits act on items only: the
safety block and the notes cannot be edited away. An added item may declare
tags (``fish``, ``high_tyramine`` …); one that conflicts with the person's
constraints is refused, exactly like a rule option.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from gutbrain.errors import OptionError
from gutbrain.knowledge.plan_rules import FAMILIES, load_constraints
from gutbrain.plan.engine import forbidden_tags
from gutbrain.plan.model import Plan, PlanItem, PlanVersion, WeeklyTarget

__all__ = ["EDITABLE_FIELDS", "OPS", "Edit", "apply_edits"]

OPS = ("add", "remove", "move", "update")
#: Fields an ``update`` may change (grade and citations stay with the rule).
EDITABLE_FIELDS = (
    "title",
    "what",
    "amount",
    "frequency",
    "duration_weeks",
    "rationale",
    "cautions",
    "targets",
)
_ADD_FIELDS = (*EDITABLE_FIELDS, "family", "evidence_grade", "citations", "tags")
_GRADES = ("A", "B", "C", "D", "practitioner")
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?)?$")


@dataclass(frozen=True)
class Edit:
    """One practitioner change."""

    op: Literal["add", "remove", "move", "update"]
    author: str
    time: str
    reason: str
    item: str | None = None
    position: int | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


def _fail(n: int, problem: str, found: str, expected: str, fix: str) -> OptionError:
    return OptionError(problem, where=f"edit {n}", found=found, expected=expected, fix=fix)


def _targets(n: int, value: Any) -> tuple[WeeklyTarget, ...]:
    if not isinstance(value, list):
        raise _fail(n, "targets must be a list", repr(value)[:60], "a list", "give a list")
    out = []
    for t in value:
        try:
            weekly = tuple(float(x) for x in t["weekly"])
            out.append(
                WeeklyTarget(
                    str(t["metric"]), str(t["label"]), str(t["unit"]), weekly, float(t["goal"])
                )
            )
        except (KeyError, TypeError, ValueError):
            raise _fail(
                n,
                "malformed target",
                repr(t)[:60],
                "metric, label, unit, weekly (numbers), goal",
                "complete the target",
            ) from None
    return tuple(out)


def _text(n: int, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(n, f"{key} must be text", repr(value)[:60], "non-empty text", f"fix {key}")
    return value.strip()


def _texts(n: int, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise _fail(n, f"{key} must be a list of texts", repr(value)[:60], "a list", f"fix {key}")
    return tuple(_text(n, key, v) for v in value)


def _changes(n: int, fields: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise _fail(
            n,
            "field cannot be edited",
            ", ".join(unknown),
            "one of " + ", ".join(allowed),
            "remove the field",
        )
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("rationale", "cautions", "citations", "tags"):
            out[key] = _texts(n, key, value)
        elif key == "targets":
            out[key] = _targets(n, value)
        elif key == "duration_weeks":
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 52:
                raise _fail(n, "bad duration", repr(value), "weeks, 1 to 52", "fix duration_weeks")
            out[key] = value
        else:
            out[key] = _text(n, key, value)
    return out


def _check_tags(n: int, tags: Iterable[str], forbidden: Mapping[str, set[str]]) -> None:
    known = set().union(*(c.forbids for c in load_constraints().values()))
    for tag in tags:
        if tag not in known:
            raise _fail(
                n, "unknown tag", repr(tag), "one of " + ", ".join(sorted(known)), "fix the tag"
            )
        if tag in forbidden:
            raise _fail(
                n,
                "the item conflicts with the client's constraints",
                f"tag {tag!r} ruled out by " + ", ".join(sorted(forbidden[tag])),
                "an item the client's constraints allow",
                "change the item or the client's constraints",
            )


def _index(n: int, items: Sequence[PlanItem], item_id: str | None) -> int:
    ids = [i.id for i in items]
    if item_id not in ids:
        raise _fail(
            n, "unknown item", repr(item_id), "one of " + ", ".join(ids), "check the item id"
        )
    return ids.index(item_id)


def _position(n: int, position: int | None, size: int) -> int:
    if position is None:
        return size
    if not isinstance(position, int) or not 1 <= position <= size + 1:
        raise _fail(n, "bad position", repr(position), f"1 to {size + 1}", "fix position")
    return position - 1


def _apply(n: int, plan: Plan, edit: Edit, forbidden: Mapping[str, set[str]]) -> Plan:
    if edit.op not in OPS:
        raise _fail(n, "unknown edit", repr(edit.op), ", ".join(OPS), "use one of these")
    for key in ("author", "reason"):
        _text(n, key, getattr(edit, key))
    if not isinstance(edit.time, str) or not _TIME.match(edit.time):
        raise _fail(n, "bad time", repr(edit.time), "ISO 8601, e.g. 2026-11-27T10:30", "fix time")
    items = list(plan.current.items)
    if edit.op == "remove":
        del items[_index(n, items, edit.item)]
    elif edit.op == "move":
        item = items.pop(_index(n, items, edit.item))
        if edit.position is None:
            raise _fail(n, "move needs a position", "none", "1-based position", "add position")
        items.insert(_position(n, edit.position, len(items)), item)
    elif edit.op == "update":
        i = _index(n, items, edit.item)
        changes = _changes(n, edit.fields, EDITABLE_FIELDS)
        items[i] = replace(items[i], **changes)
    else:
        changes = _changes(n, edit.fields, _ADD_FIELDS)
        for key in ("title", "what"):
            if key not in changes:
                raise _fail(n, f"a new item needs {key}", "none", key, f"add {key}")
        family = changes.pop("family", "professional_support")
        if family not in FAMILIES:
            raise _fail(n, "unknown family", repr(family), ", ".join(FAMILIES), "fix family")
        grade = changes.pop("evidence_grade", "practitioner")
        if grade not in _GRADES:
            raise _fail(n, "unknown evidence grade", repr(grade), ", ".join(_GRADES), "fix it")
        tags = changes.pop("tags", ())
        _check_tags(n, tags, forbidden)
        taken = {i.id for v in plan.versions for i in v.items}
        k = 1
        while f"practitioner-{k}" in taken:
            k += 1
        item = PlanItem(
            id=f"practitioner-{k}",
            family=family,
            title=changes.pop("title"),
            what=changes.pop("what"),
            amount=changes.pop("amount", ""),
            frequency=changes.pop("frequency", ""),
            duration_weeks=changes.pop("duration_weeks", 4),
            targets=changes.pop("targets", ()),
            rationale=changes.pop("rationale", ("Added by your practitioner.",)),
            evidence_grade=grade,
            citations=changes.pop("citations", ()),
            cautions=changes.pop("cautions", ()),
            tags=tuple(tags),
            source="practitioner",
        )
        items.insert(_position(n, edit.position, len(items)), item)
    version = PlanVersion(
        number=plan.current.number + 1,
        author=edit.author.strip(),
        time=edit.time,
        reason=edit.reason.strip(),
        items=tuple(items),
    )
    return replace(plan, versions=(*plan.versions, version))


def apply_edits(plan: Plan, edits: Iterable[Edit]) -> Plan:
    """Apply ``edits`` in order; each makes a new version.

    Raises
    ------
    OptionError
        Naming the edit (1-based) and what is wrong with it; nothing is applied
        from a list with a bad edit.

    Examples
    --------
    >>> from gutbrain.plan.engine import draft_plan
    >>> plan = draft_plan({}, [], client={"id": "c"}, date="2026-11-20", safety=None, based_on={})
    >>> edit = Edit("move", "Dr Lee", "2026-11-21T09:00", "calm first", item="stress-practice",
    ...             position=1)
    >>> new = apply_edits(plan, [edit])
    >>> new.current.number, new.current.items[0].id, len(new.versions)
    (2, 'stress-practice', 2)
    """
    forbidden = forbidden_tags(plan.constraints)
    for n, edit in enumerate(edits, start=1):
        plan = _apply(n, plan, edit, forbidden)
    return plan
