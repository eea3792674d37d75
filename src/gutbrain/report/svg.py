"""SVG building blocks shared by the report charts: palette, numbers, text, hatching, bands.

Everything that goes between tags is escaped here (:func:`text`), so a chart cannot carry
markup from a document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import escape

from gutbrain.report.model import BandView

__all__ = [
    "ACCENT",
    "BAND_TINTS",
    "FONT",
    "INK",
    "MUTED",
    "OKABE_ITO",
    "REFERENCE",
    "SAMPLE",
    "band_spans",
    "fmt",
    "hatched_box",
    "mid_bracket",
    "text",
]

#: the Okabe–Ito palette (Okabe & Ito 2008), safe for the common colour-vision deficiencies
OKABE_ITO: Mapping[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
SAMPLE = OKABE_ITO["vermillion"]
ACCENT = OKABE_ITO["blue"]
REFERENCE = "#B4B4B4"
INK = "#222222"
MUTED = "#555555"
#: light tints for score bands (alternating, with the band name written in each)
BAND_TINTS = ("#DCEBF5", "#F6E7C8", "#D5EDE4", "#F3DCE8", "#E6E6E6", "#FBF6CC")
FONT = 'font-family="DejaVu Sans, Verdana, sans-serif" font-size="11"'


def fmt(x: float) -> str:
    """A coordinate with one decimal.

    >>> fmt(3.14159)
    '3.1'
    """
    return f"{x:.1f}"


def text(x: float, y: float, words: str, anchor: str = "start", extra: str = "") -> str:
    """An SVG ``<text>`` with ``words`` escaped; ``extra`` attributes may set their own fill.

    >>> text(1, 2, "<b>")
    '<text x="1.0" y="2.0" text-anchor="start" fill="#222222">&lt;b&gt;</text>'
    >>> text(1, 2, "a", extra=' fill="#555555"').count("fill=")
    1
    """
    fill = "" if " fill=" in extra else f' fill="{INK}"'
    return (
        f'<text x="{fmt(x)}" y="{fmt(y)}" text-anchor="{anchor}"{fill}{extra}>'
        f"{escape(words)}</text>"
    )


def band_spans(
    bands: Sequence[BandView], low: float, high: float
) -> list[tuple[BandView, float, float]]:
    """Each band's span on the axis, contiguous: a band ends where the next one starts."""
    ordered = sorted(bands, key=lambda b: low if b.minimum is None else b.minimum)
    out = []
    for i, band in enumerate(ordered):
        start = low if band.minimum is None else max(band.minimum, low)
        nxt = ordered[i + 1].minimum if i + 1 < len(ordered) else None
        end = high if nxt is None else min(nxt, high)
        if band.maximum is not None and nxt is None:
            end = min(max(band.maximum, start), high)
        if end > start:
            out.append((band, start, end))
    return out


def hatched_box(x: float, y: float, w: float, h: float, words: str) -> str:
    """A hatched box with words in it: "not estimable" and the like (never a 0)."""
    lines = []
    k = -h
    while k < w:
        xa, ya, xb, yb = x + k, y + h, x + k + h, y
        if xa < x:
            ya, xa = ya - (x - xa), x
        if xb > x + w:
            yb, xb = yb + (xb - x - w), x + w
        lines.append(f"M{fmt(xa)} {fmt(ya)}L{fmt(xb)} {fmt(yb)}")
        k += 8
    box = (
        f'<rect x="{fmt(x)}" y="{fmt(y)}" width="{fmt(w)}" height="{fmt(h)}" fill="#F2F2F2" '
        f'stroke="#9E9E9E"/><path d="{"".join(lines)}" stroke="#C4C4C4" stroke-width="1.5"/>'
    )
    if not words:
        return box
    return (
        box + f'<rect x="{fmt(x + w / 2 - 160)}" y="{fmt(y + h / 2 - 8)}" width="320" height="16" '
        f'fill="#FFFFFF"/>' + text(x + w / 2, y + h / 2 + 4, words, "middle", ' font-weight="bold"')
    )


def mid_bracket(x: float, y_low: float, y_high: float, words: str) -> str:
    """A vertical bracket from ``y_low`` to ``y_high`` with ``words`` beside it: the size of a
    minimal important difference on a chart's score axis.

    >>> mid_bracket(10, 50, 30, "MID 5").startswith('<path d="M6.0 50.0H10.0V30.0H6.0"')
    True
    """
    return (
        f'<path d="M{fmt(x - 4)} {fmt(y_low)}H{fmt(x)}V{fmt(y_high)}H{fmt(x - 4)}" fill="none" '
        f'stroke="{MUTED}" stroke-width="1.5"/>'
        + text(x + 4, (y_low + y_high) / 2 + 4, words, "start", f' fill="{MUTED}"')
    )
