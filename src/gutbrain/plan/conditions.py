"""Evaluating rule conditions and reason templates against facts.

A condition is ``{"fact": name, <op>: value}`` with ``op`` one of ``lt le gt ge
eq ne in present``, or ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": {...}}``.
A comparison with a fact that is absent is false (``present: false`` is the way
to ask for absence): an unknown value never counts as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from gutbrain.knowledge.plan_rules import Condition, template_facts

__all__ = ["Facts", "fill_template", "holds"]

Facts = Mapping[str, float | int | str | bool]


def _compare(value: Any, op: str, target: Any) -> bool:
    if op == "eq":
        return bool(value == target)
    if op == "ne":
        return bool(value != target)
    if op == "in":
        return value in target
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return False
    if op == "lt":
        return bool(value < target)
    if op == "le":
        return bool(value <= target)
    if op == "gt":
        return bool(value > target)
    if op == "ge":
        return bool(value >= target)
    raise ValueError(f"unknown operator {op!r}")


def holds(cond: Condition | None, facts: Facts) -> bool:
    """Whether ``cond`` holds for ``facts`` (``None`` always holds).

    >>> holds({"fact": "phq9.score", "ge": 10}, {"phq9.score": 12})
    True
    >>> holds({"fact": "phq9.score", "lt": 10}, {})  # unknown is not 0
    False
    >>> holds({"not": {"fact": "x", "present": True}}, {})
    True
    """
    if cond is None:
        return True
    if "all" in cond:
        return all(holds(c, facts) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, facts) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], facts)
    name = str(cond["fact"])
    (op,) = (k for k in cond if k != "fact")
    if op == "present":
        return (name in facts) == bool(cond[op])
    if name not in facts:
        return False
    return _compare(facts[name], op, cond[op])


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _format(value: float | int | str | bool, filt: str | None) -> str:
    if filt is None or isinstance(value, str | bool):
        return str(value)
    if filt == "int":
        return str(math.floor(float(value) + 0.5))
    if filt == "pct":
        return _ordinal(math.floor(float(value) + 0.5))
    if filt == "round1":
        return f"{float(value):.1f}"
    raise ValueError(f"unknown template filter {filt!r}")


def fill_template(text: str, facts: Facts) -> str | None:
    """Fill ``{fact}`` / ``{fact|filter}`` placeholders; ``None`` if a fact is missing.

    >>> fill_template("PHQ-9 {phq9.score|int}, {c.p|pct}", {"phq9.score": 9.6, "c.p": 21})
    'PHQ-9 10, 21st'
    >>> fill_template("{missing}", {}) is None
    True
    """
    out = text
    for name, filt in template_facts(text):
        if name not in facts:
            return None
        value = facts[name]
        if isinstance(value, float) and math.isnan(value):
            return None
        token = "{" + name + ("|" + filt if filt else "") + "}"
        out = out.replace(token, _format(value, filt))
    return out
