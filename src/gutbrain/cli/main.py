"""The ``gutbrain`` command line.

Commands parse their options, call :mod:`gutbrain.pipeline`, and print. A
:class:`~gutbrain.errors.GutBrainError` becomes one line on stderr and exit
code 2; anything unexpected becomes a one-line "internal error" with exit
code 1 (set ``GUTBRAIN_DEBUG=1`` to see the traceback).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gutbrain import __version__
from gutbrain.cli import (
    analyze_cmds,
    assess_cmds,
    cohort_cmds,
    demo_cmds,
    plan_cmds,
    report_cmds,
    taxa_cmds,
    web_cmds,
)
from gutbrain.cli.app import RichProgress, app, err_console, handle_errors
from gutbrain.errors import OptionError

__all__ = [
    "analyze_cmds",
    "app",
    "assess_cmds",
    "cohort_cmds",
    "demo_cmds",
    "plan_cmds",
    "report_cmds",
    "run",
    "taxa_cmds",
    "web_cmds",
]


class InputFormatChoice(StrEnum):
    auto = "auto"
    ko = "ko"
    ko_per_taxon = "ko-per-taxon"
    humann = "humann"


class DbChoiceOpt(StrEnum):
    gmm = "gmm"
    gbm = "gbm"
    curated = "curated"
    all = "all"


class EstimatorChoice(StrEnum):
    median = "median"
    average = "average"
    sum = "sum"
    min = "min"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"gutbrain {__version__}")
        raise typer.Exit(0)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """gutbrain: gut–brain-axis profiling from microbiome data."""


def _parse_min_coverage(text: str) -> float | str:
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return float(text)
    except ValueError:
        raise OptionError(
            "invalid --min-coverage",
            found=repr(text),
            expected="a number from 0 to 1, or 'auto'",
            fix="e.g. --min-coverage 0.66",
        ) from None


@app.command()
@handle_errors
def modules(
    input: Annotated[
        Path, typer.Argument(help="Functional profile (KO table, HUMAnN, taxon+KO matrix; .gz ok).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    input_format: Annotated[
        InputFormatChoice,
        typer.Option("--input-format", help="Input format; auto-detected by default."),
    ] = InputFormatChoice.auto,
    db: Annotated[
        DbChoiceOpt | None,
        typer.Option(
            "--db",
            help="Packaged module database(s) [default: all, or none when --db-file is given].",
        ),
    ] = None,
    db_file: Annotated[
        list[Path] | None,
        typer.Option("--db-file", help="Your own module file (Omixer-RPM format); repeatable."),
    ] = None,
    estimator: Annotated[
        EstimatorChoice,
        typer.Option("--estimator", help="How step abundances combine into a module abundance."),
    ] = EstimatorChoice.median,
    normalize_by_length: Annotated[
        bool,
        typer.Option("--normalize-by-length", help="Count unobserved steps as 0 (Omixer-RPM -n)."),
    ] = False,
    distribute: Annotated[
        bool,
        typer.Option(
            "--distribute",
            help="Share a function's abundance among modules using it (--Xdistribute).",
        ),
    ] = False,
    min_coverage: Annotated[
        str,
        typer.Option(
            "--min-coverage",
            help="Coverage cut-off in [0, 1], or 'auto' (batch-dependent Omixer-RPM mode).",
        ),
    ] = "0.66",
    per_taxon: Annotated[
        bool | None,
        typer.Option(
            "--per-taxon/--no-per-taxon",
            help="Score each taxon separately [default: on for taxon+KO matrices].",
        ),
    ] = None,
) -> None:
    """Compute gut–brain (GBM), gut-metabolic (GMM) and curated module coverage and abundance."""
    from gutbrain.core.modules import ScoringOptions
    from gutbrain.pipeline import ModulesRequest, run_modules

    cut = _parse_min_coverage(min_coverage)
    request = ModulesRequest(
        input=input,
        outdir=output,
        input_format=input_format.value,
        db=db.value if db is not None else None,
        db_files=tuple(db_file or ()),
        options=ScoringOptions(estimator.value, normalize_by_length, distribute),
        min_coverage=cut,  # type: ignore[arg-type]
        per_taxon=per_taxon,
    )
    with RichProgress() as sink:
        summary = run_modules(request, sink)
    _print_modules_summary(summary)


def _print_modules_summary(summary: dict[str, Any]) -> None:
    for warning in summary.get("warnings", []):
        err_console.print(f"gutbrain: warning: {warning}", markup=False, soft_wrap=True)
    inp = summary["input"]
    typer.echo(
        f"read {inp['path']}: {inp['format']} table, {inp['n_samples']} samples, "
        f"{inp['n_features']} features ({', '.join(inp['identifier_kinds'])}), units {inp['units']}"
    )
    for db in summary["databases"]:
        nc = len(db["not_computable"])
        extra = f"; {nc} not computable from this input (see summary.json)" if nc else ""
        typer.echo(
            f"{db['key']} {db['version']}: {db['n_rows_reported']} rows reported at coverage "
            f">= {db['cutoff']:g} ({db['cutoff_mode']}){extra}"
        )
    out = summary["outputs"]
    typer.echo(f"wrote {out['abundance']}, {out['coverage']}, {out['modules']}, {out['summary']}")


@app.command()
@handle_errors
def examples(
    path: Annotated[
        str | None, typer.Option("--path", metavar="NAME", help="Print the path of one example.")
    ] = None,
) -> None:
    """List the example inputs shipped with gutbrain, or print one's path."""
    from gutbrain.knowledge.examples import EXAMPLES, example_file

    if path is not None:
        typer.echo(str(example_file(path)))
        return
    for name, (_, description) in EXAMPLES.items():
        typer.echo(f"{name}\t{example_file(name)}\t{description}")


def run() -> None:
    """Console-script entry point."""
    try:
        app()
    except SystemExit:
        raise
    except Exception as exc:  # pragma: no cover - last resort, no traceback to users
        err_console.print(f"gutbrain: internal error ({type(exc).__name__})", markup=False)
        sys.exit(1)
