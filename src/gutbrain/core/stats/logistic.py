r"""Weighted logistic regression by IRLS, as R's ``glm(family = binomial)``, for many features.

For prior weights :math:`w_i`, responses :math:`y_i \in [0, 1]` and design
:math:`X`, each iteration sets :math:`\mu = \operatorname{logit}^{-1}(\eta)`,
working weights :math:`W = w\,\mu(1-\mu)` and working response
:math:`z = \eta + (y-\mu)/(\mu(1-\mu))`, then solves
:math:`\beta = (X^\top W X)^{-1} X^\top W z`. R's details are followed so that
results agree with R to round-off:

* start from :math:`\mu_0 = (w y + 0.5)/(w + 1)`;
* deviance :math:`D = 2\sum_i w_i[y_i\log(y_i/\mu_i) + (1-y_i)\log((1-y_i)/(1-\mu_i))]`;
  stop when :math:`|D - D_{old}| / (|D| + 0.1) < 10^{-8}` (at most 25 iterations);
* standard errors from :math:`(X^\top W X)^{-1}` with the working weights of
  the *last* iteration (dispersion 1), Wald z-tests.

The design is shared; the features (columns of ``y``) are iterated together,
each stopping at its own convergence.

Empty input: with no rows every result is ``NaN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special, stats

__all__ = ["LogisticFit", "augment", "logistic_irls"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: R's ``glm.control()`` defaults.
EPSILON = 1e-8
MAX_ITER = 25


@dataclass(frozen=True)
class LogisticFit:
    """Coefficient arrays are p × m; ``deviance``, ``iterations``, ``converged`` have m entries."""

    coef: FloatArray
    stderr: FloatArray
    zvalue: FloatArray
    pval: FloatArray
    deviance: FloatArray
    iterations: npt.NDArray[np.intp]
    converged: BoolArray


def _deviance(y: FloatArray, mu: FloatArray, w: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    out: FloatArray = 2.0 * np.sum(w * (a + b), axis=0)
    return out


def logistic_irls(x: FloatArray, y: FloatArray, weights: FloatArray | None = None) -> LogisticFit:
    """Fit every column of ``y`` by weighted logistic regression on the design ``x``.

    Parameters
    ----------
    x:
        n × p design (intercept included).
    y:
        n × m responses in [0, 1].
    weights:
        Prior weights, (n,) or (n, m); default 1.

    Examples
    --------
    >>> x = np.column_stack([np.ones(6), [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> fit = logistic_irls(x, np.array([[0.0], [0.0], [1.0], [0.0], [1.0], [1.0]]))
    >>> fit.coef.ravel().round(4).tolist(), int(fit.iterations[0])
    ([-3.0351, 1.214], 5)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    n, p = x.shape
    m = y.shape[1]
    w = np.ones((n, m)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = np.broadcast_to(w[:, None] if w.ndim == 1 else w, (n, m))
    mu = (w * y + 0.5) / (w + 1.0)
    eta = special.logit(mu)
    dev = _deviance(y, mu, w)
    coef = np.full((p, m), np.nan)
    xtwx_last = np.full((m, p, p), np.nan)
    iterations = np.zeros(m, dtype=np.intp)
    converged = np.zeros(m, dtype=bool)
    active = np.arange(m)
    outer = (x[:, :, None] * x[:, None, :]).reshape(n, p * p)
    for it in range(1, MAX_ITER + 1):
        if not active.size:
            break
        mu_a, eta_a, y_a, w_a = mu[:, active], eta[:, active], y[:, active], w[:, active]
        var = mu_a * (1.0 - mu_a)
        wt = w_a * var
        z = eta_a + (y_a - mu_a) / var
        xtwx = (wt.T @ outer).reshape(-1, p, p)  # Σ_n w_n x_n x_nᵀ for every feature
        xtwz = (x.T @ (wt * z)).T
        beta = np.linalg.solve(xtwx, xtwz[:, :, None])[:, :, 0]  # (a, p)
        eta_new = x @ beta.T
        mu_new = special.expit(eta_new)
        dev_new = _deviance(y_a, mu_new, w_a)
        coef[:, active] = beta.T
        xtwx_last[active] = xtwx
        eta[:, active], mu[:, active] = eta_new, mu_new
        iterations[active] = it
        done = np.abs(dev_new - dev[active]) / (np.abs(dev_new) + 0.1) < EPSILON
        dev[active] = dev_new
        converged[active[done]] = True
        active = active[~done]
    cov = np.linalg.inv(xtwx_last)
    se = np.sqrt(np.diagonal(cov, axis1=1, axis2=2)).T
    zval = coef / se
    pval = 2.0 * stats.norm.sf(np.abs(zval))
    return LogisticFit(coef, se, zval, pval, dev, iterations, converged)


def augment(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """MaAsLin3's data augmentation against separation in prevalence models.

    The n rows are kept with weight 1 and stacked with a copy whose response is
    1 and one whose response is 0, those 2n rows weighted :math:`p/(2n)` with
    p the number of design columns other than the intercept.

    >>> xa, ya, wa = augment(np.ones((2, 3)), np.array([[0.0], [1.0]]))
    >>> xa.shape, ya.ravel().tolist(), wa.tolist()
    ((6, 3), [0.0, 1.0, 1.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.5, 0.5, 0.5, 0.5])
    """
    n, p = x.shape
    y = y[:, None] if y.ndim == 1 else y
    m = y.shape[1]
    xa = np.vstack([x, x, x])
    ya = np.vstack([y, np.ones((n, m)), np.zeros((n, m))])
    extra = (p - 1) / (2.0 * n)
    wa = np.concatenate([np.ones(n), np.full(2 * n, extra)])
    return xa, ya, wa
