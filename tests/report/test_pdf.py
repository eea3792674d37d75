"""The PDF (WeasyPrint): every page renders with pdftoppm, every section title is in the text,
escaped input stays text, the safety block comes first, A4 pages numbered "Page x of y".

Needs poppler-utils (pdftoppm, pdftotext): skipped without them, failed with
GUTBRAIN_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gutbrain.knowledge.wording import load_safety_wording
from gutbrain.report import render_report

from .conftest import (
    EVIL_EDIT,
    EVIL_NAME,
    EVIL_NOTE,
    answers,
    assessment,
    make_plan,
    require_tool,
    require_weasyprint,
)

Doc = dict[str, Any]


def pdf_text(path: Path, *pages: int) -> str:
    tool = require_tool("pdftotext")
    args = [tool, "-enc", "UTF-8"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    out = subprocess.run([*args, str(path), "-"], check=True, capture_output=True, timeout=120)
    return out.stdout.decode("utf-8")


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def full_pdf(
    tmp_path_factory: pytest.TempPathFactory,
    profile_doc: Doc,
    assessment_docs: list[Doc],
) -> tuple[Path, str]:
    require_weasyprint()
    older = answers(name=EVIL_NAME, date=dt.date(2026, 10, 23), phq9=[2, 2, 2, 1, 1, 1, 1, 0, 0])
    newer = answers(name=EVIL_NAME)
    rendered = render_report(
        profile=profile_doc,
        assessments=[assessment(older), assessment(newer, older)],
        plan=make_plan(name=EVIL_NAME),
        audience="practitioner",
        pdf=True,
        note=EVIL_NOTE,
    )
    assert rendered.pdf is not None
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(rendered.pdf)
    return path, rendered.html


def test_every_page_renders(full_pdf: tuple[Path, str], tmp_path: Path) -> None:
    pdf, _ = full_pdf
    tool = require_tool("pdftoppm")
    subprocess.run([tool, "-r", "30", "-png", str(pdf), str(tmp_path / "page")], check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) > 1
    for png in pngs:
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 500
    info = subprocess.run([require_tool("pdfinfo"), str(pdf)], check=True, capture_output=True)
    text = info.stdout.decode()
    pages = int(re.search(r"Pages:\s+(\d+)", text).group(1))  # type: ignore[union-attr]
    assert pages == len(pngs)
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", text).groups())  # type: ignore[union-attr]
    assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points


def test_text_has_every_section_title_and_page_numbers(full_pdf: tuple[Path, str]) -> None:
    pdf, html = full_pdf
    text = flat(pdf_text(pdf))
    titles = re.findall(r'<h2 id="h-[^"]+">([^<]+)</h2>', html)
    assert len(titles) >= 14
    for title in titles:
        assert flat(title.replace("&amp;", "&")) in text, title
    assert re.search(r"Page 1 of (\d+)", text)
    assert load_safety_wording().crisis_banner in text


def test_escaped_input_is_text_in_the_pdf(full_pdf: tuple[Path, str]) -> None:
    pdf, _ = full_pdf
    text = flat(pdf_text(pdf))
    assert EVIL_NAME in text  # shown literally: the tags are characters, not markup
    assert flat(EVIL_EDIT) in text
    assert flat(EVIL_NOTE) in text
    assert "Dr <i>Lee</i>" in text


def test_safety_block_first_in_the_pdf(
    profile_doc: Doc, flagged_assessment_doc: Doc, tmp_path: Path
) -> None:
    require_weasyprint()
    for audience in ("client", "practitioner"):
        rendered = render_report(
            profile=profile_doc,
            assessments=[flagged_assessment_doc],
            plan=make_plan(),
            audience=audience,  # type: ignore[arg-type]
            pdf=True,
        )
        assert rendered.pdf is not None
        path = tmp_path / f"{audience}.pdf"
        path.write_bytes(rendered.pdf)
        first = flat(pdf_text(path, 1))
        headline = flat(flagged_assessment_doc["safety"]["headline"])
        title = "Gut–brain wellness report" if audience == "client" else "Practitioner report"
        assert headline in first
        assert first.index(title) < first.index("Your safety comes first") < first.index(headline)
        assert first.index(headline) < first.index("Summary")
