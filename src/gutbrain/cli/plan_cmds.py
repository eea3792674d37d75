"""``gutbrain plan``: a personalised, evidence-graded plan from answers (and a profile)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from gutbrain.cli.app import app, handle_errors

__all__ = ["plan"]


@app.command()
@handle_errors
def plan(
    answers: Annotated[
        Path, typer.Option("--answers", help="Questionnaire answers and preferences (YAML).")
    ],
    outdir: Annotated[Path, typer.Option("-o", "--outdir", help="Where to write plan.json/.md.")],
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="A profile from 'gutbrain analyze' (profiles/<id>.json)."),
    ] = None,
    edits: Annotated[
        Path | None, typer.Option("--edits", help="Practitioner edits (YAML), applied in order.")
    ] = None,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Earlier answers, to score change.")
    ] = None,
) -> None:
    """Draft a plan from the rules; each practitioner edit makes a new version."""
    from gutbrain.pipeline.plan import PlanRequest, run_plan

    made, summary = run_plan(PlanRequest(answers, outdir, profile, edits, previous))
    if made.safety is not None:
        typer.echo("SAFETY FIRST")
        typer.echo(f"  {made.safety.title}")
        for reason in made.safety.reasons:
            typer.echo(f"  - {reason}")
        typer.echo(f"  {made.safety.text}")
        typer.echo("")
    typer.echo(f"plan version {made.current.number} for {made.client['id']} ({made.date}):")
    for k, item in enumerate(made.current.items, start=1):
        typer.echo(f"  {k}. {item.title} [evidence {item.evidence_grade}]")
    for omission in made.omitted:
        typer.echo(f"  left out: {omission.rule}: {omission.reason}")
    typer.echo(f"wrote {summary['plan']} and {summary['markdown']}")
