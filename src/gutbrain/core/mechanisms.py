r"""Components → the six gut–brain mechanism scores, with states and confidence.

Each component of a mechanism has, for one sample, a value, a coverage and a
percentile in a reference population. Its **state** says how far it can be
read:

* ``not_estimable`` -- no value from this input (e.g. an eggNOG-only module
  from a KO table, a trait no present taxon is annotated for);
* ``not_comparable`` -- a value, but the reference was made in other units;
* ``not_in_reference`` -- a value, but the reference has no distribution for it;
* ``low_coverage`` -- a percentile, but less than half the sample could be
  assessed for it (coverage < :data:`LOW_COVERAGE`);
* ``ok``.

Nothing is ever turned into 0: a component without a value keeps ``None``.

The **favourable score** of a component is its percentile :math:`p` when a
higher value is favourable, :math:`100 - p` when lower is favourable, and
undefined for neutral or balance components (shown, not scored). A
mechanism's score is the weighted mean of its components' favourable scores
(weights from the knowledge base; states ``ok`` and ``low_coverage``). Its
confidence, in [0, 1], is

.. math:: c = g \cdot \bar{k} \cdot \frac{\sum_{scored} w}{\sum_{all} w}

with :math:`g` the evidence factor of the mechanism's grade
(:data:`GRADE_FACTOR`), :math:`\bar{k}` the weighted mean coverage of the
scored components, and the last term the share of the mechanism's weight that
could be scored. Weak evidence and low coverage therefore both lower it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "GRADE_FACTOR",
    "LOW_COVERAGE",
    "ComponentScore",
    "ComponentSpec",
    "ComponentState",
    "MechanismScore",
    "MechanismSpec",
    "score_mechanisms",
]

ComponentState = Literal[
    "ok", "low_coverage", "not_in_reference", "not_comparable", "not_estimable"
]
MechanismState = Literal["ok", "low_confidence", "not_estimable"]
Direction = Literal["higher", "lower", "neutral", "balance"]

#: Evidence factor per grade (EVIDENCE.md §0.1: A strong human evidence … D animal / in vitro).
GRADE_FACTOR: Mapping[str, float] = {"A": 1.0, "B": 0.8, "C": 0.5, "D": 0.25}
#: Below this coverage a component is flagged ``low_coverage``.
LOW_COVERAGE = 0.5
#: Below this confidence a mechanism is flagged ``low_confidence``.
LOW_CONFIDENCE = 0.4


@dataclass(frozen=True)
class ComponentSpec:
    """What the knowledge base says about one component of a mechanism."""

    id: str
    label: str
    direction: Direction
    weight: float
    grade: str
    citations: tuple[str, ...] = ()
    balance_with: str | None = None


@dataclass(frozen=True)
class MechanismSpec:
    """A mechanism: its grade, citations, components and what cannot be estimated."""

    id: str
    title: str
    grade: str
    citations: tuple[str, ...]
    components: tuple[ComponentSpec, ...]
    not_estimable: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ComponentScore:
    """One component in one sample. ``None`` means unknown, never 0."""

    id: str
    label: str
    value: float | None
    coverage: float | None
    percentile: float | None
    favourable: float | None
    state: ComponentState
    direction: Direction
    weight: float
    grade: str
    citations: tuple[str, ...]
    balance_with: str | None


@dataclass(frozen=True)
class MechanismScore:
    """One mechanism in one sample."""

    id: str
    title: str
    grade: str
    citations: tuple[str, ...]
    score: float | None
    confidence: float
    state: MechanismState
    components: tuple[ComponentScore, ...]
    not_estimable: tuple[tuple[str, str], ...]


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _component(
    spec: ComponentSpec,
    value: float | None,
    coverage: float | None,
    percentile: float | None,
    comparable: bool,
) -> ComponentScore:
    state: ComponentState
    fav: float | None = None
    if value is None:
        state, percentile = "not_estimable", None
    elif not comparable:
        state, percentile = "not_comparable", None
    elif percentile is None:
        state = "not_in_reference"
    else:
        state = "low_coverage" if coverage is not None and coverage < LOW_COVERAGE else "ok"
        if spec.direction == "higher":
            fav = percentile
        elif spec.direction == "lower":
            fav = 100.0 - percentile
    return ComponentScore(
        id=spec.id,
        label=spec.label,
        value=value,
        coverage=coverage,
        percentile=percentile,
        favourable=fav,
        state=state,
        direction=spec.direction,
        weight=spec.weight,
        grade=spec.grade,
        citations=spec.citations,
        balance_with=spec.balance_with,
    )


def score_mechanisms(
    specs: Sequence[MechanismSpec],
    values: Mapping[str, float],
    coverage: Mapping[str, float],
    percentiles: Mapping[str, float],
    comparable: Mapping[str, bool] | None = None,
) -> tuple[MechanismScore, ...]:
    """Score every mechanism for one sample.

    Parameters
    ----------
    specs:
        Mechanisms with their components (from the knowledge base).
    values, coverage, percentiles:
        By component id; missing or NaN = unknown.
    comparable:
        By component id; ``False`` when the reference was made in other units.

    Examples
    --------
    >>> spec = MechanismSpec("scfa", "Short-chain fatty acids", "B", ("K",), (
    ...     ComponentSpec("trait:butyrate", "butyrate", "higher", 1.0, "B"),
    ...     ComponentSpec("module:MGB011", "cortisol", "lower", 1.0, "D")))
    >>> (m,) = score_mechanisms([spec], {"trait:butyrate": 0.2}, {"trait:butyrate": 0.9},
    ...                         {"trait:butyrate": 80.0})
    >>> m.score, round(m.confidence, 2), [c.state for c in m.components]
    (80.0, 0.36, ['ok', 'not_estimable'])
    """
    comparable = comparable or {}
    out = []
    for mech in specs:
        comps = []
        num = den = cov_num = 0.0
        total_weight = sum(c.weight for c in mech.components if c.direction in ("higher", "lower"))
        for spec in mech.components:
            comp = _component(
                spec,
                _finite(values.get(spec.id)),
                _finite(coverage.get(spec.id)),
                _finite(percentiles.get(spec.id)),
                comparable.get(spec.id, True),
            )
            comps.append(comp)
            if comp.favourable is not None and spec.weight > 0:
                num += spec.weight * comp.favourable
                den += spec.weight
                cov_num += spec.weight * (1.0 if comp.coverage is None else comp.coverage)
        if den > 0:
            score: float | None = num / den
            confidence = GRADE_FACTOR.get(mech.grade, 0.0) * (cov_num / den) * (den / total_weight)
            state: MechanismState = "ok" if confidence >= LOW_CONFIDENCE else "low_confidence"
        else:
            score, confidence, state = None, 0.0, "not_estimable"
        out.append(
            MechanismScore(
                id=mech.id,
                title=mech.title,
                grade=mech.grade,
                citations=mech.citations,
                score=score,
                confidence=confidence,
                state=state,
                components=tuple(comps),
                not_estimable=mech.not_estimable,
            )
        )
    return tuple(out)
