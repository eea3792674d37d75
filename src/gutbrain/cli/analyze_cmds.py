"""``gutbrain analyze`` and ``gutbrain reference build``."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from gutbrain.cli.app import RichProgress, app, handle_errors

__all__ = ["analyze", "reference_app"]

reference_app = typer.Typer(help="Reference populations: build your own.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")

SampleOpt = Annotated[
    list[str] | None, typer.Option("--sample", help="Only this sample id; repeatable.")
]


@app.command()
@handle_errors
def analyze(
    inputs: Annotated[
        list[Path],
        typer.Argument(help="A taxonomic and/or a functional profile of the same samples."),
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output directory.")],
    sample: SampleOpt = None,
    reference: Annotated[
        list[str] | None,
        typer.Option(
            "--reference",
            help="Packaged reference name or a reference file; one per input kind.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Profile the samples in chunks on a local Dask cluster of N worker "
            "processes × 1 thread (needs gutbrain[dask]).",
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Profile the samples in chunks on a running Dask scheduler, tcp://HOST:PORT.",
        ),
    ] = None,
    chunk_size: Annotated[
        int | None,
        typer.Option(
            "--chunk-size",
            help="Samples per chunk (default: up to 256); alone, the chunks run in this process.",
        ),
    ] = None,
) -> None:
    """Gut–brain profile per sample: six mechanisms, components, percentiles, states, grades."""
    from gutbrain.pipeline.analyze import AnalyzeRequest, run_analyze

    request = AnalyzeRequest(
        inputs=tuple(inputs),
        outdir=output,
        samples=tuple(sample or ()),
        references=tuple(reference or ()),
    )
    if workers is None and scheduler is None and chunk_size is None:
        with RichProgress() as sink:
            summary = run_analyze(request, sink)
    else:
        from gutbrain.distributed import ChunkedProfiler, check_profiling_options, dask_client

        check_profiling_options(workers, scheduler, chunk_size)
        cluster = (
            nullcontext(None)
            if workers is None and scheduler is None
            else dask_client(workers, scheduler)
        )
        with cluster as client, RichProgress() as sink:
            summary = run_analyze(request, sink, ChunkedProfiler(client, chunk_size))
    for inp in summary["inputs"]:
        ref = inp["reference"]
        units = "" if ref["units_match"] else " (units differ: components not comparable)"
        typer.echo(
            f"read {inp['path']}: {inp['kind']} ({inp['format']}, {inp['resolution']}); "
            f"reference {ref['name']} ({ref['n_samples']} samples){units}"
        )
    out = summary["outputs"]
    typer.echo(
        f"wrote {summary['n_samples']} profiles to {out['profiles']}, "
        f"{out['mechanisms']}, {out['components']}"
    )


@reference_app.command("build")
@handle_errors
def reference_build(
    input: Annotated[Path, typer.Argument(help="Profile of the reference samples.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Reference file to write (.json.gz).")
    ],
    name: Annotated[str, typer.Option("--name", help="Short name of the reference.")],
    description: Annotated[str, typer.Option("--description", help="What these samples are.")] = "",
    selection: Annotated[
        str, typer.Option("--selection", help="How the samples were chosen.")
    ] = "all samples of the input",
    sample: SampleOpt = None,
) -> None:
    """Build a reference population (e.g. a practice's own consenting clients)."""
    from gutbrain.pipeline.analyze import build_reference_file

    info = build_reference_file(
        (input,), output, name, description or name, selection, tuple(sample or ())
    )
    typer.echo(
        f"wrote {info['output']}: {info['kind']} reference at {info['resolution']} level, "
        f"{info['n_samples']} samples, {info['n_components']} components, units {info['units']}"
    )
