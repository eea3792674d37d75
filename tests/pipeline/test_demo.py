"""The demo pipeline on bundled data: every file, valid documents, same bytes twice."""

from __future__ import annotations

import json
from pathlib import Path

from gutbrain.knowledge.assessment_schema import validate_assessment_document
from gutbrain.knowledge.profile_schema import validate_plan, validate_profile
from gutbrain.pipeline.demo import run_demo


def test_demo_without_report(tmp_path: Path) -> None:
    calls: list[tuple[object, ...]] = []

    def fake_report(*args: object) -> None:
        calls.append(args)

    a = run_demo(tmp_path / "a", fake_report, pdf=False)
    for key in ("profile", "assessment", "assessment_previous", "plan", "plan_md"):
        assert a.files[key].is_file(), key
    validate_profile(json.loads(a.files["profile"].read_text()))
    validate_assessment_document(json.loads(a.files["assessment"].read_text()))
    validate_plan(json.loads(a.files["plan"].read_text()))
    assert json.loads(a.files["assessment"].read_text())["previous_date"] == "2026-10-23"
    (call,) = calls
    assert call[1] == (a.files["assessment_previous"], a.files["assessment"])
    assert call[4] is None  # no PDF asked for
    assert (a.outdir / "modules" / "modules.tsv").is_file()
    assert dict(a.rows)["safety flag"] == "none"
    b = run_demo(tmp_path / "b", None)
    for key in ("assessment", "assessment_previous", "plan", "plan_md"):
        assert a.files[key].read_bytes() == b.files[key].read_bytes(), key
    pa = json.loads(a.files["profile"].read_text())
    pb = json.loads(b.files["profile"].read_text())
    for doc in (pa, pb):
        for inp in doc["inputs"]:
            inp.pop("path")
    assert pa == pb
