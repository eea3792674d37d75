"""``gutbrain taxa`` and ``gutbrain diversity``: commands on taxonomic profiles."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from gutbrain.cli.app import RichProgress, app, handle_errors

__all__ = ["diversity", "taxa"]


class TaxonFormatChoice(StrEnum):
    auto = "auto"
    metaphlan = "metaphlan"
    biom = "biom"
    qza = "qza"
    kraken = "kraken"
    table = "table"


def _split(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    return tuple(x.strip() for x in text.split(",") if x.strip())


InputArg = Annotated[
    Path,
    typer.Argument(help="Taxonomic profile: MetaPhlAn, BIOM, .qza, Kraken/Bracken or a table."),
]
OutputOpt = Annotated[Path, typer.Option("-o", "--output", help="Output directory.")]
FormatOpt = Annotated[
    TaxonFormatChoice, typer.Option("--input-format", help="Input format; auto-detected.")
]
TaxonomyOpt = Annotated[
    Path | None,
    typer.Option("--taxonomy", help="QIIME 2 taxonomy (.qza or TSV) for a BIOM/.qza table."),
]


@app.command()
@handle_errors
def taxa(
    input: InputArg,
    output: OutputOpt,
    taxonomy: TaxonomyOpt = None,
    input_format: FormatOpt = TaxonFormatChoice.auto,
    copy_number_correction: Annotated[
        bool | None,
        typer.Option(
            "--copy-number-correction/--no-copy-number-correction",
            help="Divide 16S counts by the genus 16S copy number [default: on for 16S counts].",
        ),
    ] = None,
) -> None:
    """Resolve taxon names and score gut–brain taxon traits (potential and coverage)."""
    from gutbrain.pipeline.taxa import TaxaRequest, run_taxa

    request = TaxaRequest(
        input=input,
        outdir=output,
        input_format=input_format.value,
        taxonomy=taxonomy,
        copy_number_correction=copy_number_correction,
    )
    with RichProgress() as sink:
        summary = run_taxa(request, sink)
    _print_taxa(summary)


def _print_taxa(summary: dict[str, Any]) -> None:
    inp = summary["input"]
    res = summary["resolution"]
    typer.echo(
        f"read {inp['path']}: {inp['format']} ({inp['kind']}), {inp['n_samples']} samples, "
        f"{inp['n_features']} taxa"
    )
    sp_frac, ge_frac = res["mean_species_fraction"], res["mean_genus_fraction"]
    if sp_frac is not None and ge_frac is not None:
        typer.echo(
            f"resolved on average {sp_frac:.1%} of abundance to species, {ge_frac:.1%} to genus; "
            f"{len(res['unresolved_names'])} unresolved names listed in summary.json"
        )
    out = summary["outputs"]
    typer.echo("wrote " + ", ".join(out[k] for k in sorted(out)))


@app.command()
@handle_errors
def diversity(
    input: InputArg,
    output: OutputOpt,
    tree: Annotated[
        Path | None, typer.Option("--tree", help="Newick tree (for faith_pd and UniFrac).")
    ] = None,
    alpha: Annotated[
        str | None,
        typer.Option("--alpha", help="Comma-separated alpha metrics (scikit-bio names)."),
    ] = None,
    beta: Annotated[
        str | None,
        typer.Option("--beta", help="Comma-separated beta metrics (scikit-bio names)."),
    ] = None,
    pcoa: Annotated[bool, typer.Option("--pcoa", help="Also write PCoA coordinates.")] = False,
    taxonomy: TaxonomyOpt = None,
    input_format: FormatOpt = TaxonFormatChoice.auto,
) -> None:
    """Alpha and beta diversity (and PCoA) of a taxonomic table."""
    from gutbrain.pipeline.diversity import DiversityRequest, run_diversity

    request = DiversityRequest(
        input=input,
        outdir=output,
        input_format=input_format.value,
        taxonomy=taxonomy,
        tree=tree,
        alpha=_split(alpha),
        beta=_split(beta),
        pcoa=pcoa,
    )
    with RichProgress() as sink:
        summary = run_diversity(request, sink)
    inp = summary["input"]
    typer.echo(
        f"read {inp['path']}: {inp['format']} ({inp['kind']}), {inp['n_samples']} samples, "
        f"{inp['n_features']} features"
    )
    typer.echo("alpha: " + (", ".join(summary["alpha"]) or "none"))
    typer.echo("beta: " + (", ".join(summary["beta"]) or "none"))
    typer.echo("wrote " + ", ".join(summary["outputs"][k] for k in sorted(summary["outputs"])))
