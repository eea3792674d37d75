"""Taxonomic profile → trait, diversity and taxon components (see
:mod:`gutbrain.pipeline.features` for the component ids)."""

from __future__ import annotations

from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from gutbrain.core.alpha import chao1, observed_features, pielou_e, shannon, simpson
from gutbrain.core.lineage import RANKS
from gutbrain.core.traits import trait_potential
from gutbrain.errors import InputError
from gutbrain.io.taxon_profile import TaxonProfile
from gutbrain.knowledge.taxa import Resolution, load_names, load_species_genus
from gutbrain.pipeline.component_table import (
    RELATIVE_UNITS,
    ComponentPlan,
    ComponentTable,
    ProfileResolution,
)
from gutbrain.pipeline.taxa import group_taxa, resolve_profile, trait_values

__all__ = ["DIVERSITY_METRICS", "plan_taxonomic", "taxon_name", "taxonomic_components"]

FloatArray = npt.NDArray[np.float64]

#: Alpha metrics always computed; ``chao1`` is added for integer count profiles.
DIVERSITY_METRICS = ("shannon", "simpson", "observed_features", "pielou_e")
#: Source priority for canonical names (the order of ``names.tsv.gz``'s PROVENANCE).
_NAME_SOURCES = ("Beghini2021", "Pham2025", "microbetag", "Quast2013", "Parks2022")


@cache
def _canonical_names() -> dict[tuple[int, str], str]:
    """(taxid, rank) → canonical name: genus names of ``species_genus``, then by source."""
    priority = {s: i for i, s in enumerate(_NAME_SOURCES)}
    best: dict[tuple[int, str], tuple[int, str]] = {}
    for name, entry in load_names().items():
        if entry.rank not in ("species", "genus"):
            continue
        key = (entry.taxid, entry.rank)
        cand = (priority.get(entry.source, len(priority)), name)
        if key not in best or cand < best[key]:
            best[key] = cand
    out = {k: v[1][:1].upper() + v[1][1:] for k, v in best.items()}
    for genus_taxid, genus_name in load_species_genus().values():
        out[(genus_taxid, "genus")] = genus_name
    return out


def taxon_name(taxid: int, rank: Literal["species", "genus"]) -> str:
    """Canonical scientific name of an NCBI taxid, independent of the input's spelling.

    Genus names come from the species → genus table (NCBI spelling); otherwise the
    name of the packaged name table from the highest-priority source (MetaPhlAn,
    then NCBI, …), capitalised. Unknown taxids are named ``taxid<N>``.

    >>> taxon_name(39491, "species"), taxon_name(216851, "genus")
    ('Eubacterium rectale', 'Faecalibacterium')
    """
    return _canonical_names().get((taxid, rank), f"taxid{taxid}")


def _group_rows(taxids: list[int | None]) -> tuple[list[int], sp.csr_array]:
    """Distinct non-None taxids (sorted) and an indicator matrix taxa × features."""
    distinct = sorted({t for t in taxids if t is not None})
    pos = {t: i for i, t in enumerate(distinct)}
    cols = [j for j, t in enumerate(taxids) if t is not None]
    rows = [pos[t] for t in taxids if t is not None]
    ind = sp.csr_array(
        (np.ones(len(cols)), (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp))),
        shape=(len(distinct), len(taxids)),
    )
    return distinct, ind


def _is_integer(values: sp.csc_array) -> bool:
    data = values.data
    return bool(np.all(data == np.round(data)))


def _diversity_groups(
    profile: TaxonProfile, res: tuple[Resolution, ...], resolution: ProfileResolution
) -> npt.NDArray[np.intp]:
    """Each feature's taxon at ``resolution``, for diversity (like ``qiime taxa collapse``).

    A feature resolved to a taxid at that rank joins its taxid; an unresolved one joins
    the features with the same lineage names down to that rank (e.g. all OTUs of one
    family without a genus); a feature without any lineage name stays on its own.
    """
    depth = RANKS.index(resolution) + 1
    keys: dict[tuple[object, ...], int] = {}
    group = np.empty(len(res), dtype=np.intp)
    for i, (r, lin) in enumerate(zip(res, profile.lineages, strict=True)):
        taxid = r.species_taxid if resolution == "species" else r.genus_taxid
        key: tuple[object, ...]
        if taxid is not None:
            key = ("taxid", taxid)
        elif any(lin.names[:depth]):
            key = ("lineage", *lin.names[:depth])
        else:
            key = ("feature", i)
        group[i] = keys.setdefault(key, len(keys))
    return group


def _relative(values: sp.csc_array) -> tuple[sp.csc_array, npt.NDArray[np.bool_]]:
    """Each value's share of its sample's total, and the samples with total 0."""
    totals = np.asarray(values.sum(axis=0)).ravel()
    empty = totals <= 0
    inv = np.where(empty, 0.0, 1.0 / np.where(empty, 1.0, totals))
    return sp.csc_array(values @ sp.diags_array(inv)), empty


def _collapse(
    profile: TaxonProfile,
    values: sp.csc_array,
    res: tuple[Resolution, ...],
    resolution: ProfileResolution,
) -> sp.csc_array:
    """The profile collapsed to its resolution, for diversity: so that an OTU table and
    a genus table of the same community (and their references) count the same taxa."""
    n_feat = values.shape[0]
    div_key = _diversity_groups(profile, res, resolution)
    collapse = sp.csr_array(
        (np.ones(n_feat), (div_key, np.arange(n_feat))), shape=(int(div_key.max()) + 1, n_feat)
    ) if n_feat else sp.csr_array((0, 0))  # fmt: skip
    return sp.csc_array(collapse @ values)


def _taxonomic_plan(
    profile: TaxonProfile,
    values: sp.csc_array,
    relative: sp.csc_array,
    empty: npt.NDArray[np.bool_],
    res: tuple[Resolution, ...],
) -> ComponentPlan:
    species_rows = np.array([lin.species is not None for lin in profile.lineages], dtype=float)
    species_share = float((species_rows @ relative).sum())
    resolution: ProfileResolution = (
        "species" if species_share > 0.5 * float((~empty).sum()) else "genus"
    )
    chao = profile.kind == "counts" and _is_integer(_collapse(profile, values, res, resolution))
    return ComponentPlan("taxonomic", resolution, RELATIVE_UNITS, chao, res)


def taxonomic_components(
    profile: TaxonProfile, plan: ComponentPlan | None = None
) -> ComponentTable:
    """Trait, diversity and taxon components of a taxonomic profile.

    Resolution is ``"species"`` when, summed over samples, most relative abundance
    sits on features with a species-level lineage, else ``"genus"``. Relative
    abundances are each feature's share of the sample total (all features of the
    profile, resolved or not). Samples with total abundance 0 get NaN everywhere.

    Examples
    --------
    >>> from gutbrain.core.lineage import parse_lineage
    >>> p = TaxonProfile("table", "t", ("a", "b"),
    ...     (parse_lineage("Faecalibacterium prausnitzii"), parse_lineage("g__Blautia")),
    ...     ("S1",), sp.csc_array(np.array([[3.0], [1.0]])), "counts")
    >>> t = taxonomic_components(p)
    >>> t.resolution, float(t.row("taxon:genus:Faecalibacterium")[0])
    ('species', 0.75)
    """
    values = sp.csc_array(profile.values, dtype=np.float64)
    n_feat, n_samples = values.shape
    relative, empty = _relative(values)
    if plan is None:
        plan = _taxonomic_plan(profile, values, relative, empty, resolve_profile(profile))
    elif plan.kind != "taxonomic" or len(plan.taxa) != n_feat:
        raise InputError(
            "the component plan does not match the profile",
            where=profile.source,
            found=f"a {plan.kind} plan of {len(plan.taxa)} features",
            expected=f"the taxonomic plan of these {n_feat} features",
            fix="report this as a gutbrain bug",
        )
    res = plan.taxa
    resolution = plan.resolution
    groups, group_of = group_taxa(res)
    indicator = sp.csr_array(
        (np.ones(n_feat), (group_of, np.arange(n_feat))), shape=(len(groups), n_feat)
    )
    grouped = (indicator @ relative).toarray()
    traits, trait_vals, _, _ = trait_values(groups)
    tp = trait_potential(grouped, trait_vals)

    ids: list[str] = [f"trait:{t}" for t in traits]
    rows_v: list[FloatArray] = [tp.potential]
    rows_c: list[FloatArray] = [tp.coverage]

    collapsed = _collapse(profile, values, res, resolution)
    by_sample = collapsed.T.tocsr()
    metrics: list[tuple[str, FloatArray]] = [
        ("shannon", shannon(by_sample)),
        ("simpson", simpson(by_sample)),
        ("observed_features", observed_features(by_sample)),
        ("pielou_e", pielou_e(by_sample)),
    ]
    notes = list(profile.notes)
    notes.append(f"diversity computed on the profile collapsed to {resolution} level")
    if plan.chao1:
        metrics.append(("chao1", chao1(by_sample)))
    else:
        notes.append("diversity:chao1 not computed: the profile is not integer counts")
    ids += [f"diversity:{m}" for m, _ in metrics]
    rows_v.append(np.vstack([v for _, v in metrics]))
    rows_c.append(np.ones((len(metrics), n_samples)))

    rank: Literal["genus", "species"]
    for rank in ("genus", "species"):
        taxids = [r.genus_taxid if rank == "genus" else r.species_taxid for r in res]
        distinct, ind = _group_rows(taxids)
        abundance = (ind @ relative).toarray()
        resolved = np.array([t is not None for t in taxids], dtype=np.float64)
        share = resolved @ relative
        names = [taxon_name(t, rank) for t in distinct]
        seen: dict[str, int] = {}
        for i, name in enumerate(names):  # two taxids with one name: keep them apart
            if name in seen:
                names[i] = f"{name} (taxid {distinct[i]})"
            seen.setdefault(name, i)
        ids += [f"taxon:{rank}:{n}" for n in names]
        rows_v.append(abundance)
        rows_c.append(np.broadcast_to(np.asarray(share), abundance.shape))

    all_v = np.vstack(rows_v)
    all_c = np.vstack(rows_c)
    all_v[:, empty] = np.nan
    all_c[:, empty] = np.nan
    if empty.any():
        notes.append(f"{int(empty.sum())} samples with no abundance: all components NaN")
    return ComponentTable(
        "taxonomic", resolution, RELATIVE_UNITS, profile.samples, tuple(ids), all_v, all_c,
        tuple(notes),
    )  # fmt: skip


def plan_taxonomic(profile: TaxonProfile) -> ComponentPlan:
    """The :class:`ComponentPlan` of a whole taxonomic profile (resolution, Chao1, taxids)."""
    values = sp.csc_array(profile.values, dtype=np.float64)
    relative, empty = _relative(values)
    return _taxonomic_plan(profile, values, relative, empty, resolve_profile(profile))
