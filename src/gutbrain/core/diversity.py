"""Alpha and beta diversity: metric registries and one entry point for each.

The metrics themselves live in :mod:`gutbrain.core.alpha`, :mod:`gutbrain.core.beta`,
:mod:`gutbrain.core.unifrac` and :mod:`gutbrain.core.pcoa`; they are re-exported
here. Metric names are scikit-bio's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from gutbrain.core.alpha import (
    CountTable,
    FloatArray,
    chao1,
    observed_features,
    pielou_e,
    shannon,
    simpson,
    validate_counts,
)
from gutbrain.core.beta import aitchison, braycurtis, jaccard
from gutbrain.core.pcoa import PCoAResult, pcoa
from gutbrain.core.tree import Tree
from gutbrain.core.unifrac import faith_pd, unweighted_unifrac, weighted_unifrac
from gutbrain.errors import OptionError

__all__ = [
    "ALPHA_METRICS",
    "BETA_METRICS",
    "PHYLOGENETIC_METRICS",
    "PCoAResult",
    "Tree",
    "aitchison",
    "alpha_diversity",
    "beta_diversity",
    "braycurtis",
    "chao1",
    "faith_pd",
    "jaccard",
    "observed_features",
    "pcoa",
    "pielou_e",
    "shannon",
    "simpson",
    "unweighted_unifrac",
    "validate_counts",
    "weighted_unifrac",
]

#: Alpha metrics by scikit-bio name. ``faith_pd`` takes ``(counts, feature_ids, tree)``.
ALPHA_METRICS: Mapping[str, Callable[..., FloatArray]] = MappingProxyType(
    {
        "chao1": chao1,
        "faith_pd": faith_pd,
        "observed_features": observed_features,
        "pielou_e": pielou_e,
        "shannon": shannon,
        "simpson": simpson,
    }
)
#: Beta metrics by scikit-bio name (square distance matrices). UniFracs take
#: ``(counts, feature_ids, tree)``.
BETA_METRICS: Mapping[str, Callable[..., FloatArray]] = MappingProxyType(
    {
        "aitchison": aitchison,
        "braycurtis": braycurtis,
        "jaccard": jaccard,
        "unweighted_unifrac": unweighted_unifrac,
        "weighted_unifrac": weighted_unifrac,
    }
)
#: Metrics that need ``feature_ids`` and a ``tree``.
PHYLOGENETIC_METRICS = frozenset({"faith_pd", "unweighted_unifrac", "weighted_unifrac"})


def _lookup(
    registry: Mapping[str, Callable[..., FloatArray]], kind: str, metric: str
) -> Callable[..., FloatArray]:
    try:
        return registry[metric]
    except KeyError:
        raise OptionError(
            f"unknown {kind} diversity metric",
            where="metric",
            found=repr(metric),
            expected="one of " + ", ".join(sorted(registry)),
        ) from None


def _call(
    func: Callable[..., FloatArray],
    metric: str,
    counts: CountTable,
    feature_ids: Sequence[str] | None,
    tree: Tree | None,
    kwargs: dict[str, Any],
) -> FloatArray:
    if metric in PHYLOGENETIC_METRICS:
        if feature_ids is None or tree is None:
            raise OptionError(
                f"{metric} needs a tree",
                where="metric",
                found="no feature_ids or tree",
                expected="feature_ids= and tree=",
                fix="read the tree with gutbrain.io.newick.read_newick",
            )
        return func(counts, feature_ids, tree, **kwargs)
    return func(counts, **kwargs)


def alpha_diversity(
    metric: str,
    counts: CountTable,
    *,
    feature_ids: Sequence[str] | None = None,
    tree: Tree | None = None,
) -> FloatArray:
    """Alpha diversity ``metric`` (a name of :data:`ALPHA_METRICS`) for each sample (row).

    Raises
    ------
    OptionError
        Unknown metric (the message lists the known names) or a missing tree.

    Examples
    --------
    >>> alpha_diversity("observed_features", [[1, 0, 2]]).tolist()
    [2.0]
    """
    func = _lookup(ALPHA_METRICS, "alpha", metric)
    return _call(func, metric, counts, feature_ids, tree, {})


def beta_diversity(
    metric: str,
    counts: CountTable,
    *,
    feature_ids: Sequence[str] | None = None,
    tree: Tree | None = None,
    **kwargs: Any,
) -> FloatArray:
    """Square distance matrix for ``metric`` (a name of :data:`BETA_METRICS`).

    Extra keyword arguments go to the metric (``normalized=`` for weighted UniFrac,
    ``pseudocount=`` for Aitchison).

    Examples
    --------
    >>> beta_diversity("jaccard", [[1, 0], [1, 1]]).tolist()
    [[0.0, 0.5], [0.5, 0.0]]
    """
    func = _lookup(BETA_METRICS, "beta", metric)
    return _call(func, metric, counts, feature_ids, tree, dict(kwargs))
