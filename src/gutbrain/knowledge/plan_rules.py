"""Plan rules and constraints, as cited data.

The data live in ``gutbrain/knowledge/data/plan/``:

* ``rules.json`` — one rule per recommendation: when it applies (a condition on
  *facts*, see below), how relevant it is, why (reason templates that name the
  person's own results), what to do (options with amounts, frequency, duration
  and weekly targets), its evidence grade and citations, and how it adapts to
  constraints;
* ``constraints.json`` — each constraint (diet preference, allergy, condition,
  medication) and the *tags* it forbids (e.g. ``maoi`` forbids
  ``high_tyramine``); every option lists the tags of what it asks for;
* ``rules.schema.json`` and ``constraints.schema.json`` — their JSON Schemas.

**Facts** are a flat mapping from names to numbers, strings or booleans, built
from an assessment and (optionally) a gut–brain profile:

* ``<instrument>.score``, ``<instrument>.band`` and ``<instrument>.<item id>``
  (``phq9.q3``, ``gbdiet.plant_types_per_week`` …), and the derived
  ``activity.minutes_per_week`` (moderate-equivalent minutes);
* ``mechanism.<id>.score`` / ``.state`` / ``.confidence``;
* ``component.<component id>.percentile`` / ``.state`` / ``.label``;
* ``constraint.<id>`` (true when the person has it) and ``safety`` (true when
  the assessment raised the safety flag).

A comparison on a fact that is absent is false: unknown is never read as 0.

:func:`load_plan_rules` validates the schema and every cross reference
(citations, tags, constraint ids, template placeholders) and raises
:class:`~gutbrain.errors.KnowledgeBaseError` on the first problem.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from gutbrain.errors import KnowledgeBaseError
from gutbrain.knowledge.mechanisms import reference_keys, validate_instance

__all__ = [
    "FAMILIES",
    "Adaptation",
    "Boost",
    "Condition",
    "Constraint",
    "Note",
    "Option",
    "PlanRules",
    "Reason",
    "Rule",
    "TargetSpec",
    "condition_facts",
    "load_constraints",
    "load_plan_rules",
    "template_facts",
]

#: Strategy families, in the order a plan lists them when relevance ties.
FAMILIES: tuple[str, ...] = (
    "professional_support",
    "movement",
    "prebiotic_foods",
    "probiotic_foods",
    "omega3",
    "stress_practice",
    "sleep",
)

Grade = Literal["A", "B", "C", "D"]
#: A condition is the parsed JSON object (``fact``/op, ``all``, ``any``, ``not``).
Condition = Mapping[str, Any]

_OPS = ("lt", "le", "gt", "ge", "eq", "ne", "in", "present")
_PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|([a-z]+))?\}")
FILTERS = ("int", "pct", "round1")


@dataclass(frozen=True)
class TargetSpec:
    """A weekly measurable target: start (fixed or from a fact), weekly step, goal."""

    metric: str
    label: str
    unit: str
    goal: float
    step: float
    weeks: int
    start: float
    start_fact: str | None = None
    start_add: float = 0.0


@dataclass(frozen=True)
class Adaptation:
    """How an option changes for a constraint.

    ``swap`` is a sentence appended to the option's *what* (e.g. "Choose
    gluten-free grains"), ``remove_tags`` the tags that sentence makes untrue,
    ``caution`` an extra caution and ``step_factor`` slows the weekly targets.
    """

    constraint: str
    remove_tags: tuple[str, ...] = ()
    swap: str | None = None
    caution: str | None = None
    step_factor: float | None = None


@dataclass(frozen=True)
class Option:
    """One concrete way of following a rule."""

    id: str
    what: str
    amount: str
    frequency: str
    duration_weeks: int
    tags: tuple[str, ...]
    targets: tuple[TargetSpec, ...]
    cautions: tuple[str, ...]
    adaptations: tuple[Adaptation, ...]


@dataclass(frozen=True)
class Boost:
    """Extra relevance when a condition holds."""

    when: Condition
    add: float


@dataclass(frozen=True)
class Reason:
    """A sentence of the rationale, used when its condition holds and its facts exist."""

    when: Condition | None
    text: str


@dataclass(frozen=True)
class Rule:
    """One recommendation rule."""

    id: str
    family: str
    title: str
    evidence_grade: Grade
    citations: tuple[str, ...]
    priority: float
    when: Condition | None
    pinned: bool
    boosts: tuple[Boost, ...]
    reasons: tuple[Reason, ...]
    general_reason: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Note:
    """A plan-level note (e.g. about medication), shown when its condition holds."""

    id: str
    when: Condition | None
    text: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Constraint:
    """A constraint and the option tags it rules out."""

    id: str
    label: str
    kind: str
    forbids: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class PlanRules:
    """The whole rule base."""

    version: str
    header: str
    notes: tuple[Note, ...]
    rules: tuple[Rule, ...]
    tags: tuple[str, ...]


def _packaged(name: str) -> str:
    node = resources.files("gutbrain.knowledge") / "data" / "plan" / name
    return node.read_text(encoding="utf-8")


def _error(problem: str, where: str, found: str, expected: str) -> KnowledgeBaseError:
    return KnowledgeBaseError(
        problem, where=where, found=found, expected=expected, fix="correct the plan knowledge base"
    )


def condition_facts(cond: Condition | None) -> set[str]:
    """Fact names a condition reads.

    >>> sorted(condition_facts({"any": [{"fact": "a", "ge": 1}, {"not": {"fact": "b", "eq": 2}}]}))
    ['a', 'b']
    """
    if cond is None:
        return set()
    if "fact" in cond:
        return {str(cond["fact"])}
    out: set[str] = set()
    for key in ("all", "any"):
        for sub in cond.get(key, ()):
            out |= condition_facts(sub)
    if "not" in cond:
        out |= condition_facts(cond["not"])
    return out


def template_facts(text: str) -> list[tuple[str, str | None]]:
    """Placeholders of a reason template: ``(fact, filter)`` pairs.

    >>> template_facts("PHQ-9 {phq9.score|int}, {component.trait:butyrate.label}")
    [('phq9.score', 'int'), ('component.trait:butyrate.label', None)]
    """
    return [(m.group(1), m.group(2)) for m in _PLACEHOLDER.finditer(text)]


def _check_condition(cond: Condition, where: str) -> None:
    keys = set(cond)
    if "fact" in keys:
        ops = keys - {"fact"}
        if len(ops) != 1 or next(iter(ops)) not in _OPS:
            raise _error("bad comparison", where, json.dumps(cond), f"one of {', '.join(_OPS)}")
        return
    if keys == {"not"}:
        _check_condition(cond["not"], where)
        return
    if len(keys) == 1 and keys <= {"all", "any"}:
        for sub in cond[next(iter(keys))]:
            _check_condition(sub, where)
        return
    raise _error("bad condition", where, json.dumps(cond)[:60], "fact/op, all, any or not")


def _target(d: Mapping[str, Any]) -> TargetSpec:
    start = d["start"]
    if isinstance(start, Mapping):
        return TargetSpec(
            d["metric"],
            d["label"],
            d["unit"],
            float(d["goal"]),
            float(d["step"]),
            int(d["weeks"]),
            float(start["default"]),
            str(start["fact"]),
            float(start.get("add", 0.0)),
        )
    return TargetSpec(
        d["metric"], d["label"], d["unit"], float(d["goal"]), float(d["step"]), int(d["weeks"]),
        float(start),
    )  # fmt: skip


def _option(d: Mapping[str, Any]) -> Option:
    return Option(
        id=d["id"],
        what=d["what"],
        amount=d["amount"],
        frequency=d["frequency"],
        duration_weeks=int(d["duration_weeks"]),
        tags=tuple(d.get("tags", ())),
        targets=tuple(_target(t) for t in d.get("targets", ())),
        cautions=tuple(d.get("cautions", ())),
        adaptations=tuple(
            Adaptation(
                constraint=a["constraint"],
                remove_tags=tuple(a.get("remove_tags", ())),
                swap=a.get("swap"),
                caution=a.get("caution"),
                step_factor=a.get("step_factor"),
            )
            for a in d.get("adaptations", ())
        ),
    )


def _rule(d: Mapping[str, Any]) -> Rule:
    return Rule(
        id=d["id"],
        family=d["family"],
        title=d["title"],
        evidence_grade=d["evidence_grade"],
        citations=tuple(d["citations"]),
        priority=float(d["priority"]),
        when=d.get("when"),
        pinned=bool(d.get("pinned", False)),
        boosts=tuple(Boost(b["when"], float(b["add"])) for b in d.get("boosts", ())),
        reasons=tuple(Reason(r.get("when"), r["text"]) for r in d.get("reasons", ())),
        general_reason=d["general_reason"],
        options=tuple(_option(o) for o in d["options"]),
    )


@cache
def load_constraints() -> dict[str, Constraint]:
    """Constraint id → :class:`Constraint` (validated against its schema).

    >>> load_constraints()["maoi"].forbids
    ('high_tyramine',)
    """
    data = json.loads(_packaged("constraints.json"))
    validate_instance(
        data, json.loads(_packaged("constraints.schema.json")), where="plan/constraints.json"
    )
    tags = set(data["tags"])
    out: dict[str, Constraint] = {}
    for c in data["constraints"]:
        where = f"plan/constraints.json, constraint {c['id']}"
        unknown = sorted(set(c["forbids"]) - tags)
        if unknown:
            raise _error("unknown tag", where, ", ".join(unknown), "a tag listed under 'tags'")
        if c["id"] in out:
            raise _error("duplicate constraint", where, c["id"], "unique ids")
        out[c["id"]] = Constraint(c["id"], c["label"], c["kind"], tuple(c["forbids"]), c["note"])
    return out


def _check_rule(rule: Rule, tags: set[str], constraints: Mapping[str, Constraint]) -> None:
    where = f"plan/rules.json, rule {rule.id}"
    if rule.family not in FAMILIES:
        raise _error("unknown family", where, rule.family, ", ".join(FAMILIES))
    for cond in [rule.when, *(b.when for b in rule.boosts), *(r.when for r in rule.reasons)]:
        if cond is not None:
            _check_condition(cond, where)
    for reason in rule.reasons:
        for _fact, filt in template_facts(reason.text):
            if filt is not None and filt not in FILTERS:
                raise _error("unknown template filter", where, filt, ", ".join(FILTERS))
    if template_facts(rule.general_reason):
        raise _error("placeholder in general_reason", where, rule.general_reason[:60], "plain text")
    seen: set[str] = set()
    for opt in rule.options:
        if opt.id in seen:
            raise _error("duplicate option id", where, opt.id, "unique ids within a rule")
        seen.add(opt.id)
        unknown = sorted(set(opt.tags) - tags)
        if unknown:
            raise _error("unknown tag", f"{where}, option {opt.id}", ", ".join(unknown), "a tag")
        for a in opt.adaptations:
            if a.constraint not in constraints:
                raise _error(
                    "unknown constraint", f"{where}, option {opt.id}", a.constraint, "a constraint"
                )
            if set(a.remove_tags) - set(opt.tags):
                raise _error(
                    "adaptation removes a tag the option does not have",
                    f"{where}, option {opt.id}",
                    ", ".join(sorted(set(a.remove_tags) - set(opt.tags))),
                    ", ".join(opt.tags) or "no tags",
                )


@cache
def load_plan_rules() -> PlanRules:
    """The packaged rule base, validated (schema, citations, tags, conditions).

    >>> rules = load_plan_rules()
    >>> {r.family for r in rules.rules} == set(FAMILIES)
    True
    """
    data = json.loads(_packaged("rules.json"))
    validate_instance(data, json.loads(_packaged("rules.schema.json")), where="plan/rules.json")
    constraints = load_constraints()
    tags = set(json.loads(_packaged("constraints.json"))["tags"])
    known = reference_keys()
    rules = tuple(_rule(r) for r in data["rules"])
    ids = [r.id for r in rules]
    if len(set(ids)) != len(ids):
        raise _error("duplicate rule id", "plan/rules.json", str(ids), "unique rule ids")
    notes = tuple(
        Note(n["id"], n.get("when"), n["text"], tuple(n.get("citations", ())))
        for n in data["notes"]
    )
    for rule in rules:
        _check_rule(rule, tags, constraints)
    cited = [(f"rule {r.id}", r.citations) for r in rules]
    cited += [(f"note {n.id}", n.citations) for n in notes]
    for where, keys in cited:
        missing = sorted(set(keys) - known)
        if missing:
            raise _error(
                "citation not in references.json",
                f"plan/rules.json, {where}",
                ", ".join(missing),
                "a key of knowledge/data/references.json",
            )
    for note in notes:
        if note.when is not None:
            _check_condition(note.when, f"plan/rules.json, note {note.id}")
    return PlanRules(
        version=data["version"],
        header=data["header"],
        notes=notes,
        rules=rules,
        tags=tuple(sorted(tags)),
    )
