"""Mechanism scoring: the vectorised batch against a plain one-sample re-statement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.core.mechanisms import (
    COMPONENT_STATES,
    GRADE_FACTOR,
    LOW_CONFIDENCE,
    LOW_COVERAGE,
    MECHANISM_STATES,
    ComponentSpec,
    MechanismSpec,
    score_batch,
    score_mechanisms,
)


def reference(
    spec: MechanismSpec,
    values: list[float],
    coverage: list[float],
    pcts: list[float],
    comparable: list[bool],
) -> tuple[float | None, float, str, list[str], list[float | None]]:
    """The documented rules, one component at a time, with plain Python floats."""

    def fin(x: float) -> float | None:
        return x if math.isfinite(x) else None

    states, favs = [], []
    num = den = cov_num = 0.0
    total = sum(c.weight for c in spec.components if c.direction in ("higher", "lower"))
    for c, v, k, p, comp in zip(spec.components, values, coverage, pcts, comparable, strict=True):
        v, k, p = fin(v), fin(k), fin(p)
        fav = None
        if v is None:
            state = "not_estimable"
        elif not comp:
            state = "not_comparable"
        elif p is None:
            state = "not_in_reference"
        else:
            state = "low_coverage" if k is not None and k < LOW_COVERAGE else "ok"
            fav = p if c.direction == "higher" else 100 - p if c.direction == "lower" else None
        states.append(state)
        favs.append(fav)
        if fav is not None and c.weight > 0:
            num += c.weight * fav
            den += c.weight
            cov_num += c.weight * (1.0 if k is None else k)
    if den == 0:
        return None, 0.0, "not_estimable", states, favs
    conf = GRADE_FACTOR[spec.grade] * (cov_num / den) * (den / total)
    return num / den, conf, "ok" if conf >= LOW_CONFIDENCE else "low_confidence", states, favs


cell = st.one_of(
    st.floats(0, 100, allow_nan=False),
    st.just(math.nan),
    st.just(math.inf),
)
directions = st.sampled_from(["higher", "lower", "neutral", "balance"])


@st.composite
def cases(draw: st.DrawFn) -> tuple[MechanismSpec, int, list[list[float]], list[bool]]:
    n = draw(st.integers(1, 6))
    comps = tuple(
        ComponentSpec(
            f"c{i}",
            f"c{i}",
            draw(directions),
            draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])),
            "B",
        )
        for i in range(n)
    )
    spec = MechanismSpec("m", "m", draw(st.sampled_from("ABCD")), (), comps)
    n_samples = draw(st.integers(1, 4))
    grids = [[draw(cell) for _ in range(n * n_samples)] for _ in range(3)]
    comparable = [draw(st.booleans()) for _ in range(n)]
    return spec, n_samples, grids, comparable


@given(cases())
@settings(max_examples=300, deadline=None)
def test_batch_equals_one_sample_rules(
    case: tuple[MechanismSpec, int, list[list[float]], list[bool]],
) -> None:
    spec, n_samples, flat, comparable = case
    n = len(spec.components)
    values, coverage, pcts = (np.array(f, dtype=np.float64).reshape(n, n_samples) for f in flat)
    coverage = np.clip(coverage, 0, 1)
    b = score_batch([spec], values, coverage, pcts, np.array(comparable))
    for j in range(n_samples):
        score, conf, mstate, states, favs = reference(
            spec, list(values[:, j]), list(coverage[:, j]), list(pcts[:, j]), comparable
        )
        assert [COMPONENT_STATES[s] for s in b.state[:, j]] == states
        got_fav = [None if math.isnan(x) else x for x in b.favourable[:, j]]
        assert got_fav == pytest.approx(favs)
        assert MECHANISM_STATES[b.mechanism_state[0, j]] == mstate
        if score is None:
            assert math.isnan(b.score[0, j]) and b.confidence[0, j] == 0
        else:
            assert b.score[0, j] == pytest.approx(score)
            assert b.confidence[0, j] == pytest.approx(conf)
        # never silently 0: an unknown value stays unknown
        unknown = ~np.isfinite(values[:, j])
        assert np.isnan(b.value[unknown, j]).all()


def test_one_sample_wrapper_keeps_unknowns_none() -> None:
    spec = MechanismSpec(
        "s",
        "S",
        "A",
        ("K",),
        (
            ComponentSpec("a", "a", "higher", 1.0, "A"),
            ComponentSpec("b", "b", "lower", 1.0, "A"),
            ComponentSpec("c", "c", "neutral", 1.0, "A"),
        ),
    )
    (m,) = score_mechanisms(
        [spec],
        {"a": 1.0, "b": 2.0, "c": 3.0},
        {"a": 0.3, "b": 1.0},
        {"a": 90.0},
        {"c": False},
    )
    assert [c.state for c in m.components] == ["low_coverage", "not_in_reference", "not_comparable"]
    assert m.components[1].percentile is None and m.components[2].percentile is None
    assert m.score == 90.0
    # confidence: grade 1.0 x coverage 0.3 x scored share 1/2
    assert m.confidence == pytest.approx(0.15)
    assert m.state == "low_confidence"


def test_shape_errors() -> None:
    spec = MechanismSpec("s", "S", "A", (), (ComponentSpec("a", "a", "higher", 1.0, "A"),))
    ok = np.zeros((1, 2))
    with pytest.raises(ValueError, match="slots × samples"):
        score_batch([spec], ok, np.zeros((2, 2)), ok, np.array([True]))
    with pytest.raises(ValueError, match="one entry per slot"):
        score_batch([spec], ok, ok, ok, np.array([True, False]))
