"""``fit_model``: data + config -> the result document of ``docs/result-format.md``.

Steps: normalize the config, build the model inputs (window, prophet, context), search
hyperparameters with nevergrad (trials in parallel), keep Robyn's Pareto fronts, cluster
them, pick the recommended model (``selection``), bootstrap ROAS intervals for every Pareto
model and decompose each of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kiri_core import __version__
from kiri_core.engine.decompose import channel_metrics, decompose, term_summaries
from kiri_core.engine.features import PROPHET_TERMS, ModelData, prepare_model_data
from kiri_core.engine.hyperparameters import ADSTOCK_PARAMS
from kiri_core.engine.model import Evaluation, LiftStudy, Problem, evaluate
from kiri_core.engine.pareto import (
    BOOTSTRAP_SAMPLES,
    bootstrap_roas,
    cluster_models,
    cluster_winners,
    error_scores,
    interval_around,
    likelihood_weights,
    paid_roas,
    pareto_selection,
)
from kiri_core.engine.search import (
    DEFAULT_ALGORITHM,
    SearchResult,
    SearchSpace,
    build_space,
    run_search,
)
from kiri_core.engine.selection import DEFAULT_RULE, RULES, Choice, choose

QUICK_ITERATIONS, QUICK_TRIALS = 300, 1
QUICK_BOOTSTRAP_SAMPLES = 100  # coarser intervals for interactive tuning
PICK = -1  # key of the recommended model's interval group (cluster labels are >= 0)
# The progress bar: preparing the inputs takes the first 5 %, the search up to 90 %, the model
# set (Pareto fronts, clusters, intervals, decompositions) the rest.
SEARCH_START, SEARCH_END = 0.05, 0.9
PREPARING, SEARCHING, BUILDING = ("Preparing the model inputs", "Searching models",
                                  "Building the model set")
REQUIRED = ("date_column", "revenue_column", "spend_columns")


class FitInputError(ValueError):
    """The data or the config cannot be fitted; the message names the problem."""


Progress = Callable[[float], None]
Stage = Callable[[str], None]


def normalize_config(config: dict) -> dict:
    """The config with every default filled in; raises ``ValueError`` naming a bad key."""
    missing = [key for key in REQUIRED if not config.get(key)]
    if missing:
        raise ValueError(f"config is missing {', '.join(missing)}")
    out = {
        "date_column": config["date_column"],
        "revenue_column": config["revenue_column"],
        "spend_columns": list(config["spend_columns"]),
        "organic_columns": list(config.get("organic_columns") or []),
        "context_columns": list(config.get("context_columns") or []),
        "iterations": _whole(config, "iterations", 2000),
        "trials": _whole(config, "trials", 5),
        "seed": _whole(config, "seed", 1),
        "adstock": config.get("adstock", "geometric"),
        "prophet_country": config.get("prophet_country"),
        "window_start": config.get("window_start"),
        "window_end": config.get("window_end"),
        "dep_var_type": config.get("dep_var_type", "revenue"),
        "hyperparameter_bounds": config.get("hyperparameter_bounds") or {},
        "calibration": list(config.get("calibration") or []),
        "ts_validation": bool(config.get("ts_validation", False)),
        "algorithm": config.get("algorithm", DEFAULT_ALGORITHM),
        "selection": config.get("selection", DEFAULT_RULE),
        "quick": bool(config.get("quick", False)),
    }
    default_prophet = ["trend", "season"] + (["holiday"] if out["prophet_country"] else [])
    prophet_vars = config.get("prophet_vars")
    out["prophet_vars"] = list(default_prophet if prophet_vars is None else prophet_vars)
    if out["quick"]:
        out["iterations"], out["trials"] = QUICK_ITERATIONS, QUICK_TRIALS
    _check(out)
    return out


def _whole(config: dict, key: str, default: int) -> int:
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise ValueError(f"{key} must be a whole number, got {value!r}")
    return int(value)


def _check(config: dict) -> None:
    if config["adstock"] not in ADSTOCK_PARAMS:
        raise ValueError(
            f"adstock must be one of {', '.join(ADSTOCK_PARAMS)}, got {config['adstock']!r}"
        )
    if config["dep_var_type"] not in ("revenue", "conversion"):
        raise ValueError(
            f"dep_var_type must be revenue or conversion, got {config['dep_var_type']!r}"
        )
    if config["iterations"] < 10 or config["trials"] < 1:
        raise ValueError("iterations must be at least 10 and trials at least 1")
    if config["selection"] not in RULES:
        raise ValueError(f"selection must be one of {', '.join(RULES)}")
    unknown = set(config["prophet_vars"]) - set(PROPHET_TERMS)
    if unknown:
        raise ValueError(
            f"prophet_vars may hold {', '.join(PROPHET_TERMS)}; "
            f"unknown: {', '.join(sorted(unknown))}"
        )
    if len(config["spend_columns"]) < 2:
        raise ValueError("at least 2 spend columns are needed")


@dataclass(frozen=True)
class SearchedFit:
    """A finished search, before the model set is built (the accuracy bench reuses it)."""

    config: dict
    problem: Problem
    space: SearchSpace
    search: SearchResult
    seconds: dict[str, float]


def fit_model(
    data: pd.DataFrame,
    config: dict,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    stage: Stage | None = None,
) -> dict:
    """Fit Robyn's model family on ``data`` and return the result document.

    ``workers`` caps the search processes (default: all cores); results do not depend on it.
    ``progress(fraction)`` is called as the fit advances and ``stage(name)`` as it starts
    each step (:data:`PREPARING`, :data:`SEARCHING`, :data:`BUILDING`); an exception raised
    by ``progress`` stops the search processes and propagates.
    """
    searched = search_models(data, config, progress, workers=workers, stage=stage)
    _announce(stage, BUILDING)
    document = result_document(searched)
    if progress is not None:
        progress(1.0)
    return document


def search_models(
    data: pd.DataFrame,
    config: dict,
    progress: Progress | None = None,
    *,
    workers: int | None = None,
    stage: Stage | None = None,
) -> SearchedFit:
    """Normalize the config, prepare the inputs and run the hyperparameter search.

    Raises
    ------
    FitInputError
        The config or the data cannot be fitted (before any search starts).
    """
    started = time.perf_counter()
    _announce(stage, PREPARING)
    try:
        config, problem, space = prepare_problem(data, config)
    except (ValueError, TypeError) as error:
        raise FitInputError(str(error)) from error
    ready = time.perf_counter()
    _announce(stage, SEARCHING)
    search = run_search(
        problem,
        space,
        config["iterations"],
        config["trials"],
        config["seed"],
        algorithm=config["algorithm"],
        workers=workers,
        progress=_between(progress, SEARCH_START, SEARCH_END),
    )
    seconds = {"prepare_seconds": ready - started, "search_seconds": time.perf_counter() - ready}
    return SearchedFit(config, problem, space, search, seconds)


def prepare_problem(data: pd.DataFrame, config: dict) -> tuple[dict, Problem, SearchSpace]:
    """The normalized config, the model inputs and the search space of a fit."""
    config = normalize_config(config)
    prepared = prepare_model_data(data, config)
    problem = Problem(
        prepared,
        config["adstock"],
        ts_validation=config["ts_validation"],
        calibration=lift_studies(config["calibration"], prepared),
    )
    space = build_space(
        prepared.media_names,
        config["adstock"],
        config["hyperparameter_bounds"],
        config["ts_validation"],
    )
    return config, problem, space


def _announce(stage: Stage | None, name: str) -> None:
    if stage is not None:
        stage(name)


def _between(progress: Progress | None, start: float, end: float) -> Progress | None:
    """Report ``start`` and return ``progress`` for a step that fills the bar from ``start``
    to ``end`` (0 to 1 within the step)."""
    if progress is None:
        return None
    progress(start)
    return lambda fraction: progress(start + (end - start) * fraction)


def result_document(searched: SearchedFit, selection: str | None = None) -> dict:
    """The result document of a finished search (``selection`` overrides the config's rule)."""
    started = time.perf_counter()
    config = dict(searched.config)
    if selection is not None:
        config["selection"] = selection
    data = searched.problem.data
    models = model_set(searched.problem, searched.space, searched.search, config)
    recommended = next(m for m in models if m["recommended"])
    seconds = {**searched.seconds, "model_set_seconds": time.perf_counter() - started}
    seconds["total_seconds"] = sum(seconds.values())
    return {
        "format_version": 1,
        "engine": "kiri",
        "engine_version": __version__,
        "dep_var_type": config["dep_var_type"],
        "config": config,
        "window": {
            "start": _iso(data.window_dates[0]),
            "end": _iso(data.window_dates[-1]),
            "periods": len(data.y),
        },
        "dates": [_iso(d) for d in data.window_dates],
        "actual": data.y.tolist(),
        "spend_columns": data.paid,
        "organic_columns": data.organic,
        "context_columns": data.context,
        "model_id": recommended["model_id"],
        "recommendation_reason": recommended.pop("reason"),
        "metrics": recommended["metrics"],
        "channels": recommended["channels"],
        "models": models,
        "search": {
            "models_evaluated": len(searched.search.model_ids),
            "hyperparameter_names": searched.space.labels,
        },
        "timings": {key: round(value, 3) for key, value in seconds.items()},
    }


def lift_studies(studies: list[dict], data: ModelData) -> tuple[LiftStudy, ...]:
    """Lift tests as window rows; each needs channel, start, end and lift."""
    out = []
    dates = data.window_dates
    for i, study in enumerate(studies, start=1):
        missing = {"channel", "start", "end", "lift"} - set(study)
        if missing:
            raise ValueError(f"calibration study {i} lacks {', '.join(sorted(missing))}")
        if study["channel"] not in data.media_names:
            raise ValueError(f"calibration study {i}: {study['channel']!r} is not a media column")
        inside = np.flatnonzero(
            (dates >= pd.Timestamp(study["start"])) & (dates <= pd.Timestamp(study["end"]))
        )
        if inside.size == 0 or float(study["lift"]) == 0:
            raise ValueError(
                f"calibration study {i} must cover window periods and have a non-zero lift"
            )
        out.append(
            LiftStudy(
                study["channel"], slice(int(inside[0]), int(inside[-1]) + 1), float(study["lift"])
            )
        )
    return tuple(out)


def model_set(
    problem: Problem, space: SearchSpace, search: SearchResult, config: dict
) -> list[dict]:
    """Pareto models with clusters, winners, intervals and the recommendation, as dicts."""
    mape = search.mape_lift if problem.calibration else None
    fronts = pareto_selection(search.nrmse, search.decomp_rssd, mape)
    chosen = np.flatnonzero(fronts > 0)
    hps = [space.as_dict(search.values[i]) for i in chosen]
    fits = [evaluate(problem, hp) for hp in hps]
    paid_columns, spend = _paid_columns(problem)
    roas = np.array([paid_roas(f.fit.coef, f.design, paid_columns, spend) for f in fits])
    labels = cluster_models(roas, config["seed"])
    scores = error_scores(
        search.nrmse[chosen], search.decomp_rssd[chosen], None if mape is None else mape[chosen]
    )
    winners = cluster_winners(labels, scores)
    conversion = config["dep_var_type"] == "conversion"
    pick = choose(
        config["selection"],
        fits,
        [hp["lambda"] for hp in hps],
        problem.data.y,
        np.where(winners, scores, np.inf),
        labels,
        roas,
        conversion,
    )
    intervals = _intervals(problem, space, search, config, fits, roas, labels, pick)
    models = []
    for k, i in enumerate(chosen):
        doc = model_document(problem, fits[k], hps[k], conversion)
        doc.update(
            model_id=search.model_ids[i],
            pareto_front=int(fronts[i]),
            cluster=int(labels[k]),
            is_cluster_winner=bool(winners[k]),
            recommended=k == pick.index,
            error_score=float(scores[k]),
        )
        _attach_intervals(doc, intervals[k], conversion)
        if k == pick.index:
            doc["reason"] = pick.reason
        models.append(doc)
    return sorted(models, key=_listing_order)


def _paid_columns(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """The paid channels' columns in the design matrix and their spend in the window."""
    data = problem.data
    spend = np.array([data.spend[c][data.window].sum() for c in data.paid])
    return np.arange(len(data.paid)) + len(data.baseline.columns), spend


def _intervals(problem: Problem, space: SearchSpace, search: SearchResult, config: dict,
               fits: list[Evaluation], roas: np.ndarray, labels: np.ndarray,
               pick: Choice) -> list[np.ndarray]:
    """Each Pareto model's 90 % ROAS interval: drawn over its cluster's models, and for the
    recommended model over the models as likely as it (its peers under ts_validation)."""
    samples = QUICK_BOOTSTRAP_SAMPLES if config["quick"] else BOOTSTRAP_SAMPLES
    groups = {cluster: [fits[j] for j in np.flatnonzero(labels == cluster)]
              for cluster in np.unique(labels)}
    groups[PICK] = (
        [fits[j] for j in pick.peers]
        if problem.ts_validation
        else models_as_likely(problem, space, search, samples, config["seed"])
    )
    paid_columns, spend = _paid_columns(problem)
    drawn = roas_intervals(
        problem.data.y, groups, paid_columns, spend, seed=config["seed"], samples=samples
    )
    return [interval_around(drawn[PICK if k == pick.index else labels[k]], roas[k])
            for k in range(len(fits))]


def _listing_order(model: dict) -> tuple:
    """The recommended model first, then by Pareto front, NRMSE and id."""
    return (not model["recommended"], model["pareto_front"], model["metrics"]["nrmse"],
            model["model_id"])


def models_as_likely(
    problem: Problem, space: SearchSpace, search: SearchResult, draws: int, seed: int
) -> list[Evaluation]:
    """``draws`` models drawn from every evaluated model (with calibration, from those within
    Robyn's MAPE.LIFT constraint) with probability proportional to its likelihood."""
    nrmse = search.nrmse
    if problem.calibration:
        nrmse = np.where(search.mape_lift <= np.quantile(search.mape_lift, 0.1), nrmse, np.nan)
    weights = likelihood_weights(nrmse, len(problem.data.y))
    picks = np.random.default_rng([seed, 3]).choice(len(weights), size=draws, p=weights)
    fitted = {i: evaluate(problem, space.as_dict(search.values[i])) for i in np.unique(picks)}
    return [fitted[i] for i in picks]


def roas_intervals(
    y: np.ndarray,
    groups: dict[int, list[Evaluation]],
    paid_columns: np.ndarray,
    spend: np.ndarray,
    *,
    seed: int,
    samples: int,
) -> dict[int, np.ndarray]:
    """Quantiles (5%, 50%, 95%; ``channels x 3``) of bootstrapped ROAS over each group's
    models, by the group's key."""
    return {
        k: bootstrap_roas(
            y,
            [(m.design, m.fit.lambda_, m.lower, m.upper) for m in group],
            paid_columns,
            spend,
            seed=seed,
            samples=samples,
        )
        for k, group in groups.items()
    }


def model_document(problem: Problem, model: Evaluation, hp: dict, conversion: bool) -> dict:
    parts = decompose(problem, model)
    return {
        "lambda": model.lambda_,
        "hyperparameters": {
            "lambda": hp["lambda"],
            **({"train_size": hp["train_size"]} if "train_size" in hp else {}),
        },
        "metrics": {
            "rsq": model.rsq,
            "nrmse": model.nrmse,
            "decomp_rssd": model.decomp_rssd,
            "mape_lift": model.mape_lift,
        },
        "channels": channel_metrics(problem, model, hp, parts, conversion),
        "organic": {name: dict(hp[name]) for name in problem.data.organic},
        "terms": term_summaries(problem, model, parts),
        "decomposition": {term: series.tolist() for term, series in parts.items()},
        "fitted": np.sum(list(parts.values()), axis=0).tolist(),
    }


def _attach_intervals(doc: dict, interval: np.ndarray, conversion: bool) -> None:
    for (low, high), block in zip(interval, doc["channels"].values(), strict=True):
        block["roas_ci"] = [float(low), float(high)]
        if conversion:
            block["cpa_ci"] = [1 / high if high > 0 else None, 1 / low if low > 0 else None]


def _iso(day: pd.Timestamp) -> str:
    return day.strftime("%Y-%m-%d")
