"""Model inputs: the modelling window, prophet components and one-hot context columns.

Robyn fits prophet on the dependent variable over the whole data set (all rows, not just the
window), then the regression uses the window only. Media are adstocked over all rows (so the
window starts with the carry-over of earlier spend) and saturated over the window.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kiri_core.engine.prophet_cache import FitCache

PROPHET_TERMS = ("trend", "season", "monthly", "holiday")
PROPHET_FITS = FitCache(size=16)
TREND_CHANGEPOINT_PRIOR = 0.005


@dataclass(frozen=True)
class Baseline:
    """Non-media regressors over the window, one column each, grouped into terms.

    ``terms[j]`` names the result term of column ``j`` (a categorical context column is
    one-hot encoded into several columns that share its name as term).
    """

    columns: list[str]
    terms: list[str]
    values: np.ndarray  # window rows x columns
    lower: np.ndarray
    upper: np.ndarray


@dataclass(frozen=True)
class ModelData:
    """Everything the search and the decomposition need, as plain arrays."""

    dates: pd.DatetimeIndex  # all rows
    y_all: np.ndarray
    window: slice  # rows of the modelling window
    media: dict[str, np.ndarray]  # paid + organic, all rows
    paid: list[str]
    organic: list[str]
    context: list[str]
    baseline: Baseline
    spend: dict[str, np.ndarray] = field(default_factory=dict)  # paid spend, all rows

    @property
    def y(self) -> np.ndarray:
        return self.y_all[self.window]

    @property
    def window_dates(self) -> pd.DatetimeIndex:
        return self.dates[self.window]

    @property
    def media_names(self) -> list[str]:
        return self.paid + self.organic


def window_slice(dates: pd.DatetimeIndex, start: str | None, end: str | None) -> slice:
    """Rows of the modelling window; like Robyn, each bound snaps to the nearest date."""
    first = 0 if start is None else _nearest(dates, _bound(start, "window_start"))
    last = len(dates) - 1 if end is None else _nearest(dates, _bound(end, "window_end"))
    if start is not None and end is not None and _bound(start, "") > _bound(end, ""):
        raise ValueError(f"window_start {start} is after window_end {end}")
    if last - first + 1 < 2:
        raise ValueError(
            f"the modelling window {start or 'from the first week'} .. "
            f"{end or 'to the last week'} holds fewer than 2 weeks of the data, which runs "
            f"from {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}")
    return slice(first, last + 1)


def _bound(value: str, key: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(value)
    except ValueError as error:
        raise ValueError(f"{key} {value!r} is not a date (use YYYY-MM-DD)") from error


def _nearest(dates: pd.DatetimeIndex, when: pd.Timestamp) -> int:
    return int(np.argmin(np.abs((dates - when).days)))


def prepare_model_data(data: pd.DataFrame, config: dict) -> ModelData:
    """Turn a validated data frame and a normalized config into :class:`ModelData`."""
    columns = [
        config["date_column"],
        config["revenue_column"],
        *config["spend_columns"],
        *config.get("organic_columns", []),
        *config.get("context_columns", []),
    ]
    missing = [name for name in columns if name not in data.columns]
    if missing:
        raise ValueError(f"column(s) not found in the data: {', '.join(missing)}")
    data = data.sort_values(config["date_column"]).reset_index(drop=True)
    dates = pd.DatetimeIndex(pd.to_datetime(data[config["date_column"]]))
    y_all = data[config["revenue_column"]].to_numpy(dtype=float)
    window = window_slice(dates, config.get("window_start"), config.get("window_end"))
    paid, organic = list(config["spend_columns"]), list(config.get("organic_columns", []))
    media = {name: data[name].to_numpy(dtype=float) for name in paid + organic}
    silent = [name for name in paid if not (media[name][window] > 0).any()]
    if silent:
        raise ValueError(f"no spend in the modelling window on {', '.join(silent)}: leave "
                         f"{'it' if len(silent) == 1 else 'them'} out of the spend columns or "
                         "widen the window")
    prophet = prophet_components(
        dates, y_all, tuple(config.get("prophet_vars", [])), config.get("prophet_country")
    )
    baseline = build_baseline(data, window, prophet, list(config.get("context_columns", [])))
    return ModelData(
        dates=dates,
        y_all=y_all,
        window=window,
        media=media,
        paid=paid,
        organic=organic,
        context=list(config.get("context_columns", [])),
        baseline=baseline,
        spend={name: media[name] for name in paid},
    )


def build_baseline(
    data: pd.DataFrame, window: slice, prophet: pd.DataFrame, context: list[str]
) -> Baseline:
    """Prophet terms (bounded as Robyn does) and context columns (free sign).

    Robyn bounds prophet coefficients to [0, 1] — the component is at most taken at the size
    prophet estimated — and the trend to [-1, 0] when its window sum is negative.
    """
    columns, terms, values, lower, upper = [], [], [], [], []
    for term in prophet.columns:
        series = prophet[term].to_numpy(dtype=float)[window]
        negative_trend = term == "trend" and series.sum() < 0
        columns.append(term)
        terms.append(term)
        values.append(series)
        lower.append(-1.0 if negative_trend else 0.0)
        upper.append(0.0 if negative_trend else 1.0)
    for name in context:
        for column, series in context_columns(data[name]).items():
            columns.append(column)
            terms.append(name)
            values.append(series[window])
            lower.append(-np.inf)
            upper.append(np.inf)
    n_rows = window.stop - window.start
    matrix = np.column_stack(values) if values else np.empty((n_rows, 0))
    return Baseline(columns, terms, matrix, np.array(lower), np.array(upper))


def context_columns(series: pd.Series) -> dict[str, np.ndarray]:
    """A numeric column as is; a categorical one one-hot encoded.

    The most frequent level (Robyn's ``"na"`` in ``events``) is the baseline and gets no
    column, so the intercept stays identifiable.
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return {str(series.name): series.to_numpy(dtype=float)}
    labels = series.astype(str).fillna("na")
    counts = labels.value_counts()
    baseline_level = sorted(counts[counts == counts.max()].index)[0]
    levels = sorted(level for level in counts.index if level != baseline_level)
    return {f"{series.name}={level}": (labels == level).to_numpy(dtype=float) for level in levels}


def prophet_components(
    dates: pd.DatetimeIndex, y: np.ndarray, terms: tuple[str, ...], country: str | None
) -> pd.DataFrame:
    """Prophet's trend / season / monthly / holiday for every row, fitted on ``y``.

    Unlike Robyn (prophet's default ``changepoint_prior_scale = 0.05``), the trend's
    changepoints are damped to ``0.005`` (a stiff trend): fitted on sales, a flexible
    trend soaks up media-driven level shifts (a launch, budget steps) and takes them from
    the media (measured in ``docs/engine.md``).

    Cached per data and settings (:data:`PROPHET_FITS`, in memory and, where the job entry
    point gives a folder, on disk), so the quick mode and repeated fits skip the prophet fit.
    """
    unknown = set(terms) - set(PROPHET_TERMS)
    if unknown:
        raise ValueError(f"unknown prophet_vars {sorted(unknown)}; use {list(PROPHET_TERMS)}")
    if not terms:
        return pd.DataFrame(index=range(len(dates)))
    if "holiday" in terms and not country:
        raise ValueError("prophet_vars holds 'holiday' but no prophet_country is given")
    return PROPHET_FITS.get(_cache_key(dates, y, terms, country),
                            lambda: _fit_prophet(dates, y, terms, country))


def _cache_key(dates: pd.DatetimeIndex, y: np.ndarray, terms: tuple, country: str | None) -> str:
    digest = hashlib.sha256(dates.asi8.tobytes() + np.ascontiguousarray(y).tobytes())
    digest.update(repr((sorted(terms), country)).encode())
    return digest.hexdigest()


def import_prophet() -> type:
    """Import prophet (about 0.15 s) with its chatty loggers quietened, without its plotting.

    prophet imports matplotlib's pyplot for its plots at import (0.6 s, most of a cold quick
    run's import time); we never plot with prophet, so unless pyplot is loaded already the
    import is refused while prophet loads (prophet then only disables its plots). Long-lived
    processes (the RQ worker, whose job processes are forked from it) call this at start so
    the first fit does not pay the import.
    """
    # prophet logs "Importing matplotlib/plotly failed" at import; we never plot with it.
    logging.getLogger("prophet.plot").setLevel(logging.CRITICAL)
    with _refused_import("matplotlib"):
        from prophet import Prophet

    # It warns of a yearly season with under 730 days of history, which two years of weekly
    # rows (721 days from first to last week) are; the season is the user's choice
    # (prophet_vars). Its import sets its logger's level, so this comes after it.
    logging.getLogger("prophet").setLevel(logging.ERROR)

    # cmdstanpy logs every chain at INFO and an ERROR when L-BFGS stops early (prophet then
    # refits with Newton and says so in a warning). A handler of our own keeps cmdstanpy
    # from installing its chatty default one.
    stan_logger = logging.getLogger("cmdstanpy")
    if not stan_logger.handlers:
        stan_logger.addHandler(logging.NullHandler())
    stan_logger.setLevel(logging.CRITICAL)
    return Prophet


@contextmanager
def _refused_import(package: str) -> Iterator[None]:
    """Within the block, ``import package`` raises ImportError unless it is loaded already;
    afterwards it imports as usual."""
    if package in sys.modules:
        yield
        return
    sys.modules[package] = None  # type: ignore[assignment]  # Python's mark for "refused"
    try:
        yield
    finally:
        del sys.modules[package]


def _fit_prophet(
    dates: pd.DatetimeIndex, y: np.ndarray, terms: tuple[str, ...], country: str | None
) -> pd.DataFrame:
    Prophet = import_prophet()  # noqa: N806 (a class)
    holidays = period_holidays(dates, country) if "holiday" in terms else None
    model = Prophet(
        growth="linear",
        changepoint_prior_scale=TREND_CHANGEPOINT_PRIOR,
        yearly_seasonality="season" in terms,
        weekly_seasonality=False,
        daily_seasonality=False,
        holidays=holidays,
        uncertainty_samples=0,
    )
    if "monthly" in terms:
        model.add_seasonality(name="monthly", period=30.5, fourier_order=5)
    frame = pd.DataFrame({"ds": dates, "y": y})
    with warnings.catch_warnings():  # prophet's own pandas deprecation warnings
        warnings.simplefilter("ignore", category=FutureWarning)
        warnings.simplefilter("ignore", category=DeprecationWarning)
        model.fit(frame)
        forecast = model.predict(frame)
    source = {"trend": "trend", "season": "yearly", "monthly": "monthly", "holiday": "holidays"}
    out = {}
    for term in PROPHET_TERMS:
        if term in terms:
            column = source[term]
            out[term] = forecast[column].to_numpy() if column in forecast else np.zeros(len(y))
    return pd.DataFrame(out)


def period_holidays(dates: pd.DatetimeIndex, country: str) -> pd.DataFrame:
    """The country's public holidays mapped to the period holding them (Robyn's weekly rule).

    Every holiday is moved to the start of its period; holidays sharing a period become one
    event named by their joined names.
    """
    import holidays as holiday_calendars

    years = range(dates.min().year, dates.max().year + 2)
    try:
        calendar = holiday_calendars.country_holidays(country, years=years)
    except NotImplementedError as exc:
        raise ValueError(f"unknown prophet_country {country!r} (use an ISO code like DE)") from exc
    step = (dates[1:] - dates[:-1]).median() if len(dates) > 1 else pd.Timedelta(days=1)
    per_period: dict[pd.Timestamp, list[str]] = {}
    for day, name in sorted(calendar.items()):
        day = pd.Timestamp(day)
        position = dates.searchsorted(day, side="right") - 1
        if position < 0 or day >= dates[position] + step:
            continue
        per_period.setdefault(dates[position], []).append(name)
    return pd.DataFrame(
        {
            "ds": list(per_period),
            "holiday": [", ".join(sorted(set(names))) for names in per_period.values()],
        }
    )
