"""Render a :class:`~gutbrain.report.model.Report` to one self-contained HTML file, and to PDF.

One Jinja2 template family (``templates/``, package data) serves both audiences. Autoescape
is on for everything, so names, notes and plan edits that contain HTML come out as text.
The stylesheet is inlined, the charts are inline SVG and nothing refers to a font, script,
image or stylesheet elsewhere: opening the file makes no network request. The PDF is made
from the same HTML by WeasyPrint with a URL fetcher that refuses everything but ``data:``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import jinja2

from gutbrain.errors import GutBrainError
from gutbrain.report.build import SECTION_TITLES
from gutbrain.report.charts import Charts
from gutbrain.report.citations import CitationIndex, doi_link
from gutbrain.report.model import Report, ResultView
from gutbrain.report.texts import (
    DIRECTION_TEXT,
    GRADE_TEXT,
    REFERRAL_TEXT,
    STATE_TEXT,
    TEXTS,
    format_coverage,
    format_number,
    format_percentile,
    percentile_sentence,
)

__all__ = ["environment", "render_html", "render_pdf", "score_words"]

_CHANGE_WORDS: Mapping[str, str] = {
    "improved": "improved",
    "worsened": "worsened",
    "no_meaningful_change": "no meaningful change",
    "not_rated": "change not rated",
}


@cache
def environment() -> jinja2.Environment:
    """The Jinja2 environment: package templates, autoescape on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gutbrain.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )
    env.filters.update(
        num=format_number,
        pct=format_percentile,
        cov=format_coverage,
        capitalize_first=lambda s: str(s)[:1].upper() + str(s)[1:],
    )
    env.globals.update(
        t=TEXTS,
        grade_text=lambda g: GRADE_TEXT.get(str(g), str(g)),
        direction_text=lambda d: DIRECTION_TEXT.get(str(d), ""),
        referral_text=lambda r: REFERRAL_TEXT.get(str(r), str(r)),
        section_title=lambda key: SECTION_TITLES[key],
        psent=percentile_sentence,
        doi_link=doi_link,
        change_words=lambda c: _CHANGE_WORDS.get(str(c), str(c)),
        confidence_text=_confidence_text,
        score_words=score_words,
    )
    return env


def _confidence_text(confidence: float) -> str:
    if confidence < 0.4:
        return "low confidence"
    if confidence < 0.7:
        return "moderate confidence"
    return "higher confidence"


def score_words(result: ResultView) -> str:
    """A questionnaire score in words (``6 of 27 points``, ``3 of 7 targets met`` …).

    Examples
    --------
    >>> from gutbrain.report.model import ResultView
    >>> r = ResultView("phq9", "PHQ-9", "PHQ", "mood", True, 6, 0, 27, "points", None,
    ...                "lower_is_better", (), 0, False, "", "none", (), (), (), None, (), ())
    >>> score_words(r)
    '6 of 27 points'
    """
    if not result.scorable:
        return "not scored"
    if result.score is None:
        met = [i["target_met"] for i in result.items if i.get("target_met") is not None]
        return f"{sum(bool(m) for m in met)} of {len(met)} targets met" if met else "answered"
    score = format_number(result.score)
    if result.unit == "points":
        return f"{score} of {format_number(result.score_max)} points"
    if result.unit == "percent":
        return f"{score} of {format_number(result.score_max)}"
    if result.unit == "type":
        return f"type {score}"
    return f"{score} {result.unit}".strip()


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    citations = CitationIndex()
    words = STATE_TEXT[report.audience]

    def state_text(state: str) -> str:
        return words.get(str(state), str(state))

    context: dict[str, Any] = {
        "r": report,
        "charts": Charts(report.audience),
        "cite": citations.cite,
        "citations": citations,
        "state_text": state_text,
    }
    return environment().get_template("report.html.j2").render(context)


def render_pdf(html: str) -> bytes:
    """An A4 PDF of the report HTML, made by WeasyPrint (loads nothing from anywhere).

    Raises
    ------
    GutBrainError
        When WeasyPrint or the system libraries it needs (pango) are missing.
    """
    try:
        from weasyprint import HTML  # type: ignore[import-untyped]
        from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise GutBrainError(
            "cannot make a PDF",
            found=f"{type(exc).__name__}: {exc}",
            expected="WeasyPrint with the pango library",
            fix="pip install weasyprint (and apt-get install libpango-1.0-0), or leave out --pdf",
        ) from None
    fetcher = URLFetcher(allowed_protocols={"data"})
    data: bytes = HTML(string=html, url_fetcher=fetcher, media_type="print").write_pdf()
    return data
