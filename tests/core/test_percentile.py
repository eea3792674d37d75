"""Mid-rank percentiles against a reference distribution."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gutbrain.core.percentile import CoverageSummary, ReferenceDistribution, percentile
from gutbrain.errors import InputError

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
# few distinct values, so ties are common
tied = st.lists(st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0, 2.5]), min_size=1, max_size=40)


@given(st.one_of(tied, st.lists(finite, min_size=1, max_size=60)))
def test_reference_sample_lands_on_its_own_mid_rank(xs: list[float]) -> None:
    ref = ReferenceDistribution.from_sample(xs)
    got = percentile(xs, ref)
    n = len(xs)
    for x, p in zip(xs, got, strict=True):
        below = sum(1 for y in xs if y < x)
        equal = sum(1 for y in xs if y == x)
        assert p == pytest.approx(100.0 * (below + 0.5 * equal) / n)


@given(st.lists(finite, min_size=1, max_size=40), st.lists(finite, min_size=1, max_size=40))
def test_monotone_and_bounded(reference: list[float], queries: list[float]) -> None:
    ref = ReferenceDistribution.from_sample(reference)
    q = np.sort(np.array(queries))
    p = percentile(q, ref)
    assert np.all(np.diff(p) >= 0)
    assert np.all((p >= 0) & (p <= 100))


@given(st.lists(finite, min_size=1, max_size=40))
def test_permutation_invariant_reference(xs: list[float]) -> None:
    a = ReferenceDistribution.from_sample(xs)
    b = ReferenceDistribution.from_sample(xs[::-1])
    assert a == b
    assert np.array_equal(percentile(xs, a), percentile(xs, b))


def test_nan_in_nan_out_and_shape() -> None:
    ref = ReferenceDistribution.from_sample([1.0, 2.0, 3.0])
    out = percentile(np.array([[np.nan, 2.0], [0.0, 9.0]]), ref)
    assert out.shape == (2, 2)
    assert math.isnan(out[0, 0])
    assert out[0, 1] == 50.0
    assert out[1].tolist() == [0.0, 100.0]


def test_empty_reference_gives_nan() -> None:
    ref = ReferenceDistribution.from_sample([np.nan, np.nan])
    assert ref.n == 0
    assert np.isnan(percentile([1.0, 2.0], ref)).all()


def test_all_equal_reference_is_fifty() -> None:
    ref = ReferenceDistribution.from_sample([0.0] * 10)
    assert percentile([0.0], ref).tolist() == [50.0]


def test_quantile_compression_keeps_n() -> None:
    ref = ReferenceDistribution.from_sample(np.arange(5000.0), max_values=2000)
    assert ref.n == 5000
    assert ref.values.size == 201
    assert ref.values[0] == 0.0
    assert ref.values[-1] == 4999.0
    assert percentile([2500.0], ref)[0] == pytest.approx(50.0, abs=0.5)


def test_coverage_summary_ignores_nan() -> None:
    ref = ReferenceDistribution.from_sample([1.0, 2.0, 3.0], [0.5, np.nan, 1.0])
    assert ref.coverage == CoverageSummary(2, 0.5, 0.75, 0.75)
    assert ReferenceDistribution.from_sample([1.0], [np.nan]).coverage is None


def test_values_are_read_only() -> None:
    ref = ReferenceDistribution.from_sample([2.0, 1.0])
    with pytest.raises(ValueError, match="read-only"):
        ref.values[0] = 5.0


@pytest.mark.parametrize(
    ("values", "n", "match"),
    [
        ([2.0, 1.0], 2, "finite and ascending"),
        ([1.0, np.nan], 2, "finite and ascending"),
        ([1.0, 2.0], 1, "smaller than its number of values"),
    ],
)
def test_invalid_distribution(values: list[float], n: int, match: str) -> None:
    with pytest.raises(InputError, match=match):
        ReferenceDistribution(np.array(values), n)
