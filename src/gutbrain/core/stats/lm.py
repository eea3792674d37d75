r"""Ordinary least squares for many responses sharing one design.

For a design :math:`X` (n × p, full column rank after removing aliased
columns) and responses :math:`Y` (n × m, one column per feature), with
:math:`X = QR`:

.. math::
    \hat B = R^{-1} Q^\top Y, \qquad
    s_j^2 = \frac{\lVert y_j - X\hat\beta_j \rVert^2}{n - p}, \qquad
    \operatorname{se}(\hat\beta_{kj}) = s_j \sqrt{[(R^\top R)^{-1}]_{kk}},

and two-sided t-test p-values with :math:`n - p` degrees of freedom, as R's
``lm`` / ``glm(family = gaussian)``. One factorisation serves every feature.
Features with missing values (``NaN``) are fitted on their complete rows; the
features sharing a pattern of missing values share a factorisation.

Columns that are linear combinations of earlier ones are *aliased* (R reports
``NA`` for them): their coefficient, SE and p are ``NaN``. A feature with
fewer complete rows than coefficients has ``NaN`` results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import linalg, stats

__all__ = ["LinearFit", "aliased_columns", "ols"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: R's ``lm`` tolerance for declaring a column aliased (``qr(tol = 1e-7)``).
ALIAS_TOL = 1e-7
#: Responses are read this many values (rows × m) at a time (8 MB of float64).
ROW_BLOCK = 1_000_000
#: Explicit residuals are formed this many values (n × columns) at a time.
RESID_BLOCK = 8_000_000
#: Residual sums of squares below this share of the response's sum of squares are
#: recomputed from explicit residuals (the shortcut would lose digits to cancellation).
RSS_GUARD = 1e-2


@dataclass(frozen=True)
class LinearFit:
    """Per-coefficient results, coefficients × features."""

    coef: FloatArray
    stderr: FloatArray
    tvalue: FloatArray
    pval: FloatArray
    df: FloatArray  # residual degrees of freedom per feature
    n: npt.NDArray[np.intp]  # rows used per feature


def aliased_columns(x: FloatArray, tol: float = ALIAS_TOL) -> BoolArray:
    """Columns that are (nearly) linear combinations of the columns before them.

    A column is aliased when the norm of its part orthogonal to the kept
    earlier columns is below ``tol`` times its own norm.

    >>> aliased_columns(np.array([[1.0, 2.0, 0.0], [1.0, 2.0, 1.0]])).tolist()
    [False, True, False]
    """
    n, p = x.shape
    out = np.zeros(p, dtype=bool)
    basis = np.empty((n, 0))
    for j in range(p):
        col = x[:, j]
        norm = float(np.linalg.norm(col))
        resid = col - basis @ (basis.T @ col) if basis.shape[1] else col
        rnorm = float(np.linalg.norm(resid))
        if norm == 0.0 or rnorm < tol * norm or basis.shape[1] >= n:
            out[j] = True
            continue
        basis = np.hstack([basis, (resid / rnorm)[:, None]])
    return out


def _fit_block(
    x: FloatArray, y: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, BoolArray | None]:
    """OLS of every column of ``y`` on ``x``, assuming no missing values.

    Returns coef, SE, df and which columns were all finite (a non-finite value makes
    its column's residual sum of squares non-finite; ``None`` when nothing was fitted).
    ``y`` is read once, a block of rows at a time, and no n × m temporary is made; the
    residual sum of squares is
    :math:`\\lVert y\\rVert^2 - \\lVert Q^\\top y\\rVert^2` unless that loses digits.
    """
    n, p = x.shape
    m = y.shape[1]
    coef = np.full((p, m), np.nan)
    se = np.full((p, m), np.nan)
    alias = aliased_columns(x)
    keep = ~alias
    r = int(keep.sum())
    df = float(n - r)
    if r == 0 or df <= 0:
        return coef, se, np.full(m, df), None
    xk = np.ascontiguousarray(x[:, keep])
    q, rr = linalg.qr(xk, mode="economic")
    qt = np.ascontiguousarray(q.T)
    # numpy's inverse of the small triangle: scipy's triangular solver can be very slow
    # on tiny systems when OpenBLAS threads compete for busy cores
    rinv = np.linalg.inv(rr)
    # Qᵀy and |y|² in one pass over y, a block of rows at a time (each block is read from
    # memory once, contiguously for C-ordered y); RSS = |y|² − |Qᵀy|² needs no residuals
    qty = np.zeros((r, m))
    ss = np.zeros(m)
    step = max(1, ROW_BLOCK // max(m, 1))
    for a in range(0, n, step):
        yb = y[a : a + step]
        qty += qt[:, a : a + step] @ yb
        ss += np.einsum("ij,ij->j", yb, yb)
    b = rinv @ qty
    s2 = ss - np.einsum("ij,ij->j", qty, qty)
    # where the difference loses more than about two digits, form the residuals explicitly
    exact = np.flatnonzero(np.isfinite(ss) & ~(s2 > RSS_GUARD * ss))
    width = max(1, RESID_BLOCK // n)
    for a in range(0, exact.size, width):
        cols = exact[a : a + width]
        resid = y[:, cols] - xk @ b[:, cols]
        s2[cols] = np.einsum("ij,ij->j", resid, resid)
    finite = np.isfinite(s2) & np.isfinite(b).all(axis=0)
    s2 /= df
    unscaled = np.einsum("ij,ij->i", rinv, rinv)  # diag((R'R)^-1)
    coef[keep] = b
    se[keep] = np.sqrt(unscaled[:, None] * s2[None, :])
    return coef, se, np.full(m, df), finite


def ols(x: FloatArray, y: FloatArray) -> LinearFit:
    """Fit every feature (column of ``y``) on the design ``x`` at once.

    Parameters
    ----------
    x:
        n × p design (include the intercept column yourself); no missing values.
    y:
        n × m responses; ``NaN`` marks a value to leave out for that feature.

    Examples
    --------
    >>> x = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> fit = ols(x, np.array([[1.0], [3.0], [5.0], [7.5]]))
    >>> fit.coef.ravel().round(3).tolist(), fit.df.tolist()
    ([0.9, 2.15], [2.0])
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    n = x.shape[0]
    if y.shape[0] != n:
        raise ValueError(f"x has {n} rows but y has {y.shape[0]}")
    m = y.shape[1]
    # the common case first: every column on all rows, no copy of y; the columns with a
    # missing value (non-finite results) are then refitted on their complete rows
    with np.errstate(invalid="ignore", over="ignore"):
        coef, se, df, ok = _fit_block(x, y)
    used = np.full(m, n, dtype=np.intp)
    if ok is not None and ok.all():
        return _finish(coef, se, df, used)
    redo = np.arange(m) if ok is None else np.flatnonzero(~ok)
    finite = np.isfinite(y[:, redo]) if redo.size < m else np.isfinite(y)
    complete = finite.all(axis=0)
    coef[:, redo], se[:, redo], df[redo], used[redo] = np.nan, np.nan, np.nan, 0
    batches: list[tuple[BoolArray, npt.NDArray[np.intp]]] = []
    if complete.any():
        batches.append((np.ones(n, dtype=bool), np.flatnonzero(complete)))
    partial = np.flatnonzero(~complete)
    if partial.size:
        patterns, inverse = np.unique(finite[:, partial].T, axis=0, return_inverse=True)
        for k, rows in enumerate(patterns):
            batches.append((rows, partial[np.asarray(inverse).ravel() == k]))
    for rows, local in batches:
        cols = redo[local]
        used[cols] = int(rows.sum())
        if used[cols[0]] == 0:
            continue
        ys = y[:, cols] if rows.all() else y[np.ix_(rows, cols)]
        c, s, d, _ = _fit_block(x[rows], ys)
        coef[:, cols], se[:, cols], df[cols] = c, s, d
    return _finish(coef, se, df, used)


def _finish(
    coef: FloatArray, se: FloatArray, df: FloatArray, used: npt.NDArray[np.intp]
) -> LinearFit:
    with np.errstate(divide="ignore", invalid="ignore"):
        t = coef / se
        pval = 2.0 * stats.t.sf(np.abs(t), np.where(df > 0, df, np.nan)[None, :])
    return LinearFit(coef, se, t, pval, df, used)
