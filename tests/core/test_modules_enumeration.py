"""The vectorised engine equals literal path enumeration on random modules (Hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.core.module_types import Module
from gutbrain.core.modules import ScoringOptions, compile_modules, score_modules
from tests.core import omixer_reference as ref

POOL = ["K1", "K2", "K3", "K4", "K5", "K6"]
ids = st.sampled_from(POOL)
alternative = st.lists(ids, min_size=1, max_size=3).map(tuple)
step = st.lists(alternative, min_size=1, max_size=3).map(tuple)
module_steps = st.lists(step, min_size=1, max_size=4).map(tuple)
value = st.one_of(
    st.just(0.0),
    st.integers(1, 5).map(float),
    st.floats(1e-3, 1e4, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=300, deadline=None)
@given(
    modules=st.lists(module_steps, min_size=1, max_size=3),
    values=st.lists(st.lists(value, min_size=5, max_size=5), min_size=1, max_size=3),
    estimator=st.sampled_from(["median", "average", "sum", "min"]),
    normalize=st.booleans(),
    distribute=st.booleans(),
)
def test_engine_matches_path_enumeration(
    modules: list[tuple[tuple[tuple[str, ...], ...], ...]],
    values: list[list[float]],
    estimator: str,
    normalize: bool,
    distribute: bool,
) -> None:
    features = POOL[:5]  # K6 is never in the input: counts as 0
    x = np.array(values, dtype=float).T  # features × samples
    mods = [Module(f"M{i}", "m", steps) for i, steps in enumerate(modules)]
    compiled = compile_modules(mods, features, distribute=distribute)
    got = score_modules(
        compiled,
        x,
        ScoringOptions(estimator, normalize, distribute),  # type: ignore[arg-type]
    )
    weights = ref.distribute_weights(modules) if distribute else [{} for _ in modules]
    for mi, steps in enumerate(modules):
        for j in range(x.shape[1]):
            sample = dict(zip(features, x[:, j], strict=True))
            cov, ab = ref.score(steps, sample, estimator, normalize, weights[mi])
            assert got.coverage[mi, j] == cov
            if cov > 0:
                assert math.isclose(got.abundance[mi, j], ab, rel_tol=1e-12, abs_tol=0.0)
            else:
                assert math.isnan(got.abundance[mi, j])


@settings(max_examples=100, deadline=None)
@given(
    steps=module_steps,
    values=st.lists(st.lists(value, min_size=5, max_size=5), min_size=2, max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_sample_order_and_chunking_do_not_matter(
    steps: tuple[tuple[tuple[str, ...], ...], ...], values: list[list[float]], seed: int
) -> None:
    x = np.array(values).T
    c = compile_modules([Module("M", "m", steps)], POOL[:5])
    whole = score_modules(c, x)
    perm = np.random.default_rng(seed).permutation(x.shape[1])
    permuted = score_modules(c, x[:, perm], chunk=1)
    np.testing.assert_array_equal(permuted.coverage, whole.coverage[:, perm])
    np.testing.assert_array_equal(permuted.abundance, whole.abundance[:, perm])
    assert ((whole.coverage >= 0) & (whole.coverage <= 1)).all()
