"""Profiles → gut–brain components: the rows that are scored against a reference.

Component ids (a contract shared with reference populations):

``module:<ID>``
    Module abundance in the input's units; coverage = module coverage.
``trait:<trait_id>``
    Trait potential Σ relative abundance × trait value; coverage = trait annotation coverage.
``diversity:<metric>``
    Alpha diversity of the profile collapsed to its resolution (genus or species);
    coverage 1.
``taxon:<rank>:<name>``
    Relative abundance (fraction 0–1) of all features resolving to one NCBI taxon at
    ``rank`` (``genus`` or ``species``); coverage = the sample's share of abundance
    resolved at that rank. Rows are keyed by taxid, so synonyms merge; the name is a
    canonical scientific name of the taxid (see :func:`taxon_name`).

``values`` are NaN where a component is not estimable (an empty sample, a module
whose identifiers the input cannot contain, a module with no observed step).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from gutbrain.core.module_cutoff import computability
from gutbrain.core.module_types import id_namespace
from gutbrain.core.modules import ScoringOptions, compile_modules, score_modules
from gutbrain.core.table import FeatureTable
from gutbrain.io.profile import FunctionalProfile
from gutbrain.knowledge.modules import load_databases
from gutbrain.pipeline.component_table import (
    RELATIVE_UNITS,
    ComponentPlan,
    ComponentTable,
    Profile,
    ProfileKind,
    ProfileResolution,
)
from gutbrain.pipeline.taxon_components import (
    DIVERSITY_METRICS,
    plan_taxonomic,
    taxon_name,
    taxonomic_components,
)

__all__ = [
    "DIVERSITY_METRICS",
    "RELATIVE_UNITS",
    "ComponentPlan",
    "ComponentTable",
    "Profile",
    "ProfileKind",
    "ProfileResolution",
    "components",
    "functional_components",
    "plan_components",
    "select_samples",
    "taxon_name",
    "taxonomic_components",
]

FloatArray = npt.NDArray[np.float64]


def plan_components(profile: Profile) -> ComponentPlan:
    """The :class:`ComponentPlan` of a whole profile.

    >>> from gutbrain.core.lineage import parse_lineage
    >>> import scipy.sparse as sp
    >>> from gutbrain.io.taxon_profile import TaxonProfile
    >>> p = TaxonProfile("table", "t", ("a", "b"),
    ...     (parse_lineage("Faecalibacterium prausnitzii"), parse_lineage("g__Blautia")),
    ...     ("S1", "S2"), sp.csc_array(np.array([[3.0, 0.0], [1.0, 5.0]])), "counts")
    >>> plan = plan_components(p)
    >>> plan.resolution, plan.chao1  # species-level share 0.75 + 0 is not over half of 2 samples
    ('genus', True)
    """
    if isinstance(profile, FunctionalProfile):
        return ComponentPlan("functional", "ko", profile.units)
    return plan_taxonomic(profile)


def components(profile: Profile, plan: ComponentPlan | None = None) -> ComponentTable:
    """Components of a taxonomic or functional profile (``plan``: see :class:`ComponentPlan`)."""
    if isinstance(profile, FunctionalProfile):
        return functional_components(profile)
    return taxonomic_components(profile, plan)


def select_samples(profile: Profile, columns: Sequence[int]) -> Profile:
    """The part of ``profile`` that :func:`components` reads, for the samples at ``columns``.

    Features, lineages and units are kept; values (and a taxonomic profile's
    unclassified shares) are sliced. A functional profile keeps only its community
    table (the per-taxon table is not used by the component step). ``columns`` must
    not repeat a sample.

    >>> from gutbrain.core.lineage import parse_lineage
    >>> import scipy.sparse as sp
    >>> from gutbrain.io.taxon_profile import TaxonProfile
    >>> p = TaxonProfile("table", "t", ("a",), (parse_lineage("g__Blautia"),),
    ...     ("S1", "S2", "S3"), sp.csc_array(np.array([[1.0, 2.0, 3.0]])), "counts")
    >>> sub = select_samples(p, [2, 0])
    >>> sub.samples, sub.values.toarray().tolist()
    (('S3', 'S1'), [[3.0, 1.0]])
    """
    cols = np.asarray(columns, dtype=np.intp)
    if isinstance(profile, FunctionalProfile):
        community = profile.community
        table = FeatureTable(
            community.features,
            tuple(community.samples[j] for j in cols),
            community.values[:, cols],
            community.kind,
            community.units,
            community.source,
        )
        return replace(profile, community=table, per_taxon=None)
    unclassified = None if profile.unclassified is None else profile.unclassified[cols]
    return replace(
        profile,
        samples=tuple(profile.samples[j] for j in cols),
        values=profile.values[:, cols],
        unclassified=unclassified,
    )


# ------------------------------------------------------------------ functional


def functional_components(profile: FunctionalProfile) -> ComponentTable:
    """Module components (GMM, GBM, curated) of a functional profile.

    Each module is scored with the median estimator, no length normalisation and no
    ``distribute`` weights; value = module abundance in the input's units (NaN where
    no step is observed), coverage = module coverage. A module none of whose
    identifiers can occur in the input's identifier kinds (computability at cut-off
    0) gets NaN value and NaN coverage.
    """
    community = profile.community
    features = community.features
    namespaces = frozenset(id_namespace(f) for f in features)
    ids: list[str] = []
    rows_v: list[FloatArray] = []
    rows_c: list[FloatArray] = []
    options = ScoringOptions("median", normalize_by_length=False, distribute=False)
    for db in load_databases("all"):
        compiled = compile_modules(db.modules, features, distribute=False)
        scores = score_modules(compiled, np.asarray(community.values), options)
        ok = np.array([c.computable for c in computability(db.modules, namespaces, 0.0)])
        value = np.where(ok[:, None], scores.abundance, np.nan)
        cover = np.where(ok[:, None], scores.coverage, np.nan)
        ids += [f"module:{m}" for m in scores.module_ids]
        rows_v.append(value)
        rows_c.append(cover)
    notes = (*profile.notes, "modules: median estimator, no length normalisation, no distribute")
    return ComponentTable(
        "functional",
        "ko",
        profile.units,
        community.samples,
        tuple(ids),
        np.vstack(rows_v),
        np.vstack(rows_c),
        notes,
    )
