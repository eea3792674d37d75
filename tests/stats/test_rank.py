"""Rank tests (Mann–Whitney, Kruskal–Wallis, Spearman) against SciPy, invariants, table layout."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from gutbrain.core.stats import MAASLIN2_COLUMNS
from gutbrain.core.stats.fdr import benjamini_hochberg
from gutbrain.core.stats.rank import (
    fit_rank_tests,
    kruskal_wallis,
    mann_whitney,
    rank_columns,
    spearman,
)
from gutbrain.errors import OptionError

TOL = 1e-10


def sparse_counts(seed: int, n: int = 60, m: int = 40) -> np.ndarray:
    """Counts with many ties and zeros, like microbiome features."""
    rng = np.random.default_rng(seed)
    x = rng.poisson(3, (n, m)).astype(float)
    x[rng.random(x.shape) < 0.35] = 0.0
    x[:, 0] = rng.normal(size=n)  # one tie-free column
    return x


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ranks_match_scipy_rankdata(seed: int) -> None:
    x = sparse_counts(seed)
    x[5, 3] = np.nan
    ranks, ties, n = rank_columns(x)
    expected = stats.rankdata(x, axis=0, nan_policy="omit")
    assert np.allclose(ranks, expected, equal_nan=True, atol=0)
    col = x[~np.isnan(x[:, 3]), 3]
    _, counts = np.unique(col, return_counts=True)
    assert ties[3] == pytest.approx(float((counts**3 - counts).sum()))
    assert n[3] == col.size and n[0] == x.shape[0]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_mann_whitney_matches_scipy(seed: int) -> None:
    x = sparse_counts(seed)
    level = np.random.default_rng(seed + 10).random(x.shape[0]) < 0.45
    res = mann_whitney(x, level)
    for j in range(x.shape[1]):
        ref = stats.mannwhitneyu(x[level, j], x[~level, j], method="asymptotic")
        assert res.statistic[j] == pytest.approx(ref.statistic, abs=TOL)
        assert abs(res.pval[j] - ref.pvalue) < TOL


def test_mann_whitney_with_missing_values_matches_scipy_on_the_rest() -> None:
    x = sparse_counts(4)
    x[[1, 7, 20], 2] = np.nan
    level = np.arange(x.shape[0]) % 3 == 0
    res = mann_whitney(x, level)
    ok = ~np.isnan(x[:, 2])
    ref = stats.mannwhitneyu(x[ok & level, 2], x[ok & ~level, 2], method="asymptotic")
    assert abs(res.pval[2] - ref.pvalue) < TOL
    assert res.n[2] == ok.sum()


def test_rank_biserial_is_the_probability_difference() -> None:
    x = sparse_counts(5, n=30, m=6)
    level = np.arange(30) < 12
    res = mann_whitney(x, level)
    for j in range(6):
        a, b = x[level, j], x[~level, j]
        diff = np.sign(a[:, None] - b[None, :]).mean()
        assert res.coef[j] == pytest.approx(diff, abs=TOL)


def test_mann_whitney_constant_feature_is_missing() -> None:
    res = mann_whitney(np.ones((6, 1)), np.array([True, True, True, False, False, False]))
    assert np.isnan(res.pval[0])
    assert res.coef[0] == 0.0


@pytest.mark.parametrize(("seed", "k"), [(0, 3), (1, 4), (2, 5)])
def test_kruskal_wallis_matches_scipy(seed: int, k: int) -> None:
    x = sparse_counts(seed)
    codes = np.random.default_rng(seed).integers(0, k, x.shape[0])
    res = kruskal_wallis(x, codes, k)
    for j in range(x.shape[1]):
        ref = stats.kruskal(*[x[codes == g, j] for g in range(k)])
        assert abs(res.statistic[j] - ref.statistic) < TOL
        assert abs(res.pval[j] - ref.pvalue) < TOL
    assert np.allclose(res.coef, res.statistic / (x.shape[0] - 1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_spearman_matches_scipy(seed: int) -> None:
    x = sparse_counts(seed)
    v = np.random.default_rng(seed).normal(size=x.shape[0])
    v[3] = np.nan  # a missing covariate value drops that sample
    x[10, 4] = np.nan  # a missing feature value drops it for that feature only
    res = spearman(x, v)
    for j in range(x.shape[1]):
        ok = ~np.isnan(v) & ~np.isnan(x[:, j])
        ref = stats.spearmanr(x[ok, j], v[ok])
        assert abs(res.coef[j] - ref.statistic) < TOL
        assert abs(res.pval[j] - ref.pvalue) < TOL


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
def test_permutation_and_monotone_invariance(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.poisson(2, (24, 3)).astype(float)
    level = rng.random(24) < 0.5
    v = rng.normal(size=24)
    perm = rng.permutation(24)
    base, moved = mann_whitney(x, level), mann_whitney(x[perm], level[perm])
    assert np.allclose(base.pval, moved.pval, equal_nan=True)
    monotone = mann_whitney(np.log1p(x) * 3.0, level)
    assert np.allclose(base.pval, monotone.pval, equal_nan=True)
    rho, rho_perm = spearman(x, v), spearman(x[perm], v[perm])
    assert np.allclose(rho.coef, rho_perm.coef, equal_nan=True)
    finite = base.pval[np.isfinite(base.pval)]
    assert ((finite >= 0) & (finite <= 1)).all()


@pytest.fixture
def cohort() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    n = 48
    ids = [f"S{i}" for i in range(n)]
    meta = pd.DataFrame(
        {
            "group": np.repeat(["ctl", "case"], n // 2),
            "site": rng.choice(["a", "b", "c"], n),
            "age": rng.normal(40, 9, n),
        },
        index=ids,
    )
    counts = rng.poisson(10, (n, 5)).astype(float)
    counts[n // 2 :, 0] *= 3  # feature 0 higher in cases
    return pd.DataFrame(counts, index=ids, columns=[f"t{i}" for i in range(5)]), meta


def test_fit_rank_tests_layout(cohort: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    features, meta = cohort
    res = fit_rank_tests(features, meta, ["group", "site", "age"], reference="group,ctl")
    assert tuple(res.columns) == MAASLIN2_COLUMNS
    assert len(res) == 5 * 3
    assert set(zip(res["metadata"], res["value"], strict=True)) == {
        ("group", "case"),
        ("site", "site"),
        ("age", "age"),
    }
    assert res["stderr"].isna().all()
    assert res["qval"].is_monotonic_increasing
    assert np.allclose(np.sort(res["qval"]), np.sort(benjamini_hochberg(res["pval"].to_numpy())))
    top = res.iloc[0]
    assert (top["feature"], top["metadata"]) == ("t0", "group") and top["coef"] > 0.8
    # the group row is Mann–Whitney on the TSS + LOG values of the kept features
    values = features.to_numpy() / features.to_numpy().sum(axis=1, keepdims=True)
    case = meta["group"].eq("case").to_numpy()
    ref = stats.mannwhitneyu(values[case, 0], values[~case, 0], method="asymptotic").pvalue
    assert abs(top["pval"] - ref) < TOL


def test_fit_rank_tests_reference_flips_the_sign(cohort: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    features, meta = cohort
    a = fit_rank_tests(features, meta, ["group"], reference="group,ctl").set_index("feature")
    b = fit_rank_tests(features, meta, ["group"], reference="group,case").set_index("feature")
    assert np.allclose(a["coef"], -b.loc[a.index, "coef"])
    assert np.allclose(a["pval"], b.loc[a.index, "pval"])
    assert set(b["value"]) == {"ctl"}


@pytest.mark.parametrize(
    ("reference", "match"),
    [
        ("group,nope", "reference level not found"),
        ("site2,a", "not a fixed effect"),
    ],
)
def test_fit_rank_tests_errors(
    cohort: tuple[pd.DataFrame, pd.DataFrame], reference: str, match: str
) -> None:
    features, meta = cohort
    with pytest.raises(OptionError, match=match):
        fit_rank_tests(features, meta, ["group"], reference=reference)
