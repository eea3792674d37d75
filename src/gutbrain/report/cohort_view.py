"""Figures and the HTML summary of ``gutbrain cohort``: volcano, heatmap, tables, citations.

Rendering only: :mod:`gutbrain.pipeline.cohort` fits the models and writes the files; it
gets :func:`render_cohort` from the command line. Both charts are inline SVG written
directly (no plotting library, no script, no external resource), labelled by ``<title>`` and
``<desc>``, with the Okabe–Ito palette and never colour alone: significant points are
filled *and* larger in the volcano, significant cells carry a star in the heatmap. Every
feature or variable name is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import cache

import jinja2
import numpy as np
import numpy.typing as npt
import pandas as pd
from markupsafe import Markup, escape

from gutbrain.knowledge.citations import format_citation
from gutbrain.pipeline.cohort import CohortOutcome
from gutbrain.report.svg import FONT, INK, MUTED, OKABE_ITO, REFERENCE, fmt, text

__all__ = ["CITATIONS", "heatmap_svg", "render_cohort", "volcano_svg"]

FloatArray = npt.NDArray[np.float64]

#: method citations (keys of the packaged bibliography) per model
CITATIONS: Mapping[str, tuple[str, ...]] = {
    "lm": ("Mallick2021", "BenjaminiHochberg1995"),
    "maaslin3": ("Nickols2024", "BenjaminiHochberg1995"),
    "wilcoxon": ("Mallick2021", "BenjaminiHochberg1995"),
}
#: features shown in the heatmap and rows in the table of top hits
TOP_FEATURES = 30
TOP_ROWS = 25
#: −log10 q shown for q = 0 (beyond double precision)
CAP = 300.0
HIGH = OKABE_ITO["vermillion"]
LOW = OKABE_ITO["blue"]


def _neglog(q: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        out = -np.log10(np.asarray(q, dtype=np.float64))
    return np.minimum(out, CAP)


def _short(name: str, limit: int = 38) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _svg_open(width: int, height: int, cid: str, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{cid}-t {cid}-d" {FONT}>'
        f'<title id="{cid}-t">{escape(title)}</title><desc id="{cid}-d">{escape(desc)}</desc>'
        f'<rect width="{width}" height="{height}" fill="#FFFFFF"/>'
    )


def _ticks(low: float, high: float, n: int = 5) -> list[float]:
    if not math.isfinite(low) or not math.isfinite(high) or high <= low:
        return [low]
    raw = (high - low) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) / step + 1e-9) + 1)]


def _tick_label(v: float) -> str:
    return f"{v:.3g}" if v != 0 else "0"


def volcano_svg(outcome: CohortOutcome, cid: str = "volcano") -> str:
    """Effect (``coef``) against −log10 q; points at or below the q threshold highlighted.

    >>> import pandas as pd
    >>> from gutbrain.pipeline.cohort import CohortOutcome
    >>> res = pd.DataFrame({"feature": ["a<b", "c"], "metadata": ["x", "x"], "value": ["y", "y"],
    ...                     "coef": [1.0, -0.2], "qval": [0.01, 0.8]})
    >>> o = CohortOutcome("lm", res, res.iloc[:1], {}, 10, 2, 2, 0.25, "coef", "qval")
    >>> svg = volcano_svg(o)
    >>> svg.startswith("<svg") and "a&lt;b" in svg and "<b>" not in svg
    True
    """
    res = outcome.results
    width, height = 640, 440
    left, right, top, bottom = 64, 24, 36, 56
    pw, ph = width - left - right, height - top - bottom
    coef = res[outcome.coef_column].to_numpy(dtype=np.float64) if len(res) else np.zeros(0)
    y = _neglog(res[outcome.q_column].to_numpy(dtype=np.float64)) if len(res) else np.zeros(0)
    ok = np.isfinite(coef) & np.isfinite(y)
    sig = ok & (y >= -math.log10(outcome.max_significance) if outcome.max_significance > 0 else ok)
    n_sig = int(sig.sum())
    title = (
        f"Volcano plot: {n_sig} of {int(ok.sum())} associations at q ≤ {outcome.max_significance:g}"
    )
    desc = (
        "Each point is one feature–variable association: horizontal position is the effect "
        f"({outcome.coef_column}), vertical position is −log10 of the q-value. Significant "
        "associations are larger filled points; the dashed line marks the q threshold."
    )
    parts = [_svg_open(width, height, cid, title, desc)]
    if not ok.any():
        parts.append(text(width / 2, height / 2, "no associations to plot", "middle"))
        return "".join(parts) + "</svg>"
    span = float(np.max(np.abs(coef[ok]))) or 1.0
    x_lo, x_hi = -span * 1.05, span * 1.05
    y_hi = max(
        float(np.max(y[ok])) * 1.05, -math.log10(max(outcome.max_significance, 1e-300)) * 1.2, 1.0
    )

    def px(v: float) -> float:
        return left + (v - x_lo) / (x_hi - x_lo) * pw

    def py(v: float) -> float:
        return top + ph - v / y_hi * ph

    parts.append(
        f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="{REFERENCE}"/>'
    )
    for t in _ticks(x_lo, x_hi):
        parts.append(
            f'<path d="M{fmt(px(t))} {top + ph}v5" stroke="{MUTED}"/>'
            + text(px(t), top + ph + 18, _tick_label(t), "middle", f' fill="{MUTED}"')
        )
    for t in _ticks(0.0, y_hi):
        parts.append(
            f'<path d="M{left - 5} {fmt(py(t))}h5" stroke="{MUTED}"/>'
            + text(left - 8, py(t) + 4, _tick_label(t), "end", f' fill="{MUTED}"')
        )
    parts.append(f'<path d="M{fmt(px(0))} {top}V{top + ph}" stroke="{REFERENCE}"/>')
    if outcome.max_significance > 0:
        yq = py(-math.log10(outcome.max_significance))
        parts.append(
            f'<path d="M{left} {fmt(yq)}H{left + pw}" stroke="{MUTED}" stroke-dasharray="4 3"/>'
            + text(
                left + pw - 4,
                yq - 4,
                f"q = {outcome.max_significance:g}",
                "end",
                f' fill="{MUTED}"',
            )
        )
    parts.append(text(left + pw / 2, height - 14, f"effect ({outcome.coef_column})", "middle"))
    parts.append(
        f'<text x="16" y="{fmt(top + ph / 2)}" text-anchor="middle" fill="{INK}" '
        f'transform="rotate(-90 16 {fmt(top + ph / 2)})">−log10 q</text>'
    )
    parts.append(text(left, 22, title, "start", ' font-weight="bold"'))
    points = []
    for i in np.flatnonzero(ok & ~sig):
        points.append(
            f'<circle cx="{fmt(px(coef[i]))}" cy="{fmt(py(y[i]))}" r="2.5" fill="none" '
            f'stroke="{REFERENCE}"/>'
        )
    for i in np.flatnonzero(sig):
        colour = HIGH if coef[i] > 0 else LOW
        points.append(
            f'<circle cx="{fmt(px(coef[i]))}" cy="{fmt(py(y[i]))}" r="4" fill="{colour}" '
            f'fill-opacity="0.8" stroke="{INK}" stroke-width="0.5"/>'
        )
    parts.extend(points)
    placed: list[tuple[float, float]] = []
    for i in np.flatnonzero(sig)[np.argsort(-y[sig], kind="stable")]:
        if len(placed) == 8:
            break
        lx, ly = px(coef[i]), py(y[i]) - 5
        if any(abs(ly - qy) < 12 and abs(lx - qx) < 200 for qx, qy in placed):
            continue  # no overlapping labels: the table lists every hit
        placed.append((lx, ly))
        row = res.iloc[int(i)]
        words = _short(f"{row['feature']} ({row['metadata']} {row['value']})", 44)
        anchor = "end" if coef[i] > 0 else "start"
        dx = -6 if coef[i] > 0 else 6
        parts.append(text(lx + dx, ly, words, anchor, ' font-size="9"'))
    return "".join(parts) + "</svg>"


def _heat_colour(v: float, vmax: float) -> str:
    if not math.isfinite(v):
        return "#F2F2F2"
    share = min(1.0, abs(v) / vmax) if vmax > 0 else 0.0
    end = HIGH if v > 0 else LOW
    r, g, b = (int(end[k : k + 2], 16) for k in (1, 3, 5))
    mix = [round(255 + (c - 255) * share) for c in (r, g, b)]
    return "#" + "".join(f"{c:02X}" for c in mix)


def heatmap_matrix(
    outcome: CohortOutcome, top: int = TOP_FEATURES
) -> tuple[list[str], list[str], FloatArray, npt.NDArray[np.bool_]]:
    """Top features × (metadata value) terms of signed −log10 q, and the significant cells.

    Features are ranked by their smallest q; with MaAsLin 3 a cell takes the model
    (abundance or prevalence) with the smaller q.
    """
    res = outcome.results
    if not len(res):
        return [], [], np.zeros((0, 0)), np.zeros((0, 0), dtype=bool)
    q = res[outcome.q_column].to_numpy(dtype=np.float64)
    frame = pd.DataFrame(
        {
            "feature": res["feature"].astype(str).to_numpy(),
            "term": (res["metadata"].astype(str) + ": " + res["value"].astype(str)).to_numpy(),
            "signed": np.sign(res[outcome.coef_column].to_numpy(dtype=np.float64)) * _neglog(q),
            "q": q,
        }
    ).dropna(subset=["q"])
    frame = frame.sort_values("q", kind="stable").drop_duplicates(["feature", "term"])
    features = list(dict.fromkeys(frame["feature"]))[:top]
    terms = list(dict.fromkeys(res["metadata"].astype(str) + ": " + res["value"].astype(str)))
    fi = {f: i for i, f in enumerate(features)}
    ti = {t: j for j, t in enumerate(terms)}
    values = np.full((len(features), len(terms)), np.nan)
    sig = np.zeros(values.shape, dtype=bool)
    for f, t, s, qv in frame.itertuples(index=False):
        if f in fi:
            values[fi[f], ti[t]] = s
            sig[fi[f], ti[t]] = qv <= outcome.max_significance
    return features, terms, values, sig


def heatmap_svg(outcome: CohortOutcome, cid: str = "heatmap") -> str:
    """Top features × metadata values, colour = sign(coef) · −log10 q, star = significant."""
    features, terms, values, sig = heatmap_matrix(outcome)
    cell_w, cell_h = 44, 18
    label_w = 250
    head_h = max(60, int(5.2 * max((len(_short(t, 30)) for t in terms), default=0)) + 12)
    width = max(label_w + cell_w * len(terms) + 40, 420)
    height = 40 + head_h + cell_h * len(features) + 60
    title = f"Heatmap: top {len(features)} features by q-value across {len(terms)} terms"
    desc = (
        "Rows are features, columns are metadata values. Colour is the sign of the effect "
        "times −log10 q (vermillion positive, blue negative, grey untested); a star marks "
        f"q ≤ {outcome.max_significance:g}."
    )
    parts = [
        _svg_open(width, height, cid, title, desc),
        text(8, 22, title, "start", ' font-weight="bold"'),
    ]
    if not features:
        parts.append(text(width / 2, height / 2, "no associations to show", "middle"))
        return "".join(parts) + "</svg>"
    finite = np.abs(values[np.isfinite(values)])
    # colour saturates at the 90th percentile, so one huge effect does not wash out the rest
    vmax = max(float(np.quantile(finite, 0.9)), 1.0) if finite.size else 1.0
    y0 = 40 + head_h
    for j, term in enumerate(terms):
        x = label_w + j * cell_w + cell_w / 2
        parts.append(
            f'<text x="{fmt(x)}" y="{fmt(y0 - 6)}" fill="{INK}" font-size="10" '
            f'transform="rotate(-55 {fmt(x)} {fmt(y0 - 6)})">{escape(_short(term, 30))}</text>'
        )
    for i, feat in enumerate(features):
        y = y0 + i * cell_h
        parts.append(text(label_w - 6, y + cell_h - 5, _short(feat, 40), "end", ' font-size="10"'))
        for j in range(len(terms)):
            v = float(values[i, j])
            x = label_w + j * cell_w
            shown = "untested" if not math.isfinite(v) else f"{v:.2f}"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w}" height="{cell_h}" '
                f'fill="{_heat_colour(v, vmax)}" stroke="#FFFFFF"><title>'
                f"{escape(feat)} · {escape(terms[j])}: {shown}</title></rect>"
            )
            if sig[i, j]:
                parts.append(text(x + cell_w / 2, y + cell_h - 4, "★", "middle", ' font-size="10"'))
    ly = y0 + len(features) * cell_h + 24
    for k, (v, words) in enumerate(
        ((-vmax, f"≤ −{vmax:.3g}"), (0.0, "0"), (vmax, f"≥ +{vmax:.3g}"))
    ):
        x = label_w + k * 70
        parts.append(
            f'<rect x="{x}" y="{ly}" width="18" height="12" fill="{_heat_colour(v, vmax)}" '
            f'stroke="{REFERENCE}"/>' + text(x + 22, ly + 10, words, "start", ' font-size="10"')
        )
    parts.append(
        text(
            label_w + 220,
            ly + 10,
            "sign(effect) · −log10 q",
            "start",
            f' font-size="10" fill="{MUTED}"',
        )
    )
    return "".join(parts) + "</svg>"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gutbrain.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _display(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NA"
        return f"{value:.4g}"
    return str(value)


def _top_rows(outcome: CohortOutcome) -> tuple[list[str], list[list[str]]]:
    columns = [c for c in outcome.significant.columns if c != "name"]
    rows = [
        [_display(v) for v in row]
        for row in outcome.significant[columns].head(TOP_ROWS).itertuples(index=False)
    ]
    return columns, rows


def _counts(outcome: CohortOutcome) -> list[tuple[str, str, int]]:
    sig = outcome.significant
    if not len(sig):
        return []
    keys = ["metadata", "value"] + (["model"] if "model" in sig.columns else [])
    grouped = sig.groupby(keys, sort=False).size()
    out = []
    for key, n in grouped.items():
        parts = key if isinstance(key, tuple) else (key,)
        term = f"{parts[0]}: {parts[1]}"
        out.append((term, str(parts[2]) if len(parts) > 2 else "", int(n)))
    return out


def render_cohort(outcome: CohortOutcome) -> dict[str, str]:
    """``volcano.svg``, ``heatmap.svg`` and ``summary.html`` (which embeds both)."""
    volcano = volcano_svg(outcome)
    heatmap = heatmap_svg(outcome)
    columns, rows = _top_rows(outcome)
    html = (
        _environment()
        .get_template("cohort.html.j2")
        .render(
            o=outcome,
            volcano=Markup(volcano),
            heatmap=Markup(heatmap),
            columns=columns,
            rows=rows,
            counts=_counts(outcome),
            citations=[format_citation(k) for k in CITATIONS[outcome.model]],
            method=METHOD_TEXT[outcome.model],
        )
    )
    return {"volcano.svg": volcano, "heatmap.svg": heatmap, "summary.html": html}


METHOD_TEXT: Mapping[str, str] = {
    "lm": "MaAsLin 2 linear model (LM): features filtered on the raw table, normalised, "
    "transformed, one linear model per feature (random intercepts by REML with Satterthwaite "
    "t-tests when random effects are given), Benjamini–Hochberg over all rows.",
    "maaslin3": "MaAsLin 3 (fixed effects): abundance model on the non-zero values with the "
    "median comparison, augmented logistic prevalence model, Benjamini–Hochberg over both "
    "models, joint p-value of the two.",
    "wilcoxon": "Rank tests, each variable on its own: Mann–Whitney U (two groups; effect = "
    "rank-biserial correlation), Kruskal–Wallis (more groups; effect = ε²), Spearman (numeric; "
    "effect = ρ); MaAsLin 2 filtering and normalisation; Benjamini–Hochberg over all rows.",
}
