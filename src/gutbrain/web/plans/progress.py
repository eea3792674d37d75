"""Progress over time: questionnaire trends, re-tests and check-ins, as inline SVG and tables.

The charts are :class:`gutbrain.report.charts.Charts` (server-side SVG with ``<title>`` and
``<desc>``, presentation attributes only, so the page's CSP needs no inline style); every
chart comes with a table of the same numbers. Instrument ranges, bands and the minimal
important difference are read from the instrument data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from gutbrain.errors import GutBrainError
from gutbrain.knowledge.instruments import get_instrument
from gutbrain.report.charts import Charts
from gutbrain.report.model import BandView, TrendPoint
from gutbrain.web.assessments.models import Assessment
from gutbrain.web.plans.models import RATINGS, CheckIn
from gutbrain.web.results.models import Result

__all__ = ["Trend", "checkin_trends", "questionnaire_trends", "retest_trends"]


@dataclass
class Trend:
    """One measure over time: a chart (empty with fewer than two points) and its table."""

    title: str
    chart: Markup
    header: tuple[str, ...]
    rows: Sequence[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _show(value: float | None) -> str:
    """A score for a table: up to one decimal (``–`` when unknown).

    >>> _show(1050.0), _show(6.25), _show(None)
    ('1050', '6.2', '–')
    """
    return "–" if value is None else f"{round(value, 1):g}"


def questionnaire_trends(assessments: Iterable[Assessment], charts: Charts) -> list[Trend]:
    """Each instrument's score over the assessments (oldest first), with bands and the MID."""
    series: dict[str, list[tuple[str, float | None, str]]] = {}
    names: dict[str, str] = {}
    for row in sorted(assessments, key=lambda a: (a.taken_on, a.created_at)):
        doc = row.document if isinstance(row.document, dict) else {}
        day = str(doc.get("date") or row.taken_on.isoformat())
        for res in doc.get("results") or []:
            if not isinstance(res, dict) or not res.get("instrument"):
                continue
            key = str(res["instrument"])
            names.setdefault(key, str(res.get("short_name") or key))
            score = _num(res.get("score")) if res.get("scorable", True) else None
            band = res["band"] if isinstance(res.get("band"), dict) else {}
            series.setdefault(key, []).append((day, score, str(band.get("label", ""))))
    out = []
    for key, points in series.items():
        low = high = mid = None
        bands: tuple[BandView, ...] = ()
        notes = []
        try:
            inst = get_instrument(key)
        except (GutBrainError, KeyError):
            inst = None
        if inst is not None:
            low, high = inst.scoring.minimum, inst.scoring.maximum
            bands = tuple(BandView(b.id, b.label, b.minimum, b.maximum) for b in inst.bands)
            if inst.mid is not None:
                mid = inst.mid.value
                notes.append(f"Minimal important difference: {_show(mid)} {inst.mid.unit}.")
            notes.append("Lower scores are better." if inst.direction == "lower_is_better" else "")
        name = names[key]
        chart = charts.trend(
            name, [TrendPoint(d, s) for d, s, _ in points], low, high, bands, mid=mid
        )
        rows = []
        previous: float | None = None
        for day, score, band in points:
            change = ""
            if score is not None and previous is not None:
                delta = score - previous
                change = f"{round(delta, 1):+g}"
                if mid is not None:
                    change += " (at least the MID)" if abs(delta) >= mid else " (within the MID)"
            rows.append((day, _show(score), band, change))
            previous = score if score is not None else previous
        out.append(
            Trend(name, chart, ("Date", "Score", "Band", "Change"), rows, [n for n in notes if n])
        )
    return out


def retest_trends(results: Iterable[Result], charts: Charts) -> list[Trend]:
    """Each mechanism's score (0–100) across the client's profiles, with component percentiles."""
    series: dict[str, list[tuple[str, float | None, str, str]]] = {}
    titles: dict[str, str] = {}
    for row in sorted(results, key=lambda r: r.created_at):
        doc = row.document if isinstance(row.document, dict) else {}
        day = row.created_at.date().isoformat()
        for mech in doc.get("mechanisms") or []:
            if not isinstance(mech, dict) or not mech.get("id"):
                continue
            key = str(mech["id"])
            titles.setdefault(key, str(mech.get("title") or key))
            comps = [
                f"{c.get('label') or c.get('id')}: {_show(_num(c.get('percentile')))}th"
                for c in mech.get("components") or []
                if isinstance(c, dict) and _num(c.get("percentile")) is not None
            ]
            series.setdefault(key, []).append(
                (
                    day,
                    _num(mech.get("score")),
                    str(mech.get("state", "")).replace("_", " "),
                    "; ".join(comps),
                )
            )
    out = []
    for key, points in series.items():
        chart = charts.trend(
            f"{titles[key]} (score of 100)", [TrendPoint(d, s) for d, s, _, _ in points], 0, 100, ()
        )
        rows = [(d, _show(s), state, comps or "–") for d, s, state, comps in points]
        out.append(
            Trend(titles[key], chart, ("Test of", "Score (of 100)", "State", "Percentiles"), rows)
        )
    return out


def checkin_trends(checkins: Sequence[CheckIn], charts: Charts) -> list[Trend]:
    """Each check-in rating (0–10) over time, oldest first."""
    ordered = sorted(checkins, key=lambda c: c.date)
    out = []
    for name, label in RATINGS:
        points = [TrendPoint(c.date.isoformat(), float(getattr(c, name))) for c in ordered]
        chart = charts.trend(f"{label} (0 to 10)", points, 0, 10, ())
        rows = [(p.date, _show(p.score)) for p in points]
        out.append(Trend(label, chart, ("Date", f"{label} (0–10)"), rows))
    return out
