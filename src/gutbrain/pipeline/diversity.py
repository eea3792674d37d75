"""The ``gutbrain diversity`` job: alpha and beta diversity and PCoA of a taxonomic table."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gutbrain import __version__
from gutbrain.core.diversity import (
    ALPHA_METRICS,
    BETA_METRICS,
    PHYLOGENETIC_METRICS,
    alpha_diversity,
    beta_diversity,
    pcoa,
)
from gutbrain.core.tree import Tree
from gutbrain.errors import OptionError
from gutbrain.io.checksum import sha256_file
from gutbrain.io.newick import read_newick
from gutbrain.io.taxon_profile import TaxonInputFormat
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.io.tsv_out import make_outdir, write_json, write_matrix
from gutbrain.pipeline.progress import ProgressSink, tick

__all__ = ["DiversityRequest", "default_metrics", "run_diversity"]

#: Axes written by ``--pcoa`` (fewer when there are fewer samples).
PCOA_AXES = 10


@dataclass(frozen=True)
class DiversityRequest:
    """Everything ``gutbrain diversity`` needs; ``None`` metric lists mean the defaults."""

    input: Path
    outdir: Path
    input_format: TaxonInputFormat = "auto"
    taxonomy: Path | None = None
    tree: Path | None = None
    alpha: tuple[str, ...] | None = None
    beta: tuple[str, ...] | None = None
    pcoa: bool = False


def default_metrics(has_tree: bool, counts: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Default alpha and beta metrics for an input.

    >>> default_metrics(False, True)
    (('observed_features', 'shannon', 'simpson', 'pielou_e', 'chao1'), ('braycurtis', 'jaccard'))
    """
    alpha = ["observed_features", "shannon", "simpson", "pielou_e"]
    beta = ["braycurtis", "jaccard"]
    if counts:
        alpha.append("chao1")
    if has_tree:
        alpha.append("faith_pd")
        beta += ["weighted_unifrac", "unweighted_unifrac"]
    return tuple(alpha), tuple(beta)


def _check(names: tuple[str, ...], known: tuple[str, ...], kind: str, tree: bool) -> None:
    for name in names:
        if name not in known:
            raise OptionError(
                f"unknown {kind} metric {name!r}",
                found=repr(name),
                expected="one of " + ", ".join(known),
                fix=f"use scikit-bio metric names, comma-separated, e.g. --{kind} shannon",
            )
        if name in PHYLOGENETIC_METRICS and not tree:
            raise OptionError(
                f"{name} needs a phylogenetic tree",
                found="no --tree",
                expected="a Newick tree whose tips are the table's feature ids",
                fix="give --tree FILE, or choose a non-phylogenetic metric",
            )


def run_diversity(
    request: DiversityRequest, progress: ProgressSink | None = None
) -> dict[str, Any]:
    """Compute the requested diversity metrics; write the outputs; return the summary."""
    has_tree = request.tree is not None
    if request.alpha is not None:
        _check(request.alpha, tuple(ALPHA_METRICS), "alpha", has_tree)
    if request.beta is not None:
        _check(request.beta, tuple(BETA_METRICS), "beta", has_tree)
    tree: Tree | None = read_newick(request.tree) if request.tree is not None else None
    profile = read_taxon_profile(request.input, request.input_format, request.taxonomy)
    d_alpha, d_beta = default_metrics(has_tree, profile.kind == "counts")
    alpha = request.alpha if request.alpha is not None else d_alpha
    beta = request.beta if request.beta is not None else d_beta
    counts = profile.values.T.tocsr()  # samples × features, sparse
    features = profile.features
    samples = profile.samples
    out = make_outdir(request.outdir)
    outputs: dict[str, str] = {}
    done = tick(progress, "alpha diversity", len(alpha) * len(samples))
    alpha_values = np.empty((len(samples), len(alpha)))
    for j, name in enumerate(alpha):
        alpha_values[:, j] = alpha_diversity(name, counts, feature_ids=features, tree=tree)
        done(len(samples))
    if alpha:
        path = out / "alpha.tsv"
        write_matrix(path, "sample", samples, alpha, alpha_values)
        outputs["alpha"] = str(path)
    pcoa_summary: dict[str, Any] = {}
    done = tick(progress, "beta diversity", len(beta) * len(samples))
    for name in beta:
        dm = beta_diversity(name, counts, feature_ids=features, tree=tree)
        path = out / f"beta_{name}.tsv"
        write_matrix(path, "sample", samples, samples, dm)
        outputs[f"beta_{name}"] = str(path)
        if request.pcoa:
            axes = max(1, min(PCOA_AXES, len(samples) - 1))
            res = pcoa(dm, axes)
            path = out / f"pcoa_{name}.tsv"
            labels = [f"PC{k + 1}" for k in range(res.coordinates.shape[1])]
            write_matrix(path, "sample", samples, labels, res.coordinates)
            outputs[f"pcoa_{name}"] = str(path)
            pcoa_summary[name] = {
                "axes": labels,
                "eigenvalues": [float(x) for x in res.eigenvalues],
                "proportion_explained": [float(x) for x in res.proportion_explained],
            }
        done(len(samples))
    summary: dict[str, Any] = {
        "gutbrain_version": __version__,
        "command": "diversity",
        "input": {
            "path": os.fspath(request.input),
            "sha256": sha256_file(request.input),
            "format": profile.format,
            "kind": profile.kind,
            "n_features": len(features),
            "n_samples": len(samples),
            "notes": list(profile.notes),
            "tree": os.fspath(request.tree) if request.tree else None,
        },
        "alpha": list(alpha),
        "beta": list(beta),
        "pcoa": pcoa_summary,
        "notes": [
            "Shannon uses the natural logarithm (as scikit-bio); chao1 needs integer counts; "
            "weighted UniFrac is not normalised (as scikit-bio's default)."
        ],
        "outputs": outputs,
    }
    path = out / "summary.json"
    outputs["summary"] = str(path)
    write_json(path, summary)
    return summary
