"""The report model: which sections, which reference, which version, which numbers."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest

from gutbrain.errors import InputFormatError, OptionError
from gutbrain.knowledge.citations import format_authors, load_citations
from gutbrain.pipeline.reference import packaged_reference
from gutbrain.pipeline.report import ReportDocuments, check_document, check_documents
from gutbrain.plan import SafetyBlock
from gutbrain.report import SECTION_TITLES, build_report
from gutbrain.report.citations import CitationIndex
from gutbrain.report.model import Report

from .conftest import answers, assessment, make_plan

SIX = ("serotonin", "stress", "inflammation", "neurotransmitters", "scfa", "vitamins")
Doc = dict[str, Any]


def build(docs: dict[str, Any], audience: str = "client", **kw: Any) -> Report:
    checked = check_documents(docs.get("profile"), docs.get("assessments", ()), docs.get("plan"))
    return build_report(checked, audience, **kw)  # type: ignore[arg-type]


def test_sections_in_order_with_six_mechanisms(docs: dict[str, Any]) -> None:
    report = build(docs)
    ids = [s.id for s in report.sections]
    assert ids == [
        "summary",
        *(f"mechanism-{m}" for m in SIX),
        "diversity",
        "markers",
        "questionnaires",
        "plan",
        "methods",
        "references",
        "about",
    ]
    titles = {s.id: s.title for s in report.sections}
    assert titles["plan"] == SECTION_TITLES["plan"]
    assert titles["mechanism-serotonin"] == "Serotonin & tryptophan"


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        ("profile", {"summary", "mechanism-scfa", "diversity", "markers", "methods"}),
        ("assessments", {"summary", "questionnaires", "methods"}),
        ("plan", {"summary", "plan", "methods"}),
    ],
)
def test_any_one_document_is_enough(docs: dict[str, Any], keep: str, expected: set[str]) -> None:
    only = {keep: docs[keep]}
    report = build(only)
    ids = {s.id for s in report.sections}
    assert expected <= ids
    assert not ({"questionnaires", "plan", "mechanism-scfa"} - expected) & ids


def test_nothing_given_is_an_error() -> None:
    with pytest.raises(OptionError, match="nothing to report on"):
        check_documents(None, (), None)
    with pytest.raises(OptionError, match="nothing to report on"):
        build_report(ReportDocuments())


def test_unknown_audience(docs: dict[str, Any]) -> None:
    with pytest.raises(OptionError, match="unknown audience"):
        build(docs, "patient")


@pytest.mark.parametrize(
    ("kind", "change", "match"),
    [
        ("profile", {"format": "gutbrain-plan/1"}, "not a gutbrain profile document"),
        ("plan", {"format": None}, "found no format"),
        ("plan", {"current_version": 0}, r"/current_version.*number too small"),
        ("profile", {"sample": ""}, r"/sample.*string too short"),
        ("assessment", {"safety": "yes"}, r"/safety.*wrong type"),
    ],
)
def test_malformed_documents_are_refused(
    docs: dict[str, Any], kind: str, change: dict[str, Any], match: str
) -> None:
    doc = docs["assessments"][0] if kind == "assessment" else docs[kind]
    doc.update(change)
    if change.get("format", "x") is None:
        del doc["format"]
    with pytest.raises(InputFormatError, match=match):
        check_document(kind, doc, "x.json")  # type: ignore[arg-type]


def test_a_list_is_not_a_document() -> None:
    with pytest.raises(InputFormatError, match="a JSON list, not an object"):
        check_document("profile", [], "x.json")


def test_documents_of_different_clients_are_refused(docs: dict[str, Any]) -> None:
    docs["plan"]["client"]["id"] = "someone-else"
    with pytest.raises(OptionError, match="different clients"):
        build(docs)
    other = assessment(answers(client={"id": "c-999", "name": "B"}))
    with pytest.raises(OptionError, match="assessments of different clients"):
        build({"assessments": [docs["assessments"][0], other]})


def test_latest_assessment_is_reported_with_a_trend(docs: dict[str, Any]) -> None:
    older, newer = docs["assessments"]
    report = build({"assessments": [newer, older]})  # any order
    q = report.questionnaires
    assert q is not None
    assert q.date == newer["date"] and q.dates == (older["date"], newer["date"])
    phq9 = next(r for r in q.results if r.instrument == "phq9")
    assert [p.score for p in phq9.trend] == [10, 6]
    assert phq9.has_trend
    assert [b.label for b in phq9.bands][:2] == ["Minimal", "Mild"]
    single = build({"assessments": [newer]}).questionnaires
    assert single is not None and not single.results[0].has_trend


def test_current_plan_version_is_the_last(docs: dict[str, Any]) -> None:
    plan = build(docs).plan
    assert plan is not None
    assert plan.current_version == 2 == len(plan.versions)
    movement = next(i for i in plan.items if i.id == "movement")
    assert "<script>" in movement.what  # kept as text; escaping is the template's job
    assert plan.versions[1].author == "Dr <i>Lee</i>"
    assert plan.versions[0].added and not plan.versions[1].added


def test_safety_from_assessment_or_plan(docs: dict[str, Any], flagged_assessment_doc: Doc) -> None:
    assert build(docs).safety is None
    report = build({"assessments": [flagged_assessment_doc]})
    assert report.safety is not None
    assert report.safety.resources and report.safety.practitioner_action
    assert report.sections[0].id == "safety"
    plan = make_plan(safety=SafetyBlock("Safety first", "Call now.", ("PHQ-9 item 9",)))
    report = build({"plan": plan})
    assert report.safety is not None and report.safety.title == "Safety first"
    assert "Call now." in report.safety.texts and report.safety.resources
    assert report.sections[0].id == "safety"


def test_components_carry_their_reference_distribution(profile_doc: Doc) -> None:
    report = build({"profile": copy.deepcopy(profile_doc)})
    assert report.profile is not None
    ref = packaged_reference("hmp2_nonibd_metaphlan4")
    comps = [c for m in report.profile.all_mechanisms for c in m.components]
    placed = [c for c in comps if c.has_position]
    assert placed
    for comp in placed:
        assert comp.distribution is not None
        assert np.array_equal(comp.distribution, ref.distributions[comp.id].values)
        assert comp.reference is not None and comp.reference.n_samples == ref.n_samples
    for comp in comps:
        if comp.state == "not_estimable":
            assert comp.value is None and not comp.has_position


def test_unknown_reference_falls_back_without_distribution(profile_doc: Doc) -> None:
    doc = copy.deepcopy(profile_doc)
    doc["inputs"][0]["reference"]["name"] = "my_practice_reference"
    report = build({"profile": doc})
    assert report.profile is not None
    info = report.profile.inputs[0].reference
    assert not info.available and info.description is None
    comps = [c for m in report.profile.all_mechanisms for c in m.components]
    assert all(c.distribution is None for c in comps)
    given = {"my_practice_reference": packaged_reference("hmp2_nonibd_metaphlan4")}
    again = build({"profile": doc}, references=given)
    assert again.profile is not None and again.profile.inputs[0].reference.available


def test_citations_are_numbered_by_first_use() -> None:
    index = CitationIndex()
    assert index.numbers(["B2000", "A1999"]) == [1, 2]
    assert index.numbers(["A1999", "C2001"]) == [2, 3]
    assert str(index.cite([])) == ""
    entries = index.entries()
    assert [e.key for e in entries] == ["B2000", "A1999", "C2001"]
    assert not any(e.found for e in entries)  # unknown keys are listed as such


def test_every_cited_key_resolves(docs: dict[str, Any]) -> None:
    from gutbrain.report.render import render_html

    for audience in ("client", "practitioner"):
        html = render_html(build(docs, audience))
        assert "not in this version's reference list" not in html
        assert 'id="ref-1"' in html
    entry = load_citations()["VallesColomer2019"]
    assert format_authors(entry["author"]).startswith("Valles-Colomer M, Falony G, Darzi Y")
