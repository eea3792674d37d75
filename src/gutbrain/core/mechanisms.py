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

import numpy as np
import numpy.typing as npt

__all__ = [
    "COMPONENT_STATES",
    "GRADE_FACTOR",
    "LOW_COVERAGE",
    "MECHANISM_STATES",
    "BatchScores",
    "ComponentScore",
    "ComponentSpec",
    "ComponentState",
    "MechanismScore",
    "MechanismSpec",
    "score_batch",
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
#: State codes of :class:`BatchScores` (index into these tuples).
COMPONENT_STATES: tuple[ComponentState, ...] = (
    "ok",
    "low_coverage",
    "not_in_reference",
    "not_comparable",
    "not_estimable",
)
MECHANISM_STATES: tuple[MechanismState, ...] = ("ok", "low_confidence", "not_estimable")

FloatArray = npt.NDArray[np.float64]


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


@dataclass(frozen=True)
class BatchScores:
    """Every mechanism and component of many samples, as arrays.

    Components are laid out in *slots*: the components of the first mechanism,
    then those of the second, and so on (``slot_mechanism[k]`` says whose). Arrays
    are slots × samples or mechanisms × samples; ``NaN`` means unknown (never 0);
    states are codes into :data:`COMPONENT_STATES` / :data:`MECHANISM_STATES`.
    """

    slot_mechanism: npt.NDArray[np.intp]
    value: FloatArray
    coverage: FloatArray
    percentile: FloatArray
    favourable: FloatArray
    state: npt.NDArray[np.int8]
    score: FloatArray
    confidence: FloatArray
    mechanism_state: npt.NDArray[np.int8]


def _slots(specs: Sequence[MechanismSpec]) -> list[tuple[int, ComponentSpec]]:
    return [(i, c) for i, m in enumerate(specs) for c in m.components]


def score_batch(
    specs: Sequence[MechanismSpec],
    values: FloatArray,
    coverage: FloatArray,
    percentiles: FloatArray,
    comparable: npt.NDArray[np.bool_],
) -> BatchScores:
    """Score every mechanism for every sample at once.

    Parameters
    ----------
    specs:
        Mechanisms with their components (from the knowledge base).
    values, coverage, percentiles:
        Slots × samples (slot order as in :class:`BatchScores`); ``NaN`` or
        infinite = unknown.
    comparable:
        Per slot: ``False`` when the reference was made in other units.

    Examples
    --------
    >>> spec = MechanismSpec("scfa", "Short-chain fatty acids", "B", ("K",), (
    ...     ComponentSpec("trait:butyrate", "butyrate", "higher", 1.0, "B"),
    ...     ComponentSpec("trait:mucin", "mucin", "lower", 1.0, "C")))
    >>> nan = float("nan")
    >>> b = score_batch([spec], np.array([[0.2, 0.1], [0.3, nan]]),
    ...                 np.array([[0.9, 0.2], [1.0, nan]]),
    ...                 np.array([[80.0, 30.0], [40.0, nan]]), np.array([True, True]))
    >>> b.score.round(1).tolist(), b.state.tolist()
    ([[70.0, 30.0]], [[0, 1], [0, 4]])
    """
    slots = _slots(specs)
    n_slots = len(slots)
    shape = values.shape
    if not (shape == coverage.shape == percentiles.shape and shape[0] == n_slots):
        raise ValueError("values, coverage and percentiles must be slots × samples")
    if comparable.shape != (n_slots,):
        raise ValueError("comparable must have one entry per slot")

    def clean(a: FloatArray) -> FloatArray:
        return np.where(np.isfinite(a), a, np.nan)

    value, cov, pct = clean(values), clean(coverage), clean(percentiles)
    known = ~np.isnan(value)
    comp = np.broadcast_to(comparable[:, None], shape)
    has_pct = known & comp & ~np.isnan(pct)
    pct = np.where(known & comp, pct, np.nan)
    state = np.full(shape, COMPONENT_STATES.index("not_in_reference"), dtype=np.int8)
    state[~known] = COMPONENT_STATES.index("not_estimable")
    state[known & ~comp] = COMPONENT_STATES.index("not_comparable")
    low = cov < LOW_COVERAGE  # NaN coverage compares False: not low
    state[has_pct & low] = COMPONENT_STATES.index("low_coverage")
    state[has_pct & ~low] = COMPONENT_STATES.index("ok")

    sign = np.array([{"higher": 1.0, "lower": -1.0}.get(c.direction, 0.0) for _, c in slots])
    fav = np.full(shape, np.nan)
    up, down = sign > 0, sign < 0
    fav[up] = pct[up]
    fav[down] = 100.0 - pct[down]

    weight = np.array([c.weight for _, c in slots], dtype=np.float64)
    owner = np.array([i for i, _ in slots], dtype=np.intp)
    scored = ~np.isnan(fav) & (weight[:, None] > 0)
    w = np.where(scored, weight[:, None], 0.0)
    n_mech = len(specs)
    n_samples = shape[1]

    def per_mechanism(x: FloatArray) -> FloatArray:
        out = np.zeros((n_mech, n_samples))
        np.add.at(out, owner, x)
        return out

    num = per_mechanism(w * np.where(scored, fav, 0.0))
    den = per_mechanism(w)
    cov_num = per_mechanism(w * np.where(np.isnan(cov), 1.0, cov))
    total = np.zeros(n_mech)
    np.add.at(total, owner, np.where(sign != 0, weight, 0.0))
    grade = np.array([GRADE_FACTOR.get(m.grade, 0.0) for m in specs])
    ok = den > 0
    safe_den = np.where(ok, den, 1.0)
    safe_total = np.where(total > 0, total, 1.0)[:, None]
    score = np.where(ok, num / safe_den, np.nan)
    confidence = np.where(ok, grade[:, None] * (cov_num / safe_den) * (den / safe_total), 0.0)
    mstate = np.where(
        ok,
        np.where(confidence >= LOW_CONFIDENCE, 0, 1),
        MECHANISM_STATES.index("not_estimable"),
    ).astype(np.int8)
    return BatchScores(owner, value, cov, pct, fav, state, score, confidence, mstate)


def _none(x: float) -> float | None:
    return None if math.isnan(x) else x


def score_mechanisms(
    specs: Sequence[MechanismSpec],
    values: Mapping[str, float],
    coverage: Mapping[str, float],
    percentiles: Mapping[str, float],
    comparable: Mapping[str, bool] | None = None,
) -> tuple[MechanismScore, ...]:
    """Score every mechanism for one sample (a one-column :func:`score_batch`).

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
    slots = _slots(specs)

    def column(src: Mapping[str, float]) -> FloatArray:
        return np.array([[src.get(c.id, math.nan)] for _, c in slots], dtype=np.float64).reshape(
            len(slots), 1
        )

    b = score_batch(
        specs,
        column(values),
        column(coverage),
        column(percentiles),
        np.array([comparable.get(c.id, True) for _, c in slots], dtype=np.bool_),
    )
    out = []
    k = 0
    for i, mech in enumerate(specs):
        comps = []
        for spec in mech.components:
            comps.append(
                ComponentScore(
                    id=spec.id,
                    label=spec.label,
                    value=_none(float(b.value[k, 0])),
                    coverage=_none(float(b.coverage[k, 0])),
                    percentile=_none(float(b.percentile[k, 0])),
                    favourable=_none(float(b.favourable[k, 0])),
                    state=COMPONENT_STATES[b.state[k, 0]],
                    direction=spec.direction,
                    weight=spec.weight,
                    grade=spec.grade,
                    citations=spec.citations,
                    balance_with=spec.balance_with,
                )
            )
            k += 1
        out.append(
            MechanismScore(
                id=mech.id,
                title=mech.title,
                grade=mech.grade,
                citations=mech.citations,
                score=_none(float(b.score[i, 0])),
                confidence=float(b.confidence[i, 0]),
                state=MECHANISM_STATES[b.mechanism_state[i, 0]],
                components=tuple(comps),
                not_estimable=mech.not_estimable,
            )
        )
    return tuple(out)
