"""Drafting a plan from rules and facts.

1. A rule applies when its condition holds for the facts (no condition: always).
2. For an applicable rule, the first option that survives the person's
   constraints is taken: each constraint's adaptations are applied (wording
   swaps, removed tags, cautions, slower pace), and the option is kept only if
   none of its remaining tags is forbidden by any constraint. A rule whose
   options all conflict is recorded as *omitted*, with the reason.
3. Relevance = the rule's priority (the order of evidence) + the boosts whose
   conditions hold. Pinned rules (professional support) come first; then the
   best rule of each strategy family, by relevance; remaining slots go to the
   next best rules. Ties are broken by family order and rule id.
4. The rationale is made of the rule's reason sentences whose conditions hold
   and whose facts exist, naming the person's own results; else the rule's
   general reason. Weekly targets start from the person's current value when
   known and step towards the goal.

The result depends only on the inputs: no clock, no randomness.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from gutbrain.knowledge.plan_rules import (
    FAMILIES,
    Constraint,
    Option,
    PlanRules,
    Rule,
    TargetSpec,
    load_constraints,
    load_plan_rules,
)
from gutbrain.plan.conditions import Facts, fill_template, holds
from gutbrain.plan.model import (
    Omission,
    Plan,
    PlanItem,
    PlanNote,
    PlanVersion,
    SafetyBlock,
    WeeklyTarget,
)

__all__ = ["DEFAULT_ITEMS", "PLAN_FORMAT", "draft_plan", "forbidden_tags"]

PLAN_FORMAT = "gutbrain-plan/1"
#: How many recommendations a plan holds by default (pinned ones included).
DEFAULT_ITEMS = 5


def forbidden_tags(
    constraints: Iterable[str], table: Mapping[str, Constraint] | None = None
) -> dict[str, set[str]]:
    """Tag → the constraints that forbid it.

    >>> forbidden_tags(["maoi"])
    {'high_tyramine': {'maoi'}}
    """
    table = load_constraints() if table is None else table
    out: dict[str, set[str]] = {}
    for c in constraints:
        for tag in table[c].forbids:
            out.setdefault(tag, set()).add(c)
    return out


@dataclass(frozen=True)
class _Choice:
    option: Option
    tags: tuple[str, ...]
    swaps: tuple[str, ...]
    cautions: tuple[str, ...]
    step_factor: float


def _unique(texts: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(texts))


def _adapt(option: Option, constraints: set[str]) -> _Choice:
    tags = set(option.tags)
    swaps: list[str] = []
    cautions = list(option.cautions)
    factor = 1.0
    for a in option.adaptations:
        if a.constraint in constraints:
            tags -= set(a.remove_tags)
            if a.swap:
                swaps.append(a.swap)
            if a.caution:
                cautions.append(a.caution)
            if a.step_factor is not None:
                factor = min(factor, a.step_factor)
    return _Choice(
        option,
        tuple(t for t in option.tags if t in tags),
        _unique(swaps),
        _unique(cautions),
        factor,
    )


def _choose(rule: Rule, constraints: set[str], forbidden: Mapping[str, set[str]]) -> _Choice | str:
    """The first option the constraints allow, or why none is allowed."""
    conflicts: list[str] = []
    for option in rule.options:
        choice = _adapt(option, constraints)
        bad = [t for t in choice.tags if t in forbidden]
        if not bad:
            return choice
        for tag in bad:
            conflicts += [f"{c} ({tag.replace('_', ' ')})" for c in sorted(forbidden[tag])]
    return "ruled out by " + ", ".join(_unique(conflicts))


def _round_half_up(x: float) -> float:
    return float(math.floor(x + 0.5))


def _weekly(spec: TargetSpec, facts: Facts, factor: float) -> WeeklyTarget:
    start = spec.start
    if spec.start_fact is not None:
        known = facts.get(spec.start_fact)
        if isinstance(known, int | float) and not isinstance(known, bool) and math.isfinite(known):
            start = float(known) + spec.start_add
    step = spec.step * factor
    values = tuple(
        min(spec.goal, _round_half_up(max(0.0, start) + k * step)) for k in range(spec.weeks)
    )
    return WeeklyTarget(spec.metric, spec.label, spec.unit, values, spec.goal)


def _rationale(rule: Rule, facts: Facts) -> tuple[str, ...]:
    said = []
    for reason in rule.reasons:
        if holds(reason.when, facts):
            text = fill_template(reason.text, facts)
            if text is not None:
                said.append(text)
    return tuple(said) if said else (rule.general_reason,)


def _item(rule: Rule, choice: _Choice, facts: Facts) -> PlanItem:
    opt = choice.option
    return PlanItem(
        id=rule.id,
        family=rule.family,
        title=rule.title,
        what=" ".join((opt.what, *choice.swaps)),
        amount=opt.amount,
        frequency=opt.frequency,
        duration_weeks=opt.duration_weeks,
        targets=tuple(_weekly(t, facts, choice.step_factor) for t in opt.targets),
        rationale=_rationale(rule, facts),
        evidence_grade=rule.evidence_grade,
        citations=rule.citations,
        cautions=choice.cautions,
        tags=choice.tags,
        source="rule",
        rule=rule.id,
        option=opt.id,
    )


def _rank(candidates: list[tuple[float, Rule, PlanItem]], max_items: int) -> tuple[PlanItem, ...]:
    def key(c: tuple[float, Rule, PlanItem]) -> tuple[float, int, str]:
        return (-c[0], FAMILIES.index(c[1].family), c[1].id)

    ordered = sorted(candidates, key=key)
    pinned = [c for c in ordered if c[1].pinned]
    rest = [c for c in ordered if not c[1].pinned]
    best_per_family: list[tuple[float, Rule, PlanItem]] = []
    seen: set[str] = set()
    for c in rest:
        if c[1].family not in seen:
            seen.add(c[1].family)
            best_per_family.append(c)
    seconds = [c for c in rest if c not in best_per_family]
    chosen = pinned + best_per_family
    chosen = chosen[: max(max_items, len(pinned))]
    chosen += seconds[: max(0, max_items - len(chosen))]
    # keep the relevance order among the non-pinned picks
    tail = sorted(chosen[len(pinned) :], key=key)
    return tuple(c[2] for c in pinned + tail)


def draft_plan(
    facts: Facts,
    constraints: Iterable[str],
    *,
    client: Mapping[str, Any],
    date: str,
    safety: SafetyBlock | None,
    based_on: Mapping[str, Any],
    rules: PlanRules | None = None,
    max_items: int = DEFAULT_ITEMS,
) -> Plan:
    """Draft version 1 of a plan.

    Parameters
    ----------
    facts:
        Named facts about the person (see :mod:`gutbrain.knowledge.plan_rules`).
    constraints:
        Constraint ids (preferences, allergies, conditions, medications).
    client, date, based_on:
        Who the plan is for, the assessment date (also the version-1 time), and
        what it was built from (assessment and profile identifiers).
    safety:
        The safety block from the assessment, or ``None``. It cannot be dropped.
    max_items:
        Length of the ranked list (pinned items are always kept).

    Examples
    --------
    >>> plan = draft_plan({"phq9.score": 12, "pss10.score": 20}, ["vegan", "maoi"],
    ...                   client={"id": "c-1"}, date="2026-11-20", safety=None, based_on={})
    >>> [i.id for i in plan.current.items][:2]
    ['professional-support', 'movement']
    >>> [o.rule for o in plan.omitted]
    ['fermented-foods']
    """
    rules = load_plan_rules() if rules is None else rules
    table = load_constraints()
    active = sorted(set(constraints))
    unknown = [c for c in active if c not in table]
    if unknown:
        raise ValueError(f"unknown constraint(s): {', '.join(unknown)}")
    active_set = set(active)
    forbidden = forbidden_tags(active, table)
    facts = {**facts, **{f"constraint.{c}": True for c in active}}
    if safety is not None:
        facts["safety"] = True
    candidates: list[tuple[float, Rule, PlanItem]] = []
    omitted: list[Omission] = []
    for rule in rules.rules:
        if not holds(rule.when, facts):
            continue
        choice = _choose(rule, active_set, forbidden)
        if isinstance(choice, str):
            omitted.append(Omission(rule.id, choice))
            continue
        relevance = rule.priority + sum(b.add for b in rule.boosts if holds(b.when, facts))
        candidates.append((relevance, rule, _item(rule, choice, facts)))
    items = _rank(candidates, max_items)
    notes = tuple(PlanNote(n.id, n.text, n.citations) for n in rules.notes if holds(n.when, facts))
    version = PlanVersion(
        number=1,
        author="gutbrain",
        time=f"{date}T00:00:00",
        reason=f"drafted from plan rules {rules.version}",
        items=items,
    )
    return Plan(
        format=PLAN_FORMAT,
        client=dict(client),
        date=date,
        header=rules.header,
        safety=safety,
        notes=notes,
        constraints=tuple(active),
        omitted=tuple(omitted),
        based_on={**based_on, "plan_rules_version": rules.version},
        versions=(version,),
    )
