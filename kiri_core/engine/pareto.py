"""The model set: Robyn's Pareto fronts, k-means clusters, winners and bootstrap intervals.

Robyn 3.12's rules:

1. Keep models with NRMSE and DECOMP.RSSD at or below their 90% quantiles (and, when
   calibrated, MAPE.LIFT at or below its 10% quantile).
2. Sort them into non-dominated fronts on (NRMSE, DECOMP.RSSD); take fronts until they
   hold at least ``min_candidates`` (100) models (``pareto_fronts = "auto"``).
3. Cluster those models with k-means on their standardized per-channel ROAS; ``k`` is the
   largest number whose step still cuts the within-cluster sum of squares (relative to
   k = 1) by more than 5%, at least 3 and at most 10.
4. Each cluster's winner has the lowest error score ``sqrt(nrmse_n**2 + rssd_n**2
   (+ mape_n**2))`` on min-max normalized metrics.
"""

from __future__ import annotations

import numpy as np

from kiri_core.engine.ridge import fit_ridge

MIN_CANDIDATES = 100
MAX_FRONTS = 10
CLUSTER_RANGE = (3, 10)
WSS_LIMIT = 0.05
BOOTSTRAP_SAMPLES = 300
QUANTILES = (0.05, 0.5, 0.95)  # a 90% interval's ends and the draws' median


def front_levels(f1: np.ndarray, f2: np.ndarray) -> np.ndarray:
    """Non-dominated front (1 = best) of every point, minimizing both objectives.

    Sort by ``(f1, f2)``; a point joins the first front whose last ``f2`` is above its own
    (two objectives make this exact in ``O(n log n)``; ties go to the next front).
    """
    order = np.lexsort((f2, f1))
    last_f2: list[float] = []
    levels = np.empty(len(f1), dtype=int)
    for index in order:
        value = f2[index]
        k = _first_front_above(last_f2, value)
        if k == len(last_f2):
            last_f2.append(value)
        else:
            last_f2[k] = value
        levels[index] = k + 1
    return levels


def _first_front_above(last_f2: list[float], value: float) -> int:
    low, high = 0, len(last_f2)
    while low < high:  # last_f2 increases with the front number
        middle = (low + high) // 2
        if last_f2[middle] > value:
            high = middle
        else:
            low = middle + 1
    return low


def pareto_selection(
    nrmse: np.ndarray,
    rssd: np.ndarray,
    mape: np.ndarray | None = None,
    min_candidates: int = MIN_CANDIDATES,
) -> np.ndarray:
    """Front number of every model (0 = not on a selected front), by Robyn's rules 1-2.

    A model with a metric that is not a number (no validation weeks left by its
    ``train_size``) is never selected, and the quantiles are over the others.
    """
    keep = _within(nrmse, 0.9) & _within(rssd, 0.9)
    if mape is not None:
        keep &= _within(mape, 0.1)
    fronts = np.zeros(len(nrmse), dtype=int)
    candidates = np.flatnonzero(keep)
    levels = front_levels(nrmse[candidates], rssd[candidates])
    chosen = MAX_FRONTS
    for front in range(1, MAX_FRONTS + 1):
        if np.sum(levels <= front) >= min(min_candidates, len(candidates)):
            chosen = front
            break
    selected = levels <= chosen
    fronts[candidates[selected]] = levels[selected]
    return fronts


def _within(metric: np.ndarray, share: float) -> np.ndarray:
    """Finite and at most the ``share`` quantile of the finite values."""
    finite = np.isfinite(metric)
    if not finite.any():
        return finite
    return finite & (metric <= np.quantile(metric[finite], share))


def error_scores(nrmse: np.ndarray, rssd: np.ndarray, mape: np.ndarray | None = None) -> np.ndarray:
    """Robyn's ``errors_scores``: distance to the origin of min-max normalized metrics."""
    parts = [nrmse, rssd] + ([mape] if mape is not None else [])
    return np.sqrt(sum(min_max(p) ** 2 for p in parts))


def min_max(x: np.ndarray) -> np.ndarray:
    """``x`` scaled to 0..1 over its range (all zeros when it does not vary)."""
    span = x.max() - x.min()
    return (x - x.min()) / span if span > 0 else np.zeros_like(x)


def kmeans(points: np.ndarray, k: int, seed: int, restarts: int = 10) -> tuple[np.ndarray, float]:
    """Lloyd's k-means with k-means++ starts (seeded); returns labels and the WSS."""
    rng = np.random.default_rng(seed)
    best_labels, best_wss = np.zeros(len(points), dtype=int), np.inf
    for _ in range(restarts):
        centers = _plus_plus(points, k, rng)
        for _ in range(100):
            distances = ((points[:, None, :] - centers[None]) ** 2).sum(axis=2)
            labels = distances.argmin(axis=1)
            moved = np.array(
                [
                    points[labels == j].mean(axis=0) if np.any(labels == j) else centers[j]
                    for j in range(k)
                ]
            )
            if np.allclose(moved, centers):
                break
            centers = moved
        wss = float(((points - centers[labels]) ** 2).sum())
        if wss < best_wss - 1e-12:
            best_labels, best_wss = labels, wss
    return _relabel_by_size(best_labels), best_wss


def _plus_plus(points: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    centers = [points[rng.integers(len(points))]]
    for _ in range(1, k):
        distance = ((points[:, None, :] - np.array(centers)[None]) ** 2).sum(axis=2).min(axis=1)
        total = distance.sum()
        pick = (
            rng.choice(len(points), p=distance / total) if total > 0 else rng.integers(len(points))
        )
        centers.append(points[pick])
    return np.array(centers)


def _relabel_by_size(labels: np.ndarray) -> np.ndarray:
    """Cluster 1 is the largest (ties: first seen), so labels do not depend on start order."""
    sizes = np.bincount(labels)
    first_seen = np.array(
        [np.flatnonzero(labels == j)[0] if sizes[j] else len(labels) for j in range(len(sizes))]
    )
    order = sorted(range(len(sizes)), key=lambda j: (-sizes[j], first_seen[j]))
    mapping = {old: new + 1 for new, old in enumerate(order)}
    return np.array([mapping[label] for label in labels])


def cluster_models(roas: np.ndarray, seed: int) -> np.ndarray:
    """Cluster labels (1..k) of models by their per-channel ROAS profile (Robyn's rule 3)."""
    n = len(roas)
    low, high = CLUSTER_RANGE
    if n <= low:
        return np.arange(1, n + 1)
    sd = roas.std(axis=0)
    points = (roas - roas.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    fits = {k: kmeans(points, k, seed) for k in range(1, min(high, n - 1) + 1)}
    wss = np.array([fits[k][1] for k in sorted(fits)])
    relative = wss / wss[0] if wss[0] > 0 else np.zeros_like(wss)
    drops = -np.diff(relative)
    useful = [k + 2 for k, drop in enumerate(drops) if drop > WSS_LIMIT]
    k = max(low, max(useful) if useful else low)
    return fits[min(k, max(fits))][0]


def cluster_winners(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Boolean mask of each cluster's lowest-error model."""
    winners = np.zeros(len(labels), dtype=bool)
    for cluster in np.unique(labels):
        members = np.flatnonzero(labels == cluster)
        winners[members[np.argmin(scores[members])]] = True
    return winners


def bootstrap_roas(
    y: np.ndarray,
    members: list[tuple[np.ndarray, float, np.ndarray, np.ndarray]],
    paid_columns: np.ndarray,
    paid_spend: np.ndarray,
    seed: int,
    samples: int = BOOTSTRAP_SAMPLES,
) -> np.ndarray:
    """5%, 50% and 95% quantiles of each paid channel's ROAS draws (``channels x 3``).

    ``members`` are the group's models as ``(design, lambda, lower, upper)``. Each sample
    draws one of them, resamples its residuals in moving blocks of ``n ** (1/3)`` periods
    (keeping autocorrelation), refits the ridge on ``fitted + resampled residuals`` and
    records the refit's ROAS, moved so that the member's draws centre on its own estimate:

    .. math:: r^* = r_m + \\bigl(r(\\hat y_m + e^*) - \\overline{r(\\hat y_m + e^*)}\\bigr)

    Refitting the ridge on its own fitted values shrinks the coefficients a second time, and
    the penalty scales with the response's spread, which the resampling changes; uncentred
    draws can therefore miss the model's own estimate entirely. The interval thus holds
    both the noise and the group's spread of hyperparameters, around the estimates the
    group reports.
    """
    rng = np.random.default_rng(seed)
    n = len(y)
    block = max(2, round(n ** (1 / 3)))
    fits = [fit_ridge(design, y, lam, lo, up) for design, lam, lo, up in members]
    fitted = [fit.predict(member[0]) for fit, member in zip(fits, members, strict=True)]
    drawn = rng.integers(len(members), size=samples)
    draws = np.empty((samples, len(paid_columns)))
    for s, m in enumerate(drawn):
        design, lambda_, lower, upper = members[m]
        residuals = y - fitted[m]
        starts = rng.integers(0, n - block + 1, size=int(np.ceil(n / block)))
        resampled = np.concatenate([residuals[i : i + block] for i in starts])[:n]
        refit = fit_ridge(design, fitted[m] + resampled, lambda_, lower, upper)
        draws[s] = paid_roas(refit.coef, design, paid_columns, paid_spend)
    for m in np.unique(drawn):
        mine = drawn == m
        estimate = paid_roas(fits[m].coef, members[m][0], paid_columns, paid_spend)
        draws[mine] += estimate - draws[mine].mean(axis=0)
    draws = np.maximum(draws, 0.0)  # media coefficients are >= 0
    return np.quantile(draws, QUANTILES, axis=0).T


def likelihood_weights(nrmse: np.ndarray, n: int) -> np.ndarray:
    """Each model's share of the Gaussian likelihood of all models, from its NRMSE on ``n``
    rows: with the residual variance profiled out a model's likelihood is ``RSS^(-n/2)``,
    and NRMSE is the RMSE over one fixed range, so

    .. math:: w_i \\propto (\\mathrm{NRMSE}_i / \\min_j \\mathrm{NRMSE}_j)^{-n}

    Models without a finite NRMSE get no weight.
    """
    usable = np.isfinite(nrmse)
    log_w = np.full(len(nrmse), -np.inf)
    log_w[usable] = -n * np.log(nrmse[usable] / nrmse[usable].min())
    weights = np.exp(log_w)
    return weights / weights.sum()


def interval_around(quantiles: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    """A model's 90% ROAS interval (``channels x 2``) from its group's draw ``quantiles``
    (5%, 50%, 95%; ``channels x 3``): the group's 5-95% range, joined with the same spread
    placed around the model's own estimate :math:`r`:

    .. math:: \\bigl[\\min(q_{05}, \\max(0, r - (q_{50} - q_{05}))),
              \\max(q_{95}, r + (q_{95} - q_{50}))\\bigr]

    The recommended model can lie off the middle of, or outside, the range of the models
    the data find as likely (it is chosen on held-back weeks, they are drawn by in-sample
    fit); the interval then widens on that side, so that it holds the estimate with the
    group's spread around it instead of ending at it. For an estimate at the group's median
    it is the group's range.
    """
    low, median, high = quantiles.T
    return np.column_stack([np.minimum(low, np.maximum(0.0, estimate - (median - low))),
                            np.maximum(high, estimate + (high - median))])


def paid_roas(
    coef: np.ndarray, design: np.ndarray, paid_columns: np.ndarray, paid_spend: np.ndarray
) -> np.ndarray:
    """Each paid channel's ROAS: its coefficient times its summed design column, over its
    spend."""
    return coef[paid_columns] * design[:, paid_columns].sum(axis=0) / paid_spend
