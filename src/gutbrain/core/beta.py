"""Non-phylogenetic beta diversity: Bray–Curtis, Jaccard and Aitchison distances.

Inputs are samples × features tables (numpy arrays or ``scipy.sparse``
matrices, kept sparse); outputs are square, symmetric float64 distance matrices
with a zero diagonal, in the row order of the input (sample ids are the caller's).

Bray–Curtis uses :math:`\\sum_k |x_k - y_k| = \\sum x + \\sum y - 2 \\sum_k
\\min(x_k, y_k)` and computes the pairwise :math:`\\sum \\min` one feature at a
time over the samples that contain it, so its cost is :math:`\\sum_k n_k^2`
(:math:`n_k` = samples containing feature *k*) instead of
:math:`n^2 \\times` features.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.spatial.distance import cdist

from gutbrain.core.alpha import CountTable, FloatArray, validate_counts
from gutbrain.errors import InputError

__all__ = ["aitchison", "braycurtis", "jaccard", "pairwise_min_sum"]

_BLOCK = 2048


def pairwise_min_sum(x: CountTable) -> FloatArray:
    r"""Matrix :math:`M_{ij} = \sum_k \min(x_{ik}, x_{jk})` for a non-negative table.

    Works one feature (column) at a time, touching only the samples in which the
    feature is non-zero; the diagonal holds the row sums. Not validated (internal
    building block of :func:`braycurtis` and weighted UniFrac).

    Examples
    --------
    >>> pairwise_min_sum(np.array([[1.0, 2.0], [3.0, 0.0]])).tolist()
    [[3.0, 1.0], [1.0, 3.0]]
    """
    csc = sp.csc_matrix(x)
    n = csc.shape[0]
    out = np.zeros((n, n), dtype=np.float64)
    indptr, indices, data = csc.indptr, csc.indices, csc.data
    # Singletons only touch the diagonal: add them in one go.
    sizes = np.diff(indptr)
    single = np.flatnonzero(sizes == 1)
    if single.size:
        starts = indptr[single]
        np.add.at(out, (indices[starts], indices[starts]), data[starts])
    for col in np.flatnonzero(sizes > 1).tolist():
        lo, hi = int(indptr[col]), int(indptr[col + 1])
        rows = indices[lo:hi]
        vals = data[lo:hi]
        if hi - lo <= _BLOCK:
            out[np.ix_(rows, rows)] += np.minimum.outer(vals, vals)
        else:
            for start in range(0, hi - lo, _BLOCK):
                part = slice(start, start + _BLOCK)
                out[np.ix_(rows[part], rows)] += np.minimum.outer(vals[part], vals)
    return out


def _hollow_symmetric(d: FloatArray) -> FloatArray:
    d = 0.5 * (d + d.T)
    np.fill_diagonal(d, 0.0)
    return d


def braycurtis(counts: CountTable) -> FloatArray:
    r"""Bray–Curtis dissimilarity between all pairs of samples.

    .. math:: d_{ij} = \frac{\sum_k |x_{ik} - x_{jk}|}{\sum_k (x_{ik} + x_{jk})}
                     = 1 - \frac{2 \sum_k \min(x_{ik}, x_{jk})}{\sum_k x_{ik} + \sum_k x_{jk}}

    Same values as scikit-bio ``beta_diversity("braycurtis", …)`` (scipy's
    ``pdist``). Two empty samples are at distance NaN (0/0, as scipy); an empty
    and a non-empty sample are at distance 1. Reference: Bray JR, Curtis JT (1957)
    Ecol Monogr 27:325–349.

    Returns
    -------
    ndarray of shape (n_samples, n_samples)

    Examples
    --------
    >>> braycurtis([[1, 2, 0, 4], [3, 0, 1, 1]]).round(6).tolist()
    [[0.0, 0.666667], [0.666667, 0.0]]
    """
    x = validate_counts(counts)
    totals = np.asarray(x.sum(axis=1), dtype=np.float64).ravel()
    shared = pairwise_min_sum(x)
    # In place on the n × n buffers: d = (T_i + T_j - 2 M_ij) / (T_i + T_j).
    denom = np.add.outer(totals, totals)
    d = shared
    d *= -2.0
    d += denom
    with np.errstate(invalid="ignore", divide="ignore"):
        np.divide(d, denom, out=d)
    del denom
    np.clip(d, 0.0, 1.0, out=d)  # rounding can leave -1e-17; NaN passes through
    np.fill_diagonal(d, 0.0)  # M is exactly symmetric, so d is too
    return d


def _presence(x: CountTable) -> sp.csr_matrix:
    if sp.issparse(x):
        b = sp.csr_matrix(x, copy=True)
        b.data = np.ones_like(b.data)
        return b
    return sp.csr_matrix((x > 0).astype(np.float64))


def jaccard(counts: CountTable) -> FloatArray:
    r"""Jaccard distance on presence/absence between all pairs of samples.

    .. math:: d_{ij} = 1 - \frac{|A_i \cap A_j|}{|A_i \cup A_j|}

    with :math:`A_i` the set of features present (> 0) in sample *i*. Two empty
    samples are at distance 0 (as scipy/scikit-bio). Reference: Jaccard P (1912)
    New Phytol 11:37–50.

    Examples
    --------
    >>> jaccard([[1, 2, 0], [3, 0, 1]]).round(6).tolist()
    [[0.0, 0.666667], [0.666667, 0.0]]
    """
    b = _presence(validate_counts(counts))
    inter = np.asarray((b @ b.T).toarray(), dtype=np.float64)
    n_obs = np.diag(inter).copy()
    union = n_obs[:, None] + n_obs[None, :] - inter
    d = np.divide(union - inter, union, out=np.zeros_like(union), where=union > 0)
    return _hollow_symmetric(d)


def _clr_rows(x: CountTable, rows: slice, pseudocount: float) -> FloatArray:
    block = x[rows]
    dense = block.toarray() if sp.issparse(block) else np.array(block, dtype=np.float64)
    logs = np.log(dense + pseudocount)
    return np.asarray(logs - logs.mean(axis=1, keepdims=True), dtype=np.float64)


def aitchison(counts: CountTable, *, pseudocount: float = 1.0) -> FloatArray:
    r"""Aitchison distance: Euclidean distance between centred log-ratio transforms.

    .. math:: d_{ij} = \lVert \mathrm{clr}(x_i + c) - \mathrm{clr}(x_j + c) \rVert_2,
              \qquad \mathrm{clr}(x)_k = \ln x_k - \frac{1}{D}\sum_{l=1}^{D} \ln x_l

    **Zeros.** scikit-bio 0.7.4 has no ``"aitchison"`` beta metric
    (``beta_diversity("aitchison", …)`` raises ``ValueError``); its ``clr`` rejects
    zeros. We follow the convention of QIIME 2 (``q2-diversity beta --p-metric
    aitchison``): add ``pseudocount`` (default 1) to *every* count, then clr, then
    Euclidean distance — i.e. exactly scikit-bio's
    ``beta_diversity("euclidean", clr(counts + 1))``. With ``pseudocount=0`` any zero
    is an error. Empty samples are allowed (all clr values 0 with a pseudocount).
    Reference: Aitchison J (1986) The Statistical Analysis of Compositional Data.

    Raises
    ------
    InputError
        A zero count with ``pseudocount=0``, or a negative pseudocount.

    Examples
    --------
    >>> aitchison([[1, 3], [3, 1]]).round(6).tolist()
    [[0.0, 0.980258], [0.980258, 0.0]]
    """
    x = validate_counts(counts)
    if not pseudocount >= 0 or not np.isfinite(pseudocount):
        raise InputError(
            "invalid pseudocount",
            where="aitchison",
            found=str(pseudocount),
            expected="a finite number ≥ 0",
            fix="use the default 1",
        )
    if pseudocount == 0:
        nnz = x.nnz if sp.issparse(x) else int(np.count_nonzero(x))
        if nnz != x.shape[0] * x.shape[1]:
            raise InputError(
                "zeros in table for Aitchison distance without pseudocount",
                where="counts",
                found=f"{x.shape[0] * x.shape[1] - nnz} zeros",
                expected="strictly positive values",
                fix="use pseudocount=1 (the default)",
            )
    n = x.shape[0]
    out = np.zeros((n, n), dtype=np.float64)
    step = 1024
    blocks = [slice(s, min(s + step, n)) for s in range(0, n, step)]
    for bi, rows_i in enumerate(blocks):
        ci = _clr_rows(x, rows_i, pseudocount)
        for rows_j in blocks[bi:]:
            cj = ci if rows_j == rows_i else _clr_rows(x, rows_j, pseudocount)
            d = cdist(ci, cj, "euclidean")
            out[rows_i, rows_j] = d
            out[rows_j, rows_i] = d.T
    return _hollow_symmetric(out)
