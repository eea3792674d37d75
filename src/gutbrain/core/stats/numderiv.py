r"""Numerical derivatives by central differences with Richardson extrapolation.

The step for coordinate :math:`i` starts at :math:`h_i = d\,|x_i|`, plus
``eps`` when :math:`|x_i|` is below ``zero_tol`` (so a parameter at 0 still
moves). Estimates are made with the steps :math:`h, h/v, \dots, h/v^{r-1}`;
their leading error terms in :math:`h^2, h^4, \dots` are removed by
repeatedly combining neighbours as
:math:`a_k \leftarrow (4^m a_{k+1} - a_k) / (4^m - 1)` for
:math:`m = 1, \dots, r-1` (Richardson 1911; the scheme of the R package
``numDeriv``, Gilbert & Varadhan, whose defaults are used: ``r = 4``,
``v = 2``, ``eps = 1e-4``, ``d = 1e-4`` for gradients and ``d = 0.1`` for
Hessians). These defaults are what lmerTest's Satterthwaite degrees of
freedom are computed with, so using the same steps matters near a variance
boundary.

Second derivatives: the diagonal from :math:`(f(x+h_ie_i) - 2f(x) + f(x-h_ie_i))/h_i^2`;
an off-diagonal :math:`(i, j)` from the combined step
:math:`(f(x+h_ie_i+h_je_j) - 2f(x) + f(x-h_ie_i-h_je_j) - H_{ii}h_i^2 - H_{jj}h_j^2)/(2h_ih_j)`,
each extrapolated as above.

Both functions work on a batch: ``x`` is (m, n) (m independent points) and
``f`` maps (m, n) to (m,) or (m, o), so one call evaluates every point.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

__all__ = ["richardson_hessian", "richardson_jacobian"]

FloatArray = npt.NDArray[np.float64]

ZERO_TOL = float(np.sqrt(np.finfo(np.float64).eps / 7e-7))


def _initial_steps(x: FloatArray, d: float, eps: float) -> FloatArray:
    steps: FloatArray = np.abs(d * x) + eps * (np.abs(x) < ZERO_TOL)
    return steps


def _extrapolate(estimates: FloatArray) -> FloatArray:
    """Richardson-combine estimates along axis 0 (largest step first)."""
    a = estimates.copy()
    r = a.shape[0]
    for m in range(1, r):
        w = 4.0**m
        a[: r - m] = (w * a[1 : r - m + 1] - a[: r - m]) / (w - 1.0)
    result: FloatArray = a[0]
    return result


def richardson_jacobian(
    f: Callable[[FloatArray], FloatArray],
    x: FloatArray,
    *,
    d: float = 1e-4,
    eps: float = 1e-4,
    r: int = 4,
    v: float = 2.0,
) -> FloatArray:
    """Jacobians (m, outputs, inputs) of a vector function at m points ``x`` (m, n).

    >>> def f(z):
    ...     return np.column_stack([z[:, 0] ** 2 * z[:, 1], np.sin(z[:, 1])])
    >>> richardson_jacobian(f, np.array([[1.5, 0.0], [1.0, 1.0]])).round(8).tolist()
    [[[0.0, 2.25], [0.0, 1.0]], [[2.0, 1.0], [0.0, 0.54030231]]]
    """
    x = np.asarray(x, dtype=np.float64)
    m, n = x.shape
    h0 = _initial_steps(x, d, eps)
    f0 = np.asarray(f(x), dtype=np.float64).reshape(m, -1)
    out = np.empty((m, f0.shape[1], n))
    for i in range(n):
        est = np.empty((r, m, f0.shape[1]))
        h = h0[:, i].copy()
        for k in range(r):
            step = np.zeros_like(x)
            step[:, i] = h
            diff = np.asarray(f(x + step)).reshape(m, -1) - np.asarray(f(x - step)).reshape(m, -1)
            est[k] = diff / (2.0 * h[:, None])
            h = h / v
        out[:, :, i] = _extrapolate(est)
    return out


def richardson_hessian(
    f: Callable[[FloatArray], FloatArray],
    x: FloatArray,
    *,
    d: float = 0.1,
    eps: float = 1e-4,
    r: int = 4,
    v: float = 2.0,
) -> FloatArray:
    """Hessians (m, n, n) of a scalar function at m points ``x`` (m, n).

    >>> def f(z):
    ...     return z[:, 0] ** 2 * z[:, 1] + 3 * z[:, 1] ** 2
    >>> richardson_hessian(f, np.array([[1.0, 2.0]])).round(8).tolist()
    [[[4.0, 2.0], [2.0, 6.0]]]
    """
    x = np.asarray(x, dtype=np.float64)
    m, n = x.shape
    h0 = _initial_steps(x, d, eps)
    f0 = np.asarray(f(x), dtype=np.float64)
    hess = np.empty((m, n, n))
    for i in range(n):
        est = np.empty((r, m))
        h = h0[:, i].copy()
        for k in range(r):
            step = np.zeros_like(x)
            step[:, i] = h
            est[k] = (f(x + step) - 2.0 * f0 + f(x - step)) / h**2
            h = h / v
        hess[:, i, i] = _extrapolate(est)
    for i in range(n):
        for j in range(i):
            est = np.empty((r, m))
            hi, hj = h0[:, i].copy(), h0[:, j].copy()
            for k in range(r):
                step = np.zeros_like(x)
                step[:, i], step[:, j] = hi, hj
                est[k] = (
                    f(x + step)
                    - 2.0 * f0
                    + f(x - step)
                    - hess[:, i, i] * hi**2
                    - hess[:, j, j] * hj**2
                ) / (2.0 * hi * hj)
                hi, hj = hi / v, hj / v
            hess[:, i, j] = hess[:, j, i] = _extrapolate(est)
    return hess
