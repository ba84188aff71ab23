"""Per-model decomposition and channel metrics, in the shape of ``docs/result-format.md``.

Every term's contribution per window period is its coefficient times its regressor (media:
the saturated adstocked spend); the intercept is constant. Channel metrics:

- ROAS = contribution / spend (CPA = spend / contribution for conversion models),
- mROAS = d contribution / d spend when the channel's window spend is scaled by ``1 + eps``
  and pushed through adstock and saturation (the inflexion is a model parameter and stays),
- immediate vs carry-over share: Robyn's split (``model.immediate_contribution``),
- the response block and curve: ``kiri_core.engine.response.ResponseCurve``.
"""

from __future__ import annotations

import numpy as np

from kiri_core.engine.model import Evaluation, MediaTransform, Problem, immediate_contribution
from kiri_core.engine.response import ResponseCurve
from kiri_core.engine.saturation import hill

MROAS_EPS = 1e-4
MIN_DECAY_LAGS = 13
MAX_DECAY_LAGS = 52
CURVE_SPEND_MULTIPLE = 3.0


def decompose(problem: Problem, model: Evaluation) -> dict[str, np.ndarray]:
    """Contribution per window period of every term (intercept, prophet, context, media)."""
    n = len(problem.data.y)
    out = {"intercept": np.full(n, model.fit.intercept)}
    for j, column in enumerate(model.columns):
        term = _term_of(problem, column, j)
        part = model.fit.coef[j] * model.design[:, j]
        out[term] = out[term] + part if term in out else part
    return out


def _term_of(problem: Problem, column: str, j: int) -> str:
    baseline_terms = problem.data.baseline.terms
    return baseline_terms[j] if j < len(baseline_terms) else column


def term_summaries(problem: Problem, model: Evaluation, parts: dict) -> dict[str, dict]:
    """Coefficient and total contribution per term; a one-hot term lists its levels."""
    terms: dict[str, dict] = {
        "intercept": {"coef": model.fit.intercept, "contribution": float(parts["intercept"].sum())}
    }
    for j, column in enumerate(model.columns):
        term = _term_of(problem, column, j)
        entry = terms.setdefault(term, {"coef": None, "contribution": float(parts[term].sum())})
        if "=" in column:
            entry.setdefault("levels", {})[column.split("=", 1)[1]] = float(model.fit.coef[j])
        else:
            entry["coef"] = float(model.fit.coef[j])
    return terms


def channel_metrics(
    problem: Problem, model: Evaluation, hp: dict, parts: dict, conversion: bool
) -> dict[str, dict]:
    """The ``<channel>`` blocks of every paid channel."""
    data = problem.data
    window = data.window
    n_baseline = len(data.baseline.columns)
    spends = {c: float(data.spend[c][window].sum()) for c in data.paid}
    contributions = {c: float(parts[c].sum()) for c in data.paid}
    total_spend = sum(spends.values())
    total_contribution = sum(contributions.values())
    out = {}
    for i, channel in enumerate(data.paid):
        coef = float(model.fit.coef[n_baseline + i])
        transform = model.transforms[channel]
        spend, contribution = spends[channel], contributions[channel]
        immediate = float(immediate_contribution(transform, coef).sum())
        params = hp[channel]
        curve = ResponseCurve.from_spend(
            data.spend[channel],
            transform.adstock,
            coef=coef,
            alpha=params["alpha"],
            gamma=params["gamma"],
            window=window,
        )
        mean_spend = spend / (window.stop - window.start)
        out[channel] = {
            "spend": spend,
            "mean_spend": mean_spend,
            "min_spend": float(data.spend[channel][window].min()),
            "max_spend": float(data.spend[channel][window].max()),
            "weekly_change": weekly_change(data.spend[channel][window]),
            "contribution": contribution,
            "roas": contribution / spend if spend > 0 else None,
            "cpa": (spend / contribution if contribution > 0 else None) if conversion else None,
            "mroas": marginal_roas(problem, transform, channel, coef),
            "roas_ci": None,
            "effect_share": contribution / total_contribution if total_contribution > 0 else 0.0,
            "spend_share": spend / total_spend if total_spend > 0 else 0.0,
            "immediate_share": immediate / contribution if contribution > 0 else 1.0,
            "carryover_share": 1.0 - immediate / contribution if contribution > 0 else 0.0,
            "adstock": problem.adstock,
            "hyperparameters": dict(params),
            "coef": coef,
            "decay": decay_curve(transform),
            "response": curve.to_dict(),
            "curve": curve.grid(
                CURVE_SPEND_MULTIPLE * max(mean_spend, data.spend[channel][window].max() / 2)
            ),
        }
    return out


def weekly_change(spend: np.ndarray) -> float | None:
    """How much a channel's spend moves from one period to the next: the mean of
    ``|s_t - s_(t-1)|`` over the mean spend; None without spend. Spend that barely moves
    (an always-on budget) leaves its effect hard to tell from the baseline."""
    mean = float(spend.mean())
    return float(np.abs(np.diff(spend)).mean() / mean) if mean > 0 and len(spend) > 1 else None


def marginal_roas(problem: Problem, transform: MediaTransform, channel: str, coef: float) -> float:
    """``(C(1 + eps) - C(1)) / (eps * spend)`` with the window spend scaled by ``1 + eps``."""
    data = problem.data
    window = data.window
    spend = data.spend[channel]
    window_spend = float(spend[window].sum())
    if window_spend <= 0 or coef == 0:
        return 0.0
    scaled = spend.copy()
    scaled[window] *= 1.0 + MROAS_EPS
    bumped = hill(transform.adstock.apply(scaled)[window], transform.alpha, transform.inflexion)
    gain = coef * float(bumped.sum() - transform.saturated.sum())
    return gain / (MROAS_EPS * window_spend)


def decay_curve(transform: MediaTransform) -> list[float]:
    """Adstock weight by lag, lag 0 first, until the weight falls below 1% (13 to 52 lags)."""
    weights = transform.adstock.decay_weights(MAX_DECAY_LAGS)
    significant = np.flatnonzero(weights >= 0.01 * max(weights.max(), 1e-12))
    lags = max(MIN_DECAY_LAGS, int(significant[-1]) + 2 if significant.size else 0)
    return [float(w) for w in weights[:lags]]
