"""The recommended model and the reason, in plain language.

Robyn recommends the cluster winner closest to the origin of normalized (NRMSE,
DECOMP.RSSD). DECOMP.RSSD measures how far effect shares are from spend shares, so that rule
prefers models that split the effect like the budget — a bias, not evidence. Kiri's default
rule, ``holdout``, uses only evidence from the data: every Pareto model is refitted (same
transforms, same lambda rule) on the first part of the window and scored on the next block,
rolling the origin forward (``holdout_error``); the model that best predicts the weeks it
was not fitted on is recommended. Its ROAS interval is bootstrapped over the best quarter
of the models by that score, which the data cannot tell apart.

The other rules (``nrmse``: lowest in-sample error; ``robyn``) stay selectable; ``bench``
measures them all (see ``docs/engine.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiri_core.engine.model import Evaluation
from kiri_core.engine.ridge import fit_ridge, lambda_from_hp, lambda_range

RULES = ("holdout", "nrmse", "robyn")
DEFAULT_RULE = "holdout"
FOLD_ENDS = (0.6, 0.7, 0.8, 0.9)  # training share of the window per fold
FOLD_LENGTH = 0.1
GOOD_SHARE = 0.25


@dataclass(frozen=True)
class Choice:
    index: int  # position in the candidate list
    peers: np.ndarray  # candidates the rule treats as equally good (for the interval)
    reason: str


def holdout_error(model: Evaluation, y: np.ndarray, lambda_hp: float) -> float:
    """Mean RMSE on rolling-origin holdout blocks over the window's range of ``y``,
    refitting the model's ridge (same transforms, same lambda rule) for each block."""
    n = len(y)
    errors = []
    for share in FOLD_ENDS:
        end = int(round(share * n))
        stop = min(n, end + max(1, int(round(FOLD_LENGTH * n))))
        x_train, y_train = model.design[:end], y[:end]
        lambda_ = lambda_from_hp(lambda_hp, *lambda_range(x_train, y_train))
        fit = fit_ridge(x_train, y_train, lambda_, model.lower, model.upper)
        residuals = y[end:stop] - fit.predict(model.design[end:stop])
        errors.append(np.sqrt(np.mean(residuals**2)))
    return float(np.mean(errors) / (np.ptp(y) or 1.0))


def choose(
    rule: str,
    candidates: list[Evaluation],
    lambda_hps: list[float],
    y: np.ndarray,
    error_score: np.ndarray,
    clusters: np.ndarray,
) -> Choice:
    """Pick the recommended model among the Pareto ``candidates`` by ``rule``.

    ``error_score`` (infinite for non-winners) and ``clusters`` are Robyn's.
    """
    n = len(candidates)
    if rule == "robyn":
        best = int(np.argmin(error_score))
        return Choice(
            best,
            np.flatnonzero(clusters == clusters[best]),
            "Lowest combined NRMSE and DECOMP.RSSD of the cluster winners (Robyn's "
            "rule); this rule favours effect shares close to spend shares.",
        )
    if rule == "nrmse":
        errors = np.array([c.nrmse for c in candidates])
        best = int(np.argmin(errors))
        return Choice(
            best,
            np.flatnonzero(clusters == clusters[best]),
            f"Lowest in-sample error (NRMSE {errors[best]:.4f}) of the {n} Pareto models.",
        )
    if rule != "holdout":
        raise ValueError(f"unknown selection rule {rule!r}; use one of {', '.join(RULES)}")
    errors = np.array(
        [holdout_error(c, y, lam) for c, lam in zip(candidates, lambda_hps, strict=True)]
    )
    best = int(np.argmin(errors))
    return Choice(
        best,
        np.flatnonzero(errors <= np.quantile(errors, GOOD_SHARE)),
        f"Best of the {n} Pareto models at predicting weeks it was not fitted on "
        f"(rolling holdout NRMSE {errors[best]:.4f}); spend shares played no part in the "
        f"choice.",
    )
