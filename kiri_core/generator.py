"""Weekly test data with known truth, in the product's CSV format.

``generate(weeks, seed)`` returns the data set (``date`` as the Monday week start,
``revenue``, ``spend_meta``, ``spend_google``, ``spend_tiktok``, ``spend_email``,
``promo_flag``) and its truth. Revenue is built from the engine's own transforms:

.. math::

    y_t = \\bigl(b + T_t + S_t + p\\,\\mathrm{promo}_t
          + \\sum_c \\beta_c\\, h\\bigl(A_c(x_c)_t;\\, \\alpha_c, \\kappa_c\\bigr)\\bigr)
          \\,(1 + \\sigma z_t)

with intercept :math:`b`, linear trend :math:`T`, yearly seasonality :math:`S` (two
harmonics, peak in late autumn), promo lift :math:`p`, per-channel adstock :math:`A_c`,
Hill saturation :math:`h` with inflexion :math:`\\kappa_c = ` Robyn's gamma rule on the
adstocked series, coefficient :math:`\\beta_c` chosen so the channel's total ROAS equals a
drawn target, and multiplicative noise :math:`\\sigma z_t` (:math:`z` standard normal,
clipped to ±3, so revenue stays positive).

Spend follows realistic patterns: Meta always-on with campaign bursts, Google always-on
following demand with budget steps, TikTok launched part-way with on/off flighting (dark
weeks), e-mail small, mostly weekly, with dark weeks and promo peaks. The spend profile
sets how much the two always-on channels move from week to week: ``steady`` (the default;
little movement, so their saturated series sit close to the intercept and the season and
their ROAS is hard to identify) or ``varied`` (campaign-level weekly movement and budget
re-plans, as in most agency accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kiri_core.engine.adstock import Adstock, make_adstock
from kiri_core.engine.model import immediate_contribution, transform_media
from kiri_core.engine.response import ResponseCurve
from kiri_core.engine.saturation import hill, inflexion_from_gamma

CHANNELS = ("spend_meta", "spend_google", "spend_tiktok", "spend_email")
ADSTOCK_CHOICES = ("geometric", "weibull_cdf", "weibull_pdf", "mixed")
DEFAULT_START = "2022-01-03"
MROAS_EPS = 1e-4
DECAY_LAGS = 13
MAX_NOISE = 0.3
LIFT_TEST_START = 26  # first week a simulated lift test may start (carry-over built up)

Rng = np.random.Generator


@dataclass(frozen=True)
class ChannelPrior:
    """Ranges the truth of one channel is drawn from (uniform within each range)."""

    roas: tuple[float, float]
    alpha: tuple[float, float]
    gamma: tuple[float, float]
    theta: tuple[float, float]
    mixed_kind: str


@dataclass(frozen=True)
class SpendProfile:
    """Week-to-week movement of the always-on channels (Meta and Google).

    ``*_weekly_sd`` is the sd of the log-normal weekly factor; budgets are re-planned every
    ``*_budget_weeks`` weeks by a factor drawn from ``*_budget_step`` (cumulative; Meta keeps
    one budget when its step is ``None``).
    """

    meta_weekly_sd: float
    meta_budget_step: tuple[float, float] | None
    google_weekly_sd: float
    google_budget_step: tuple[float, float]
    meta_budget_weeks: int = 13
    google_budget_weeks: int = 26


SPEND_PROFILES: dict[str, SpendProfile] = {
    "steady": SpendProfile(0.15, None, 0.08, (0.85, 1.2)),
    "varied": SpendProfile(0.30, (0.8, 1.25), 0.20, (0.8, 1.25), google_budget_weeks=8),
}

PRIORS: dict[str, ChannelPrior] = {
    "spend_meta": ChannelPrior((1.0, 3.0), (1.0, 2.5), (0.10, 0.45), (0.20, 0.50), "geometric"),
    "spend_google": ChannelPrior((1.5, 4.0), (0.8, 2.0), (0.10, 0.40), (0.00, 0.25), "geometric"),
    "spend_tiktok": ChannelPrior((0.5, 1.6), (1.5, 3.0), (0.20, 0.60), (0.30, 0.60), "weibull_pdf"),
    "spend_email": ChannelPrior((2.0, 4.0), (0.8, 1.8), (0.08, 0.35), (0.00, 0.20), "weibull_cdf"),
}


def generate(
    weeks: int,
    seed: int,
    noise: float = 0.05,
    *,
    adstock: str = "geometric",
    start: str = DEFAULT_START,
    spend_profile: str = "steady",
) -> tuple[pd.DataFrame, dict]:
    """Weekly data set and its truth.

    Parameters
    ----------
    weeks
        Number of weekly rows (at least 4).
    seed
        Seed of the random generator: the same arguments give the same data.
    noise
        Relative noise level :math:`\\sigma` in ``[0, 0.3]`` (0.05 = 5% of revenue).
    adstock
        Adstock of every channel ("geometric", "weibull_cdf", "weibull_pdf") or "mixed"
        (geometric for Meta and Google, Weibull PDF for TikTok, Weibull CDF for e-mail).
    start
        First week; moved back to its Monday.
    spend_profile
        Week-to-week movement of the always-on channels: a key of ``SPEND_PROFILES``
        ("steady" or "varied").

    Returns
    -------
    data, truth
        ``data`` in the product's CSV format (``date`` as YYYY-MM-DD strings); ``truth`` a
        JSON-ready dict: per channel spend, contribution, ROAS, marginal ROAS, shares,
        transform parameters and response parameters, plus the baseline parts and the
        per-period decomposition.
    """
    _check_arguments(weeks, seed, noise, adstock, spend_profile)
    rng = np.random.default_rng(seed)
    dates = _monday_weeks(start, weeks)
    season_shape = _season_shape(dates)
    promo = _promo_weeks(dates, rng)
    spends = _spend_patterns(weeks, season_shape, promo, SPEND_PROFILES[spend_profile], rng)
    channels = {
        name: _channel_truth(name, spends[name], _adstock_for(name, adstock, weeks, rng), rng)
        for name in CHANNELS
    }
    baseline = _baseline(weeks, season_shape, promo, rng)
    expected = sum(baseline["series"].values()) + sum(c.series for c in channels.values())
    multiplier = 1.0 + noise * np.clip(rng.standard_normal(weeks), -3.0, 3.0)
    revenue = np.round(expected * multiplier, 2)
    data = pd.DataFrame(
        {
            "date": dates.strftime("%Y-%m-%d"),
            "revenue": revenue,
            **{name: spends[name] for name in CHANNELS},
            "promo_flag": promo.astype(int),
        }
    )
    settings = {"seed": seed, "noise": noise, "adstock": adstock, "spend_profile": spend_profile}
    truth = _truth_document(settings, dates, channels, baseline, revenue - expected)
    return data, truth


def _check_arguments(weeks: int, seed: int, noise: float, adstock: str,
                     spend_profile: str) -> None:
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")
    if weeks < 4:
        raise ValueError(f"weeks must be at least 4, got {weeks}")
    if not 0.0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be between 0 and {MAX_NOISE}, got {noise}")
    if adstock not in ADSTOCK_CHOICES:
        raise ValueError(f"unknown adstock {adstock!r}; choose one of {', '.join(ADSTOCK_CHOICES)}")
    if spend_profile not in SPEND_PROFILES:
        raise ValueError(
            f"unknown spend profile {spend_profile!r}; choose one of {', '.join(SPEND_PROFILES)}"
        )


def _monday_weeks(start: str, weeks: int) -> pd.DatetimeIndex:
    first = pd.Timestamp(start).normalize()
    first -= pd.Timedelta(days=first.weekday())
    return pd.date_range(first, periods=weeks, freq="7D")


def _season_shape(dates: pd.DatetimeIndex) -> np.ndarray:
    """Yearly shape in about [-1, 1]: a main peak in late November, a smaller one in June."""
    day = dates.day_of_year.to_numpy(dtype=float)
    main = np.cos(2 * np.pi * (day - 330.0) / 365.25)
    second = np.cos(4 * np.pi * (day - 165.0) / 365.25)
    return (main + 0.3 * second) / 1.3


def _promo_weeks(dates: pd.DatetimeIndex, rng: Rng) -> np.ndarray:
    """Black Friday week every year plus about 6% random promo weeks."""
    friday = dates + pd.Timedelta(days=4)
    black_friday = (friday.month == 11) & (friday.day >= 22) & (friday.day <= 28)
    return black_friday | (rng.random(len(dates)) < 0.06)


def _spend_patterns(
    weeks: int, season_shape: np.ndarray, promo: np.ndarray, profile: SpendProfile, rng: Rng
) -> dict[str, np.ndarray]:
    patterns: dict[str, Callable[[], np.ndarray]] = {
        "spend_meta": lambda: _always_on_with_bursts(weeks, season_shape, profile, rng),
        "spend_google": lambda: _demand_following(weeks, season_shape, profile, rng),
        "spend_tiktok": lambda: _launch_with_flighting(weeks, rng),
        "spend_email": lambda: _email_sends(weeks, promo, rng),
    }
    return {name: np.round(pattern()) for name, pattern in patterns.items()}


def _budget_steps(weeks: int, every: int, step: tuple[float, float], rng: Rng) -> np.ndarray:
    """Budget level re-planned every ``every`` weeks by a factor drawn from ``step``."""
    return np.repeat(rng.uniform(*step, weeks // every + 1).cumprod(), every)[:weeks]


def _always_on_with_bursts(
    weeks: int, season_shape: np.ndarray, profile: SpendProfile, rng: Rng
) -> np.ndarray:
    level = rng.uniform(60_000, 150_000)
    if profile.meta_budget_step is not None:
        level = level * _budget_steps(
            weeks, profile.meta_budget_weeks, profile.meta_budget_step, rng
        )
    weekly = rng.lognormal(0.0, profile.meta_weekly_sd, weeks)
    spend = level * (1 + 0.25 * season_shape) * weekly
    for start in rng.choice(weeks, size=max(1, weeks // 13), replace=False):
        spend[start : start + rng.integers(2, 5)] *= rng.uniform(1.6, 2.2)
    return spend


def _demand_following(
    weeks: int, season_shape: np.ndarray, profile: SpendProfile, rng: Rng
) -> np.ndarray:
    level = rng.uniform(60_000, 150_000)
    steps = _budget_steps(weeks, profile.google_budget_weeks, profile.google_budget_step, rng)
    weekly = rng.lognormal(0.0, profile.google_weekly_sd, weeks)
    return level * steps * (1 + 0.3 * season_shape) * weekly


def _launch_with_flighting(weeks: int, rng: Rng) -> np.ndarray:
    level = rng.uniform(40_000, 100_000)
    launch = int(rng.uniform(0.25, 0.5) * weeks)
    on = np.zeros(weeks, dtype=bool)
    week, flighting = launch, True
    while week < weeks:
        length = rng.integers(3, 7) if flighting else rng.integers(1, 5)
        on[week : week + length] = flighting
        week, flighting = week + length, not flighting
    ramp = np.clip((np.arange(weeks) - launch + 1) / 4.0, 0.0, 1.0)
    return level * on * ramp * rng.lognormal(0.0, 0.2, weeks)


def _email_sends(weeks: int, promo: np.ndarray, rng: Rng) -> np.ndarray:
    level = rng.uniform(15_000, 40_000)
    sends = rng.random(weeks) >= 0.15
    return level * sends * np.where(promo, 2.5, 1.0) * rng.lognormal(0.0, 0.1, weeks)


def _adstock_for(name: str, choice: str, weeks: int, rng: Rng) -> Adstock:
    """The channel's adstock; Weibull scales are Robyn's share of the series length."""
    kind = PRIORS[name].mixed_kind if choice == "mixed" else choice
    if kind == "geometric":
        return make_adstock(kind, theta=rng.uniform(*PRIORS[name].theta))
    shape_range = (0.5, 3.0) if kind == "weibull_cdf" else (1.5, 4.0)
    return make_adstock(
        kind, shape=rng.uniform(*shape_range), scale=rng.uniform(0.01, 0.04), windlen=weeks
    )


@dataclass(frozen=True)
class ChannelTruth:
    """The true transform of one channel and its contribution series."""

    spend: np.ndarray
    adstock: Adstock
    alpha: float
    gamma: float
    inflexion: float
    coef: float
    roas: float
    series: np.ndarray

    def contribution(self, scale: float = 1.0) -> float:
        """Total contribution when every period's spend is multiplied by ``scale``."""
        adstocked = self.adstock.apply(self.spend * scale)
        return float(self.coef * hill(adstocked, self.alpha, self.inflexion).sum())

    def mroas(self) -> float:
        """d contribution / d spend when the window's spend is scaled by ``1 + eps``."""
        gain = self.contribution(1.0 + MROAS_EPS) - self.contribution()
        return gain / (MROAS_EPS * self.spend.sum())


def _channel_truth(name: str, spend: np.ndarray, adstock: Adstock, rng: Rng) -> ChannelTruth:
    prior = PRIORS[name]
    alpha, gamma, roas = (rng.uniform(*r) for r in (prior.alpha, prior.gamma, prior.roas))
    adstocked = adstock.apply(spend)
    inflexion = inflexion_from_gamma(adstocked, gamma)
    saturated = hill(adstocked, alpha, inflexion)
    coef = roas * spend.sum() / saturated.sum()
    return ChannelTruth(spend, adstock, alpha, gamma, inflexion, coef, roas, coef * saturated)


def _baseline(weeks: int, season_shape: np.ndarray, promo: np.ndarray, rng: Rng) -> dict:
    level = rng.uniform(400_000, 900_000)
    growth = rng.uniform(-0.05, 0.25)
    amplitude = rng.uniform(0.08, 0.20)
    lift = rng.uniform(0.05, 0.15)
    series = {
        "intercept": np.full(weeks, level),
        "trend": level * growth * np.arange(weeks) / 52.0,
        "season": level * amplitude * season_shape,
        "promo_flag": level * lift * promo,
    }
    params = {
        "intercept": level,
        "trend_growth_per_year": growth,
        "season_amplitude": amplitude,
        "promo_coef": level * lift,
    }
    return {"series": series, "params": params}


def _truth_document(
    settings: dict,
    dates: pd.DatetimeIndex,
    channels: dict[str, ChannelTruth],
    baseline: dict,
    noise_series: np.ndarray,
) -> dict:
    total_contribution = sum(c.series.sum() for c in channels.values())
    total_spend = sum(c.spend.sum() for c in channels.values())
    return {
        **settings,
        "weeks": len(dates),
        "dep_var_type": "revenue",
        "window": {
            "start": dates[0].strftime("%Y-%m-%d"),
            "end": dates[-1].strftime("%Y-%m-%d"),
            "periods": len(dates),
        },
        "channels": {
            name: _channel_document(c, total_contribution, total_spend)
            for name, c in channels.items()
        },
        "baseline": {
            "params": {k: float(v) for k, v in baseline["params"].items()},
            "contribution": {k: float(v.sum()) for k, v in baseline["series"].items()},
        },
        "decomposition": {
            **{k: v.tolist() for k, v in baseline["series"].items()},
            **{name: c.series.tolist() for name, c in channels.items()},
            "noise": noise_series.tolist(),
        },
    }


def _channel_document(c: ChannelTruth, total_contribution: float, total_spend: float) -> dict:
    spend = float(c.spend.sum())
    contribution = float(c.series.sum())
    response = ResponseCurve.from_spend(
        c.spend, c.adstock, coef=c.coef, alpha=c.alpha, gamma=c.gamma
    )
    return {
        "spend": spend,
        "mean_spend": float(c.spend.mean()),
        "min_spend": float(c.spend.min()),
        "max_spend": float(c.spend.max()),
        "contribution": contribution,
        "roas": contribution / spend,
        "mroas": c.mroas(),
        "effect_share": contribution / total_contribution,
        "spend_share": spend / total_spend,
        "adstock": c.adstock.kind,
        "hyperparameters": {"alpha": c.alpha, "gamma": c.gamma, **c.adstock.params()},
        "inflexion": c.inflexion,
        "coef": c.coef,
        "decay": c.adstock.decay_weights(DECAY_LAGS).tolist(),
        "response": response.to_dict(),
    }


def lift_studies(
    data: pd.DataFrame, truth: dict, seed: int, *, weeks: int = 4, noise: float = 0.1
) -> list[dict]:
    """One simulated lift test per channel, in the engine's ``calibration`` format.

    Each study covers ``weeks`` consecutive weeks in which the channel spends, from week
    ``LIFT_TEST_START`` on. Its lift is the channel's true immediate effect over those
    weeks (Robyn's split, which MAPE.LIFT compares with) times a measurement error
    :math:`1 + \\sigma z`, :math:`\\sigma` = ``noise``, :math:`z` standard normal.
    """
    rng = np.random.default_rng([seed, 2])
    n = len(data)
    studies = []
    for name in CHANNELS:
        spend = data[name].to_numpy(dtype=float)
        starts = [
            s for s in range(LIFT_TEST_START, n - weeks + 1) if (spend[s : s + weeks] > 0).all()
        ]
        if not starts:
            continue
        start = int(rng.choice(starts))
        effect = _true_immediate_effect(spend, truth["channels"][name])[start : start + weeks]
        studies.append(
            {
                "channel": name,
                "start": data["date"].iloc[start],
                "end": data["date"].iloc[start + weeks - 1],
                "lift": float(effect.sum() * (1.0 + noise * rng.standard_normal())),
            }
        )
    return studies


def _true_immediate_effect(spend: np.ndarray, channel: dict) -> np.ndarray:
    params = dict(channel["hyperparameters"])
    alpha, gamma = params.pop("alpha"), params.pop("gamma")
    if channel["adstock"] != "geometric":
        params["windlen"] = len(spend)
    adstock = make_adstock(channel["adstock"], **params)
    transform = transform_media(spend, slice(0, len(spend)), adstock, alpha, gamma)
    return immediate_contribution(transform, channel["coef"])
