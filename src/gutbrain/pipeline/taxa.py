"""The ``gutbrain taxa`` job: taxonomic profile → name resolution → taxon-trait potential.

Steps: read the profile; optionally correct 16S counts for copy number; resolve
every feature to NCBI species and genus taxids; collapse features that resolve
to the same taxon; look up trait values (species value, else the genus value;
NaN = no evidence); score :func:`gutbrain.core.traits.trait_potential` on
relative abundances; write the tables and a summary.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from gutbrain import __version__
from gutbrain.core.traits import trait_potential
from gutbrain.io.checksum import sha256_file
from gutbrain.io.taxon_profile import TaxonInputFormat, TaxonProfile, copy_number_correct
from gutbrain.io.taxonomic import read_taxon_profile
from gutbrain.io.tsv_out import make_outdir, write_json, write_lines, write_matrix
from gutbrain.knowledge.taxa import (
    TIERS,
    Resolution,
    TaxonResolver,
    copy_numbers,
    trait_info,
    trait_matrix,
)
from gutbrain.pipeline.progress import ProgressSink

__all__ = ["TaxaRequest", "group_taxa", "resolve_profile", "run_taxa", "trait_values"]

FloatArray = npt.NDArray[np.float64]

#: How many unresolved names the summary lists (by total abundance).
MAX_UNRESOLVED_LISTED = 100


@dataclass(frozen=True)
class TaxaRequest:
    """Everything ``gutbrain taxa`` needs.

    ``copy_number_correction=None`` corrects 16S count tables and leaves
    everything else alone.
    """

    input: Path
    outdir: Path
    input_format: TaxonInputFormat = "auto"
    taxonomy: Path | None = None
    copy_number_correction: bool | None = None


def resolve_profile(profile: TaxonProfile) -> tuple[Resolution, ...]:
    """Resolve every feature of a profile to NCBI species and genus taxids.

    Order: the resolver (taxid, species name, synonyms, genus name); then the
    genus name alone when a species resolved without a genus; then, for
    MetaPhlAn 4 bins (``GGB…_SGB…``), the SGB's GTDB genus.
    """
    resolver = TaxonResolver()
    cache: dict[tuple[str | None, str | None, int | None, str], Resolution] = {}
    out = []
    for lin in profile.lineages:
        informative = lin.species or lin.genus or lin.taxid is not None
        key = (lin.species, lin.genus, lin.taxid, "" if informative else lin.label)
        if key not in cache:
            found = resolver.resolve(lin.species, lin.genus, lin.taxid)
            if found.genus_taxid is None and lin.genus:
                genus = resolver.resolve(None, lin.genus)
                found = Resolution(found.species_taxid, genus.genus_taxid, found.method)
            if found.species_taxid is None and found.genus_taxid is None:
                found = resolver.resolve_sgb(lin.label) or found
            cache[key] = found
        out.append(cache[key])
    return tuple(out)


def _column_share(values: sp.csc_array, rows: npt.NDArray[np.bool_]) -> FloatArray:
    total = np.asarray(values.sum(axis=0)).ravel()
    part = np.asarray(values[rows.nonzero()[0], :].sum(axis=0)).ravel() if rows.any() else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, part / np.where(total > 0, total, 1.0), np.nan)


def _resolution_table(
    profile: TaxonProfile, res: tuple[Resolution, ...]
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64], list[dict[str, Any]]]:
    species = np.array([r.species_taxid is not None for r in res], dtype=bool)
    genus = np.array([r.genus_taxid is not None for r in res], dtype=bool)
    values = profile.values
    species_frac = _column_share(values, species)
    genus_frac = _column_share(values, genus)
    unresolved = ~(species | genus)
    present = values.copy()
    present.data = (present.data > 0).astype(np.float64)
    n_unres = np.asarray(present[unresolved.nonzero()[0], :].sum(axis=0)).ravel()
    totals = np.asarray(values.sum(axis=1)).ravel()
    grand = totals.sum() or 1.0
    listed = sorted((i for i in unresolved.nonzero()[0] if totals[i] > 0), key=lambda i: -totals[i])
    names = [
        {"name": profile.features[i], "share_of_total": float(totals[i] / grand)}
        for i in listed[:MAX_UNRESOLVED_LISTED]
    ]
    return species_frac, genus_frac, n_unres.astype(np.int64), names


def group_taxa(
    res: tuple[Resolution, ...],
) -> tuple[list[tuple[int | None, int | None]], npt.NDArray[np.intp]]:
    """Distinct (species, genus) taxid pairs and each feature's group."""
    keys: dict[tuple[int | None, int | None], int] = {}
    group = np.empty(len(res), dtype=np.intp)
    for i, r in enumerate(res):
        group[i] = keys.setdefault((r.species_taxid, r.genus_taxid), len(keys))
    return list(keys), group


def trait_values(
    groups: list[tuple[int | None, int | None]],
) -> tuple[tuple[str, ...], FloatArray, npt.NDArray[np.int8], npt.NDArray[np.bool_]]:
    """Species value where the species is annotated for a trait, else the genus value."""
    traits, sp_vals, sp_tiers = trait_matrix([s for s, _ in groups], "species")
    _, ge_vals, ge_tiers = trait_matrix([g for _, g in groups], "genus")
    use_genus = np.isnan(sp_vals) & ~np.isnan(ge_vals)
    values = np.where(use_genus, ge_vals, sp_vals)
    tiers = np.where(use_genus, ge_tiers, sp_tiers).astype(np.int8)
    return traits, values, tiers, use_genus


def run_taxa(request: TaxaRequest, progress: ProgressSink | None = None) -> dict[str, Any]:
    """Resolve names and score taxon traits; write the outputs; return the summary.

    ``progress`` is accepted so that every job has the same interface; this job has
    no long step to report (a 1,962-sample BIOM runs in a few seconds, mostly reading).
    """
    profile = read_taxon_profile(
        request.input, request.input_format, request.taxonomy, require_taxonomy=True
    )
    notes = list(profile.notes)
    correct = request.copy_number_correction
    if correct is None:
        correct = profile.sequencing == "16S" and profile.kind == "counts"
    if correct:
        profile = copy_number_correct(profile, copy_numbers())
        notes = list(profile.notes)
    res = resolve_profile(profile)
    species_frac, genus_frac, n_unres, unresolved = _resolution_table(profile, res)
    groups, group_of = group_taxa(res)
    n_feat, n_samples = profile.values.shape
    indicator = sp.csr_array(
        (np.ones(n_feat), (group_of, np.arange(n_feat))), shape=(len(groups), n_feat)
    )
    abundance = (indicator @ profile.values).toarray()
    totals = abundance.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        relative = np.where(totals > 0, abundance / np.where(totals > 0, totals, 1.0), 0.0)
    traits, values, tiers, from_genus = trait_values(groups)
    result = trait_potential(relative, values)
    out = make_outdir(request.outdir)
    paths = {
        "traits_potential": out / "traits_potential.tsv",
        "traits_coverage": out / "traits_coverage.tsv",
        "traits_ratio": out / "traits_ratio.tsv",
        "resolution": out / "resolution.tsv",
        "summary": out / "summary.json",
    }
    samples = profile.samples
    write_matrix(paths["traits_potential"], "trait", traits, samples, result.potential)
    write_matrix(paths["traits_coverage"], "trait", traits, samples, result.coverage)
    write_matrix(paths["traits_ratio"], "trait", traits, samples, result.ratio)
    write_lines(
        paths["resolution"],
        [
            "sample\tspecies_fraction\tgenus_fraction\tn_unresolved\n",
            *(
                f"{s}\t{_num(species_frac[j])}\t{_num(genus_frac[j])}\t{int(n_unres[j])}\n"
                for j, s in enumerate(samples)
            ),
        ],
    )
    info = trait_info()
    annotated = ~np.isnan(values)
    summary: dict[str, Any] = {
        "gutbrain_version": __version__,
        "command": "taxa",
        "input": {
            "path": os.fspath(request.input),
            "sha256": sha256_file(request.input),
            "format": profile.format,
            "kind": profile.kind,
            "sequencing": profile.sequencing,
            "n_features": n_feat,
            "n_samples": n_samples,
            "notes": notes,
        },
        "options": {
            "input_format": request.input_format,
            "taxonomy": os.fspath(request.taxonomy) if request.taxonomy else None,
            "copy_number_correction": bool(correct),
        },
        "resolution": {
            "mean_species_fraction": _mean(species_frac),
            "mean_genus_fraction": _mean(genus_frac),
            "n_taxa_resolved": int(sum(1 for s, g in groups if s is not None or g is not None)),
            "unresolved_names": unresolved,
        },
        "traits": {
            t: {
                "label": info[t].label,
                "mechanism": info[t].mechanism,
                "sources": list(info[t].sources),
                "n_taxa_annotated": int(annotated[:, j].sum()),
                "n_taxa_from_genus_value": int(from_genus[:, j].sum()),
                "best_tier": TIERS[int(tiers[annotated[:, j], j].min())]
                if annotated[:, j].any()
                else None,
            }
            for j, t in enumerate(traits)
        },
        "interpretation": (
            "potential = sum over annotated taxa of relative abundance x trait value; "
            "coverage = share of abundance with any evidence for the trait; a trait with low "
            "coverage is unknown, not absent. Values describe genetic potential, not activity."
        ),
        "outputs": {k: str(v) for k, v in paths.items()},
    }
    write_json(paths["summary"], summary)
    return summary


def _num(x: float) -> str:
    return "" if x != x else repr(float(x))


def _mean(x: FloatArray) -> float | None:
    finite = x[np.isfinite(x)]
    return float(finite.mean()) if finite.size else None
