"""The recommended model and the reason, in plain language.

Robyn recommends the cluster winner closest to the origin of min-max normalized (NRMSE,
DECOMP.RSSD), the two weighted equally. DECOMP.RSSD measures how far effect shares are from
spend shares, so that rule lets the budget split decide as much as the data. Kiri's default
rule, ``holdout``, puts the data first:

1. every Pareto model is refitted (same transforms, same lambda rule) on the first part of
   the window and scored on the next block, rolling the origin forward (``holdout_error``);
2. the models are scored by ``holdout_n + 0.2 * rssd_n`` (both min-max normalized over the
   Pareto models): spend shares only break near-ties, with a fifth of the weight Robyn
   gives them;
3. the best quarter by that score are the good models; the recommended one is the good
   model whose channel ROAS lie nearest to the good models' average (distance on ROAS
   standardized over the good models). One model's hyperparameters overfit its own
   noise; the average of the good models is steadier, and the model nearest to it keeps
   the document's decomposition, curves and metrics consistent.

Its ROAS interval is bootstrapped over models drawn by likelihood (``fit.models_as_likely``). The
other rules (``nrmse``: lowest in-sample error; ``robyn``) stay selectable; ``bench``
measures them all, and ``docs/engine.md`` holds the measurement behind the weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiri_core.engine.model import Evaluation
from kiri_core.engine.pareto import min_max
from kiri_core.engine.ridge import fit_ridge, lambda_from_hp, lambda_range

RULES = ("holdout", "nrmse", "robyn")
DEFAULT_RULE = "holdout"
FOLD_ENDS = (0.6, 0.7, 0.8, 0.9)  # training share of the window per fold
FOLD_LENGTH = 0.1
GOOD_SHARE = 0.25
RSSD_WEIGHT = 0.2


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
    roas: np.ndarray,
    conversion: bool = False,
) -> Choice:
    """Pick the recommended model among the Pareto ``candidates`` by ``rule``.

    ``error_score`` (infinite for non-winners) and ``clusters`` are Robyn's; ``roas`` holds
    the candidates' paid-channel ROAS (``candidates x channels``); ``conversion``: the reason
    speaks of cost per conversion rather than return.
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
    rssd = np.array([c.decomp_rssd for c in candidates])
    score = min_max(errors) + RSSD_WEIGHT * min_max(rssd)
    good = np.flatnonzero(score <= np.quantile(score, GOOD_SHARE))
    best = int(good[nearest_to_mean(roas[good])])
    figure = "cost per conversion" if conversion else "return"
    return Choice(
        best,
        good,
        f"Chosen because it predicts well the weeks it was not fitted on: of the {n} "
        f"candidate models, the {len(good)} best on held-back weeks were kept, and this "
        f"one's {figure} per channel is the most typical of those {len(good)}. (Its error on "
        f"held-back weeks is {errors[best]:.3f} of the data's range, against "
        f"{candidates[best].nrmse:.3f} (NRMSE) on the weeks it was fitted on; how close its "
        "effect shares are to the spend shares only breaks near-ties.)",
    )


def nearest_to_mean(points: np.ndarray) -> int:
    """Row of ``points`` nearest to their mean, each column standardized by its spread."""
    sd = points.std(axis=0)
    z = (points - points.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return int(np.argmin((z**2).sum(axis=1)))

