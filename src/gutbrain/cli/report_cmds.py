"""``gutbrain report``: client and practitioner reports (HTML, optionally PDF)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gutbrain.cli.app import app, handle_errors

if TYPE_CHECKING:
    from gutbrain.pipeline.report import Audience

__all__ = ["AudienceChoice", "report"]


class AudienceChoice(StrEnum):
    """Who the report is written for."""

    client = "client"
    practitioner = "practitioner"


@app.command()
@handle_errors
def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")],
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Profile JSON (gutbrain analyze: OUT/profiles/S.json)."),
    ] = None,
    assessment: Annotated[
        list[Path] | None,
        typer.Option(
            "--assessment",
            help="Assessment JSON (gutbrain assess); repeat for earlier ones to show trends.",
        ),
    ] = None,
    plan: Annotated[Path | None, typer.Option("--plan", help="Plan JSON (gutbrain plan).")] = None,
    audience: Annotated[
        AudienceChoice,
        typer.Option("--audience", help="client: plain language; practitioner: adds details."),
    ] = AudienceChoice.client,
    pdf: Annotated[
        Path | None, typer.Option("--pdf", help="Also write this PDF (A4, via WeasyPrint).")
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="A note from the practitioner (plain text).")
    ] = None,
    disclosure: Annotated[
        str | None,
        typer.Option(
            "--disclosure", help="Whether you earn from any product recommended (plain text)."
        ),
    ] = None,
) -> None:
    """Client or practitioner report (self-contained HTML, optional PDF) from any of a
    profile, assessments and a plan."""
    from gutbrain.report import ReportRequest, write_report_files

    chosen: Audience = "practitioner" if audience is AudienceChoice.practitioner else "client"
    request = ReportRequest(
        output=output,
        profile=profile,
        assessments=tuple(assessment or ()),
        plan=plan,
        audience=chosen,
        pdf=pdf,
        note=note,
        disclosure=disclosure,
    )
    summary = write_report_files(request)
    outputs = summary["outputs"]
    wrote = outputs["html"] + (f" and {outputs['pdf']}" if "pdf" in outputs else "")
    typer.echo(f"wrote {summary['audience']} report {wrote}")
