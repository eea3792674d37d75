r"""Profiled REML criterion of random-intercept models, batched over features.

See :mod:`gutbrain.core.stats.mixed` for the model. For a batch of m features
sharing a design, every quantity is computed for all features at once; each
feature has its own :math:`\theta`. With :math:`G = Z^\top Z`,
:math:`\Lambda = \operatorname{diag}(\theta)` expanded to levels and
:math:`A = I + \Lambda G\Lambda`:

.. math::
    M = X^\top X - X^\top Z\Lambda A^{-1}\Lambda Z^\top X,\qquad
    \hat\beta = M^{-1}(X^\top y - X^\top Z\Lambda A^{-1}\Lambda Z^\top y),

    r^2 = y^\top y - y^\top Z\Lambda A^{-1}\Lambda Z^\top y - \hat\beta^\top(\dots),\qquad
    d(\theta) = \log|A| + \log|M| + (n-p)\Bigl(1 + \log\frac{2\pi r^2}{n-p}\Bigr).

Each grouping factor's block of :math:`G` is diagonal (a sample has one level
per factor). The factor with most levels is put last and eliminated exactly,
so only a dense Schur system over the other factors' levels (r of them) is
factorised: :math:`O(q r^2)` work per feature instead of :math:`O(q^3)`.

The gradient uses :math:`\partial d/\partial\theta_j = 2\theta_j[\operatorname{tr}(Z_j^\top PZ_j)
- (n-p)\lVert Z_j^\top Py\rVert^2/r^2]` with :math:`P` the REML projection.

:func:`minimise` runs a safeguarded Newton iteration for all features at once
(Hessian from central differences of the analytic gradient, eigenvalues made
positive, backtracking line search). :math:`d` is even in every
:math:`\theta_j`, so the search is unconstrained and :math:`|\theta|` is
reported: boundary optima (:math:`\theta_j = 0`) are reached smoothly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["Criterion", "RandomIntercepts", "evaluate", "minimise"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

#: Starting values of every θ (lme4 starts at 1); later ones are only followed when
#: already better than the optimum reached from the first.
STARTS = (1.0, 0.1, 3.0)
#: Newton stops when every |∂d/∂θ| is below this, or the step is negligible.
GRAD_TOL = 1e-8
MAX_ITER = 200


class RandomIntercepts:
    """Cross-products of a design and its grouping factors, shared by all features.

    Parameters
    ----------
    x:
        n × p fixed-effect design (full column rank).
    groups:
        One integer code array (length n) per grouping factor.
    """

    def __init__(self, x: FloatArray, groups: Sequence[IntArray]) -> None:
        self.x = np.asarray(x, dtype=np.float64)
        n, self.p = self.x.shape
        self.n = n
        blocks = []
        for codes in groups:
            _, inverse = np.unique(np.asarray(codes), return_inverse=True)
            inverse = np.asarray(inverse).ravel()
            size = int(inverse.max()) + 1 if n else 0
            blocks.append(sp.csr_array((np.ones(n), (np.arange(n), inverse)), shape=(n, size)))
        self.k = len(blocks)
        # the factor with most levels goes last and is eliminated exactly
        self.order = sorted(range(self.k), key=lambda j: blocks[j].shape[1])
        sizes = [blocks[j].shape[1] for j in self.order]
        self.sizes = tuple(sizes)
        self.factor = np.repeat(np.arange(self.k), sizes).astype(np.intp)
        self.onehot = (self.factor[:, None] == np.arange(self.k)[None, :]).astype(np.float64)
        self.z = (
            sp.hstack([blocks[j] for j in self.order], format="csr")
            if blocks
            else sp.csr_array((n, 0))
        )
        self.q = self.z.shape[1]
        self.r = self.q - (sizes[-1] if sizes else 0)
        zt = self.z.T.tocsr()
        ztz = np.asarray((zt @ self.z).toarray(), dtype=np.float64)
        self.g_diag = np.diag(ztz).copy()
        self.ztx = np.asarray(zt @ self.x, dtype=np.float64)
        self.xtx = self.x.T @ self.x
        r = self.r
        self.g_rr = ztz[:r, :r].copy()
        self.g_rb = ztz[:r, r:].copy()
        self.g_bb = self.g_diag[r:].copy()

    def crossprods(self, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Zᵀy (m, q), Xᵀy (m, p) and yᵀy (m,) of the columns of ``y`` (n × m)."""
        zty = np.asarray(self.z.T @ y, dtype=np.float64).T.copy()
        xty = (self.x.T @ y).T.copy()
        yty = np.einsum("ij,ij->j", y, y)
        return zty, xty, yty

    def user_order(self, theta: FloatArray) -> FloatArray:
        """θ (…, k) from the internal factor order back to the order the groups were given."""
        out = np.empty_like(theta)
        out[..., self.order] = theta
        return out


@dataclass(frozen=True)
class Criterion:
    """Profiled REML quantities of a batch of m features (leading axis)."""

    logdet_a: FloatArray  # (m,)
    logdet_m: FloatArray  # (m,)
    beta: FloatArray  # (m, p)
    r2: FloatArray  # (m,)
    m_inv: FloatArray  # (m, p, p)
    grad: FloatArray | None  # (m, k)

    def profiled(self, dof: int) -> FloatArray:
        """d(θ), the REML criterion with σ profiled out."""
        out: FloatArray = (
            self.logdet_a + self.logdet_m + dof * (1.0 + np.log(2.0 * np.pi * self.r2 / dof))
        )
        return out


def _logdet(a: FloatArray) -> FloatArray:
    sign, logdet = np.linalg.slogdet(a)
    out: FloatArray = np.where(sign > 0, logdet, np.nan)
    return out


def evaluate(
    model: RandomIntercepts,
    theta: FloatArray,
    zty: FloatArray,
    xty: FloatArray,
    yty: FloatArray,
    *,
    gradient: bool = False,
) -> Criterion:
    """The REML quantities at ``theta`` (m, k) for features with cross-products (m, ·)."""
    p, r = model.p, model.r
    lam = theta[:, model.factor]  # (m, q)
    lr, lb = lam[:, :r], lam[:, r:]
    d = 1.0 + lb**2 * model.g_bb  # (m, qB)
    a_rb = lr[:, :, None] * model.g_rb[None] * lb[:, None, :]  # (m, r, qB)
    e = a_rb / d[:, None, :]
    schur = (
        np.eye(r) + lr[:, :, None] * model.g_rr[None] * lr[:, None, :] - e @ a_rb.transpose(0, 2, 1)
    )
    s_inv = np.linalg.inv(schur) if r else schur
    logdet_a = np.sum(np.log(d), axis=1) + (_logdet(schur) if r else 0.0)

    def solve(b: FloatArray) -> FloatArray:  # A⁻¹ b for b (m, q, c)
        u_r = s_inv @ (b[:, :r] - e @ b[:, r:])
        u_b = (b[:, r:] - a_rb.transpose(0, 2, 1) @ u_r) / d[:, :, None]
        out: FloatArray = np.concatenate([u_r, u_b], axis=1)
        return out

    f = model.ztx
    rhs = lam[:, :, None] * np.concatenate(
        [np.broadcast_to(f, (len(theta), *f.shape)), zty[:, :, None]], axis=2
    )
    s = solve(rhs)  # A⁻¹Λ[ZᵀX, Zᵀy]  (m, q, p+1)
    t = lam[:, :, None] * s
    m_mat = model.xtx - np.einsum("qi,mqj->mij", f, t[:, :, :p])
    xhy = xty - np.einsum("qi,mq->mi", f, t[:, :, p])
    yhy = yty - np.einsum("mq,mq->m", zty, t[:, :, p])
    m_inv = np.linalg.inv(m_mat)
    beta = np.einsum("mij,mj->mi", m_inv, xhy)
    r2 = yhy - np.einsum("mi,mi->m", xhy, beta)
    logdet_m = _logdet(m_mat)
    grad = None
    if gradient:
        # diag(ZᵀH⁻¹Z) = diag(G) − diag(GΛA⁻¹ΛG), column by column of W = ΛG
        w_first = np.concatenate(
            [lr[:, :, None] * model.g_rr[None], lb[:, :, None] * model.g_rb.T[None]], axis=1
        )  # (m, q, r): the first r columns
        first = np.einsum("mqj,mqj->mj", w_first, solve(w_first))
        wb = lb * model.g_bb  # (m, qB): lone non-zero of each last-block column
        w_top = lr[:, :, None] * model.g_rb[None]  # (m, r, qB)
        u_r = s_inv @ (w_top - e * wb[:, None, :])
        u_bb = (wb - np.einsum("mci,mci->mi", a_rb, u_r)) / d
        last = np.einsum("mci,mci->mi", w_top, u_r) + wb * u_bb
        zhz_diag = model.g_diag - np.concatenate([first, last], axis=1)
        # ZᵀZΛs by blocks
        ls = lam[:, :, None] * s
        top = model.g_rr @ ls[:, :r] + model.g_rb @ ls[:, r:]
        bottom = model.g_rb.T @ ls[:, :r] + model.g_bb[None, :, None] * ls[:, r:]
        glam_s = np.concatenate([top, bottom], axis=1)
        zhx = f - glam_s[:, :, :p]  # ZᵀH⁻¹X  (m, q, p)
        zhy = zty - glam_s[:, :, p]
        zpy = zhy - np.einsum("mqi,mi->mq", zhx, beta)
        zpz_diag = zhz_diag - np.einsum("mqi,mij,mqj->mq", zhx, m_inv, zhx)
        per_level = zpz_diag - (model.n - p) * zpy**2 / r2[:, None]
        grad = 2.0 * theta * (per_level @ model.onehot)
    return Criterion(logdet_a, logdet_m, beta, r2, m_inv, grad)


def _value_grad(
    model: RandomIntercepts, theta: FloatArray, data: tuple[FloatArray, ...], dof: int
) -> tuple[FloatArray, FloatArray]:
    c = evaluate(model, theta, *data, gradient=True)
    assert c.grad is not None
    return c.profiled(dof), c.grad


def _newton(
    model: RandomIntercepts, theta: FloatArray, data: tuple[FloatArray, ...], dof: int
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Safeguarded Newton from ``theta`` (m, k) for every feature."""
    m, k = theta.shape
    theta = theta.copy()
    val, grad = _value_grad(model, theta, data, dof)
    done = np.zeros(m, dtype=bool)
    for _ in range(MAX_ITER):
        done |= np.max(np.abs(grad), axis=1) < GRAD_TOL
        done |= ~np.isfinite(val)
        act = np.flatnonzero(~done)
        if not act.size:
            break
        sub = tuple(a[act] for a in data)
        th = theta[act]
        h = 1e-5 * np.maximum(1.0, np.abs(th))
        hess = np.empty((act.size, k, k))
        for j in range(k):
            step = np.zeros_like(th)
            step[:, j] = h[:, j]
            _, gp = _value_grad(model, th + step, sub, dof)
            _, gm = _value_grad(model, th - step, sub, dof)
            hess[:, :, j] = (gp - gm) / (2.0 * h[:, j : j + 1])
        hess = (hess + hess.transpose(0, 2, 1)) / 2.0
        evals, evecs = np.linalg.eigh(hess)
        floor = 1e-8 * np.maximum(1.0, np.max(np.abs(evals), axis=1, keepdims=True))
        evals = np.maximum(np.abs(evals), floor)
        g = grad[act]
        direction = -np.einsum("mij,mj,mkj,mk->mi", evecs, 1.0 / evals, evecs, g)
        slope = np.einsum("mi,mi->m", g, direction)
        alpha = np.ones(act.size)
        pending = np.ones(act.size, dtype=bool)
        new_th, new_val, new_grad = th.copy(), val[act].copy(), g.copy()
        while pending.any():
            idx = np.flatnonzero(pending)
            trial = th[idx] + alpha[idx, None] * direction[idx]
            tv, tg = _value_grad(model, trial, tuple(a[idx] for a in sub), dof)
            ok = np.isfinite(tv) & (tv <= val[act][idx] + 1e-4 * alpha[idx] * slope[idx])
            new_th[idx[ok]], new_val[idx[ok]], new_grad[idx[ok]] = trial[ok], tv[ok], tg[ok]
            pending[idx[ok]] = False
            alpha[idx[~ok]] /= 2.0
            stuck = pending & (alpha < 1e-10)
            pending &= ~stuck
        moved = np.max(np.abs(new_th - th), axis=1)
        theta[act], val[act], grad[act] = new_th, new_val, new_grad
        done[act[moved <= 1e-12 * np.maximum(1.0, np.max(np.abs(th), axis=1))]] = True
    converged = np.max(np.abs(grad), axis=1) < 1e-6
    return np.abs(theta), val, converged


def minimise(
    model: RandomIntercepts, zty: FloatArray, xty: FloatArray, yty: FloatArray
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """θ̂ (m, k), d(θ̂) (m,) and a convergence flag for every feature."""
    m, k = len(yty), model.k
    dof = model.n - model.p
    data = (zty, xty, yty)
    theta, val, converged = _newton(model, np.full((m, k), STARTS[0]), data, dof)
    for start in STARTS[1:]:
        x0 = np.full((m, k), start)
        better = np.flatnonzero(evaluate(model, x0, *data).profiled(dof) < val - 1e-9)
        if better.size:
            th, v, c = _newton(model, x0[better], tuple(a[better] for a in data), dof)
            win = v < val[better]
            theta[better[win]], val[better[win]], converged[better[win]] = th[win], v[win], c[win]
    # a θ_j that is nearly 0 may be exactly 0: keep the boundary when it is no worse
    for j in range(k):
        near = np.flatnonzero((theta[:, j] > 0) & (theta[:, j] < 1e-3))
        if near.size:
            trial = theta[near].copy()
            trial[:, j] = 0.0
            v = evaluate(model, trial, *(a[near] for a in data)).profiled(dof)
            keep = v <= val[near] + 1e-10
            theta[near[keep]], val[near[keep]] = trial[keep], v[keep]
    return theta, val, converged
