"""``plan.md``: the current plan version as plain Markdown for the client.

Order: the safety block (when present) first, then the plan header, the ranked
recommendations with weekly targets, why each was chosen, its evidence grade and
numbered citations, the plan-wide notes, what was left out and why, the version
history and the references.
"""

from __future__ import annotations

from collections.abc import Mapping

from gutbrain.plan.model import Plan, PlanItem

__all__ = ["render_markdown"]

_GRADE_WORDS = {
    "A": "A (strong evidence in people)",
    "B": "B (moderate evidence in people)",
    "C": "C (early or mixed evidence in people)",
    "D": "D (animal or laboratory evidence only)",
    "practitioner": "your practitioner's advice",
}


def _escape(text: str) -> str:
    """Neutralise Markdown/HTML control characters in free text.

    >>> _escape("<script>x</script> *bold*")
    '&lt;script&gt;x&lt;/script&gt; \\\\*bold\\\\*'
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*_[]#|":
        text = text.replace(ch, "\\" + ch)
    return text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _targets(item: PlanItem) -> list[str]:
    if not item.targets:
        return []
    weeks = max(len(t.values) for t in item.targets)
    head = "| Target | " + " | ".join(f"Week {k + 1}" for k in range(weeks)) + " | Goal |"
    lines = [head, "|---" * (weeks + 2) + "|"]
    for t in item.targets:
        cells = [_number(v) for v in t.values] + [""] * (weeks - len(t.values))
        lines.append(
            f"| {_escape(t.label)} ({_escape(t.unit)}) | "
            + " | ".join(cells)
            + f" | {_number(t.goal)} |"
        )
    return lines


def render_markdown(plan: Plan, references: Mapping[str, str]) -> str:
    """The current version of ``plan`` as Markdown.

    ``references`` maps citation keys to formatted references; citations are
    numbered in order of first use.
    """
    order: list[str] = []

    def cite(keys: tuple[str, ...]) -> str:
        nums = []
        for key in keys:
            if key not in order:
                order.append(key)
            nums.append(str(order.index(key) + 1))
        return "[" + ", ".join(nums) + "]" if nums else ""

    name = plan.client.get("name") or plan.client.get("id") or "you"
    out = [f"# Your gut–brain wellness plan: {_escape(str(name))}", ""]
    if plan.safety is not None:
        out += [f"## {_escape(plan.safety.title)}", "", f"**{_escape(plan.safety.text)}**", ""]
        out += [f"- {_escape(r)}" for r in plan.safety.reasons]
        out.append("")
    version = plan.current
    out += [
        f"Plan of {plan.date}, version {version.number} ({_escape(version.author)}, "
        f"{version.time}).",
        "",
        f"_{_escape(plan.header)}_",
        "",
        "## What to do",
        "",
    ]
    for k, item in enumerate(version.items, start=1):
        out += [f"### {k}. {_escape(item.title)}", "", _escape(item.what), ""]
        detail = [
            f"- **How much:** {_escape(item.amount)}" if item.amount else "",
            f"- **How often:** {_escape(item.frequency)}" if item.frequency else "",
            f"- **For how long:** {item.duration_weeks} weeks",
        ]
        out += [d for d in detail if d]
        out.append("")
        table = _targets(item)
        if table:
            out += ["Weekly targets:", "", *table, ""]
        out += ["**Why:** " + " ".join(_escape(r) for r in item.rationale), ""]
        for c in item.cautions:
            out.append(f"> **Take care:** {_escape(c)}")
        if item.cautions:
            out.append("")
        grade = _GRADE_WORDS.get(item.evidence_grade, _escape(item.evidence_grade))
        out += [f"Evidence: {grade} {cite(item.citations)}".rstrip(), ""]
    if plan.notes:
        out += ["## Good to know", ""]
        out += [f"- {_escape(n.text)} {cite(n.citations)}".rstrip() for n in plan.notes]
        out.append("")
    if plan.omitted:
        out += ["## Left out on purpose", ""]
        out += [f"- {_escape(o.rule)}: {_escape(o.reason)}" for o in plan.omitted]
        out.append("")
    if len(plan.versions) > 1:
        out += ["## Changes", ""]
        out += [
            f"- Version {v.number}, {v.time}, {_escape(v.author)}: {_escape(v.reason)}"
            for v in plan.versions
        ]
        out.append("")
    if order:
        out += ["## References", ""]
        out += [f"{k}. {_escape(references.get(key, key))}" for k, key in enumerate(order, 1)]
        out.append("")
    return "\n".join(out)
