"""``gutbrain cohort``: MaAsLin2 / MaAsLin 3 / rank-test associations of features with metadata."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from gutbrain.cli.app import RichProgress, app, err_console, handle_errors

__all__ = ["ModelChoice", "NormalizationChoice", "TransformChoice", "cohort"]


class ModelChoice(StrEnum):
    """Which model to fit."""

    lm = "lm"
    maaslin3 = "maaslin3"
    wilcoxon = "wilcoxon"


class NormalizationChoice(StrEnum):
    """Per-sample normalisation (MaAsLin names)."""

    TSS = "TSS"
    CLR = "CLR"
    NONE = "NONE"


class TransformChoice(StrEnum):
    """Per-feature transform (MaAsLin names)."""

    LOG = "LOG"
    AST = "AST"
    LOGIT = "LOGIT"
    NONE = "NONE"


def _names(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return tuple(p.strip() for p in text.split(",") if p.strip())


@app.command()
@handle_errors
def cohort(
    features: Annotated[
        Path,
        typer.Argument(
            help="Feature table: TSV/CSV (samples as rows or columns), MetaPhlAn, HUMAnN, BIOM, "
            "KO, module/trait/diversity tables or a gutbrain analyze folder."
        ),
    ],
    metadata: Annotated[
        Path, typer.Argument(help="Sample metadata (TSV/CSV, samples as rows or columns).")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    fixed: Annotated[
        str,
        typer.Option(
            "--fixed", metavar="A,B,…", help="Fixed effects: metadata columns, comma-separated."
        ),
    ],
    random: Annotated[
        str | None,
        typer.Option(
            "--random", metavar="R,…", help="Random intercepts (grouping columns), comma-separated."
        ),
    ] = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            metavar="VAR,LEVEL",
            help="Reference level VAR,LEVEL (or VAR,L1,L2,… for the whole level order); "
            "repeat or separate with ';'.",
        ),
    ] = None,
    normalization: Annotated[
        NormalizationChoice, typer.Option("--normalization", help="Per-sample normalisation.")
    ] = NormalizationChoice.TSS,
    transform: Annotated[
        TransformChoice, typer.Option("--transform", help="Per-feature transform.")
    ] = TransformChoice.LOG,
    model: Annotated[
        ModelChoice,
        typer.Option(
            "--model", help="lm (MaAsLin 2), maaslin3 (MaAsLin 3, fixed effects) or wilcoxon."
        ),
    ] = ModelChoice.lm,
    standardize: Annotated[
        bool,
        typer.Option("--standardize/--no-standardize", help="Z-score numeric fixed effects."),
    ] = True,
    min_prevalence: Annotated[
        float | None,
        typer.Option(
            "--min-prevalence",
            help="Keep features non-zero in more than this share of samples "
            "(default 0.1; 0 for maaslin3).",
        ),
    ] = None,
    max_significance: Annotated[
        float | None,
        typer.Option(
            "--max-significance",
            help="q-value threshold of significant_results.tsv (default 0.25; 0.1 for maaslin3).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Fit (--model lm) in feature chunks on a local Dask cluster of N worker "
            "processes × 1 thread (needs gutbrain[dask]).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Fit (--model lm) in feature chunks on a running Dask scheduler, tcp://HOST:PORT.",
        ),
    ] = None,
) -> None:
    """Associations of every feature with sample metadata (MaAsLin 2/3-compatible tables)."""
    from gutbrain.pipeline.cohort import CohortRequest, check_request, run_cohort
    from gutbrain.report.cohort_view import render_cohort

    request = CohortRequest(
        features=features,
        metadata=metadata,
        outdir=output,
        fixed=_names(fixed),
        random=_names(random),
        references=tuple(reference or ()),
        normalization=normalization.value,
        transform=transform.value,
        model=model.value,
        standardize=standardize,
        min_prevalence=min_prevalence,
        max_significance=max_significance,
        workers=workers,
        scheduler=scheduler,
    )
    sink = RichProgress(min_units=1) if sys.stderr.isatty() else None
    if workers is None and scheduler is None:
        with sink if sink is not None else nullcontext():
            summary = run_cohort(request, render_cohort, sink)
    else:
        from gutbrain.distributed import ChunkedFitter, dask_client

        check_request(request)  # option errors before a cluster starts
        with dask_client(workers, scheduler) as client, sink or nullcontext():
            summary = run_cohort(request, render_cohort, sink, ChunkedFitter(client, progress=sink))
    for warning in summary["warnings"]:
        err_console.print(f"gutbrain: warning: {warning}", markup=False, soft_wrap=True)
    opts = summary["options"]
    typer.echo(
        f"{opts['model']}: {summary['n_samples']} samples, {summary['n_features_tested']} of "
        f"{summary['n_features']} features tested, {summary['n_rows']} associations, "
        f"{summary['n_significant']} with q <= {opts['max_significance']}"
    )
    outs = summary["outputs"]
    typer.echo("wrote " + ", ".join(outs[k] for k in sorted(outs)))
