"""Filters, normalisations and transforms against hand-computed values and invariants."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gutbrain.core.stats.transforms import (
    check_combination,
    filter_features,
    make_names,
    normalize,
    transform,
)
from gutbrain.errors import InputError, OptionError

EPS = np.finfo(np.float64).eps


def test_make_names_like_r() -> None:
    # R: make.names(c("Faecalibacterium prausnitzii","1abc","a-b","_x","TRUE","a.b"), unique=TRUE)
    got = make_names(["Faecalibacterium prausnitzii", "1abc", "a-b", "_x", "TRUE", "a.b", ""])
    assert got == ["Faecalibacterium.prausnitzii", "X1abc", "a.b", "X_x", "TRUE.", "a.b.1", "X"]
    assert make_names(["a b", "a.b"], unique=False) == ["a.b", "a.b"]


def test_prevalence_filter_is_strict_and_counts_na_as_zero() -> None:
    # 10 samples: n * 0.1 = 1, so a feature needs 2 non-zero samples
    x = np.zeros((10, 3))
    x[0, 0] = 1.0
    x[:2, 1] = [1.0, 2.0]
    x[:3, 2] = [np.nan, 1.0, 1.0]
    assert filter_features(x).tolist() == [False, True, True]
    # abundance threshold is strict too
    assert filter_features(x, min_abundance=1.0).tolist() == [False, False, False]


def test_variance_filter_is_strict() -> None:
    x = np.array([[1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    assert filter_features(x).tolist() == [False, True]
    assert filter_features(x, min_variance=1.0).tolist() == [False, False]  # var = 1, not > 1
    assert filter_features(x, min_variance=0.99).tolist() == [False, True]


def test_constant_feature_has_zero_variance() -> None:
    x = np.full((7, 2), 0.1)
    x[:, 1] = [0.1, 0.2, 0.1, 0.1, 0.1, 0.1, 0.1]
    assert filter_features(x).tolist() == [False, True]
    assert filter_features(sp.csr_array(x)).tolist() == [False, True]


def test_sparse_filter_and_tss_equal_dense() -> None:
    rng = np.random.default_rng(3)
    x = rng.random((30, 12)) * (rng.random((30, 12)) < 0.3)
    x[5] = 0.0
    x[:, 3] = 0.0
    s = sp.csr_array(x)
    for kwargs in ({}, {"min_abundance": 0.2}, {"min_prevalence": 0.3, "min_variance": 0.01}):
        assert np.array_equal(filter_features(s, **kwargs), filter_features(x, **kwargs))
    dense = normalize(x, "TSS")
    sparse = normalize(s, "TSS")
    assert sp.issparse(sparse)
    np.testing.assert_allclose(sparse.toarray(), dense, rtol=1e-15, atol=0)


def test_tss_hand_computed_and_zero_row() -> None:
    x = np.array([[1.0, 3.0, 0.0], [0.0, 0.0, 0.0], [2.0, np.nan, 2.0]])
    got = normalize(x, "TSS")
    np.testing.assert_array_equal(got[0], [0.25, 0.75, 0.0])
    np.testing.assert_array_equal(got[1], [0.0, 0.0, 0.0])  # divided by eps, not by 0
    np.testing.assert_array_equal(got[2], [0.5, np.nan, 0.5])
    tiny = normalize(np.array([[EPS / 4, 0.0]]), "TSS")
    assert tiny[0, 0] == pytest.approx(0.25)  # max(eps, sum) rule


def test_clr_hand_computed() -> None:
    x = np.array([[0.0, 1.0, 3.0]])
    logs = np.log([1.0, 2.0, 4.0])
    np.testing.assert_allclose(normalize(x, "CLR"), [logs - logs.mean()], rtol=1e-14)


def test_log_uses_half_minimum_per_feature() -> None:
    x = np.array([[0.0, 0.5], [0.25, 0.0], [1.0, 2.0]])
    got = transform(x, "LOG")
    np.testing.assert_allclose(got[:, 0], np.log2([0.125, 0.25, 1.0]))
    np.testing.assert_allclose(got[:, 1], np.log2([0.5, 0.25, 2.0]))


def test_ast_and_logit_hand_computed() -> None:
    x = np.array([[0.0], [0.25], [1.0], [-0.5]])
    np.testing.assert_allclose(
        transform(x, "AST").ravel(), [0.0, np.pi / 6, np.pi / 2, -np.pi / 4], rtol=1e-15
    )
    p = np.array([[0.0], [0.5], [0.2], [1.0]])
    np.testing.assert_allclose(transform(p, "LOGIT").ravel(), [0.0, 0.0, np.log(0.25), 0.0])
    percents = np.array([[50.0], [20.0]])
    np.testing.assert_allclose(transform(percents, "LOGIT").ravel(), [0.0, np.log(0.25)])


def test_transforms_do_not_mutate() -> None:
    x = np.array([[0.0, 0.5], [0.25, 0.0]])
    before = x.copy()
    for method in ("LOG", "AST", "LOGIT", "NONE"):
        transform(x, method)
    for norm in ("TSS", "CLR", "NONE"):
        normalize(x, norm)
    assert np.array_equal(x, before)


@pytest.mark.parametrize(
    ("norm", "trans", "match"),
    [
        ("CLR", "AST", "transform AST cannot follow normalisation CLR.*expected normalization TSS"),
        ("CLR", "LOGIT", "LOGIT cannot follow normalisation CLR"),
        ("CSS", "LOG", "unknown normalisation; found 'CSS'; expected one of TSS, CLR, NONE"),
        ("TSS", "SQRT", "unknown transform; found 'SQRT'; expected one of LOG, LOGIT, AST, NONE"),
    ],
)
def test_bad_combinations(norm: str, trans: str, match: str) -> None:
    with pytest.raises(OptionError, match=match):
        check_combination(norm, trans)


def test_ast_out_of_range_names_feature_and_value() -> None:
    x = np.array([[0.1, 0.2], [0.3, 1.5]])
    with pytest.raises(
        InputError,
        match=r"feature f2, sample 2: 1 value\(s\) outside the range of the AST transform; "
        r"found 1\.5; expected values in \[-1, 1\]",
    ):
        transform(x, "AST", names=["f1", "f2"])


def test_logit_out_of_range() -> None:
    with pytest.raises(InputError, match=r"outside the range of the LOGIT transform; found -0\.1"):
        transform(np.array([[-0.1], [0.5]]), "LOGIT")


positive_rows = arrays(
    np.float64,
    st.tuples(st.integers(1, 6), st.integers(1, 8)),
    elements=st.floats(0, 1e6, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=60, deadline=None)
@given(positive_rows)
def test_tss_rows_sum_to_one(x: np.ndarray) -> None:
    got = normalize(x, "TSS")
    sums = got.sum(axis=1)
    nonzero = x.sum(axis=1) > EPS
    np.testing.assert_allclose(sums[nonzero], 1.0, rtol=1e-12)
    assert np.all(got >= 0)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        elements=st.floats(-1, 1, allow_nan=False),
    )
)
def test_ast_is_invertible(x: np.ndarray) -> None:
    y = transform(x, "AST")
    np.testing.assert_allclose(np.sign(y) * np.sin(y) ** 2, x, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 5)),
        elements=st.floats(1e-6, 1e6, allow_nan=False),
    )
)
def test_log_is_invertible_on_positive_values(x: np.ndarray) -> None:
    np.testing.assert_allclose(2.0 ** transform(x, "LOG"), x, rtol=1e-12)


@settings(max_examples=40, deadline=None)
@given(positive_rows)
def test_filter_is_permutation_equivariant(x: np.ndarray) -> None:
    perm = np.random.default_rng(0).permutation(x.shape[1])
    rows = np.random.default_rng(1).permutation(x.shape[0])
    keep = filter_features(x, min_prevalence=0.2)
    assert np.array_equal(filter_features(x[rows][:, perm], min_prevalence=0.2), keep[perm])
