"""Alpha diversity of samples × features count tables (dense or sparse).

Every function takes a 2-D table with samples as rows — a numpy array or a
``scipy.sparse`` matrix, which stays sparse — and returns one float per sample.
Inputs are checked once by :func:`validate_counts` (2-D, finite, non-negative).
Empty (all-zero) samples give ``NaN`` where the index is undefined, like
scikit-bio: Shannon, Simpson and Pielou's evenness; observed features, Chao1 and
Faith PD give 0.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from gutbrain.errors import InputError

__all__ = [
    "CountTable",
    "chao1",
    "observed_features",
    "pielou_e",
    "shannon",
    "simpson",
    "validate_counts",
]

#: A samples × features table: a numpy array or any ``scipy.sparse`` matrix/array.
CountTable: TypeAlias = Any
FloatArray: TypeAlias = NDArray[np.float64]


def validate_counts(counts: CountTable, *, where: str = "counts") -> CountTable:
    """Check a samples × features table and return it as float64 (CSR if sparse).

    The argument is never modified; a sparse input is returned as a canonical CSR
    matrix (duplicates summed, explicit zeros removed), a dense one as a float64
    ``ndarray``.

    Raises
    ------
    InputError
        Not 2-D, non-numeric, NaN/infinite or negative values.

    Examples
    --------
    >>> validate_counts([[1, 2], [0, 3]]).dtype
    dtype('float64')
    """
    if sp.issparse(counts):
        if counts.ndim != 2:
            raise InputError(
                "count table must be 2-D",
                where=where,
                found=f"{counts.ndim}-D",
                expected="samples × features",
            )
        out = sp.csr_matrix(counts, dtype=np.float64, copy=True)
        out.sum_duplicates()
        values = out.data
    else:
        try:
            out = np.array(counts, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(
                "count table is not numeric",
                where=where,
                found=str(exc),
                expected="numbers",
                fix="convert the table to numbers",
            ) from None
        if out.ndim != 2:
            raise InputError(
                "count table must be 2-D",
                where=where,
                found=f"{out.ndim}-D array of shape {out.shape}",
                expected="samples × features",
                fix="pass a 2-D table (reshape one sample to 1 × n)",
            )
        values = out
    if not np.all(np.isfinite(values)):
        bad = int(np.size(values) - np.count_nonzero(np.isfinite(values)))
        raise InputError(
            "NaN or infinite values in count table",
            where=where,
            found=f"{bad} non-finite values",
            expected="finite counts",
            fix="remove or replace missing values",
        )
    if np.any(values < 0):
        raise InputError(
            "negative values in count table",
            where=where,
            found=f"{int(np.count_nonzero(values < 0))} negative values "
            f"(min {float(values.min())})",
            expected="non-negative counts or abundances",
            fix="use raw counts or relative abundances, not transformed values",
        )
    if sp.issparse(out):
        out.eliminate_zeros()
    return out


def _row_sums(x: CountTable) -> FloatArray:
    return np.asarray(x.sum(axis=1), dtype=np.float64).ravel()


def _row_nnz(x: CountTable) -> FloatArray:
    if sp.issparse(x):
        return np.asarray(np.diff(x.indptr), dtype=np.float64)
    return np.asarray(np.count_nonzero(x, axis=1), dtype=np.float64)


def _proportions(x: CountTable) -> tuple[CountTable, FloatArray]:
    """Row-normalised table (empty rows stay zero) and the row totals."""
    totals = _row_sums(x)
    inv = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    if sp.issparse(x):
        return sp.csr_matrix(sp.diags(inv) @ x), totals
    return x * inv[:, None], totals


def observed_features(counts: CountTable) -> FloatArray:
    r"""Number of features with a non-zero count, per sample.

    .. math:: S_{obs} = \#\{j : x_j > 0\}

    Empty samples give 0. Reference: scikit-bio ``observed_features``.

    Examples
    --------
    >>> observed_features([[1, 0, 3], [0, 0, 0]]).tolist()
    [2.0, 0.0]
    """
    return _row_nnz(validate_counts(counts))


def shannon(counts: CountTable) -> FloatArray:
    r"""Shannon entropy with the natural logarithm, per sample.

    .. math:: H = -\sum_j p_j \ln p_j, \qquad p_j = x_j / \sum_k x_k

    Empty samples give NaN. Same as scikit-bio ≥ 0.6 ``shannon`` (base *e*).
    Reference: Shannon CE (1948) Bell Syst Tech J 27:379–423.

    Examples
    --------
    >>> round(float(shannon([[1, 1, 2]])[0]), 6)
    1.039721
    """
    x = validate_counts(counts)
    p, totals = _proportions(x)
    if sp.issparse(p):
        terms = p.copy()
        terms.data = -terms.data * np.log(terms.data)
        h = _row_sums(terms)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.sum(np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0), axis=1)
    h[totals == 0] = np.nan
    return np.asarray(h, dtype=np.float64)


def simpson(counts: CountTable) -> FloatArray:
    r"""Gini–Simpson index, per sample.

    .. math:: D = 1 - \sum_j p_j^2

    Empty samples give NaN (as scikit-bio). Reference: Simpson EH (1949) Nature 163:688.

    Examples
    --------
    >>> float(simpson([[1, 1, 2]])[0])
    0.625
    """
    x = validate_counts(counts)
    p, totals = _proportions(x)
    sq = p.multiply(p) if sp.issparse(p) else p * p
    d = 1.0 - _row_sums(sq)
    d[totals == 0] = np.nan
    return d


def pielou_e(counts: CountTable) -> FloatArray:
    r"""Pielou's evenness, per sample.

    .. math:: J' = H / \ln S_{obs}

    with :math:`H` the Shannon entropy (natural log). Empty samples give NaN; a
    sample with a single observed feature gives 1.0 (scikit-bio's convention).
    Reference: Pielou EC (1966) J Theor Biol 13:131–144.

    Examples
    --------
    >>> round(float(pielou_e([[1, 1, 2]])[0]), 6)
    0.946395
    """
    x = validate_counts(counts)
    h = shannon(x)
    s = _row_nnz(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        j = h / np.log(s)
    j[s == 1] = 1.0
    j[s == 0] = np.nan
    return np.asarray(j, dtype=np.float64)


def chao1(counts: CountTable) -> FloatArray:
    r"""Bias-corrected Chao1 richness estimate, per sample.

    .. math:: S_{chao1} = S_{obs} + \frac{F_1 (F_1 - 1)}{2 (F_2 + 1)}

    with :math:`F_1`, :math:`F_2` the numbers of singletons and doubletons; this is
    scikit-bio's default (``bias_corrected=True``). Counts must be integers. Empty
    samples give 0. Reference: Chao A (1987) Biometrics 43:783–791.

    Raises
    ------
    InputError
        Non-integer counts.

    Examples
    --------
    >>> chao1([[1, 1, 2, 5]]).tolist()
    [4.5]
    """
    x = validate_counts(counts)
    values = x.data if sp.issparse(x) else x
    if not np.all(values == np.round(values)):
        raise InputError(
            "chao1 needs integer counts",
            where="counts",
            found="non-integer values",
            expected="integer read counts",
            fix="use raw counts (not relative abundances) for chao1",
        )
    if sp.issparse(x):
        f1 = _row_sums(sp.csr_matrix((x.data == 1, x.indices, x.indptr), shape=x.shape))
        f2 = _row_sums(sp.csr_matrix((x.data == 2, x.indices, x.indptr), shape=x.shape))
    else:
        f1 = np.count_nonzero(x == 1, axis=1).astype(np.float64)
        f2 = np.count_nonzero(x == 2, axis=1).astype(np.float64)
    return _row_nnz(x) + f1 * (f1 - 1.0) / (2.0 * (f2 + 1.0))
