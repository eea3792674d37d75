"""Faith PD and UniFrac: QIIME 1.9.1 golden values, scikit-bio on HMP, invariants, errors."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gutbrain.core import diversity as gd
from gutbrain.core.tree import Tree
from gutbrain.errors import InputError
from gutbrain.io.newick import parse_newick, read_newick

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
QIIME = SHARED / "data" / "skbio_qiime191_unifrac"
HMP = SHARED / "data" / "microbeds_hmpv35"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


# ---------------------------------------------------------------- QIIME 1.9.1 golden values


@pytest.fixture(scope="module")
def qiime() -> tuple[np.ndarray, list[str], list[str], Tree]:
    lines = (_need(QIIME) / "otu-table.tsv").read_text().splitlines()
    samples = lines[1].split("\t")[1:]
    rows = [line.split("\t") for line in lines[2:] if line.strip()]
    otus = [r[0] for r in rows]
    counts = np.array([[float(v) for v in r[1:]] for r in rows]).T
    return counts, samples, otus, read_newick(QIIME / "tree.nwk")


def _read_dm(path: Path, samples: list[str]) -> np.ndarray:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")[1:]
    values = {r.split("\t")[0]: [float(v) for v in r.split("\t")[1:]] for r in lines[1:] if r}
    full = np.array([values[s] for s in header])
    pos = [header.index(s) for s in samples]  # drops not16S.1
    return full[np.ix_(pos, pos)]


@pytest.mark.parametrize(
    ("file", "metric", "kwargs"),
    [
        ("unweighted_unifrac_dm.txt", "unweighted_unifrac", {}),
        ("weighted_unifrac_dm.txt", "weighted_unifrac", {}),
        ("weighted_normalized_unifrac_dm.txt", "weighted_unifrac", {"normalized": True}),
    ],
)
def test_unifrac_matches_qiime191(qiime: Any, file: str, metric: str, kwargs: Any) -> None:
    counts, samples, otus, tree = qiime
    expected = _read_dm(QIIME / file, samples)
    got = gd.beta_diversity(metric, counts, feature_ids=otus, tree=tree, **kwargs)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-6)
    got_sparse = gd.beta_diversity(
        metric, sp.csr_matrix(counts), feature_ids=otus, tree=tree, **kwargs
    )
    np.testing.assert_allclose(got_sparse, got, rtol=0, atol=1e-13)


def test_faith_pd_matches_qiime191(qiime: Any) -> None:
    counts, samples, otus, tree = qiime
    lines = (QIIME / "faith_pd.txt").read_text().splitlines()[1:]
    expected = dict((name, float(v)) for name, v in (line.split("\t") for line in lines if line))
    got = gd.alpha_diversity("faith_pd", counts, feature_ids=otus, tree=tree)
    np.testing.assert_allclose(got, [expected[s] for s in samples], rtol=0, atol=1e-6)


# ---------------------------------------------------------------- scikit-bio on HMP


@pytest.fixture(scope="module")
def hmp100() -> tuple[sp.csr_matrix, list[str], Tree, Any]:
    biom = pytest.importorskip("biom")
    skbio = pytest.importorskip("skbio")
    table = biom.load_table(str(_need(HMP / "otu_table.biom")))
    x = sp.csr_matrix(table.matrix_data.T)
    ids = [str(i) for i in table.ids(axis="observation")]
    rng = np.random.default_rng(7)
    depth = np.asarray(x.sum(axis=1)).ravel()
    candidates = np.flatnonzero(depth >= 1000)
    rows = np.sort(rng.choice(candidates, 100, replace=False))
    sub = x[rows]
    keep = np.flatnonzero(np.asarray(sub.sum(axis=0)).ravel() > 0)
    taxa = [ids[k] for k in keep]
    sk_tree = skbio.TreeNode.read(str(HMP / "tree.nwk")).shear(taxa)
    return sp.csr_matrix(sub[:, keep]), taxa, read_newick(HMP / "tree.nwk"), sk_tree


def test_faith_pd_matches_skbio_on_hmp(hmp100: Any) -> None:
    from skbio.diversity import alpha_diversity

    x, taxa, tree, sk_tree = hmp100
    expected = alpha_diversity("faith_pd", x.toarray(), taxa=taxa, tree=sk_tree).to_numpy()
    got = gd.faith_pd(x, taxa, tree)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize("metric", ["unweighted_unifrac", "weighted_unifrac"])
def test_unifrac_matches_skbio_on_hmp(hmp100: Any, metric: str) -> None:
    from skbio.diversity import beta_diversity

    x, taxa, tree, sk_tree = hmp100
    expected = beta_diversity(metric, x.toarray(), taxa=taxa, tree=sk_tree).data
    got = gd.beta_diversity(metric, x, feature_ids=taxa, tree=tree)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10)


# ---------------------------------------------------------------- invariants

SMALL_TREE = "(((a:1,b:2):0.5,c:3):1,(d:0.25,(e:1,f:0):2):0.75);"
TIPS = list("abcdef")


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.int64, st.tuples(st.integers(2, 6), st.just(6)), elements=st.integers(0, 9)),
    st.permutations(list(range(6))),
)
def test_unifrac_invariants(x: np.ndarray, perm: list[int]) -> None:
    tree = parse_newick(SMALL_TREE)
    ids_perm = [TIPS[p] for p in perm]
    pd = gd.faith_pd(x, TIPS, tree)
    np.testing.assert_allclose(gd.faith_pd(x[:, perm], ids_perm, tree), pd, atol=1e-12)
    np.testing.assert_array_equal(gd.faith_pd(sp.csr_matrix(x), TIPS, tree), pd)
    for metric in ("unweighted_unifrac", "weighted_unifrac"):
        d = gd.beta_diversity(metric, x, feature_ids=TIPS, tree=tree)
        assert d.shape == (x.shape[0], x.shape[0])
        np.testing.assert_array_equal(d, d.T)
        assert np.all(np.diag(d) == 0)
        assert np.all(d >= 0)
        dp = gd.beta_diversity(metric, x[:, perm], feature_ids=ids_perm, tree=tree)
        np.testing.assert_allclose(dp, d, atol=1e-12)
        ds = gd.beta_diversity(metric, sp.csr_matrix(x), feature_ids=TIPS, tree=tree)
        np.testing.assert_allclose(ds, d, atol=1e-12)


def test_small_tree_against_skbio() -> None:
    skbio = pytest.importorskip("skbio")
    from skbio.diversity import alpha_diversity, beta_diversity

    x = np.array([[1, 0, 3, 0, 2, 0], [0, 4, 0, 1, 0, 2], [5, 5, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0]])
    sk_tree = skbio.TreeNode.read(io.StringIO(SMALL_TREE))
    tree = parse_newick(SMALL_TREE)
    np.testing.assert_allclose(
        gd.faith_pd(x, TIPS, tree),
        alpha_diversity("faith_pd", x, taxa=TIPS, tree=sk_tree).to_numpy(),
        atol=1e-12,
    )
    for metric in ("unweighted_unifrac", "weighted_unifrac"):
        np.testing.assert_allclose(
            gd.beta_diversity(metric, x, feature_ids=TIPS, tree=tree),
            beta_diversity(metric, x, taxa=TIPS, tree=sk_tree).data,
            atol=1e-12,
        )


# ---------------------------------------------------------------- errors


def test_tree_missing_table_tips() -> None:
    tree = parse_newick("(a:1,b:2);")
    with pytest.raises(InputError, match=r"tree missing tips of the table.*'zz'"):
        gd.faith_pd([[1, 2, 3]], ["a", "b", "zz"], tree)
    with pytest.raises(InputError, match="tree missing tips of the table"):
        gd.weighted_unifrac([[1, 2], [0, 1]], ["a", "q"], tree)


def test_missing_branch_lengths() -> None:
    tree = parse_newick("(a:1,b);")
    assert tree.has_length.tolist() == [True, False, False]
    with pytest.raises(InputError, match="branch lengths missing"):
        gd.faith_pd([[1, 2]], ["a", "b"], tree)


def test_feature_ids_length_mismatch() -> None:
    with pytest.raises(InputError, match="feature ids do not match"):
        gd.faith_pd([[1, 2]], ["a"], parse_newick("(a:1,b:2);"))
