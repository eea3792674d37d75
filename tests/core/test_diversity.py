"""Alpha / beta diversity and PCoA: golden comparisons with scikit-bio, invariants, errors."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gutbrain.core import diversity as gd
from gutbrain.errors import InputError, OptionError

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
AGP = SHARED / "data" / "agp2014_r1_8" / "AG_100nt_even10k.biom.gz"

NON_TREE_ALPHA = ["observed_features", "shannon", "simpson", "pielou_e", "chao1"]
NON_TREE_BETA = ["braycurtis", "jaccard", "aitchison"]


@pytest.fixture(scope="module")
def agp200() -> sp.csr_matrix:
    if not AGP.exists():
        pytest.skip("shared American Gut data not available")
    biom = pytest.importorskip("biom")
    table = biom.load_table(str(AGP))
    x = sp.csr_matrix(table.matrix_data.T)
    rng = np.random.default_rng(20240601)
    rows = np.sort(rng.choice(x.shape[0], 200, replace=False))
    sub = x[rows]
    keep = np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel() > 0)
    return sp.csr_matrix(sub[:, keep])


def _skbio_beta(metric: str, dense: np.ndarray) -> np.ndarray:
    from skbio.diversity import beta_diversity
    from skbio.stats.composition import clr

    if metric == "aitchison":
        return np.asarray(beta_diversity("euclidean", clr(dense + 1.0), validate=False).data)
    return np.asarray(beta_diversity(metric, dense).data)


@pytest.mark.parametrize("metric", NON_TREE_ALPHA)
def test_alpha_matches_skbio_on_agp(agp200: sp.csr_matrix, metric: str) -> None:
    skbio_div = pytest.importorskip("skbio.diversity")
    dense = agp200.toarray()
    expected = skbio_div.alpha_diversity(metric, dense.astype(np.int64)).to_numpy()
    np.testing.assert_allclose(gd.alpha_diversity(metric, agp200), expected, rtol=0, atol=1e-10)
    np.testing.assert_allclose(gd.alpha_diversity(metric, dense), expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("metric", NON_TREE_BETA)
def test_beta_matches_skbio_on_agp(agp200: sp.csr_matrix, metric: str) -> None:
    pytest.importorskip("skbio")
    dense = agp200.toarray()
    expected = _skbio_beta(metric, dense)
    got = gd.beta_diversity(metric, agp200)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


def test_skbio_has_no_aitchison_metric() -> None:
    """Documents why aitchison follows QIIME 2's pseudocount-1 convention."""
    skbio_div = pytest.importorskip("skbio.diversity")
    assert "aitchison" not in skbio_div.get_beta_diversity_metrics()


def test_pcoa_matches_skbio_up_to_sign(agp200: sp.csr_matrix) -> None:
    skbio = pytest.importorskip("skbio")
    from skbio.stats.ordination import pcoa as sk_pcoa

    d = gd.braycurtis(agp200[:60])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sk_pcoa(skbio.DistanceMatrix(d), method="eigh", dimensions=5)
    got = gd.pcoa(d, 5)
    np.testing.assert_allclose(got.eigenvalues, ref.eigvals.to_numpy(), atol=1e-10)
    np.testing.assert_allclose(
        got.proportion_explained, ref.proportion_explained.to_numpy(), atol=1e-10
    )
    sk_coords = ref.samples.to_numpy()
    signs = np.sign(np.sum(got.coordinates * sk_coords, axis=0))
    np.testing.assert_allclose(got.coordinates, sk_coords * signs, atol=1e-8)
    # Full decomposition: proportions sum to one.
    full = gd.pcoa(d, d.shape[0])
    assert full.proportion_explained.sum() == pytest.approx(1.0)


def test_pcoa_sign_convention() -> None:
    r = gd.pcoa(np.array([[0, 3, 4], [3, 0, 5], [4, 5, 0]], dtype=float), 2)
    pick = np.argmax(np.abs(r.coordinates), axis=0)
    assert np.all(r.coordinates[pick, [0, 1]] > 0)


# ---------------------------------------------------------------- small worked values


def test_empty_sample_conventions() -> None:
    x = np.array([[0, 0, 0], [1, 2, 3]])
    assert np.isnan(gd.shannon(x)[0])
    assert np.isnan(gd.simpson(x)[0])
    assert np.isnan(gd.pielou_e(x)[0])
    assert gd.observed_features(x)[0] == 0
    assert gd.chao1(x)[0] == 0
    assert gd.pielou_e([[0, 5, 0]])[0] == 1.0
    assert gd.braycurtis(x)[0, 1] == 1.0
    assert np.isnan(gd.braycurtis([[0, 0], [0, 0]])[0, 1])
    assert gd.jaccard([[0, 0], [0, 0]])[0, 1] == 0.0


# ---------------------------------------------------------------- invariants

count_tables = st.integers(2, 7).flatmap(
    lambda n: st.integers(1, 9).flatmap(
        lambda m: arrays(np.int64, (n, m), elements=st.integers(0, 20))
    )
)


def _all_metrics(x: Any) -> dict[str, np.ndarray]:
    out = {m: gd.alpha_diversity(m, x) for m in NON_TREE_ALPHA}
    out.update({m: gd.beta_diversity(m, x) for m in NON_TREE_BETA})
    return out


@settings(max_examples=40, deadline=None)
@given(count_tables, st.randoms(use_true_random=False))
def test_feature_permutation_invariance(x: np.ndarray, rnd: Any) -> None:
    perm = list(range(x.shape[1]))
    rnd.shuffle(perm)
    a, b = _all_metrics(x), _all_metrics(x[:, perm])
    for name in a:
        np.testing.assert_allclose(a[name], b[name], atol=1e-12, equal_nan=True, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(count_tables)
def test_distances_are_metrics_shape(x: np.ndarray) -> None:
    for metric in NON_TREE_BETA:
        d = gd.beta_diversity(metric, x)
        assert d.shape == (x.shape[0], x.shape[0])
        np.testing.assert_array_equal(d, d.T)
        assert np.all(np.diag(d) == 0)
        finite = d[np.isfinite(d)]
        assert np.all(finite >= 0)


@settings(max_examples=40, deadline=None)
@given(count_tables)
def test_sparse_and_dense_agree(x: np.ndarray) -> None:
    a, b = _all_metrics(x), _all_metrics(sp.csr_matrix(x))
    for name in a:
        np.testing.assert_allclose(a[name], b[name], atol=1e-12, equal_nan=True, err_msg=name)


def test_inputs_not_mutated() -> None:
    x = sp.csr_matrix(np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]]))
    before = x.toarray().copy()
    _all_metrics(x)
    np.testing.assert_array_equal(x.toarray(), before)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("table", "match"),
    [
        ([[1, -1]], "negative values"),
        ([[1, np.nan]], "NaN or infinite"),
        ([[1, np.inf]], "NaN or infinite"),
        ([1, 2, 3], "must be 2-D"),
        ([["a", "b"]], "not numeric"),
        (sp.csr_matrix(np.array([[1.0, -2.0]])), "negative values"),
    ],
)
@pytest.mark.parametrize("metric", ["shannon", "braycurtis"])
def test_invalid_tables(table: Any, match: str, metric: str) -> None:
    func = gd.ALPHA_METRICS.get(metric) or gd.BETA_METRICS[metric]
    with pytest.raises(InputError, match=match):
        func(table)


@pytest.mark.parametrize("table", [[[1.5, 2.0]], sp.csr_matrix(np.array([[0.5, 1.0]]))])
def test_chao1_needs_integers(table: Any) -> None:
    with pytest.raises(InputError, match="chao1 needs integer counts"):
        gd.chao1(table)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: gd.alpha_diversity("shanon", [[1]]), "unknown alpha diversity metric.*shannon"),
        (lambda: gd.beta_diversity("bray", [[1]]), "unknown beta diversity metric.*braycurtis"),
        (lambda: gd.alpha_diversity("faith_pd", [[1]]), "faith_pd needs a tree"),
        (lambda: gd.pcoa(np.zeros((2, 2)), 3), "invalid number of PCoA axes"),
    ],
)
def test_option_errors(call: Any, match: str) -> None:
    with pytest.raises(OptionError, match=match):
        call()


def test_aitchison_zero_without_pseudocount() -> None:
    with pytest.raises(InputError, match="zeros in table"):
        gd.aitchison([[1, 0]], pseudocount=0)
    got = gd.aitchison([[1, 2], [2, 1]], pseudocount=0)
    assert got[0, 1] == pytest.approx(np.sqrt(2) * np.log(2))


def test_registries_use_skbio_names() -> None:
    assert set(gd.ALPHA_METRICS) == {
        "shannon",
        "simpson",
        "observed_features",
        "pielou_e",
        "chao1",
        "faith_pd",
    }
    assert set(gd.BETA_METRICS) == {
        "braycurtis",
        "jaccard",
        "aitchison",
        "weighted_unifrac",
        "unweighted_unifrac",
    }
