"""REML random-intercept models and Satterthwaite df."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize

from gutbrain.core.stats.lm import ols
from gutbrain.core.stats.mixed import fit_reml_many
from gutbrain.core.stats.numderiv import richardson_hessian, richardson_jacobian
from gutbrain.core.stats.reml import RandomIntercepts, evaluate


def _dense_reml(x: np.ndarray, y: np.ndarray, groups: list[np.ndarray], theta: np.ndarray) -> float:
    """Profiled REML criterion straight from its definition with n × n matrices."""
    n, p = x.shape
    h = np.eye(n)
    for t, g in zip(theta, groups, strict=True):
        z = (g[:, None] == np.unique(g)[None, :]).astype(float)
        h += t**2 * z @ z.T
    hi = np.linalg.inv(h)
    m = x.T @ hi @ x
    beta = np.linalg.solve(m, x.T @ hi @ y)
    r = y - x @ beta
    r2 = r @ hi @ r
    dof = n - p
    return float(
        np.linalg.slogdet(h)[1] + np.linalg.slogdet(m)[1] + dof * (1 + np.log(2 * np.pi * r2 / dof))
    )


@pytest.fixture
def crossed() -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(7)
    n = 120
    site = rng.integers(0, 4, n)
    subject = rng.integers(0, 25, n)
    x = np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n)])
    y = (
        x @ [1.0, 0.5, -0.3]
        + 0.7 * rng.normal(size=4)[site]
        + 1.2 * rng.normal(size=25)[subject]
        + rng.normal(size=n)
    )
    return x, y, [site, subject]


@pytest.mark.parametrize("theta", [(0.0, 0.0), (0.5, 1.3), (2.0, 0.0), (0.01, 0.2)])
def test_profiled_criterion_equals_dense_definition(
    crossed: tuple[np.ndarray, np.ndarray, list[np.ndarray]], theta: tuple[float, float]
) -> None:
    x, y, groups = crossed
    model = RandomIntercepts(x, groups)
    data = model.crossprods(y[:, None])
    th = np.array(theta)[model.order][None, :]  # the model orders factors by size
    got = evaluate(model, th, *data).profiled(x.shape[0] - 3)[0]
    assert got == pytest.approx(_dense_reml(x, y, groups, np.array(theta)), rel=1e-12)


def test_analytic_gradient(crossed: tuple[np.ndarray, np.ndarray, list[np.ndarray]]) -> None:
    x, y, groups = crossed
    model = RandomIntercepts(x, groups)
    data = model.crossprods(y[:, None])
    dof = x.shape[0] - x.shape[1]

    def crit(th: np.ndarray) -> float:
        return float(evaluate(model, th[None, :], *data).profiled(dof)[0])

    for th in (np.array([0.4, 1.1]), np.array([2.0, 0.05]), np.array([-0.7, 0.3])):
        grad = evaluate(model, th[None, :], *data, gradient=True).grad
        assert grad is not None
        num = optimize.approx_fprime(th, crit, 1e-6)
        np.testing.assert_allclose(grad[0], num, rtol=1e-4, atol=1e-5)


def test_batch_equals_one_by_one_and_group_order(
    crossed: tuple[np.ndarray, np.ndarray, list[np.ndarray]],
) -> None:
    x, y, groups = crossed
    rng = np.random.default_rng(8)
    ys = np.column_stack([y, y[::-1], rng.normal(size=y.size), 2 * y + rng.normal(size=y.size)])
    batch = fit_reml_many(x, ys, groups)
    for j in range(ys.shape[1]):
        alone = fit_reml_many(x, ys[:, j : j + 1], groups)
        np.testing.assert_allclose(batch.coef[:, j], alone.coef[:, 0], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(batch.pval[:, j], alone.pval[:, 0], rtol=1e-7)
    swapped = fit_reml_many(x, ys, groups[::-1])
    np.testing.assert_allclose(swapped.theta, batch.theta[::-1], rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(swapped.coef, batch.coef, rtol=1e-9, atol=1e-12)
    assert batch.converged.all()


def test_matches_statsmodels_mixedlm_one_group() -> None:
    smf = pytest.importorskip("statsmodels.formula.api")
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(11)
    g = np.repeat(np.arange(30), 8)
    n = g.size
    x1 = rng.normal(size=n)
    x2 = rng.integers(0, 2, n).astype(float)
    y = 2.0 + 0.8 * x1 - 0.5 * x2 + rng.normal(scale=1.5, size=30)[g] + rng.normal(size=n)
    df = pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g})
    ref = smf.mixedlm("y ~ x1 + x2", df, groups=df["g"]).fit(reml=True)
    x = np.column_stack([np.ones(n), x1, x2])
    fit = fit_reml_many(x, y[:, None], [g])
    # statsmodels stops a little short of the optimum; ours is at least as good
    assert -fit.reml[0] / 2 >= ref.llf - 1e-9
    np.testing.assert_allclose(fit.coef[:, 0], ref.fe_params.to_numpy(), atol=1e-5)
    # statsmodels' SEs come from the joint Hessian (fixed + variance parameters), lme4's
    # from σ²(XᵀV⁻¹X)⁻¹: close, not equal
    np.testing.assert_allclose(fit.stderr[:, 0], ref.bse_fe.to_numpy(), rtol=1e-3)
    assert fit.sigma[0] ** 2 == pytest.approx(ref.scale, rel=1e-4)
    assert (fit.theta[0, 0] * fit.sigma[0]) ** 2 == pytest.approx(
        float(ref.cov_re.iloc[0, 0]), rel=1e-3
    )
    assert fit.converged[0]


def test_satterthwaite_balanced_one_way_is_groups_minus_one() -> None:
    # y_ij = mu + b_i + e_ij, balanced: the exact df of the test of mu is g - 1
    rng = np.random.default_rng(5)
    n_groups, per = 12, 6
    g = np.repeat(np.arange(n_groups), per)
    y = 3.0 + rng.normal(scale=2.0, size=n_groups)[g] + rng.normal(size=g.size)
    fit = fit_reml_many(np.ones((g.size, 1)), y[:, None], [g])
    assert fit.theta[0, 0] > 0.5
    assert fit.df[0, 0] == pytest.approx(n_groups - 1, rel=1e-4)
    # the t statistic is the one-sample t of the group means
    means = np.bincount(g, y) / per
    t = means.mean() / (means.std(ddof=1) / np.sqrt(n_groups))
    assert fit.tvalue[0, 0] == pytest.approx(t, rel=1e-6)


def test_boundary_fit_reduces_to_ols() -> None:
    rng = np.random.default_rng(2)
    n = 80
    g = np.repeat(np.arange(20), 4)
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    # responses with group means exactly removed: no between-group variance at all
    e = rng.normal(size=n)
    e -= (np.bincount(g, e) / 4)[g]
    y = x @ [1.0, 2.0] + e
    fit = fit_reml_many(x, y[:, None], [g])
    assert fit.theta[0, 0] == 0.0
    np.testing.assert_allclose(fit.coef[:, 0], ols(x, y[:, None]).coef[:, 0], atol=1e-10)


def test_missing_values_and_too_few_rows() -> None:
    rng = np.random.default_rng(3)
    g = np.repeat(np.arange(10), 5)
    x = np.column_stack([np.ones(50), rng.normal(size=50)])
    y = rng.normal(size=(50, 3)) + rng.normal(size=(10, 1))[g]
    y[:4, 1] = np.nan
    y[2:, 2] = np.nan  # 2 rows left for 2 coefficients: no residual df
    fits = fit_reml_many(x, y, [g])
    ok = ~np.isnan(y[:, 1])
    alone = fit_reml_many(x[ok], y[ok, 1:2], [g[ok]])
    np.testing.assert_allclose(fits.coef[:, 1], alone.coef[:, 0], rtol=1e-12)
    assert np.isnan(fits.coef[:, 2]).all()
    assert not fits.converged[2]


def test_richardson_derivatives() -> None:
    def f(z: np.ndarray) -> np.ndarray:
        return np.exp(z[:, 0]) * np.cos(z[:, 1]) + z[:, 0] * z[:, 1] ** 3

    z = np.array([[0.3, 0.0], [0.1, 0.5]])  # a coordinate at 0: absolute step eps
    h = richardson_hessian(f, z)
    for (a, b), got in zip(z, h, strict=True):
        exact = [
            [np.exp(a) * np.cos(b), -np.exp(a) * np.sin(b) + 3 * b**2],
            [-np.exp(a) * np.sin(b) + 3 * b**2, -np.exp(a) * np.cos(b) + 6 * a * b],
        ]
        np.testing.assert_allclose(got, exact, atol=1e-5)  # round-off of the 1e-4 step at 0

    def g(v: np.ndarray) -> np.ndarray:
        return np.column_stack([f(v), v[:, 0] * v[:, 1]])

    j = richardson_jacobian(g, np.array([[0.3, 2.0]]))
    exact_j = [
        [np.exp(0.3) * np.cos(2.0) + 8.0, -np.exp(0.3) * np.sin(2.0) + 3 * 0.3 * 4.0],
        [2.0, 0.3],
    ]
    np.testing.assert_allclose(j[0], exact_j, rtol=1e-9)


def test_small_batches_give_the_same_fits(
    crossed: tuple[np.ndarray, np.ndarray, list[np.ndarray]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import gutbrain.core.stats.mixed as mixed

    x, y, groups = crossed
    rng = np.random.default_rng(9)
    ys = np.column_stack([y, y + rng.normal(size=y.size), rng.normal(size=y.size)])
    whole = fit_reml_many(x, ys, groups)
    monkeypatch.setattr(mixed, "BATCH_ELEMENTS", 1)  # one feature per batch
    pieces = fit_reml_many(x, ys, groups)
    np.testing.assert_allclose(pieces.coef, whole.coef, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(pieces.df, whole.df, rtol=1e-6)


def test_degenerate_cases_are_nan_not_garbage() -> None:
    rng = np.random.default_rng(0)
    n = 60
    g = np.repeat(np.arange(12), 5)
    x = np.column_stack([np.ones(n), rng.normal(size=n)])
    ys = np.column_stack([x @ [1.0, 2.0], np.full(n, 3.0), rng.normal(size=n)])
    fit = fit_reml_many(x, ys, [g])
    assert np.isnan(fit.coef[:, :2]).all()  # exact fit, constant response
    assert fit.converged.tolist() == [False, False, True]
    # a factor with one level per sample cannot be separated from the residual (lme4 refuses)
    alone = fit_reml_many(x, ys[:, 2:], [np.arange(n)])
    assert np.isnan(alone.coef).all()
    assert not alone.converged.any()
