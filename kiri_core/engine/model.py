"""One model: hyperparameters -> transformed media -> bounded ridge fit -> Robyn's metrics.

The search evaluates this thousands of times; the decomposition re-runs it for the Pareto
models. Media are adstocked over all rows and saturated over the modelling window with
Robyn's inflexion (``saturation.inflexion_from_gamma``). Metrics follow Robyn 3.12:

- NRMSE: ``sqrt(mean((y - yhat)**2)) / (max(y) - min(y))`` (on the validation rows when
  ``ts_validation`` is on, else on the training rows),
- DECOMP.RSSD: ``sqrt(sum((effect_share - spend_share)**2))`` over paid media, times
  ``1 + share of channels with zero effect`` (Robyn's ``rssd_zero_penalty``),
- MAPE.LIFT: mean ``|modelled immediate lift - measured lift| / measured lift`` over lift
  studies (Robyn's default ``calibration_scope = "immediate"``),
- R²: adjusted, ``1 - (1 - R²) (n - 1) / (n - p - 1)`` on the training rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kiri_core.engine.adstock import Adstock, make_adstock
from kiri_core.engine.features import ModelData
from kiri_core.engine.hyperparameters import ADSTOCK_PARAMS
from kiri_core.engine.ridge import RidgeFit, fit_ridge, lambda_from_hp, lambda_range
from kiri_core.engine.saturation import hill, inflexion_from_gamma


@dataclass(frozen=True)
class LiftStudy:
    """A lift test: ``lift`` measured for ``channel`` over window rows ``rows``."""

    channel: str
    rows: slice
    lift: float


@dataclass(frozen=True)
class Problem:
    """The fixed inputs of every model of one fit."""

    data: ModelData
    adstock: str
    ts_validation: bool = False
    calibration: tuple[LiftStudy, ...] = ()
    spend_share: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        totals = np.array([self.data.spend[c][self.data.window].sum() for c in self.data.paid])
        object.__setattr__(self, "spend_share", totals / totals.sum())


@dataclass(frozen=True)
class MediaTransform:
    adstock: Adstock
    alpha: float
    inflexion: float
    spend: np.ndarray  # all rows, raw
    window: slice
    adstocked: np.ndarray  # all rows
    saturated: np.ndarray  # window rows

    @property
    def carryover(self) -> np.ndarray:
        """Window rows: the adstocked series minus its same-period part."""
        return self.adstocked[self.window] - self.adstock.immediate(self.spend)[self.window]


@dataclass(frozen=True)
class Evaluation:
    """A fitted model and its metrics (``nrmse`` is the search objective)."""

    fit: RidgeFit
    columns: list[str]
    design: np.ndarray  # window rows x columns
    lower: np.ndarray  # coefficient bounds per column
    upper: np.ndarray
    transforms: dict[str, MediaTransform]
    nrmse: float
    decomp_rssd: float
    mape_lift: float | None
    rsq: float
    lambda_: float


def channel_adstock(kind: str, params: dict[str, float], windlen: int) -> Adstock:
    """The channel's adstock; Weibull scales use the whole series length as Robyn does."""
    values = {name: params[name] for name in ADSTOCK_PARAMS[kind]}
    if kind != "geometric":
        values["windlen"] = windlen
    return make_adstock(kind, **values)


def transform_media(
    x_all: np.ndarray, window: slice, adstock: Adstock, alpha: float, gamma: float
) -> MediaTransform:
    """Adstock over all rows, then Hill over the window with Robyn's inflexion."""
    adstocked = adstock.apply(x_all)
    in_window = adstocked[window]
    inflexion = inflexion_from_gamma(in_window, gamma)
    saturated = hill(in_window, alpha, inflexion)
    return MediaTransform(adstock, alpha, inflexion, x_all, window, adstocked, saturated)


def train_rows(n: int, train_size: float) -> tuple[int, int]:
    """Robyn's split: train = ``floor(quantile(1:n, train_size))``, validation and test
    share the rest equally. Returns the end rows of train and validation."""
    train_end = int(np.floor(1 + train_size * (n - 1)))
    val_end = train_end + int(np.floor((1 - train_size) / 2 * n))
    return train_end, val_end


def evaluate(problem: Problem, hp: dict) -> Evaluation:
    """Fit one model; ``hp`` = ``{channel: {param: value}, "lambda": .., "train_size": ..}``."""
    data = problem.data
    n_all = len(data.y_all)
    transforms = {}
    for name in data.media_names:
        params = hp[name]
        adstock = channel_adstock(problem.adstock, params, n_all)
        transforms[name] = transform_media(
            data.media[name], data.window, adstock, params["alpha"], params["gamma"]
        )
    design = np.column_stack(
        [data.baseline.values] + [transforms[name].saturated for name in data.media_names]
    )
    columns = data.baseline.columns + data.media_names
    n_media = len(data.media_names)
    lower = np.concatenate([data.baseline.lower, np.zeros(n_media)])
    upper = np.concatenate([data.baseline.upper, np.full(n_media, np.inf)])
    y = data.y
    n = len(y)
    train_end, val_end = (n, n)
    if problem.ts_validation:
        train_end, val_end = train_rows(n, hp["train_size"])
    x_train, y_train = design[:train_end], y[:train_end]
    lambda_min, lambda_max = lambda_range(x_train, y_train)
    lambda_ = lambda_from_hp(hp["lambda"], lambda_min, lambda_max)
    fit = fit_ridge(x_train, y_train, lambda_, lower, upper)
    fitted = fit.predict(design)
    scored = slice(train_end, val_end) if problem.ts_validation else slice(0, train_end)
    media_coef = fit.coef[len(data.baseline.columns) :]
    return Evaluation(
        fit=fit,
        columns=columns,
        design=design,
        lower=lower,
        upper=upper,
        transforms=transforms,
        nrmse=nrmse(y[scored], fitted[scored]),
        decomp_rssd=decomp_rssd(problem, media_coef, transforms),
        mape_lift=mape_lift(problem, media_coef, transforms),
        rsq=adjusted_rsq(y_train, fitted[:train_end], design.shape[1]),
        lambda_=lambda_,
    )


def nrmse(y: np.ndarray, fitted: np.ndarray) -> float:
    if len(y) == 0:
        return float("nan")
    spread = float(y.max() - y.min()) or 1.0
    return float(np.sqrt(np.mean((y - fitted) ** 2)) / spread)


def adjusted_rsq(y: np.ndarray, fitted: np.ndarray, p: int) -> float:
    n = len(y)
    rsq = 1.0 - np.sum((y - fitted) ** 2) / np.sum((y - y.mean()) ** 2)
    return float(1.0 - (1.0 - rsq) * (n - 1) / (n - p - 1)) if n - p - 1 > 0 else float(rsq)


def decomp_rssd(
    problem: Problem, media_coef: np.ndarray, transforms: dict[str, MediaTransform]
) -> float:
    paid = problem.data.paid
    effects = np.array(
        [media_coef[i] * transforms[name].saturated.sum() for i, name in enumerate(paid)]
    )
    total = effects.sum()
    shares = effects / total if total > 0 else np.zeros(len(paid))
    rssd = float(np.sqrt(np.sum((shares - problem.spend_share) ** 2)))
    zero_share = float(np.mean(np.round(shares, 4) == 0))
    return rssd * (1.0 + zero_share)


def mape_lift(
    problem: Problem, media_coef: np.ndarray, transforms: dict[str, MediaTransform]
) -> float | None:
    if not problem.calibration:
        return None
    names = problem.data.media_names
    errors = []
    for study in problem.calibration:
        transform = transforms[study.channel]
        coef = media_coef[names.index(study.channel)]
        immediate = immediate_contribution(transform, coef)
        errors.append(abs(immediate[study.rows].sum() - study.lift) / abs(study.lift))
    return float(np.mean(errors))


def immediate_contribution(transform: MediaTransform, coef: float) -> np.ndarray:
    """Robyn's split of a channel's contribution per window row: carry-over =
    ``coef * hill(adstocked - immediate)`` at the model's inflexion, immediate = the rest."""
    carryover = coef * hill(transform.carryover, transform.alpha, transform.inflexion)
    return coef * transform.saturated - carryover
