"""Principal coordinate analysis (classical multidimensional scaling)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.linalg import eigh

from gutbrain.errors import InputError, OptionError

__all__ = ["PCoAResult", "pcoa"]


@dataclass(frozen=True)
class PCoAResult:
    """Result of :func:`pcoa`.

    Attributes
    ----------
    coordinates:
        ``(n_samples, n_axes)`` sample coordinates, in the row order of the input.
    eigenvalues:
        ``(n_axes,)`` eigenvalues, descending; negative ones are set to 0.
    proportion_explained:
        ``(n_axes,)`` share of the total variance on each axis.
    """

    coordinates: NDArray[np.float64]
    eigenvalues: NDArray[np.float64]
    proportion_explained: NDArray[np.float64]


def pcoa(distance_matrix: ArrayLike, n_axes: int) -> PCoAResult:
    r"""Principal coordinate analysis of a square distance matrix by full eigendecomposition.

    The Gower-centred matrix

    .. math:: F = -\tfrac12 \, J D^{\circ 2} J, \qquad J = I - \tfrac1n \mathbf{1}\mathbf{1}^\top

    is decomposed with ``scipy.linalg.eigh``; coordinates are
    :math:`U_k \sqrt{\lambda_k}`. As scikit-bio's ``pcoa(method="eigh")``:
    eigenvalues close to 0 (``numpy.isclose``) become 0, negative eigenvalues and
    their axes are zeroed, and the proportion explained is
    :math:`\lambda_k / \operatorname{tr} F` when fewer than *n* axes are kept, else
    :math:`\lambda_k / \sum_{\lambda>0} \lambda`.

    **Sign convention**: each axis is oriented so that its largest-magnitude
    coordinate is positive (scikit-bio leaves the LAPACK sign, so compare up to a
    sign per axis). Reference: Gower JC (1966) Biometrika 53:325–338.

    Parameters
    ----------
    distance_matrix:
        Square, symmetric, hollow, finite, non-negative matrix.
    n_axes:
        Number of axes to return, 1 ≤ ``n_axes`` ≤ n.

    Examples
    --------
    >>> r = pcoa([[0, 3, 4], [3, 0, 5], [4, 5, 0]], 2)
    >>> r.eigenvalues.round(4).tolist(), r.proportion_explained.round(4).tolist()
    ([12.9641, 3.7025], [0.7778, 0.2222])
    """
    d = np.array(distance_matrix, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1] or d.shape[0] == 0:
        raise InputError(
            "distance matrix must be square",
            where="pcoa",
            found=f"shape {d.shape}",
            expected="n × n with n ≥ 1",
        )
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise InputError(
            "distance matrix has NaN, infinite or negative values",
            where="pcoa",
            found="invalid distances",
            expected="finite non-negative distances",
            fix="drop empty samples before computing distances",
        )
    if not np.allclose(d, d.T) or np.any(np.diag(d) != 0):
        raise InputError(
            "distance matrix is not symmetric with zero diagonal",
            where="pcoa",
            found="asymmetric or non-hollow matrix",
            expected="d[i, j] == d[j, i] and d[i, i] == 0",
        )
    n = d.shape[0]
    if not 1 <= n_axes <= n:
        raise OptionError(
            "invalid number of PCoA axes",
            where="n_axes",
            found=str(n_axes),
            expected=f"an integer from 1 to {n}",
        )
    e = -0.5 * d * d
    e -= e.mean(axis=0, keepdims=True)
    e -= e.mean(axis=1, keepdims=True)
    vals, vecs = eigh(e)
    vals = np.where(np.isclose(vals, 0.0), 0.0, vals)
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    positive = vals >= 0
    vals = np.where(positive, vals, 0.0)
    vecs = vecs * positive
    total = float(np.trace(e)) if n_axes < n else float(vals.sum())
    vals, vecs = vals[:n_axes], vecs[:, :n_axes]
    pick = np.argmax(np.abs(vecs), axis=0)
    signs = np.sign(vecs[pick, np.arange(n_axes)])
    signs[signs == 0] = 1.0
    coords = vecs * signs * np.sqrt(vals)
    return PCoAResult(
        coordinates=np.asarray(coords, dtype=np.float64),
        eigenvalues=np.asarray(vals, dtype=np.float64),
        proportion_explained=np.asarray(vals / total, dtype=np.float64),
    )
