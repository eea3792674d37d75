"""``gutbrain assess``: score questionnaire answers (and the change since earlier ones)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gutbrain.cli.app import app, handle_errors

if TYPE_CHECKING:
    from gutbrain.assess.model import Assessment
    from gutbrain.assess.results import InstrumentResult

__all__ = ["assess", "summary_lines"]

_CHANGE_WORDS = {
    "improved": "improved",
    "worsened": "worsened",
    "no_meaningful_change": "no meaningful change",
    "not_rated": "not rated",
}
_REFERRAL_WORDS = {
    "suggest_screening": "a short mood questionnaire (PHQ-9) is suggested",
    "professional_assessment": "an assessment by a doctor or mental-health professional is "
    "recommended",
    "prompt_professional_care": "prompt care from a doctor or mental-health professional is "
    "recommended",
}


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _score(result: InstrumentResult) -> str:
    if not result.scorable:
        return "not scored"
    if result.score is None:
        targets = [i.target_met for i in result.items if i.target_met is not None]
        return f"{sum(targets)} of {len(targets)} targets met" if targets else "answered"
    top = f" / {_number(result.score_max)}" if result.unit in ("points", "percent") else ""
    unit = "" if result.unit in ("points", "percent", "type", "") else f" {result.unit}"
    return f"{_number(result.score)}{top}{unit}"


def _safety_lines(assessment: Assessment) -> list[str]:
    flag = assessment.safety
    if flag is None:
        return []
    lines = ["SAFETY FIRST", f"  {flag.headline}"]
    lines += [f"  - {r.text}" for r in flag.reasons]
    lines += [f"  {flag.crisis_text}", f"  {flag.referral_text}"]
    lines += [f"  Help: {r.name} ({r.region}): {r.contact}" for r in flag.resources]
    lines += [f"  For the practitioner: {flag.practitioner_action}", ""]
    return lines


def summary_lines(assessment: Assessment) -> list[str]:
    """The readable summary: the safety block first when flagged, then one line per
    instrument, referrals, constraints, and the always-visible help text."""
    from gutbrain.knowledge.wording import load_safety_wording

    wording = load_safety_wording()
    client = assessment.client
    who = f"{client.name} ({client.id})" if client.name else client.id
    since = f", compared with {assessment.previous_date}" if assessment.previous_date else ""
    lines = _safety_lines(assessment)
    lines.append(f"Assessment of {who} on {assessment.date}{since}")
    width = max((len(r.short_name) for r in assessment.results), default=0)
    for result in assessment.results:
        line = f"  {result.short_name.ljust(width)}  {_score(result)}"
        if result.band is not None:
            line += f"  {result.band.label}"
        if result.prorated:
            line += " (prorated)"
        if not result.scorable:
            line += f": {result.reason}"
        change = result.change
        if change is not None:
            delta = "" if change.delta is None else f" {change.delta:+g}"
            line += f"  [change{delta}: {_CHANGE_WORDS[change.category]}]"
        lines.append(line)
    referrals = [r for r in assessment.results if r.referral != "none"]
    for result in referrals:
        lines.append(f"  {result.short_name}: {_REFERRAL_WORDS[result.referral]}.")
    for label, terms in (
        ("preferences", assessment.preferences),
        ("conditions", assessment.conditions),
        ("medications", assessment.medications),
    ):
        if terms:
            lines.append(f"  {label}: {', '.join(terms)}")
    lines += ["", wording.questionnaire_disclaimer, wording.crisis_banner]
    return lines


@app.command()
@handle_errors
def assess(
    answers: Annotated[Path, typer.Argument(help="Questionnaire answers (YAML).")],
    previous: Annotated[
        Path | None,
        typer.Option("--previous", help="Earlier answers of the same client, to show change."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the assessment JSON here (else: summary)."),
    ] = None,
) -> None:
    """Score questionnaires (PHQ-9, GAD-7, PSS-10, WHO-5, Bristol, diet, activity, stress)."""
    from gutbrain.pipeline.assess import AssessRequest, run_assess

    assessment = run_assess(AssessRequest(answers=answers, previous=previous, output=output))
    if output is None:
        for line in summary_lines(assessment):
            typer.echo(line)
        return
    for line in _safety_lines(assessment):
        typer.echo(line)
    typer.echo(f"wrote {output}")
