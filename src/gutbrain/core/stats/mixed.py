r"""Linear mixed models with random intercepts: REML fit and Satterthwaite tests.

Model, for one feature with response :math:`y` (n samples):

.. math:: y = X\beta + Zb + \varepsilon,\quad
          b \sim N(0, \sigma^2\Lambda_\theta\Lambda_\theta^\top),\quad
          \varepsilon \sim N(0, \sigma^2 I),

where :math:`Z` holds 0/1 indicators of the levels of one or more grouping
factors (crossed or nested) and :math:`\Lambda_\theta` is diagonal with
:math:`\theta_j \ge 0`, the SD of factor :math:`j`'s intercepts relative to
:math:`\sigma` (R ``lme4``'s parametrisation, Bates et al. 2015, J Stat Softw
67(1)). Write :math:`A = I_q + \Lambda Z^\top Z \Lambda` (q = all levels) and
:math:`M = X^\top H^{-1} X` with :math:`H = I + Z\Lambda\Lambda Z^\top`; by
the Woodbury identity everything is computed in the q-dimensional space:

.. math::
    M = X^\top X - X^\top Z\Lambda A^{-1}\Lambda Z^\top X, \qquad
    \hat\beta = M^{-1}X^\top H^{-1}y, \qquad
    r^2(\theta) = y^\top H^{-1}y - \hat\beta^\top X^\top H^{-1}y.

The REML criterion with :math:`\sigma` profiled out,

.. math:: d(\theta) = \log|A| + \log|M| + (n-p)\Bigl(1 + \log\frac{2\pi r^2}{n-p}\Bigr),

is minimised over :math:`\theta \ge 0` for all features of a batch at once
(:mod:`gutbrain.core.stats.reml`: batched criterion, analytic gradient, safeguarded Newton);
:math:`\hat\sigma^2 = r^2/(n-p)`. Fits on the boundary (:math:`\theta_j = 0`)
are allowed.

Tests of each coefficient :math:`\beta_k` use Satterthwaite's denominator
degrees of freedom as R ``lmerTest`` (Kuznetsova et al. 2017, J Stat Softw
82(13)): with the variance parameters :math:`\phi = (\theta, \sigma)`,
:math:`V(\phi) = \sigma^2 M(\theta)^{-1}` and the REML deviance
:math:`D(\phi) = \log|A| + \log|M| + r^2/\sigma^2 + (n-p)\log 2\pi\sigma^2`,

.. math:: \nu_k = \frac{2\,V_{kk}^2}{g_k^\top\,(2 H_D^{+})\,g_k},\qquad
          g_k = \nabla_\phi V_{kk},\quad H_D = \nabla^2_\phi D,

where :math:`H_D^{+}` is the Moore–Penrose inverse over eigenvalues above
``1e-8`` and the derivatives are Richardson-extrapolated central differences
(:mod:`gutbrain.core.stats.numderiv`). The p-value is two-sided from :math:`t_{\nu_k}`.

Empty input: a feature with no more complete rows than coefficients gets
``NaN`` results.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from gutbrain.core.stats.numderiv import richardson_hessian, richardson_jacobian
from gutbrain.core.stats.reml import RandomIntercepts, evaluate, minimise

__all__ = ["MixedFits", "RandomIntercepts", "fit_reml_many", "satterthwaite"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Eigenvalues of the deviance Hessian at or below this are ignored (lmerTest's tolerance).
EIGEN_TOL = 1e-8
#: Features are fitted in batches whose largest arrays hold about this many floats.
BATCH_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class MixedFits:
    """REML fits of m features: coefficient arrays are p × m, ``theta`` is k × m.

    ``theta`` follows the order of the grouping factors as given; a feature whose
    fit failed (too few rows, singular system) has ``NaN`` everywhere and
    ``converged`` False.
    """

    coef: FloatArray
    stderr: FloatArray
    df: FloatArray
    tvalue: FloatArray
    pval: FloatArray
    theta: FloatArray
    sigma: FloatArray
    reml: FloatArray  # REML criterion d(θ̂)
    converged: BoolArray


def satterthwaite(
    model: RandomIntercepts,
    theta: FloatArray,
    sigma: FloatArray,
    data: tuple[FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Coefficient variances (m, p) and their Satterthwaite df (m, p) at (θ̂, σ̂).

    ``theta`` is (m, k) in the model's internal factor order, ``data`` the
    cross-products of :meth:`RandomIntercepts.crossprods`.
    """
    dof = model.n - model.p
    k = model.k

    def deviance(phi: FloatArray) -> FloatArray:
        c = evaluate(model, phi[:, :k], *data)
        s2 = phi[:, k] ** 2
        out: FloatArray = c.logdet_a + c.logdet_m + c.r2 / s2 + dof * np.log(2.0 * np.pi * s2)
        return out

    def variances(phi: FloatArray) -> FloatArray:
        c = evaluate(model, phi[:, :k], *data)
        out: FloatArray = phi[:, k : k + 1] ** 2 * np.diagonal(c.m_inv, axis1=1, axis2=2)
        return out

    phi = np.column_stack([theta, sigma])
    var = variances(phi)
    hess = richardson_hessian(deviance, phi)
    evals, evecs = np.linalg.eigh((hess + hess.transpose(0, 2, 1)) / 2.0)
    inv_evals = np.where(evals > EIGEN_TOL, 1.0 / np.where(evals > EIGEN_TOL, evals, 1.0), 0.0)
    cov_phi = 2.0 * np.einsum("mij,mj,mkj->mik", evecs, inv_evals, evecs)
    jac = richardson_jacobian(variances, phi)  # (m, p, k+1)
    denom = np.einsum("mpi,mij,mpj->mp", jac, cov_phi, jac)
    with np.errstate(divide="ignore", invalid="ignore"):
        df: FloatArray = 2.0 * var**2 / denom
    return var, df


def _fit_batch(model: RandomIntercepts, y: FloatArray) -> MixedFits:
    """Fit the columns of ``y``; a response the design fits exactly gets ``NaN``."""
    m = y.shape[1]
    p, k = model.p, model.k
    all_data = model.crossprods(y)
    centred = np.sum((y - y.mean(axis=0)) ** 2, axis=0)
    ols_r2 = evaluate(model, np.zeros((m, k)), *all_data).r2
    fine = np.flatnonzero(ols_r2 > 1e-12 * centred)  # also drops constant responses

    def blank() -> FloatArray:
        return np.full((p, m), np.nan)

    out = MixedFits(
        coef=blank(),
        stderr=blank(),
        df=blank(),
        tvalue=blank(),
        pval=blank(),
        theta=np.full((k, m), np.nan),
        sigma=np.full(m, np.nan),
        reml=np.full(m, np.nan),
        converged=np.zeros(m, dtype=bool),
    )
    if not fine.size:
        return out
    data = (all_data[0][fine], all_data[1][fine], all_data[2][fine])
    dof = model.n - p
    theta, crit, converged = minimise(model, *data)
    c = evaluate(model, theta, *data)
    sigma = np.sqrt(c.r2 / dof)
    var, df = satterthwaite(model, theta, sigma, data)
    se = np.sqrt(var)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = c.beta / se
    pval = 2.0 * stats.t.sf(np.abs(t), df)
    out.coef[:, fine], out.stderr[:, fine], out.df[:, fine] = c.beta.T, se.T, df.T
    out.tvalue[:, fine], out.pval[:, fine] = t.T, np.asarray(pval, dtype=np.float64).T
    out.theta[:, fine] = model.user_order(theta).T
    out.sigma[fine], out.reml[fine] = sigma, crit
    out.converged[fine] = converged & np.isfinite(crit)
    return out


def fit_reml_many(x: FloatArray, y: FloatArray, groups: Sequence[IntArray]) -> MixedFits:
    """Fit every feature (column of ``y``; ``NaN`` = leave out) with random intercepts.

    Parameters
    ----------
    x:
        n × p fixed-effect design, intercept included; no missing values.
    y:
        n × m responses.
    groups:
        Level codes (length n) of each grouping factor, one ``(1 | g)`` term each.

    Features sharing a pattern of missing values are fitted together in
    batches. ``NaN`` results (``converged`` False) for a feature with no more
    complete rows than coefficients, a grouping factor with as many levels as
    rows (lme4 refuses these), or a response the fixed effects fit exactly.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(10), 5)
    >>> x = np.column_stack([np.ones(50), rng.normal(size=50)])
    >>> y = 1 + 0.5 * x[:, 1] + rng.normal(size=10)[g] + rng.normal(size=50)
    >>> fit = fit_reml_many(x, y[:, None], [g])
    >>> fit.coef.ravel().round(2).tolist(), bool(fit.theta[0, 0] > 0)
    ([0.83, 0.46], True)
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim == 1:
        y = y[:, None]
    p = x.shape[1]
    m, k = y.shape[1], len(groups)
    out = {
        name: np.full(shape, np.nan)
        for name, shape in (
            ("coef", (p, m)),
            ("stderr", (p, m)),
            ("df", (p, m)),
            ("tvalue", (p, m)),
            ("pval", (p, m)),
            ("theta", (k, m)),
            ("sigma", (m,)),
            ("reml", (m,)),
        )
    }
    converged = np.zeros(m, dtype=bool)
    finite = np.isfinite(y)
    patterns, inverse = np.unique(finite.T, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    names = ("coef", "stderr", "df", "tvalue", "pval", "theta", "sigma", "reml")
    for pat, rows in enumerate(patterns):
        cols = np.flatnonzero(inverse == pat)
        if rows.sum() <= p:
            continue
        model = RandomIntercepts(x[rows], [np.asarray(g)[rows] for g in groups])
        if model.k and max(model.sizes) >= model.n:
            continue  # as lme4: a factor needs fewer levels than observations
        # bound the memory of the batched arrays (about BATCH_ELEMENTS floats each)
        per_feature = model.q * (model.p + 1 + model.r) + model.r**2 + 1
        size = max(1, BATCH_ELEMENTS // per_feature)
        for start in range(0, cols.size, size):
            batch = cols[start : start + size]
            # a singular system in one feature stops its batch: then fit one by one
            for chunk in [batch] + ([[c] for c in batch] if batch.size > 1 else []):
                chunk = np.asarray(chunk)
                if np.isfinite(out["reml"][chunk]).all():
                    break
                with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                    try:
                        res = _fit_batch(model, y[np.ix_(rows, chunk)])
                    except np.linalg.LinAlgError:
                        continue
                for name in names:
                    out[name][..., chunk] = getattr(res, name)
                converged[chunk] = res.converged
    return MixedFits(**out, converged=converged)
