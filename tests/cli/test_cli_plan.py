"""`gutbrain plan`: answers (+ profile, + edits) → plan.json (schema) and plan.md."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gutbrain.cli.main import app
from gutbrain.knowledge.examples import example_file
from gutbrain.knowledge.plan_rules import load_plan_rules
from gutbrain.knowledge.profile_schema import validate_plan
from gutbrain.knowledge.wording import find_forbidden

runner = CliRunner()
ANSWERS = Path(str(example_file("answers")))
KO = Path(str(example_file("ko-profile")))


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def answers_with(tmp_path: Path, **replace: str) -> Path:
    text = ANSWERS.read_text(encoding="utf-8")
    for old, new in replace.items():
        text = text.replace(old, new)
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_questionnaires_alone(tmp_path: Path) -> None:
    code, out, err = invoke("plan", "--answers", ANSWERS, "-o", tmp_path / "a")
    assert code == 0, err
    doc = json.loads((tmp_path / "a" / "plan.json").read_text())
    validate_plan(doc)
    assert doc["safety"] is None and doc["current_version"] == 1
    assert doc["constraints"] == sorted(doc["constraints"])
    assert {"vegetarian", "lactose_intolerant"} <= set(doc["constraints"])
    md = (tmp_path / "a" / "plan.md").read_text()
    assert md.startswith("# Your gut–brain wellness plan: Alex Example")
    assert "## References" in md and "doi:" in md
    assert "wrote" in out
    # deterministic
    assert invoke("plan", "--answers", ANSWERS, "-o", tmp_path / "b")[0] == 0
    for name in ("plan.json", "plan.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_with_a_profile(tmp_path: Path) -> None:
    assert invoke("analyze", KO, "-o", tmp_path / "an")[0] == 0
    profile = tmp_path / "an" / "profiles" / "S1.json"
    code, _, err = invoke("plan", "--answers", ANSWERS, "--profile", profile, "-o", tmp_path / "p")
    assert code == 0, err
    doc = json.loads((tmp_path / "p" / "plan.json").read_text())
    assert doc["based_on"]["profile_sample"] == "S1"
    assert len(doc["based_on"]["profile_sha256"]) == 64


def test_safety_block_first(tmp_path: Path) -> None:
    answers = answers_with(
        tmp_path, **{"[1, 1, 2, 0, 1, 0, 1, 0, 0]": "[1, 1, 2, 0, 1, 0, 1, 0, 1]"}
    )
    code, out, err = invoke("plan", "--answers", answers, "-o", tmp_path / "o")
    assert code == 0, err
    assert out.startswith("SAFETY FIRST")
    doc = json.loads((tmp_path / "o" / "plan.json").read_text())
    assert doc["safety"] is not None and doc["safety"]["reasons"]
    md = (tmp_path / "o" / "plan.md").read_text().splitlines()
    assert md[2].startswith("## ") and "safety" in md[2].lower()
    assert doc["versions"][0]["items"][0]["id"] == "professional-support"


EDITS = """\
edits:
  - op: move
    item: stress-practice
    position: 1
    author: Dr Sam Lee
    time: 2026-11-21T09:30
    reason: what Alex wants to start with
  - op: add
    author: Dr Sam Lee
    time: 2026-11-21T09:40
    reason: Alex enjoys cooking
    fields: {title: "Cook <b>at home</b>", what: Try one new bean recipe a week.}
"""


def test_edits_make_versions(tmp_path: Path) -> None:
    edits = tmp_path / "edits.yaml"
    edits.write_text(EDITS, encoding="utf-8")
    code, _, err = invoke("plan", "--answers", ANSWERS, "--edits", edits, "-o", tmp_path / "o")
    assert code == 0, err
    doc = json.loads((tmp_path / "o" / "plan.json").read_text())
    assert doc["current_version"] == 3
    assert [v["author"] for v in doc["versions"]] == ["gutbrain", "Dr Sam Lee", "Dr Sam Lee"]
    items = doc["versions"][-1]["items"]
    assert items[0]["id"] == "stress-practice" and items[-1]["source"] == "practitioner"
    assert len(doc["based_on"]["edits_sha256"]) == 64
    md = (tmp_path / "o" / "plan.md").read_text()
    assert "<b>" not in md and "&lt;b&gt;" in md and "## Changes" in md


def test_bad_edit_names_file_and_line(tmp_path: Path) -> None:
    edits = tmp_path / "edits.yaml"
    edits.write_text(EDITS.replace("item: stress-practice", "item: yoga"), encoding="utf-8")
    code, _, err = invoke("plan", "--answers", ANSWERS, "--edits", edits, "-o", tmp_path / "o")
    assert code == 2
    assert "edits.yaml, line 2 (edit 1): unknown item" in err and "'yoga'" in err
    assert not (tmp_path / "o" / "plan.json").exists()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("{", "not valid JSON"),
        ('{"format": "gutbrain-plan/1"}', "not a gutbrain profile document"),
        ('{"format": "gutbrain-profile/1"}', "profile document does not follow its schema"),
    ],
)
def test_bad_profile(tmp_path: Path, content: str, match: str) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(content, encoding="utf-8")
    code, _, err = invoke("plan", "--answers", ANSWERS, "--profile", profile, "-o", tmp_path / "o")
    assert code == 2 and match in err and "Traceback" not in err


def test_unknown_preference(tmp_path: Path) -> None:
    answers = answers_with(tmp_path, **{"[vegetarian, lactose_intolerant]": "[carnivore]"})
    code, _, err = invoke("plan", "--answers", answers, "-o", tmp_path / "o")
    assert code == 2 and "carnivore" in err and "vegetarian" in err


def test_rule_texts_make_no_forbidden_claim() -> None:
    rules = load_plan_rules()
    texts = [rules.header, *(n.text for n in rules.notes)]
    for rule in rules.rules:
        texts += [rule.title, rule.general_reason, *(r.text for r in rule.reasons)]
        for opt in rule.options:
            texts += [opt.what, opt.amount, opt.frequency, *opt.cautions]
            texts += [a.swap or "" for a in opt.adaptations]
            texts += [a.caution or "" for a in opt.adaptations]
    bad = {t: find_forbidden(t) for t in texts if find_forbidden(t)}
    assert not bad


def test_generated_plan_text_makes_no_forbidden_claim(tmp_path: Path) -> None:
    answers = answers_with(
        tmp_path,
        **{
            "[1, 1, 2, 0, 1, 0, 1, 0, 0]": "[3, 3, 3, 3, 3, 3, 3, 3, 1]",
            "medications: []": "medications: [maoi, anticoagulant]",
        },
    )
    assert invoke("plan", "--answers", answers, "-o", tmp_path / "o")[0] == 0
    md = (tmp_path / "o" / "plan.md").read_text()
    assert find_forbidden(md) == []
    assert "Do not stop or change any medication" in md
