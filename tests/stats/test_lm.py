"""Vectorised OLS against statsmodels, and Benjamini–Hochberg."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gutbrain.core.stats.fdr import benjamini_hochberg
from gutbrain.core.stats.lm import aliased_columns, ols

sm = pytest.importorskip("statsmodels.api")
multitest = pytest.importorskip("statsmodels.stats.multitest")


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(42)
    n = 60
    x = np.column_stack(
        [np.ones(n), rng.normal(size=n), rng.integers(0, 2, n), rng.integers(0, 2, n)]
    )
    beta = rng.normal(size=(4, 6))
    y = x @ beta + rng.normal(size=(n, 6))
    return x, y


def test_ols_equals_statsmodels(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    fit = ols(x, y)
    for j in range(y.shape[1]):
        ref = sm.OLS(y[:, j], x).fit()
        np.testing.assert_allclose(fit.coef[:, j], ref.params, rtol=0, atol=1e-10)
        np.testing.assert_allclose(fit.stderr[:, j], ref.bse, rtol=1e-10)
        np.testing.assert_allclose(fit.pval[:, j], ref.pvalues, rtol=1e-10, atol=1e-300)
        assert fit.df[j] == ref.df_resid


@pytest.mark.parametrize("mean", [0.0, 10.0, 1e3])
def test_ols_residuals_without_cancellation(mean: float) -> None:
    """Large means with a near-perfect fit: the |y|² − |Qᵀy|² shortcut must not lose digits."""
    rng = np.random.default_rng(7)
    n = 500
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = mean + x @ rng.normal(size=(2, 5)) + 1e-4 * rng.normal(size=(n, 5))
    y[3, 4] = np.nan  # one column with a missing value among complete ones
    fit = ols(x, y)
    for j in range(y.shape[1]):
        rows = np.isfinite(y[:, j])
        ref = sm.OLS(y[rows, j], x[rows]).fit()
        np.testing.assert_allclose(fit.stderr[:, j], ref.bse, rtol=1e-9)
        assert fit.n[j] == rows.sum()


def test_ols_missing_values_per_feature(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    y = y.copy()
    y[[3, 7], 1] = np.nan
    y[[3, 7], 4] = np.nan  # same pattern: one batch
    y[10, 2] = np.nan
    fit = ols(x, y)
    for j in (1, 2, 4, 5):
        ok = ~np.isnan(y[:, j])
        ref = sm.OLS(y[ok, j], x[ok]).fit()
        np.testing.assert_allclose(fit.coef[:, j], ref.params, rtol=0, atol=1e-10)
        np.testing.assert_allclose(fit.pval[:, j], ref.pvalues, rtol=1e-10, atol=1e-300)
        assert fit.n[j] == ok.sum()


def test_aliased_column_gives_nan_like_r(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = data
    xa = np.column_stack([x, x[:, 1] * 2.0])
    assert aliased_columns(xa).tolist() == [False, False, False, False, True]
    fit = ols(xa, y)
    assert np.isnan(fit.coef[4]).all()
    np.testing.assert_allclose(fit.coef[:4], ols(x, y).coef, atol=1e-10)


def test_bh_equals_statsmodels() -> None:
    p = np.random.default_rng(1).random(200) ** 3
    p[[5, 50]] = np.nan
    q = benjamini_hochberg(p)
    ok = ~np.isnan(p)
    ref = multitest.multipletests(p[ok], method="fdr_bh")[1]
    np.testing.assert_allclose(q[ok], ref, rtol=1e-14)
    assert np.isnan(q[~ok]).all()


def test_bh_empty() -> None:
    assert benjamini_hochberg([]).shape == (0,)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=50))
def test_bh_monotone_bounded(pvalues: list[float]) -> None:
    p = np.array(pvalues)
    q = benjamini_hochberg(p)
    assert np.all(q <= 1.0)
    assert np.all(q >= p - 1e-15)
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(q[order]) >= 0)
    # permutation invariance
    perm = np.random.default_rng(0).permutation(p.size)
    np.testing.assert_array_equal(benjamini_hochberg(p[perm]), q[perm])
