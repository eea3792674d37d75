"""Rendering: escaping, safety first, states shown as such, no network, accessibility, wording."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.knowledge.wording import find_forbidden, load_safety_wording
from gutbrain.plan import SafetyBlock
from gutbrain.report import SECTION_TITLES, render_report
from gutbrain.report.charts import OKABE_ITO, Charts
from gutbrain.report.model import ComponentView, ReferenceInfo
from gutbrain.report.texts import all_texts

from .conftest import EVIL_EDIT, EVIL_NAME, EVIL_NOTE, answers, assessment, make_plan

Doc = dict[str, Any]
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "source", "wbr", "area", "base"}


class Tree(HTMLParser):
    """Records start tags (with attributes), text by element path, and style/script content."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.text: list[tuple[tuple[str, ...], str]] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.styles.append(data)
        if data.strip():
            self.text.append((tuple(self.stack), data))


def parse(html: str) -> Tree:
    tree = Tree()
    tree.feed(html)
    tree.close()
    return tree


def render(docs: dict[str, Any], audience: str = "client", **kw: Any) -> str:
    return render_report(
        profile=docs.get("profile"),
        assessments=docs.get("assessments", ()),
        plan=docs.get("plan"),
        audience=audience,  # type: ignore[arg-type]
        **kw,
    ).html


@pytest.fixture(params=["client", "practitioner"])
def audience(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def evil_docs(docs: dict[str, Any]) -> dict[str, Any]:
    older = answers(name=EVIL_NAME, date=dt.date(2026, 10, 23))
    newer = answers(name=EVIL_NAME)
    plan = make_plan(name=EVIL_NAME)
    return {
        "profile": docs["profile"],
        "assessments": [assessment(older), assessment(newer, older)],
        "plan": plan,
    }


def test_html_from_names_notes_and_edits_is_escaped(docs: dict[str, Any], audience: str) -> None:
    html = render(evil_docs(docs), audience, note=EVIL_NOTE, disclosure="<b>none</b>")
    tree = parse(html)
    assert not [t for t, _ in tree.tags if t in ("script", "img", "b", "u", "i")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(3)&gt;" in html
    texts = " ".join(text for _, text in tree.text)
    assert EVIL_NAME in texts and EVIL_EDIT in texts and EVIL_NOTE in texts
    title = next(text for path, text in tree.text if path[-1] == "title")
    assert EVIL_NAME in title
    if audience == "practitioner":
        assert "Dr <i>Lee</i>" in texts and "closer to <u>home</u>" in texts


def test_safety_block_comes_first_after_the_title(
    docs: dict[str, Any], flagged_assessment_doc: Doc, audience: str
) -> None:
    flagged = {"profile": docs["profile"], "assessments": [flagged_assessment_doc]}
    plan_flag = {
        "plan": make_plan(safety=SafetyBlock("Your safety comes first", "Call now.", ("q9",)))
    }
    for case in (flagged, plan_flag):
        tree = parse(render(case, audience))
        body = [
            (t, a)
            for t, a in tree.tags[tree.tags.index(("body", {"class": f"audience-{audience}"})) :]
        ]
        names = [t for t, _ in body]
        assert names[1:3] == ["header", "h1"]
        after_title = body[3]
        assert after_title == (
            "section",
            {"id": "safety", "class": "safety", "role": "alert", "aria-labelledby": "h-safety"},
        )
        body_text = [text.strip() for path, text in tree.text if "body" in path]
        assert body_text[1] == SECTION_TITLES["safety"]


def test_no_safety_block_without_a_flag_but_banner_always(docs: dict[str, Any]) -> None:
    html = render(docs)
    assert 'id="safety"' not in html
    banner = load_safety_wording().crisis_banner
    assert html.count(banner) >= 2  # top banner and the end of the report
    assert 'class="crisis-banner"' in html


def test_not_estimable_is_shown_as_such_never_as_zero(docs: dict[str, Any], audience: str) -> None:
    html = render(docs, audience)
    tree = parse(html)
    comps = [c for m in docs["profile"]["mechanisms"] for c in m["components"]]
    missing = [c for c in comps if c["state"] == "not_estimable"]
    assert missing
    listed = " ".join(text for path, text in tree.text if "li" in path and "ul" in path)
    titles = [text for path, text in tree.text if path[-1] == "title" and "svg" in path]
    for comp in missing:
        assert comp["label"] in listed
        assert not any(t.startswith(f"{comp['label']}:") and "percentile" in t for t in titles)
    assert any("not estimable from this sample" in t for t in titles)
    strips = [t for t in titles if "not estimable from this sample" in t]
    assert all(not re.search(r"\b0(th)?\b", t) for t in strips)


def test_not_comparable_is_shown_as_such(ko_profile_doc: Doc, audience: str) -> None:
    html = render({"profile": copy.deepcopy(ko_profile_doc)}, audience)
    tree = parse(html)
    titles = [text for path, text in tree.text if path[-1] == "title" and "svg" in path]
    assert any(
        t.endswith("not comparable: your sample was measured in other units") for t in titles
    )
    assert not any("percentile" in t for t in titles)


def component(state: str, value: float | None, pct: float | None, **kw: Any) -> ComponentView:
    ref = ReferenceInfo("ref", 40, "taxonomic", "species", "rel", True, (), True)
    args: dict[str, Any] = {
        "id": "trait:butyrate",
        "label": "Butyrate <makers>",
        "value": value,
        "percentile": pct,
        "favourable_score": pct,
        "coverage": 0.9,
        "state": state,
        "direction": "higher",
        "weight": 1.0,
        "evidence_grade": "B",
        "citations": (),
        "balance_with": None,
        "reference": ref,
        "distribution": np.linspace(0.0, 1.0, 40),
    }
    args.update(kw)
    return ComponentView(**args)


@given(
    state=st.sampled_from(
        ["ok", "low_coverage", "not_in_reference", "not_comparable", "not_estimable"]
    ),
    value=st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)),
    pct=st.one_of(st.none(), st.floats(0, 100)),
    with_dist=st.booleans(),
)
@settings(max_examples=150, deadline=None)
def test_percentile_chart_is_valid_svg_in_every_state(
    state: str, value: float | None, pct: float | None, with_dist: bool
) -> None:
    if state == "not_estimable":
        value = pct = None
    comp = component(state, value, pct, distribution=np.linspace(0, 1, 40) if with_dist else None)
    svg = str(Charts("client").percentile(comp))
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title = root.find("title")
    assert title is not None and title.text and title.text.startswith("Butyrate <makers>:")
    assert root.find("desc") is not None
    marker = "percentile" in (title.text or "")
    assert marker == comp.has_position
    if not comp.has_position:
        assert "Your sample: value" not in svg


def test_distribution_or_its_absence_is_said(docs: dict[str, Any]) -> None:
    assert "Reference values range from" in render({"profile": copy.deepcopy(docs["profile"])})
    doc = docs["profile"]
    doc["inputs"][0]["reference"]["name"] = "not_packaged"
    html = render({"profile": doc})
    assert "The reference distribution is not available here" in html
    assert "not available here; percentiles are shown on a 0 to 100 scale" in html
    assert "Reference values range from" not in html


def test_no_network_requests(
    docs: dict[str, Any], flagged_assessment_doc: Doc, audience: str
) -> None:
    docs["assessments"].append(flagged_assessment_doc)
    html = render(docs, audience)
    tree = parse(html)
    names = {t for t, _ in tree.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "video", "audio"}
    assert not names & {"source", "track", "base", "form", "picture", "use", "image"}
    for tag, attrs in tree.tags:
        assert "src" not in attrs and "srcset" not in attrs and "background" not in attrs, tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        href = attrs.get("href")
        if href is not None:
            assert tag == "a" and (href.startswith("#") or href.startswith("https://doi.org/"))
        style = attrs.get("style") or ""
        assert "url(" not in style
    css = "".join(tree.styles)
    assert css and "url(" not in css and "@import" not in css and "@font-face" not in css
    assert not re.search(
        r"(?i)(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html.replace('href="https://doi.org/', "")
    )


def test_headings_are_in_order_and_svgs_labelled(docs: dict[str, Any], audience: str) -> None:
    docs["assessments"] = docs["assessments"][-1:]
    tree = parse(render(docs, audience))
    levels = [int(t[1]) for t, _ in tree.tags if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    ids = [a["id"] for _, a in tree.tags if a.get("id")]
    assert len(ids) == len(set(ids)), "element ids must be unique"
    known = set(ids)
    svgs = [a for t, a in tree.tags if t == "svg"]
    assert len(svgs) > 10
    for attrs in svgs:
        assert attrs.get("role") == "img"
        labels = (attrs.get("aria-labelledby") or "").split()
        assert len(labels) == 2 and set(labels) <= known


def test_charts_use_the_okabe_ito_palette_and_greys(docs: dict[str, Any]) -> None:
    html = render(docs)
    colours = {c.upper() for c in re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', html)}
    allowed = {c.upper() for c in OKABE_ITO.values()}

    def grey_or_tint(c: str) -> bool:
        r, g, b = (int(c[i : i + 2], 16) for i in (1, 3, 5))
        return max(r, g, b) - min(r, g, b) < 8 or min(r, g, b) >= 0xC0

    assert {c for c in colours if c not in allowed and not grey_or_tint(c)} == set()
    assert {"#D55E00", "#0072B2"} <= colours


def test_audiences_differ(docs: dict[str, Any]) -> None:
    client = render(docs, "client")
    pro = render(docs, "practitioner")
    sha = docs["profile"]["inputs"][0]["sha256"]
    assert sha in client and sha in pro
    for only_pro in ("Component details", "Plan versions", "Recommendations left out", "<code>"):
        assert only_pro in pro and only_pro not in client
    assert docs["profile"]["inputs"][0]["path"] in pro
    assert docs["profile"]["inputs"][0]["path"] not in client
    assert "Your sample: higher than" in client or "Your sample: lower than" in client


def test_every_section_title_is_a_heading(docs: dict[str, Any]) -> None:
    html = render(docs)
    for key in ("summary", "diversity", "markers", "questionnaires", "plan", "methods"):
        assert f">{SECTION_TITLES[key]}</h2>" in html
    for mech in docs["profile"]["mechanisms"][:6]:
        assert f">{mech['title'].replace('&', '&amp;')}</h2>" in html


def _template_text() -> list[str]:
    out = []
    folder = resources.files("gutbrain.report") / "templates"
    for node in folder.iterdir():
        if node.name.endswith(".j2"):
            source = node.read_text(encoding="utf-8")
            source = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", source, flags=re.S)
            source = re.sub(r"<[^>]+>", " ", source)
            out += [" ".join(chunk.split()) for chunk in source.split("\n") if chunk.strip()]
    return out


def test_report_wording_is_wellness_only() -> None:
    texts = all_texts() + list(SECTION_TITLES.values()) + _template_text()
    assert len(texts) > 50
    bad = {t: find_forbidden(t) for t in texts if find_forbidden(t)}
    assert bad == {}
    assert find_forbidden("This plan treats depression.")  # the check itself works
