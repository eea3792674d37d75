"""Report fixtures: real documents made by gutbrain itself from the test data and examples.

* ``profile_doc`` — ``gutbrain analyze`` of ``tests/data/taxonomic/metaphlan4_merged.tsv``
  (sample S1, packaged HMP2 reference): states ok, low_coverage and not_estimable;
* ``ko_profile_doc`` — the packaged KO example: states not_comparable and not_estimable;
* ``assessment_docs`` — the example answers four weeks apart (oldest first);
* ``flagged_assessment_doc`` — answers that raise the safety flag (PHQ-9 item 9);
* ``plan_doc`` — a drafted plan with a practitioner edit containing HTML and script.

Browser and PDF-tool tests call :func:`require_tool`: they skip when the tool is missing,
unless ``GUTBRAIN_REQUIRE_BROWSER=1`` (as on CI), where they fail instead.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from gutbrain import __version__
from gutbrain.assess import answer_set_from_mapping, assess
from gutbrain.knowledge.examples import example_file
from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze
from gutbrain.pipeline.assess import assessment_document
from gutbrain.plan import Edit, SafetyBlock, apply_edits, draft_plan, plan_to_dict

DATA = Path(__file__).resolve().parents[1] / "data"
EVIL_NAME = "<script>alert(1)</script>"
EVIL_EDIT = "Walk <b>briskly</b> in the park <script>alert(2)</script>"
EVIL_NOTE = "See you <img src=x onerror=alert(3)> soon & take care"
Doc = dict[str, Any]


def require_tool(name: str) -> str:
    """The path of an executable; skip (or fail with GUTBRAIN_REQUIRE_BROWSER=1) without it."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (apt-get install -y chromium poppler-utils)"
        if os.environ.get("GUTBRAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(message + "; GUTBRAIN_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)
    return path


def require_weasyprint() -> None:
    """Skip (or fail with GUTBRAIN_REQUIRE_BROWSER=1) when WeasyPrint cannot be loaded."""
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # pragma: no cover - depends on the machine
        if os.environ.get("GUTBRAIN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"WeasyPrint unavailable: {exc}")
        pytest.skip(f"WeasyPrint unavailable: {exc}")


def analyze_sample(tmp: Path, path: Path, sample: str) -> Doc:
    """``gutbrain analyze`` of one sample of ``path``: its profile document."""
    run_analyze(AnalyzeRequest(inputs=(path,), outdir=tmp, samples=(sample,)))
    doc: Doc = json.loads((tmp / "profiles" / f"{sample}.json").read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="session")
def profile_doc(tmp_path_factory: pytest.TempPathFactory) -> Doc:
    tmp = tmp_path_factory.mktemp("profile")
    return analyze_sample(tmp, DATA / "taxonomic" / "metaphlan4_merged.tsv", "S1")


@pytest.fixture(scope="session")
def ko_profile_doc(tmp_path_factory: pytest.TempPathFactory) -> Doc:
    tmp = tmp_path_factory.mktemp("ko")
    return analyze_sample(tmp, Path(str(example_file("ko-profile"))), "S1")


def answers(name: str | None = "Alex Example", **changes: Any) -> dict[str, Any]:
    """The example answers document (a dict), with changes."""
    import yaml

    data: dict[str, Any] = yaml.safe_load(
        Path(str(example_file("answers"))).read_text(encoding="utf-8")
    )
    data["client"]["name"] = name
    for key, value in changes.items():
        if key in ("phq9", "gad7", "who5"):
            data["answers"][key] = value
        else:
            data[key] = value
    return data


def assessment(data: dict[str, Any], previous: dict[str, Any] | None = None) -> Doc:
    """An assessment document from answers (and earlier answers)."""
    current = answer_set_from_mapping(data)
    before = None if previous is None else answer_set_from_mapping(previous)
    return assessment_document(assess(current, before))


def example_assessments() -> list[Doc]:
    """The example client's assessments four weeks apart, oldest first (PHQ-9 10 → 6)."""
    earlier = answers(date=dt.date(2026, 10, 23), phq9=[2, 2, 2, 1, 1, 1, 1, 0, 0])
    later = answers()
    return [assessment(earlier), assessment(later, earlier)]


@pytest.fixture(scope="session")
def assessment_docs() -> list[Doc]:
    return example_assessments()


@pytest.fixture(scope="session")
def flagged_assessment_doc() -> Doc:
    doc = assessment(answers(phq9=[1, 1, 2, 0, 1, 0, 1, 0, 2]))
    assert doc["safety"] is not None
    return doc


def make_plan(*, safety: SafetyBlock | None = None, name: str | None = "Alex Example") -> Doc:
    """A drafted plan for client c-001 with one practitioner edit carrying HTML."""
    client: dict[str, Any] = {"id": "c-001"}
    if name is not None:
        client["name"] = name
    plan = draft_plan(
        {"phq9.score": 6, "pss10.score": 19, "activity.minutes_per_week": 60},
        ["vegetarian"],
        client=client,
        date="2026-11-20",
        safety=safety,
        based_on={"assessment": "2026-11-20"},
    )
    edit = Edit(
        "update",
        "Dr <i>Lee</i>",
        "2026-11-21T09:30",
        "closer to <u>home</u>",
        item="movement",
        fields={"what": EVIL_EDIT},
    )
    doc = plan_to_dict(apply_edits(plan, [edit]))
    doc["gutbrain_version"] = __version__
    return doc


@pytest.fixture(scope="session")
def plan_doc() -> Doc:
    return make_plan()


@pytest.fixture()
def docs(profile_doc: Doc, assessment_docs: list[Doc], plan_doc: Doc) -> dict[str, Any]:
    """Deep copies of all three kinds (safe to change in a test)."""
    return {
        "profile": copy.deepcopy(profile_doc),
        "assessments": copy.deepcopy(assessment_docs),
        "plan": copy.deepcopy(plan_doc),
    }
