"""``gutbrain demo``: the whole pipeline on bundled real data, one command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gutbrain.cli.app import RichProgress, app, handle_errors

__all__ = ["demo"]


def _render(
    profile: Path, assessments: tuple[Path, ...], plan: Path, html: Path, pdf: Path | None
) -> None:
    from gutbrain.pipeline.report import ReportRequest, run_report
    from gutbrain.report import render_documents

    run_report(
        ReportRequest(html, profile, assessments, plan, "client", pdf),
        render_documents,
    )


@app.command()
@handle_errors
def demo(
    outdir: Annotated[Path, typer.Option("-o", "--outdir", help="Where to write.")] = Path(
        "demo-output"
    ),
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also write report.pdf.")] = True,
) -> None:
    """Run analyze → assess → plan → report on bundled real example data."""
    from gutbrain.pipeline.demo import run_demo

    with RichProgress() as progress:
        result = run_demo(outdir, _render, pdf=pdf, progress=progress)
    width = max(len(k) for k, _ in result.rows)
    for key, value in result.rows:
        typer.echo(f"  {key.ljust(width)}  {value}")
    typer.echo("")
    names = ["profile", "assessment", "plan", "plan_md", "report", "report_pdf", "modules"]
    for name in names:
        if name in result.files:
            typer.echo(f"  {result.files[name]}")
    typer.echo("")
    typer.echo(f"Open {result.files.get('report', result.outdir)} in a browser.")
    typer.echo(
        "Practice app with a demo practice: gutbrain serve --demo "
        "(then open http://127.0.0.1:8000/; the logins are printed once)."
    )
