from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from kiri_core.engine.ridge import (
    LAMBDA_MIN_RATIO,
    box_qp,
    fit_ridge,
    lambda_from_hp,
    lambda_range,
)


def _design(seed: int, n: int = 80, p: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.gamma(2.0, 3.0, size=(n, p))
    y = 50 + x @ np.array([4.0, -3.0, 2.0, 0.5])[:p] + rng.normal(0, 2, n)
    return x, y


def test_lambda_range_follows_robyn_lambda_seq():
    x, y = _design(0)
    sd = x.std(axis=0)  # population sd, as Robyn's mysd
    hand_max = 0.1 * np.max(np.abs(((x - x.mean(axis=0)) / sd).T @ y)) / (0.001 * len(y))
    lambda_min, lambda_max = lambda_range(x, y)
    assert lambda_max == pytest.approx(hand_max)
    assert lambda_min == pytest.approx(LAMBDA_MIN_RATIO * lambda_max)
    assert lambda_from_hp(0.0, lambda_min, lambda_max) == lambda_min
    assert lambda_from_hp(1.0, lambda_min, lambda_max) == lambda_max
    assert lambda_from_hp(0.5, 1.0, 3.0) == 2.0


def test_unbounded_fit_is_glmnet_ridge_closed_form():
    x, y = _design(1)
    lam = 5.0
    free = np.full(x.shape[1], np.inf)
    fit = fit_ridge(x, y, lam, -free, free)
    # glmnet: (1/2n)|y~ - X~b|^2 + (lambda / s_y)/2 |b|^2 on standardized x and y
    xs = (x - x.mean(axis=0)) / x.std(axis=0)
    ys = (y - y.mean()) / y.std()
    n = len(y)
    beta = np.linalg.solve(xs.T @ xs / n + lam / y.std() * np.eye(x.shape[1]), xs.T @ ys / n)
    np.testing.assert_allclose(fit.coef, beta * y.std() / x.std(axis=0), rtol=1e-10)
    np.testing.assert_allclose(fit.predict(x).mean(), y.mean())


def test_tiny_lambda_approaches_least_squares():
    x, y = _design(2)
    free = np.full(4, np.inf)
    ols = np.linalg.lstsq(np.column_stack([np.ones(len(y)), x]), y, rcond=None)[0]
    fit = fit_ridge(x, y, 1e-9, -free, free)
    np.testing.assert_allclose(fit.coef, ols[1:], rtol=1e-6)


def test_sign_constraints_hold_and_are_optimal():
    x, y = _design(3)  # the second column's true effect is negative
    lower, upper = np.zeros(4), np.full(4, np.inf)
    fit = fit_ridge(x, y, 1e-6, lower, upper)
    assert fit.coef[1] == 0.0
    assert np.all(fit.coef >= 0)
    free = fit_ridge(x, y, 1e-6, -upper, upper)
    assert free.coef[1] < 0


@pytest.mark.parametrize("seed", range(8))
def test_box_qp_matches_a_general_solver(seed):
    rng = np.random.default_rng(seed)
    p = int(rng.integers(2, 10))
    m = rng.normal(size=(p + 4, p))
    a, c = m.T @ m + 0.1 * np.eye(p), rng.normal(size=p) * 3
    lower = np.where(rng.random(p) < 0.6, 0.0, -np.inf)
    upper = np.where(rng.random(p) < 0.3, 1.0, np.inf)
    ours = box_qp(a, c, lower, upper)
    reference = minimize(
        lambda b: 0.5 * b @ a @ b - c @ b,
        np.zeros(p),
        jac=lambda b: a @ b - c,
        bounds=[
            (None if np.isinf(lo) else lo, None if np.isinf(hi) else hi)
            for lo, hi in zip(lower, upper, strict=True)
        ],
        method="L-BFGS-B",
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    assert np.all(ours >= lower) and np.all(ours <= upper)
    assert 0.5 * ours @ a @ ours - c @ ours <= reference.fun + 1e-8 * (1 + abs(reference.fun))


def test_prophet_style_upper_bound_is_respected():
    x, y = _design(4, p=2)
    fit = fit_ridge(x, y, 1e-6, np.zeros(2), np.array([1.0, np.inf]))
    assert 0.0 <= fit.coef[0] <= 1.0
