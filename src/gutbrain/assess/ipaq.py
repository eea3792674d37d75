"""IPAQ short form: MET-minutes a week and the low / moderate / high category.

Follows the IPAQ scoring protocol (revised November 2005; Craig 2003), with every number
read from the instrument file:

1. Every *days* answer is needed; a *minutes* answer may be left out when its days are 0.
   Otherwise the case is not scored.
2. More than 960 minutes a day of walking, moderate and vigorous activity together → the
   case is excluded (not scored).
3. Minutes under 10 count as 0, with their days; minutes over 180 a day count as 180.
4. MET-min/week = 3.3 × walking min × days + 4.0 × moderate min × days + 8.0 × vigorous
   min × days (computed exactly in tenths).
5. High: vigorous on ≥ 3 days and ≥ 1,500 MET-min/week, or ≥ 7 days of any combination and
   ≥ 3,000. Moderate: ≥ 3 days of ≥ 20 min vigorous, or ≥ 5 days of moderate activity and/or
   walking of ≥ 30 min a day (days of the two kinds added, each counting when its minutes
   reach 30), or ≥ 5 days of any combination and ≥ 600. Low: the rest. "Days of any
   combination" adds the days of the three kinds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from gutbrain.assess.results import Number
from gutbrain.knowledge.instruments import Instrument

__all__ = ["IpaqOutcome", "score_ipaq"]

_KINDS = ("vigorous", "moderate", "walking")
IpaqCategory = Literal["low", "moderate", "high"]


@dataclass(frozen=True)
class IpaqOutcome:
    """MET-min/week and category, or the reason the case is not scored."""

    score: Number | None
    category: IpaqCategory | None
    values: tuple[Number | None, ...]
    reason: str


def _tenths(value: float) -> int:
    return round(value * 10)


def score_ipaq(instrument: Instrument, answers: Sequence[Number | None]) -> IpaqOutcome:
    """Score checked IPAQ short-form answers (item order of the instrument).

    >>> from gutbrain.knowledge.instruments import get_instrument
    >>> out = score_ipaq(get_instrument("ipaq_sf"), [3, 30, 0, None, 5, 30, 300])
    >>> out.score, out.category
    (1215, 'moderate')
    """
    p = dict(instrument.scoring.parameters)
    given = dict(zip(instrument.item_ids, answers, strict=True))
    days: dict[str, int] = {}
    minutes: dict[str, int] = {}
    for kind in _KINDS:
        d, m = given[f"{kind}_days"], given[f"{kind}_minutes"]
        if d is None:
            return IpaqOutcome(None, None, tuple(answers), f"days of {kind} activity unanswered")
        if d > 0 and m is None:
            return IpaqOutcome(None, None, tuple(answers), f"minutes of {kind} activity unanswered")
        days[kind], minutes[kind] = int(d), int(m or 0) if d > 0 else 0
    if sum(minutes.values()) > p["exclude_total_minutes_per_day_above"]:
        return IpaqOutcome(
            None,
            None,
            tuple(answers),
            f"more than {p['exclude_total_minutes_per_day_above']:g} minutes a day of activity "
            "in total: excluded by the IPAQ protocol",
        )
    for kind in _KINDS:
        if minutes[kind] < p["min_bout_minutes"]:
            days[kind] = minutes[kind] = 0
        minutes[kind] = min(minutes[kind], int(p["truncate_minutes_per_day"]))
    met = {kind: _tenths(p[f"met_{kind}"]) * minutes[kind] * days[kind] for kind in _KINDS}
    total_tenths = sum(met.values())
    total = total_tenths / 10
    all_days = sum(days.values())
    vd, vm = days["vigorous"], minutes["vigorous"]
    days30 = sum(days[k] for k in ("moderate", "walking") if minutes[k] >= p["moderate_minutes"])
    category: IpaqCategory
    if (vd >= p["high_vigorous_days"] and total >= p["high_vigorous_met"]) or (
        all_days >= p["high_any_days"] and total >= p["high_any_met"]
    ):
        category = "high"
    elif (
        (vd >= p["moderate_vigorous_days"] and vm >= p["moderate_vigorous_minutes"])
        or days30 >= p["moderate_days"]
        or (all_days >= p["moderate_any_days"] and total >= p["moderate_any_met"])
    ):
        category = "moderate"
    else:
        category = "low"
    values: tuple[Number | None, ...] = (
        days["vigorous"],
        minutes["vigorous"],
        days["moderate"],
        minutes["moderate"],
        days["walking"],
        minutes["walking"],
        given["sitting_minutes"],
    )
    score: Number = total_tenths // 10 if total_tenths % 10 == 0 else total
    return IpaqOutcome(score, category, values, "scored with the IPAQ protocol's cleaning rules")
