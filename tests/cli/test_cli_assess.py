"""`gutbrain assess`: summary, JSON output, determinism, changes, safety first, errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from gutbrain.knowledge.assessment_schema import validate_assessment_document
from gutbrain.knowledge.examples import example_file
from gutbrain.knowledge.wording import find_forbidden, load_safety_wording

runner = CliRunner()
EXAMPLE = Path(str(example_file("answers")))


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def answers(
    tmp_path: Path,
    name: str,
    date: str,
    phq9: str,
    gad7: str = "[0, 0, 0, 0, 0, 0, 0]",
    client: str = "c-001",
) -> Path:
    path = tmp_path / name
    path.write_text(
        f"client: {{id: {client}, name: Sam Sample}}\ndate: {date}\n"
        f"answers:\n  phq9: {phq9}\n  gad7: {gad7}\n  who5: [3, 3, 3, 3, 3]\n"
        "preferences: [vegan]\nmedications: [maoi]\n",
        encoding="utf-8",
    )
    return path


def test_summary_of_the_example_writes_nothing(tmp_path: Path) -> None:
    before = set(os.listdir(tmp_path))
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        code, out, err = invoke("assess", EXAMPLE)
    finally:
        os.chdir(cwd)
    assert code == 0, err
    assert set(os.listdir(tmp_path)) == before
    lines = out.splitlines()
    assert lines[0] == "Assessment of Alex Example (c-001) on 2026-11-20"
    assert "PHQ-9" in out and "6 / 27  Mild" in out
    assert "WHO-5" in out and "48 / 100  Low" in out
    assert "972.5 MET-min/week  Moderate" in out
    assert "SAFETY" not in out
    assert lines[-1] == load_safety_wording().crisis_banner
    assert find_forbidden(out) == []


def test_json_output_is_valid_and_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "assessment.json", tmp_path / "b.json"
    code, out, err = invoke("assess", EXAMPLE, "-o", first)
    assert code == 0, err
    assert out.strip() == f"wrote {first}"
    assert invoke("assess", EXAMPLE, "--output", second)[0] == 0
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    doc = json.loads(text)
    validate_assessment_document(doc)
    assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert doc["format"] == "gutbrain-assessment/1"
    assert [r["instrument"] for r in doc["results"]][:4] == ["phq9", "gad7", "pss10", "who5"]
    assert doc["constraints"] == ["lactose_intolerant", "vegetarian"]
    assert doc["safety"] is None


def test_previous_answers_show_the_change(tmp_path: Path) -> None:
    old = answers(tmp_path, "old.yaml", "2026-10-01", "[2, 2, 2, 2, 2, 1, 1, 0, 0]")  # 12
    new = answers(tmp_path, "new.yaml", "2026-11-01", "[1, 1, 1, 1, 1, 1, 0, 0, 0]")  # 6
    code, out, err = invoke("assess", new, "--previous", old)
    assert code == 0, err
    assert "compared with 2026-10-01" in out
    assert "[change -6: improved]" in out
    code, _, err = invoke("assess", new, "--previous", old, "-o", tmp_path / "x.json")
    doc = json.loads((tmp_path / "x.json").read_text())
    assert doc["previous_date"] == "2026-10-01"
    assert doc["results"][0]["change"]["category"] == "improved"
    assert doc["constraints"] == [
        "antidepressant",
        "dairy_free",
        "maoi",
        "psychotropic",
        "vegan",
        "vegetarian",
    ]


@pytest.mark.parametrize("output", [False, True])
def test_safety_block_comes_first(tmp_path: Path, output: bool) -> None:
    path = answers(tmp_path, "a.yaml", "2026-11-01", "[0, 0, 0, 0, 0, 0, 0, 0, 1]")
    args: list[str | Path] = ["assess", path]
    if output:
        args += ["-o", tmp_path / "a.json"]
    code, out, err = invoke(*args)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "SAFETY FIRST"
    assert "question 9" in lines[2]
    assert any("988" in line for line in lines)
    if output:
        assert lines[-1] == f"wrote {tmp_path / 'a.json'}"
        assert json.loads((tmp_path / "a.json").read_text())["safety"]["priority"] == "urgent"
    else:
        first_score = next(i for i, line in enumerate(lines) if "PHQ-9" in line)
        assert lines.index("SAFETY FIRST") < first_score


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("phq9: [0, 0, 0, 0, 0, 0, 0, 0, 0]", None),
        ("phq8: [0, 0, 0, 0, 0, 0, 0, 0]", "unknown instrument 'phq8'.*expected one of phq9, gad7"),
        ("phq9: [0, 0, 0]", "wrong number of answers for PHQ-9.*9 values"),
        (
            "phq9: [0, 0, 0, 0, 0, 5, 0, 0, 0]",
            r"line 4, column 25 \(answers.phq9.q6\): answer out of range",
        ),
    ],
)
def test_answer_errors_are_one_line_with_exit_2(
    tmp_path: Path, text: str, match: str | None
) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        f"client: {{id: c-9}}\ndate: 2026-11-20\nanswers:\n  {text}\n", encoding="utf-8"
    )
    code, out, err = invoke("assess", path)
    if match is None:
        assert code == 0, err
        return
    assert code == 2
    assert out == ""
    assert err.startswith("gutbrain: error: ") and err.count("\n") == 1
    assert re.search(match, err.replace("\n", " ")), err


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ("preferences: [vegeterian]\n", "unknown preference 'vegeterian'.*vegetarian, vegan"),
        ("medications: [ssri, maoi, aspirin]\n", "unknown medication 'aspirin'.*maoi, linezolid"),
        ("conditions: [vegan]\n", "'vegan' is one of the preferences"),
    ],
)
def test_vocabulary_errors(tmp_path: Path, extra: str, match: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(
        "client: {id: c-9}\ndate: 2026-11-20\nanswers: {who5: [1, 1, 1, 1, 1]}\n" + extra
    )
    code, _, err = invoke("assess", path)
    assert code == 2
    assert re.search(match, err.replace("\n", " ")), err


def test_file_and_previous_errors(tmp_path: Path) -> None:
    code, _, err = invoke("assess", tmp_path / "missing.yaml")
    assert code == 2 and "file not found" in err
    now = answers(tmp_path, "now.yaml", "2026-11-01", "[0, 0, 0, 0, 0, 0, 0, 0, 0]")
    zeros = "[0, 0, 0, 0, 0, 0, 0, 0, 0]"
    other = answers(tmp_path, "o.yaml", "2026-10-01", zeros, client="c-002")
    code, _, err = invoke("assess", now, "--previous", other)
    assert code == 2 and "another client" in err
    later = answers(tmp_path, "l.yaml", "2026-12-01", zeros)
    code, _, err = invoke("assess", now, "--previous", later)
    assert code == 2 and "not earlier" in err


def test_examples_lists_the_answers_file() -> None:
    code, out, _ = invoke("examples", "--path", "answers")
    assert code == 0 and out.strip().endswith("answers_example.yaml")
    code, out, _ = invoke("examples")
    assert "answers\t" in out
