"""Assessment documents (``gutbrain-assessment/1``) → questionnaire view and safety block.

The latest assessment (by date) is the one reported; earlier ones give the trend of each
instrument's score. Score bands come from the packaged instrument definitions when the
instrument is known there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from gutbrain.errors import GutBrainError, OptionError
from gutbrain.knowledge.instruments import get_instrument
from gutbrain.knowledge.wording import load_safety_wording
from gutbrain.report.model import (
    BandView,
    QuestionnaireView,
    ResultView,
    SafetyView,
    TrendPoint,
)

__all__ = ["build_questionnaire_view", "build_safety_view", "sort_assessments"]


@cache
def _bands(instrument: str) -> tuple[BandView, ...]:
    try:
        inst = get_instrument(instrument)
    except GutBrainError:
        return ()
    return tuple(BandView(b.id, b.label, b.minimum, b.maximum) for b in inst.bands)


def sort_assessments(assessments: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The assessments of one client, oldest first.

    Raises
    ------
    OptionError
        When the assessments belong to different clients.
    """
    ids = sorted({str(a["client"]["id"]) for a in assessments})
    if len(ids) > 1:
        raise OptionError(
            "assessments of different clients",
            found="client ids " + ", ".join(ids),
            expected="assessments of one client",
            fix="make one report per client",
        )
    return sorted(assessments, key=lambda a: str(a["date"]))


def _trend(instrument: str, ordered: Sequence[Mapping[str, Any]]) -> tuple[TrendPoint, ...]:
    points = []
    for doc in ordered:
        score = None
        for result in doc["results"]:
            if result["instrument"] == instrument and result["scorable"]:
                score = result["score"]
        points.append(TrendPoint(str(doc["date"]), score))
    return tuple(points)


def _result(doc: Mapping[str, Any], ordered: Sequence[Mapping[str, Any]]) -> ResultView:
    instrument = str(doc["instrument"])
    band = doc["band"]
    return ResultView(
        instrument=instrument,
        short_name=str(doc["short_name"]),
        name=str(doc["name"]),
        domain=str(doc["domain"]),
        scorable=bool(doc["scorable"]),
        score=doc["score"],
        score_min=doc["score_min"],
        score_max=doc["score_max"],
        unit=str(doc["unit"]),
        band=None if band is None else {k: str(v) for k, v in band.items()},
        direction=str(doc["direction"]),
        items=tuple(doc["items"]),
        n_missing=int(doc["n_missing"]),
        prorated=bool(doc["prorated"]),
        reason=str(doc["reason"]),
        referral=str(doc["referral"]),
        referral_reasons=tuple(doc["referral_reasons"]),
        notes=tuple(doc["notes"]),
        citations=tuple(doc["citations"]),
        change=doc["change"],
        bands=_bands(instrument),
        trend=_trend(instrument, ordered) if len(ordered) > 1 else (),
    )


def build_questionnaire_view(assessments: Sequence[Mapping[str, Any]]) -> QuestionnaireView:
    """The latest of ``assessments`` (checked documents of one client) with trends."""
    ordered = sort_assessments(assessments)
    latest = ordered[-1]
    wording = latest["wording"]
    earlier = tuple(
        f"{a['date']}: {a['safety']['headline']}" for a in ordered[:-1] if a["safety"] is not None
    )
    return QuestionnaireView(
        date=str(latest["date"]),
        previous_date=latest["previous_date"],
        dates=tuple(str(a["date"]) for a in ordered),
        results=tuple(_result(r, ordered) for r in latest["results"]),
        referral=str(latest["referral"]),
        disclaimer=str(wording["questionnaire_disclaimer"]),
        no_flag_note=wording["no_flag_note"],
        preferences=tuple(latest["preferences"]),
        conditions=tuple(latest["conditions"]),
        medications=tuple(latest["medications"]),
        constraints=tuple(latest["constraints"]),
        instruments_version=str(latest["instruments_version"]),
        gutbrain_version=latest.get("gutbrain_version"),
        earlier_flags=earlier,
    )


def _unique(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t for t in texts if t))


def build_safety_view(
    assessment: Mapping[str, Any] | None, plan: Mapping[str, Any] | None
) -> SafetyView | None:
    """The safety block from the latest assessment and/or the plan, or ``None``.

    ``None`` only means that no safety rule was met; it never means "safe".
    """
    flag = None if assessment is None else assessment["safety"]
    plan_flag = None if plan is None else plan["safety"]
    if flag is None and plan_flag is None:
        return None
    sources = []
    texts: list[str] = []
    reasons: list[str] = []
    title = ""
    action = None
    if flag is not None and assessment is not None:
        sources.append(f"assessment of {assessment['date']}")
        title = str(flag["headline"])
        texts += [str(flag["crisis_text"]), str(flag["referral_text"])]
        reasons += [str(r["text"]) for r in flag["reasons"]]
        resources = tuple((r["name"], r["region"], r["contact"]) for r in flag["resources"])
        action = str(flag["practitioner_action"])
    else:
        wording = load_safety_wording()
        texts.append(wording.crisis_text)
        resources = tuple((r.name, r.region, r.contact) for r in wording.resources)
    if plan_flag is not None and plan is not None:
        sources.append(f"plan of {plan['date']}")
        title = title or str(plan_flag["title"])
        texts.append(str(plan_flag["text"]))
        reasons += [str(r) for r in plan_flag["reasons"]]
    return SafetyView(
        source=" and ".join(sources),
        title=title,
        texts=_unique(texts),
        reasons=_unique(reasons),
        resources=resources,
        practitioner_action=action,
    )
