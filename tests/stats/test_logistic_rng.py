"""R-identical random stream and R-identical weighted logistic IRLS."""

from __future__ import annotations

import numpy as np
import pytest

from gutbrain.core.stats.logistic import augment, logistic_irls
from gutbrain.core.stats.rng import RStream

sm = pytest.importorskip("statsmodels.api")


def test_r_stream_known_values() -> None:
    # R 4.x: set.seed(1); rnorm(5)  /  set.seed(42); runif(3)
    np.testing.assert_allclose(
        RStream(1).normal(5),
        [
            -0.6264538107423324,
            0.1836433242220823,
            -0.8356286124100471,
            1.5952808021377916,
            0.3295077718153605,
        ],
        rtol=1e-14,
    )
    np.testing.assert_allclose(
        RStream(42).uniform(3),
        [0.914806043496355, 0.937075413297862, 0.286139534786344],
        rtol=1e-13,
    )


def test_r_stream_continues_across_calls() -> None:
    a = RStream(7)
    first = np.concatenate([a.normal(3), a.normal(4)])
    np.testing.assert_array_equal(first, RStream(7).normal(7))


@pytest.fixture
def binary() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    n = 300
    x = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    y = (rng.random((n, 4)) < 0.3).astype(float)
    y[:, 3] = (x[:, 1] > 0.5).astype(float)  # perfectly separated without augmentation
    return x, y


def test_augmented_logistic_equals_statsmodels(binary: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = binary
    xa, ya, wa = augment(x, y)
    fit = logistic_irls(xa, ya, wa)
    assert fit.converged.all()
    for j in range(y.shape[1]):
        ref = sm.GLM(ya[:, j], xa, family=sm.families.Binomial(), var_weights=wa).fit(tol=1e-14)
        np.testing.assert_allclose(fit.coef[:, j], ref.params, atol=1e-10)
        # R takes the SEs from the last iteration's weights: equal to ~1e-7
        np.testing.assert_allclose(fit.stderr[:, j], ref.bse, rtol=1e-5)


def test_unweighted_logistic(binary: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = binary
    fit = logistic_irls(x, y[:, :3])
    ref = sm.GLM(y[:, 0], x, family=sm.families.Binomial()).fit(tol=1e-14)
    np.testing.assert_allclose(fit.coef[:, 0], ref.params, atol=1e-10)
