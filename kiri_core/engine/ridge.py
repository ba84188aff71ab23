"""Ridge regression as Robyn runs it through glmnet (``alpha = 0``), with sign bounds.

glmnet standardizes each column (mean 0, population sd 1) and the response, and solves

.. math:: \\min_{\\beta_0, \\beta} \\frac{1}{2n} \\lVert \\tilde y - \\tilde X \\tilde\\beta
          \\rVert^2 + \\frac{\\lambda}{2 s_y} \\lVert \\tilde\\beta \\rVert^2,
          \\qquad l_j \\le \\beta_j \\le u_j

with :math:`\\tilde y = (y - \\bar y) / s_y` and bounds on the original-scale coefficients
:math:`\\beta_j = \\tilde\\beta_j s_y / s_j`. Robyn's lambda scheme: ``lambda_max`` is a tenth
of glmnet's largest lambda for ``alpha = 0.001``,

.. math:: \\lambda_{max} = 0.1 \\cdot \\frac{\\max_j |\\sum_t \\tilde x_{tj} y_t|}{0.001\\, n},
          \\qquad \\lambda_{min} = 10^{-4} \\lambda_{max},

and the tuned hyperparameter ``lambda_hp`` in [0, 1] maps linearly between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LAMBDA_MIN_RATIO = 1e-4
_MAX_ACTIVE_SET_STEPS = 200


@dataclass(frozen=True)
class RidgeFit:
    coef: np.ndarray
    intercept: float
    lambda_: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.intercept + x @ self.coef


def population_sd(x: np.ndarray) -> np.ndarray:
    return np.sqrt(np.mean((x - x.mean(axis=0)) ** 2, axis=0))


def lambda_range(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Robyn's ``(lambda_min, lambda_max)`` for this design (``lambda_seq`` in ``model.R``)."""
    sd = population_sd(x)
    safe = np.where(sd > 0, sd, 1.0)
    sx = np.where(sd > 0, (x - x.mean(axis=0)) / safe, 0.0)
    glmnet_max = np.max(np.abs(sx.T @ y)) / (0.001 * len(y))
    lambda_max = 0.1 * glmnet_max
    return lambda_max * LAMBDA_MIN_RATIO, lambda_max


def lambda_from_hp(lambda_hp: float, lambda_min: float, lambda_max: float) -> float:
    """The tuned ``lambda_hp`` in [0, 1] mapped linearly to ``[lambda_min, lambda_max]``."""
    return lambda_min + (lambda_max - lambda_min) * lambda_hp


def fit_ridge(
    x: np.ndarray, y: np.ndarray, lambda_: float, lower: np.ndarray, upper: np.ndarray
) -> RidgeFit:
    """glmnet's bounded ridge fit with a free intercept (see the module docstring).

    Robyn refits without intercept when the intercept comes out negative; Kiri does not:
    prophet's trend carries the sales level, so a negative intercept is only an offset to
    it, and forcing it to zero pushed the level into the bounded trend and biased media
    (``docs/engine.md``).
    """
    n = len(y)
    x_mean, y_mean = x.mean(axis=0), float(y.mean())
    xc, yc = x - x_mean, y - y_mean
    x_scale = np.sqrt(np.mean(xc**2, axis=0))
    y_scale = float(np.sqrt(np.mean(yc**2))) or 1.0
    usable = x_scale > 0
    coef = np.zeros(x.shape[1])
    if usable.any():
        scale = x_scale[usable] / y_scale
        xs = xc[:, usable] / x_scale[usable]
        gram = xs.T @ xs / n + (lambda_ / y_scale) * np.eye(int(usable.sum()))
        target = xs.T @ (yc / y_scale) / n
        beta = box_qp(gram, target, lower[usable] * scale, upper[usable] * scale)
        coef[usable] = beta / scale
    return RidgeFit(coef=coef, intercept=y_mean - float(x_mean @ coef), lambda_=lambda_)


def box_qp(a: np.ndarray, c: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Minimize ``b'Ab/2 - c'b`` subject to ``lower <= b <= upper`` (A positive definite).

    A primal active-set method: start from the unconstrained solution's violated bounds
    (every bound range holds 0, so that start is feasible), solve for the free coordinates,
    step towards that solution until a bound blocks, and release a bound coordinate when its
    gradient points into the box. Exact in finitely many steps.
    """
    p = len(c)
    unconstrained = np.linalg.solve(a, c)
    if np.all(unconstrained >= lower) and np.all(unconstrained <= upper):
        return unconstrained
    below, above = unconstrained < lower, unconstrained > upper
    b = np.clip(np.zeros(p), lower, upper)
    b[below], b[above] = lower[below], upper[above]
    fixed = below | above
    for _ in range(_MAX_ACTIVE_SET_STEPS):
        free = ~fixed
        target = b.copy()
        if free.any():
            a_free = a[free]
            rhs = c[free] - a_free[:, fixed] @ b[fixed]
            target[free] = np.linalg.solve(a_free[:, free], rhs)
        step = target - b
        if not np.any(np.abs(step) > 1e-14):
            gradient = a @ b - c
            wrong = np.zeros(p)
            at_lower = fixed & (b == lower)
            at_upper = fixed & (b == upper) & ~at_lower
            wrong[at_lower] = np.maximum(-gradient[at_lower], 0.0)
            wrong[at_upper] = np.maximum(gradient[at_upper], 0.0)
            if wrong.max() <= 1e-12:
                return b
            fixed[int(np.argmax(wrong))] = False
            continue
        fraction, blocking = _largest_feasible_step(b, step, lower, upper)
        b = b + fraction * step
        if blocking is not None:
            b[blocking] = lower[blocking] if step[blocking] < 0 else upper[blocking]
            fixed[blocking] = True
    return b


def _largest_feasible_step(
    b: np.ndarray, step: np.ndarray, lower: np.ndarray, upper: np.ndarray
) -> tuple[float, int | None]:
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = np.where(step < 0, lower, upper)
        room = (bound - b) / step
    room[~(step != 0) | np.isnan(room)] = np.inf
    blocking = int(np.argmin(room))
    if room[blocking] >= 1.0:
        return 1.0, None
    return max(float(room[blocking]), 0.0), blocking
