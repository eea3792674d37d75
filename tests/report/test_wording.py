"""The whole rendered report (both audiences, real demo documents) makes no forbidden claim.

Reference titles are quoted literature, not claims, so the references section is left out.
"""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path

import pytest

from gutbrain.knowledge.wording import forbidden_matches
from gutbrain.pipeline.demo import run_demo
from gutbrain.report import render_report


@pytest.fixture(scope="module")
def demo_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    result = run_demo(tmp_path_factory.mktemp("demo"), None)
    load = lambda key: json.loads(Path(result.files[key]).read_text())  # noqa: E731
    return {
        "profile": load("profile"),
        "assessments": [load("assessment_previous"), load("assessment")],
        "plan": load("plan"),
    }


def _visible_text(html: str) -> str:
    html = re.sub(r'<section id="references".*?</section>', " ", html, flags=re.S)
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("audience", ["client", "practitioner"])
def test_rendered_report_makes_no_forbidden_claim(
    demo_docs: dict[str, object], audience: str
) -> None:
    html = render_report(audience=audience, **demo_docs).html  # type: ignore[arg-type]
    assert '<section id="references"' in html
    text = _visible_text(html)
    assert "Alex Example" in text
    assert [(m.id, m.text) for m in forbidden_matches(text)] == []
