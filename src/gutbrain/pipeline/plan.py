"""The ``gutbrain plan`` job: answers (+ profile, + edits) → ``plan.json`` and ``plan.md``.

The answers are scored (:mod:`gutbrain.pipeline.assess`); the assessment and, when
given, a gut–brain profile become *facts* (:func:`assessment_facts`,
:func:`profile_facts`); :func:`gutbrain.plan.draft_plan` drafts version 1; the
practitioner's edits, when given, add versions. Questionnaires alone give a plan;
a profile adds the person's own results to the ranking and the rationale. The
plan is checked against the shipped schema and written deterministically (same
inputs → same bytes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gutbrain import __version__
from gutbrain.assess import Assessment, assess
from gutbrain.errors import InputError, OptionError
from gutbrain.io.checksum import sha256_file
from gutbrain.io.plan_edits import RawEdit, read_edits
from gutbrain.io.tsv_out import make_outdir, write_bytes
from gutbrain.knowledge.citations import format_citation
from gutbrain.knowledge.plan_rules import load_plan_rules
from gutbrain.knowledge.profile_schema import validate_plan
from gutbrain.pipeline.assess import load_answers
from gutbrain.pipeline.report import read_document
from gutbrain.plan import (
    EDITABLE_FIELDS,
    Edit,
    Plan,
    SafetyBlock,
    apply_edits,
    draft_plan,
    plan_to_dict,
    render_markdown,
)

__all__ = [
    "PlanRequest",
    "assessment_facts",
    "catalogue_item",
    "draft_from_documents",
    "plan_document",
    "profile_facts",
    "run_plan",
    "safety_block",
]

Fact = float | int | str | bool


@dataclass(frozen=True)
class PlanRequest:
    """What ``gutbrain plan`` needs."""

    answers: Path
    outdir: Path
    profile: Path | None = None
    edits: Path | None = None
    previous: Path | None = None


def _number(x: object) -> float | None:
    if isinstance(x, bool) or not isinstance(x, int | float):
        return None
    return float(x)


def assessment_facts(assessment: Assessment) -> dict[str, Fact]:
    """Facts from scored questionnaires.

    ``<instrument>.score`` and ``.band`` for every scorable instrument,
    ``<instrument>.<item>`` for every answered item, and
    ``activity.minutes_per_week``: the Exercise Vital Sign's minutes when
    answered, else moderate-equivalent minutes from the IPAQ items (walking +
    moderate + 2 × vigorous, as the WHO guideline counts vigorous minutes double).
    """
    facts: dict[str, Fact] = {}
    for result in assessment.results:
        key = result.instrument
        score = _number(result.score)
        if result.scorable and score is not None:
            facts[f"{key}.score"] = score
        if result.band is not None:
            facts[f"{key}.band"] = result.band.id
        for item in result.items:
            value = _number(item.value)
            if value is not None:
                facts[f"{key}.{item.id}"] = value
    if "evs.score" in facts:
        facts["activity.minutes_per_week"] = facts["evs.score"]
    else:
        parts = {
            k: (facts.get(f"ipaq_sf.{k}_days"), facts.get(f"ipaq_sf.{k}_minutes"))
            for k in ("walking", "moderate", "vigorous")
        }
        if all(d is not None and m is not None for d, m in parts.values()):
            total = 0.0
            for kind, (days, minutes) in parts.items():
                total += float(days) * float(minutes) * (2.0 if kind == "vigorous" else 1.0)  # type: ignore[arg-type]
            facts["activity.minutes_per_week"] = total
    return facts


def profile_facts(profile: Mapping[str, Any]) -> dict[str, Fact]:
    """Facts from a ``gutbrain-profile/1`` document (mechanism scores, component percentiles).

    Unknown values (``null``) give no fact: a rule never reads them as 0.
    """
    facts: dict[str, Fact] = {}
    for mech in profile["mechanisms"]:
        base = f"mechanism.{mech['id']}"
        facts[f"{base}.state"] = mech["state"]
        if mech["score"] is not None:
            facts[f"{base}.score"] = float(mech["score"])
            facts[f"{base}.confidence"] = float(mech["confidence"])
        for comp in mech["components"]:
            cbase = f"component.{comp['id']}"
            facts[f"{cbase}.state"] = comp["state"]
            facts[f"{cbase}.label"] = comp["label"]
            if comp["percentile"] is not None:
                facts[f"{cbase}.percentile"] = float(comp["percentile"])
            if comp["value"] is not None:
                facts[f"{cbase}.value"] = float(comp["value"])
    return facts


def safety_block(assessment: Assessment) -> SafetyBlock | None:
    """The plan's safety block from the assessment's flag (``None`` when not flagged)."""
    flag = assessment.safety
    if flag is None:
        return None
    return SafetyBlock(
        title=flag.headline,
        text=f"{flag.crisis_text} {flag.referral_text}",
        reasons=tuple(r.text for r in flag.reasons),
    )


def _edits(path: Path, raw: tuple[RawEdit, ...], plan: Plan) -> Plan:
    """Apply the edits in file order; an error names the file line and the edit."""
    for n, r in enumerate(raw, start=1):
        edit = Edit(
            op=r.op,  # type: ignore[arg-type]  # checked by apply_edits
            author=r.author,
            time=r.time,
            reason=r.reason,
            item=r.item,
            position=r.position,
            fields=r.fields,
        )
        try:
            plan = apply_edits(plan, [edit])
        except OptionError as exc:
            raise InputError(
                exc.problem,
                where=f"{path}, line {r.line} (edit {n})",
                found=exc.found,
                expected=exc.expected,
                fix=exc.fix,
            ) from None
    return plan


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as its JSON document (with the gutbrain version), checked against the schema."""
    doc = {**plan_to_dict(plan), "gutbrain_version": __version__}
    validate_plan(doc)
    return doc


def draft_from_documents(
    assessment: Assessment | None,
    profile: Mapping[str, Any] | None = None,
    *,
    client: Mapping[str, Any] | None = None,
    date: str | None = None,
    based_on: Mapping[str, Any] | None = None,
) -> Plan:
    """Draft version 1 from a scored assessment and/or a ``gutbrain-profile/1`` document.

    What :func:`run_plan` does after reading its files, for callers that hold the documents
    (the practice app). Without an assessment the plan rests on the profile alone (no
    constraints, no safety block): ``client`` and ``date`` must then be given. ``based_on``
    is completed with the assessment date and the profile's sample and input checksums.

    Examples
    --------
    >>> plan = draft_from_documents(None, None, client={"id": "c"}, date="2026-11-20")
    >>> plan.current.number, plan.safety is None, plan.based_on["plan_rules_version"] != ""
    (1, True, True)
    """
    facts: dict[str, Fact] = {}
    constraints: list[str] = []
    safety: SafetyBlock | None = None
    base: dict[str, Any] = dict(based_on or {})
    if assessment is not None:
        facts = assessment_facts(assessment)
        constraints = sorted(assessment.constraints)
        safety = safety_block(assessment)
        base["assessment_date"] = assessment.date.isoformat()
        if client is None:
            client = {"id": assessment.client.id}
            if assessment.client.name:
                client = {**client, "name": assessment.client.name}
        date = date or assessment.date.isoformat()
    if profile is not None:
        facts.update(profile_facts(profile))
        base["profile_sample"] = profile["sample"]
        base["profile_inputs"] = [i["sha256"] for i in profile.get("inputs", [])]
    if client is None or date is None:
        raise OptionError(
            "a plan needs a client and a date",
            where="draft_from_documents",
            found="no assessment and no client/date",
            expected="an assessment, or client= and date=",
            fix="pass the client and the date",
        )
    return draft_plan(facts, constraints, client=client, date=date, safety=safety, based_on=base)


def catalogue_item(rule_id: str, constraints: Sequence[str]) -> dict[str, Any] | str:
    """The fields of an ``add`` edit for one rule of the catalogue, adapted to ``constraints``.

    The rule is drafted on its own by :func:`gutbrain.plan.draft_plan` (its condition set
    aside), so the option, the adaptations and the weekly targets are exactly the engine's.
    Returns the reason instead when the person's constraints rule every option out.

    Examples
    --------
    >>> fields = catalogue_item("movement", [])
    >>> fields["family"], bool(fields["targets"])
    ('movement', True)
    """
    rules = load_plan_rules()
    found = [r for r in rules.rules if r.id == rule_id]
    if not found:
        raise OptionError(
            "unknown rule",
            where="catalogue_item",
            found=repr(rule_id),
            expected="one of " + ", ".join(r.id for r in rules.rules),
            fix="choose a rule of the catalogue",
        )
    one = replace(rules, rules=(replace(found[0], when=None),), notes=())
    plan = draft_plan(
        {},
        constraints,
        client={"id": "-"},
        date="2000-01-01",
        safety=None,
        based_on={},
        rules=one,
        max_items=1,
    )
    if not plan.current.items:
        return plan.omitted[0].reason if plan.omitted else "not applicable"
    item = plan_to_dict(plan)["versions"][0]["items"][0]
    keep = ("family", "evidence_grade", "citations", "tags", *EDITABLE_FIELDS)
    return {k: item[k] for k in keep if item[k] not in ("", [], None)}


def run_plan(request: PlanRequest) -> tuple[Plan, dict[str, Any]]:
    """Draft (and edit) the plan; write ``plan.json`` and ``plan.md``; return plan and summary."""
    current = load_answers(request.answers)
    previous = None if request.previous is None else load_answers(request.previous)
    assessment = assess(current, previous)
    based_on: dict[str, Any] = {"answers_sha256": sha256_file(request.answers)}
    profile = None
    if request.profile is not None:
        profile = read_document("profile", request.profile)
        based_on["profile_sha256"] = sha256_file(request.profile)
    plan = draft_from_documents(assessment, profile, based_on=based_on)
    if request.edits is not None:
        raw = read_edits(request.edits)
        plan = _edits(request.edits, raw, plan)
        plan = replace(plan, based_on={**plan.based_on, "edits_sha256": sha256_file(request.edits)})
    doc = plan_document(plan)
    out = make_outdir(request.outdir)
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes(out / "plan.json", text.encode("utf-8"))
    cited = {k for v in plan.versions for i in v.items for k in i.citations}
    cited |= {k for n in plan.notes for k in n.citations}
    refs = {k: format_citation(k) for k in sorted(cited)}
    write_bytes(out / "plan.md", render_markdown(plan, refs).encode("utf-8"))
    summary = {
        "plan": str(out / "plan.json"),
        "markdown": str(out / "plan.md"),
        "items": [i.id for i in plan.current.items],
        "version": plan.current.number,
        "safety": plan.safety is not None,
        "referral": assessment.referral,
    }
    return plan, summary
