"""`gutbrain report`: files in, HTML (and PDF) out; every input problem is one line, exit 2."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from tests.report.conftest import (
    DATA,
    analyze_sample,
    example_assessments,
    make_plan,
    require_weasyprint,
)

runner = CliRunner()
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def profile_doc(tmp_path_factory: pytest.TempPathFactory) -> Doc:
    tmp = tmp_path_factory.mktemp("profile")
    return analyze_sample(tmp, DATA / "taxonomic" / "metaphlan4_merged.tsv", "S1")


@pytest.fixture(scope="module")
def assessment_docs() -> list[Doc]:
    return example_assessments()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def files(tmp_path: Path, profile_doc: Doc, assessment_docs: list[Doc]) -> dict[str, Path]:
    out = {
        "profile": tmp_path / "S1.json",
        "old": tmp_path / "assessment_old.json",
        "new": tmp_path / "assessment.json",
        "plan": tmp_path / "plan.json",
    }
    out["profile"].write_text(json.dumps(profile_doc), encoding="utf-8")
    out["old"].write_text(json.dumps(assessment_docs[0]), encoding="utf-8")
    out["new"].write_text(json.dumps(assessment_docs[1]), encoding="utf-8")
    out["plan"].write_text(json.dumps(make_plan()), encoding="utf-8")
    return out


def test_report_from_all_documents(files: dict[str, Path], tmp_path: Path) -> None:
    html = tmp_path / "out" / "report.html"
    code, out, err = invoke(
        "report", "--profile", files["profile"], "--assessment", files["old"],
        "--assessment", files["new"], "--plan", files["plan"], "--audience", "practitioner",
        "--note", "<b>hi</b>", "-o", html,
    )  # fmt: skip
    assert code == 0, err
    assert out.strip() == f"wrote practitioner report {html}"
    text = html.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "&lt;b&gt;hi&lt;/b&gt;" in text
    assert "Plan versions" in text and str(files["profile"]) in text
    assert not list(html.parent.glob("*.part"))


@pytest.mark.parametrize("only", ["profile", "new", "plan"])
def test_any_single_document(files: dict[str, Path], tmp_path: Path, only: str) -> None:
    flag = {"profile": "--profile", "new": "--assessment", "plan": "--plan"}[only]
    code, _, err = invoke("report", flag, files[only], "-o", tmp_path / "r.html")
    assert code == 0, err
    assert (tmp_path / "r.html").stat().st_size > 5000


def test_pdf_is_written(files: dict[str, Path], tmp_path: Path) -> None:
    require_weasyprint()
    code, out, err = invoke(
        "report", "--plan", files["plan"], "-o", tmp_path / "r.html", "--pdf", tmp_path / "r.pdf"
    )
    assert code == 0, err
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert out.strip().endswith(f"and {tmp_path / 'r.pdf'}")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("none", "nothing to report on; found no profile, assessment or plan"),
        ("missing", "missing.json: file not found"),
        ("not_json", r"bad.json, line 1, column 2: not valid JSON"),
        ("empty", "empty.json: empty file"),
        ("wrong_format", "not a gutbrain profile document; found format 'gutbrain-plan/1'"),
        ("no_format", "not a gutbrain plan document; found no format"),
        ("schema", r"S1.json, /mechanisms/0/score: profile document does not follow its schema"),
        ("list", "not a gutbrain assessment document; found a JSON list, not an object"),
        ("same_output", "the HTML and the PDF would be the same file"),
        ("clients", "the assessment and the plan are of different clients"),
        ("audience", "Invalid value for '--audience'"),
    ],
)
def test_errors_are_one_line_exit_2(
    files: dict[str, Path], tmp_path: Path, profile_doc: Doc, case: str, match: str
) -> None:
    out = tmp_path / "r.html"
    args: list[str | Path] = ["report", "-o", out]
    if case == "missing":
        args += ["--profile", tmp_path / "missing.json"]
    elif case == "not_json":
        args += ["--profile", _write(tmp_path / "bad.json", "{oops")]
    elif case == "empty":
        args += ["--plan", _write(tmp_path / "empty.json", "  \n")]
    elif case == "wrong_format":
        args += ["--profile", files["plan"]]
    elif case == "no_format":
        args += ["--plan", _write(tmp_path / "p.json", "{}")]
    elif case == "schema":
        doc = copy.deepcopy(profile_doc)
        doc["mechanisms"][0]["score"] = 250
        args += ["--profile", _write(tmp_path / "S1.json", json.dumps(doc))]
    elif case == "list":
        args += ["--assessment", _write(tmp_path / "a.json", "[]")]
    elif case == "same_output":
        args += ["--plan", files["plan"], "--pdf", out]
    elif case == "clients":
        plan = make_plan()
        plan["client"]["id"] = "c-999"
        args += [
            "--assessment",
            files["new"],
            "--plan",
            _write(tmp_path / "p.json", json.dumps(plan)),
        ]
    elif case == "audience":
        args += ["--plan", files["plan"], "--audience", "everyone"]
    code, _, err = invoke(*args)
    assert code == 2
    assert match in err
    if case != "audience":
        assert err.startswith("gutbrain: error: ") and err.count("\n") == 1
    assert not out.exists()


def test_gzipped_json_is_read(files: dict[str, Path], tmp_path: Path) -> None:
    gz = tmp_path / "plan.json.gz"
    gz.write_bytes(gzip.compress(files["plan"].read_bytes()))
    code, _, err = invoke("report", "--plan", gz, "-o", tmp_path / "r.html")
    assert code == 0, err


def test_help_lists_the_options() -> None:
    code, out, _ = invoke("report", "--help")
    assert code == 0
    for option in ("--profile", "--assessment", "--plan", "--audience", "--pdf", "--output"):
        assert option in out
