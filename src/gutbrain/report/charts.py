"""Small inline SVG charts, written directly (no plotting library, no script).

Every chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>`` (alt
text that says what the chart shows in words), uses the Okabe–Ito colour-blind-safe palette
and never relies on colour alone: the sample is a line *and* a triangle, low coverage is
dashed, "not estimable" is a hatched box with words in it. Every piece of text from a
document is escaped. A :class:`Charts` object is made per rendering so element ids are
unique within the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
from markupsafe import Markup, escape

from gutbrain.plan.model import WeeklyTarget
from gutbrain.report.model import BandView, ComponentView, MechanismView, TrendPoint
from gutbrain.report.svg import (
    ACCENT,
    BAND_TINTS,
    FONT,
    INK,
    MUTED,
    OKABE_ITO,
    REFERENCE,
    SAMPLE,
    band_spans,
    fmt,
    hatched_box,
    mid_bracket,
    text,
)
from gutbrain.report.texts import (
    STATE_TEXT,
    TEXTS,
    format_coverage,
    format_number,
    format_percentile,
)

__all__ = ["OKABE_ITO", "Charts"]

_BINS = 24


class Charts:
    """Chart factory for one rendering (numbers its charts so ids stay unique).

    Examples
    --------
    >>> charts = Charts("client")
    >>> svg = str(charts.score_bar(None, 0.0, "not_estimable", "Stress <b>"))
    >>> svg.startswith("<svg") and "Stress &lt;b&gt;" in svg and "<b>" not in svg
    True
    """

    def __init__(self, audience: str) -> None:
        self.audience = audience
        self._count = 0

    # ------------------------------------------------------------------ helpers

    def _open(self, width: int, height: int, title: str, desc: str) -> str:
        """The opening ``<svg>`` with its ``<title>`` and ``<desc>`` (unique ids)."""
        self._count += 1
        cid = f"chart{self._count}"
        return (
            f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" {FONT}>'
            f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
        )

    def _state_words(self, comp: ComponentView) -> str:
        words = STATE_TEXT["client"][comp.state]
        if comp.state in ("ok", "low_coverage") and not comp.has_position:
            words = STATE_TEXT["client"]["not_estimable"]
        return words

    # ------------------------------------------------------------------ components

    def percentile(self, comp: ComponentView) -> Markup:
        """The component against its reference: histogram of the reference and the sample's
        value and percentile; or its state in words when it cannot be placed (never as 0).

        Coverage, evidence grade and the reference are in the alt text and in the figure
        caption around the chart.
        """
        ref = comp.reference
        dist = comp.distribution
        has_dist = dist is not None and dist.size > 0
        where = f"Reference {ref.name}, n = {ref.n_samples}" if ref is not None else "No reference"
        meta = (
            f"{where}; evidence grade {comp.evidence_grade}; "
            f"coverage {format_coverage(comp.coverage)}."
        )
        x0, x1 = 8.0, 552.0
        if not comp.has_position:
            words = self._state_words(comp)
            if not has_dist or comp.state == "not_estimable":
                head = self._open(
                    560, 30, f"{comp.label}: {words.lower()}", f"{words}; no position. {meta}"
                )
                return Markup(head + hatched_box(x0, 2, x1 - x0, 26, words) + "</svg>")
        width, height = 560, 60
        top, base = 16.0, 46.0
        parts: list[str] = []
        marker_x: float | None = None
        value = float(comp.value) if comp.has_position and comp.value is not None else None
        if dist is not None and has_dist and (value is not None or not comp.has_position):
            lo, hi = float(dist[0]), float(dist[-1])
            if value is not None:
                lo, hi = min(lo, value), max(hi, value)
            if hi <= lo:
                lo, hi = lo - 0.5, hi + 0.5
            counts, _ = np.histogram(dist, bins=_BINS, range=(lo, hi))
            peak = max(int(counts.max()), 1)
            bw = (x1 - x0) / _BINS
            bars = []
            for i, c in enumerate(counts.tolist()):
                if c:
                    h = (base - top) * c / peak
                    bars.append(
                        f"M{fmt(x0 + i * bw + 0.5)} {fmt(base)}v{fmt(-h)}h{fmt(bw - 1)}v{fmt(h)}z"
                    )
            fill = REFERENCE if comp.has_position else "#DADADA"
            parts.append(f'<path d="{"".join(bars)}" fill="{fill}"/>')

            def scale(v: float) -> float:
                return x0 + (x1 - x0) * (v - lo) / (hi - lo)

            q1, med, q3 = (float(v) for v in np.quantile(dist, [0.25, 0.5, 0.75]))
            parts.append(
                f'<path d="M{fmt(x0)} {fmt(base)}H{fmt(x1)}" stroke="{MUTED}"/>'
                f'<rect x="{fmt(scale(q1))}" y="50" width="{fmt(max(scale(q3) - scale(q1), 1))}" '
                f'height="5" fill="{ACCENT}"/>'
                f'<path d="M{fmt(scale(med))} 48V57" stroke="{OKABE_ITO["black"]}" '
                f'stroke-width="2"/>'
            )
            spread = (
                f"Reference values range from {format_number(lo)} to {format_number(hi)}, "
                f"median {format_number(med)}, middle half {format_number(q1)} to "
                f"{format_number(q3)}."
            )
            if value is not None:
                marker_x = scale(value)
        else:
            ticks = "".join(
                f"M{fmt(x0 + (x1 - x0) * q / 100)} {fmt(top + 8)}v16" for q in (0, 25, 50, 75, 100)
            )
            parts.append(
                f'<rect x="{fmt(x0)}" y="{fmt(top + 10)}" width="{fmt(x1 - x0)}" height="12" '
                f'fill="#EEEEEE" stroke="#BDBDBD"/><path d="{ticks}" stroke="{MUTED}"/>'
            )
            parts.append(text((x0 + x1) / 2, 56, "0 to 100 percentile scale", "middle"))
            spread = TEXTS["distribution_missing"]
            if comp.percentile is not None:
                marker_x = x0 + (x1 - x0) * float(comp.percentile) / 100
        if marker_x is not None:
            low = comp.state == "low_coverage"
            dashed = ' stroke-dasharray="4 3"' if low else ""
            who = "You" if self.audience == "client" else "Sample"
            label = f"{who}: {format_percentile(comp.percentile)} percentile"
            label += " (low coverage)" if low else ""
            anchor, dx = ("end", -8.0) if marker_x > (x0 + x1) / 2 else ("start", 8.0)
            parts.append(
                f'<path d="M{fmt(marker_x)} 10V58" stroke="{SAMPLE}" stroke-width="2.5"{dashed}/>'
                f'<path d="M{fmt(marker_x - 6)} 4H{fmt(marker_x + 6)}L{fmt(marker_x)} 13Z" '
                f'fill="{"#FFFFFF" if low else SAMPLE}" stroke="{SAMPLE}" stroke-width="1.5"/>'
            )
            parts.append(text(marker_x + dx, 12, label, anchor, ' font-weight="bold"'))
            title = f"{comp.label}: {format_percentile(comp.percentile)} percentile"
            said = (
                f"{who}: value {format_number(comp.value)}, "
                f"{format_percentile(comp.percentile)} percentile."
            )
        else:
            words = self._state_words(comp)
            parts.append(
                f'<rect x="{fmt((x0 + x1) / 2 - 160)}" y="22" width="320" height="18" '
                f'fill="#FFFFFF" stroke="#9E9E9E" stroke-dasharray="3 2"/>'
            )
            parts.append(text((x0 + x1) / 2, 35, words, "middle", ' font-weight="bold"'))
            title = f"{comp.label}: {words.lower()}"
            said = f"{words}; no position is shown."
        head = self._open(width, height, title, f"{said} {spread} {meta}")
        return Markup(head + "".join(parts) + "</svg>")

    def state_strip(self, comps: Sequence[ComponentView]) -> Markup:
        """A hatched strip standing for components without a value (listed beside it)."""
        n = len(comps)
        words = f"{n} measure{'s' if n != 1 else ''}: not estimable from this sample"
        names = ", ".join(c.label for c in comps)
        head = self._open(560, 30, words, f"{words}: {names}. No position is shown.")
        return Markup(head + hatched_box(8, 2, 544, 26, words) + "</svg>")

    # ------------------------------------------------------------------ mechanisms

    def score_bar(self, score: float | None, confidence: float, state: str, title: str) -> Markup:
        """A mechanism score on 0–100 with its confidence, or "not estimable"."""
        width, height = 560, 30
        x0, x1 = 8.0, 552.0
        if score is None:
            head = self._open(width, 30, f"{title}: not estimable", TEXTS["no_score"])
            body = hatched_box(x0, 2, x1 - x0, 26, TEXTS["no_score"])
            return Markup(head + body + "</svg>")
        x = x0 + (x1 - x0) * float(score) / 100
        desc = f"Score {score:.0f} of 100, confidence {confidence:.2f} ({state.replace('_', ' ')})."
        head = self._open(width, height, f"{title}: score {score:.0f} of 100", desc)
        hollow = state != "ok"
        parts = [
            f'<rect x="{fmt(x0)}" y="10" width="{fmt(x1 - x0)}" height="8" fill="#E6E6E6"/>',
            f'<rect x="{fmt(x0)}" y="10" width="{fmt(x - x0)}" height="8" fill="{ACCENT}" '
            f'opacity="{0.45 if hollow else 0.85}"/>',
            f'<path d="M{fmt(x0)} 22v6M{fmt((x0 + x1) / 2)} 22v6M{fmt(x1)} 22v6" '
            f'stroke="{MUTED}"/>',
            f'<circle cx="{fmt(x)}" cy="14" r="7" fill="{"#FFFFFF" if hollow else ACCENT}" '
            f'stroke="{ACCENT}" stroke-width="2.5"/>',
        ]
        return Markup(head + "".join(parts) + "</svg>")

    def overview(self, mechanisms: Sequence[MechanismView]) -> Markup:
        """One row per mechanism: its score on 0–100 (hollow when confidence is low)."""
        row, left, right = 21, 200.0, 530.0
        width, height = 560, row * len(mechanisms) + 26
        said = [
            "not estimable" if m.score is None else f"{m.score:.0f} ({m.state.replace('_', ' ')})"
            for m in mechanisms
        ]
        desc = "; ".join(f"{m.title}: {s}" for m, s in zip(mechanisms, said, strict=True))
        head = self._open(width, height, "Overview of the mechanism scores", desc + ".")
        parts = []
        for i, m in enumerate(mechanisms):
            y = 14 + i * row
            parts.append(text(0, y + 4, m.title))
            if m.score is None:
                parts.append(
                    f'<path d="M{fmt(left)} {fmt(y)}H{fmt(right)}" stroke="#E0E0E0" '
                    f'stroke-width="6" stroke-dasharray="4 4"/>'
                )
                parts.append(
                    text(
                        (left + right) / 2, y + 4, "not estimable", "middle", ' font-style="italic"'
                    )
                )
                continue
            parts.append(
                f'<path d="M{fmt(left)} {fmt(y)}H{fmt(right)}" stroke="#CCCCCC" stroke-width="6"/>'
            )
            x = left + (right - left) * float(m.score) / 100
            ok = m.state == "ok"
            parts.append(
                f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="6" fill="{ACCENT if ok else "#FFFFFF"}" '
                f'stroke="{ACCENT}" stroke-width="2.5"/>'
            )
        y = 14 + len(mechanisms) * row
        for q in (0, 50, 100):
            x = left + (right - left) * q / 100
            parts.append(text(x, y, str(q), "middle", f' fill="{MUTED}"'))
        return Markup(head + "".join(parts) + "</svg>")

    # ------------------------------------------------------------------ questionnaires

    def bands(
        self,
        name: str,
        score: float | None,
        low: float | None,
        high: float | None,
        bands: Sequence[BandView],
    ) -> Markup:
        """A questionnaire score on its range, with the score bands named."""
        if score is None or low is None or high is None or high <= low:
            return Markup("")
        width, height = 560, 58
        x0, x1 = 8.0, 552.0

        def scale(v: float) -> float:
            return x0 + (x1 - x0) * (min(max(v, low), high) - low) / (high - low)

        parts = []
        named = []
        for i, (band, b_lo, b_hi) in enumerate(band_spans(bands, low, high)):
            xa, xb = scale(b_lo), scale(b_hi)
            parts.append(
                f'<rect x="{fmt(xa)}" y="16" width="{fmt(max(xb - xa, 1))}" height="16" '
                f'fill="{BAND_TINTS[i % len(BAND_TINTS)]}" stroke="#FFFFFF"/>'
            )
            if xb - xa > 6.5 * len(band.label):
                parts.append(text((xa + xb) / 2, 46, band.label, "middle"))
            named.append(f"{band.label} {format_number(b_lo)}–{format_number(b_hi)}")
        x = scale(float(score))
        parts.append(
            f'<line x1="{fmt(x)}" y1="10" x2="{fmt(x)}" y2="36" stroke="{INK}" stroke-width="2.5"/>'
            f'<path d="M{fmt(x - 6)} 4 L{fmt(x + 6)} 4 L{fmt(x)} 12 Z" fill="{INK}"/>'
        )
        parts.append(text(x1, 10, f"score {format_number(score)}", "end", ' font-weight="bold"'))
        parts.append(text(x0, 56, format_number(low), extra=f' fill="{MUTED}"'))
        parts.append(text(x1, 56, format_number(high), "end", f' fill="{MUTED}"'))
        desc = f"Score {format_number(score)} on a range from {format_number(low)} to "
        desc += f"{format_number(high)}. Bands: " + ("; ".join(named) or "none") + "."
        head = self._open(width, height, f"{name}: score {format_number(score)}", desc)
        return Markup(head + "".join(parts) + "</svg>")

    def trend(
        self,
        name: str,
        points: Sequence[TrendPoint],
        low: float | None,
        high: float | None,
        bands: Sequence[BandView],
        mid: float | None = None,
    ) -> Markup:
        """A questionnaire score over the assessments given, oldest first.

        With ``mid`` (the instrument's minimal important difference) a bracket of that size is
        drawn beside the score axis and the alt text says how large the change was against it.
        """
        scored = [p for p in points if p.score is not None]
        if len(scored) < 2:
            return Markup("")
        mid_size = mid  # ``mid`` is reused below for the band labels' position
        values = [float(p.score) for p in scored if p.score is not None]
        lo = min(values) if low is None else float(low)
        hi = max(values) if high is None else float(high)
        if hi <= lo:
            lo, hi = lo - 1, hi + 1
        width, height = 560, 170
        x0, x1, y0, y1 = 40.0, 440.0, 14.0, 140.0

        def ys(v: float) -> float:
            return y1 - (y1 - y0) * (v - lo) / (hi - lo)

        days = [dt.date.fromisoformat(p.date).toordinal() for p in scored]
        span = max(days) - min(days)

        def xs(i: int) -> float:
            if span == 0:
                return x0 + (x1 - x0) * i / (len(scored) - 1)
            return x0 + (x1 - x0) * (days[i] - min(days)) / span

        parts = []
        for i, (band, b_lo, b_hi) in enumerate(band_spans(bands, lo, hi)):
            parts.append(
                f'<rect x="{fmt(x0)}" y="{fmt(ys(b_hi))}" width="{fmt(x1 - x0)}" '
                f'height="{fmt(max(ys(b_lo) - ys(b_hi), 1))}" '
                f'fill="{BAND_TINTS[i % len(BAND_TINTS)]}"/>'
            )
            mid = (ys(b_lo) + ys(b_hi)) / 2 + 4
            parts.append(text(x1 + 6, mid, band.label, "start", f' fill="{MUTED}"'))
        coords = [(xs(i), ys(v)) for i, v in enumerate(values)]
        parts.append(
            '<polyline fill="none" stroke="{}" stroke-width="2.5" points="{}"/>'.format(
                ACCENT, " ".join(f"{fmt(x)},{fmt(y)}" for x, y in coords)
            )
        )
        label_all = len(scored) <= 6
        for i, ((x, y), v) in enumerate(zip(coords, values, strict=True)):
            parts.append(
                f'<circle cx="{fmt(x)}" cy="{fmt(y)}" r="4.5" fill="{ACCENT}" stroke="#FFFFFF"/>'
            )
            parts.append(text(x, y - 8, format_number(v), "middle", ' font-weight="bold"'))
            if label_all or i in (0, len(scored) - 1):
                anchor = "start" if i == 0 else "end" if i == len(scored) - 1 else "middle"
                parts.append(text(x, 160, scored[i].date, anchor, f' fill="{MUTED}"'))
        parts.append(text(x0 - 6, y0 + 4, format_number(hi), "end", f' fill="{MUTED}"'))
        parts.append(text(x0 - 6, y1 + 4, format_number(lo), "end", f' fill="{MUTED}"'))
        desc = f"{name} scores by date: " + ", ".join(
            f"{p.date} {format_number(p.score)}" for p in scored
        )
        if mid_size is not None and 0 < mid_size < hi - lo:
            parts.append(
                mid_bracket(x0 + 12, y1, ys(lo + mid_size), f"MID {format_number(mid_size)}")
            )
            delta = values[-1] - values[0]
            size = "at least" if abs(delta) >= mid_size else "smaller than"
            desc += (
                f". Change from first to last: {format_number(delta)}, {size} the minimal "
                f"important difference of {format_number(mid_size)}"
            )
        head = self._open(width, height, f"{name} over time", desc + ".")
        return Markup(head + "".join(parts) + "</svg>")

    # ------------------------------------------------------------------ plan

    def weekly(self, target: WeeklyTarget) -> Markup:
        """Weekly steps of a plan target as bars, with the goal as a dashed line."""
        weeks = list(target.values)
        if not weeks:
            return Markup("")
        top = max([*weeks, target.goal, 1e-9])
        width, height = 460, 96
        x0, x1, y0, y1 = 8.0, 320.0, 16.0, 74.0
        bw = (x1 - x0) / len(weeks)
        parts = []
        for i, v in enumerate(weeks):
            h = (y1 - y0) * v / top
            x = x0 + i * bw
            parts.append(
                f'<rect x="{fmt(x + 3)}" y="{fmt(y1 - h)}" width="{fmt(bw - 6)}" height="{fmt(h)}" '
                f'fill="{ACCENT}" opacity="0.8"/>'
            )
        parts.append(text(x0, 90, "week 1", "start", f' fill="{MUTED}"'))
        parts.append(text(x1, 90, f"week {len(weeks)}", "end", f' fill="{MUTED}"'))
        gy = y1 - (y1 - y0) * target.goal / top
        parts.append(
            f'<path d="M{fmt(x0)} {fmt(gy)}H{fmt(x1)}" stroke="{SAMPLE}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        parts.append(text(x1 + 6, gy + 4, f"goal {format_number(target.goal)}", "start"))
        parts.append(text(x1 + 6, gy + 17, target.unit, "start", f' fill="{MUTED}"'))
        desc = (
            f"{target.label} ({target.unit}) by week: "
            + ", ".join(f"week {i + 1} {format_number(v)}" for i, v in enumerate(weeks))
            + f"; goal {format_number(target.goal)}."
        )
        head = self._open(width, height, f"Weekly steps: {target.label}", desc)
        return Markup(head + "".join(parts) + "</svg>")
