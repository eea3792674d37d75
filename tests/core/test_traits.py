"""Tests for gutbrain.core.traits.trait_potential (bounds, invariances, no-evidence handling)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gutbrain.core.traits import trait_potential


@st.composite
def profiles(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_taxa = draw(st.integers(1, 8))
    n_samples = draw(st.integers(1, 5))
    n_traits = draw(st.integers(1, 4))
    a = draw(arrays(np.float64, (n_taxa, n_samples), elements=st.floats(0, 10, width=64)))
    v = draw(
        arrays(
            np.float64,
            (n_taxa, n_traits),
            elements=st.one_of(st.floats(0, 1, width=64), st.just(np.nan)),
        )
    )
    return a, v


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_bounds(p: tuple[np.ndarray, np.ndarray]) -> None:
    a, v = p
    r = trait_potential(a, v)
    assert r.potential.shape == r.coverage.shape == r.ratio.shape == (v.shape[1], a.shape[1])
    assert np.all((r.coverage >= 0) & (r.coverage <= 1))
    finite = ~np.isnan(r.ratio)
    assert np.all((r.ratio[finite] >= 0) & (r.ratio[finite] <= 1))
    assert np.all(r.potential >= 0)
    # ratio is NaN exactly where no annotated abundance exists
    annotated = (~np.isnan(v)).astype(float).T @ a
    assert np.array_equal(np.isnan(r.ratio), annotated <= 0)


@settings(max_examples=100, deadline=None)
@given(profiles(), st.randoms(use_true_random=False))
def test_permutation_invariance(p: tuple[np.ndarray, np.ndarray], rnd: object) -> None:
    a, v = p
    perm = np.arange(a.shape[0])
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    r1, r2 = trait_potential(a, v), trait_potential(a[perm], v[perm])
    np.testing.assert_allclose(r1.potential, r2.potential, atol=1e-9)
    np.testing.assert_allclose(r1.coverage, r2.coverage, atol=1e-12)
    np.testing.assert_allclose(r1.ratio, r2.ratio, atol=1e-9, equal_nan=True)


@settings(max_examples=100, deadline=None)
@given(profiles(), st.floats(0, 10))
def test_unannotated_taxon_never_lowers_potential(
    p: tuple[np.ndarray, np.ndarray], extra: float
) -> None:
    a, v = p
    a2 = np.vstack([a, np.full((1, a.shape[1]), extra)])
    v2 = np.vstack([v, np.full((1, v.shape[1]), np.nan)])
    r1, r2 = trait_potential(a, v), trait_potential(a2, v2)
    assert np.all(r2.potential >= r1.potential - 1e-12)
    np.testing.assert_allclose(r1.potential, r2.potential, atol=1e-9)
    np.testing.assert_allclose(r1.ratio, r2.ratio, atol=1e-9, equal_nan=True)
    assert np.all(r2.coverage <= r1.coverage + 1e-12)


def test_no_evidence_is_not_absence() -> None:
    a = np.array([[1.0], [1.0]])
    r = trait_potential(a, np.array([[np.nan], [np.nan]]))
    assert r.potential[0, 0] == 0 and r.coverage[0, 0] == 0 and np.isnan(r.ratio[0, 0])
    r0 = trait_potential(a, np.array([[0.0], [0.0]]))
    assert r0.coverage[0, 0] == 1 and r0.ratio[0, 0] == 0


def test_empty_sample() -> None:
    r = trait_potential(np.zeros((2, 1)), np.array([[1.0], [0.5]]))
    assert r.coverage[0, 0] == 0 and np.isnan(r.ratio[0, 0])


@pytest.mark.parametrize(
    ("a", "v"),
    [
        (np.ones((2, 1)), np.ones((3, 1))),
        (-np.ones((2, 1)), np.ones((2, 1))),
        (np.ones((2, 1)), np.full((2, 1), 1.5)),
        (np.full((2, 1), np.inf), np.ones((2, 1))),
    ],
)
def test_rejects_bad_input(a: np.ndarray, v: np.ndarray) -> None:
    with pytest.raises(ValueError):
        trait_potential(a, v)
