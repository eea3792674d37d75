"""`gutbrain demo`: the whole pipeline from bundled data writes the five documents."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gutbrain.cli.main import app

runner = CliRunner()


def test_demo_writes_everything(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.stderr
    for name in ("profile.json", "assessment.json", "plan.json", "report.html", "report.pdf"):
        assert (tmp_path / name).stat().st_size > 0, name
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    assert "HSM5MD8H_P" in result.stdout and "report.html" in result.stdout
    assert "gutbrain serve --demo" in result.stdout
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Alex Example" in html and "Your plan" in html
