"""Multi-objective hyperparameter search with nevergrad, trials in parallel processes.

Like Robyn, every hyperparameter is searched on [0, 1] and mapped linearly into its bounds
(``qunif``); nevergrad (TwoPointsDE by default) is told the objectives NRMSE and DECOMP.RSSD,
plus MAPE.LIFT when lift studies are given. Each trial is an independent optimizer seeded
from ``(seed, trial)``, so the models do not depend on how many processes run the trials.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import nevergrad as ng
import numpy as np

from kiri_core.engine import nevergrad_front
from kiri_core.engine.hyperparameters import (
    ADSTOCK_PARAMS,
    DEFAULT_BOUNDS,
    GLOBAL_BOUNDS,
    VALID_RANGES,
)
from kiri_core.engine.model import Problem, evaluate

DEFAULT_ALGORITHM = "TwoPointsDE"
REPORTS_PER_TRIAL = 200

Progress = Callable[[float], None]


@dataclass(frozen=True)
class SearchSpace:
    """Every hyperparameter as ``(owner, name)`` with bounds; owner "" for lambda/train_size."""

    keys: tuple[tuple[str, str], ...]
    lower: np.ndarray
    upper: np.ndarray

    @property
    def free(self) -> np.ndarray:
        return self.upper > self.lower

    @property
    def labels(self) -> list[str]:
        """Robyn's column names: ``tv_S_alphas``, ..., ``lambda``, ``train_size``."""
        return [f"{owner}_{name}s" if owner else name for owner, name in self.keys]

    def values(self, unit: np.ndarray) -> np.ndarray:
        """Map the free coordinates from [0, 1] into their bounds; fixed ones keep theirs."""
        full = self.lower.copy()
        free = self.free
        full[free] = self.lower[free] + unit * (self.upper[free] - self.lower[free])
        return full

    def as_dict(self, values: np.ndarray) -> dict:
        out: dict = {}
        for (owner, name), value in zip(self.keys, values, strict=True):
            if owner:
                out.setdefault(owner, {})[name] = float(value)
            else:
                out[name] = float(value)
        return out


def build_space(
    media: list[str], adstock: str, overrides: dict | None, ts_validation: bool
) -> SearchSpace:
    """Robyn-like default bounds per channel, overridden per channel and parameter.

    ``overrides`` maps a channel to ``{param: [low, high] | value}`` (Robyn's plural names
    such as ``alphas`` are accepted), and may hold ``lambda`` and ``train_size``.
    """
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(media) - set(GLOBAL_BOUNDS)
    if unknown:
        raise ValueError(f"hyperparameter_bounds names unknown channels: {sorted(unknown)}")
    keys, bounds = [], []
    for channel in media:
        given = {_singular(k): v for k, v in (overrides.get(channel) or {}).items()}
        params = ("alpha", "gamma", *ADSTOCK_PARAMS[adstock])
        extra = set(given) - set(params)
        if extra:
            raise ValueError(
                f"hyperparameter_bounds for {channel}: unknown {sorted(extra)} "
                f"for {adstock} adstock (use {list(params)})"
            )
        for name in params:
            keys.append((channel, name))
            bounds.append(
                _bounds(f"{channel} {name}", name, given.get(name), DEFAULT_BOUNDS[adstock][name])
            )
    globals_used = ["lambda"] + (["train_size"] if ts_validation else [])
    for name in globals_used:
        keys.append(("", name))
        bounds.append(_bounds(name, name, overrides.get(name), GLOBAL_BOUNDS[name]))
    array = np.array(bounds, dtype=float)
    return SearchSpace(tuple(keys), array[:, 0], array[:, 1])


def _singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and name[:-1] in VALID_RANGES else name


def _bounds(label: str, name: str, given, default: tuple[float, float]) -> tuple[float, float]:
    if given is None:
        return default
    values = [given, given] if isinstance(given, int | float) else list(given)
    if len(values) == 1:
        values = values * 2
    if len(values) != 2 or not all(isinstance(v, int | float) for v in values):
        raise ValueError(f"bounds for {label} must be [low, high] or one number, got {given!r}")
    low, high = float(values[0]), float(values[1])
    valid_low, valid_high = VALID_RANGES[name]
    if not valid_low <= low <= high <= valid_high:
        raise ValueError(
            f"bounds for {label} out of range: [{low}, {high}] must lie within "
            f"[{valid_low}, {valid_high}] with low <= high"
        )
    return low, high


@dataclass(frozen=True)
class SearchResult:
    """All evaluated models in trial order; ``values`` holds the hyperparameters."""

    model_ids: list[str]  # Robyn's solID: trial_iteration_1
    values: np.ndarray  # models x hyperparameters (in space.keys order)
    nrmse: np.ndarray
    decomp_rssd: np.ndarray
    mape_lift: np.ndarray  # nan without calibration


def run_search(
    problem: Problem,
    space: SearchSpace,
    iterations: int,
    trials: int,
    seed: int,
    algorithm: str = DEFAULT_ALGORITHM,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SearchResult:
    """Run ``trials`` independent searches of ``iterations`` models each.

    With more than one worker the trials run in child processes; ``progress(fraction)`` is
    called from this process. If it raises, the children are stopped and the exception
    propagates.
    """
    workers = max(1, min(workers or os.cpu_count() or 1, trials))
    if workers == 1:
        parts = [
            _run_in_process(problem, space, iterations, t, seed, algorithm, trials, progress)
            for t in range(trials)
        ]
    else:
        parts = _run_in_children(
            problem, space, iterations, trials, seed, algorithm, workers, progress
        )
    return _combine(parts)


def trial_seed(seed: int, trial: int) -> int:
    return int(np.random.SeedSequence([seed, trial]).generate_state(1)[0])


def run_trial(
    problem: Problem,
    space: SearchSpace,
    iterations: int,
    trial: int,
    seed: int,
    algorithm: str,
    report: Callable[[int], None],
) -> dict:
    """One nevergrad trial; ``report(done)`` every ~0.5% of its iterations."""
    nevergrad_front.install()
    n_free = int(space.free.sum())
    parametrization = ng.p.Array(shape=(max(n_free, 1),), lower=0.0, upper=1.0)
    parametrization.random_state = np.random.RandomState(trial_seed(seed, trial))
    optimizer = ng.optimizers.registry[algorithm](
        parametrization=parametrization, budget=iterations, num_workers=1
    )
    rows = np.empty((iterations, len(space.keys)))
    metrics = np.empty((iterations, 3))
    every = max(1, iterations // REPORTS_PER_TRIAL)
    for i in range(iterations):
        candidate = optimizer.ask()
        values = space.values(np.asarray(candidate.value)[:n_free])
        model = evaluate(problem, space.as_dict(values))
        losses = [model.nrmse, model.decomp_rssd]
        if model.mape_lift is not None:
            losses.append(model.mape_lift)
        optimizer.tell(candidate, [_finite(v) for v in losses])
        rows[i] = values
        mape = np.nan if model.mape_lift is None else model.mape_lift
        metrics[i] = (model.nrmse, model.decomp_rssd, mape)
        if (i + 1) % every == 0 or i + 1 == iterations:
            report(i + 1)
    return {"trial": trial, "values": rows, "metrics": metrics}


def _finite(value: float) -> float:
    return float(value) if np.isfinite(value) else 1e6


def _run_in_process(problem, space, iterations, trial, seed, algorithm, trials, progress):
    def report(done: int) -> None:
        if progress is not None:
            progress((trial * iterations + done) / (trials * iterations))

    return run_trial(problem, space, iterations, trial, seed, algorithm, report)


def _child(problem, space, iterations, seed, algorithm, tasks, results) -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    while (trial := tasks.get()) is not None:
        try:
            part = run_trial(
                problem,
                space,
                iterations,
                trial,
                seed,
                algorithm,
                lambda done, t=trial: results.put(("progress", t, done)),
            )
            results.put(("done", trial, part))
        except Exception:  # noqa: BLE001 - the parent re-raises it with the traceback
            results.put(("error", trial, traceback.format_exc()))
            return


def _run_in_children(problem, space, iterations, trials, seed, algorithm, workers, progress):
    context = mp.get_context("fork")  # no re-import of __main__; RQ forks the same way
    tasks, results = context.Queue(), context.Queue()
    for trial in range(trials):
        tasks.put(trial)
    for _ in range(workers):
        tasks.put(None)
    children = [
        context.Process(
            target=_child,
            args=(problem, space, iterations, seed, algorithm, tasks, results),
            daemon=True,
        )
        for _ in range(workers)
    ]
    for child in children:
        child.start()
    done_per_trial = [0] * trials
    parts: dict[int, dict] = {}
    try:
        while len(parts) < trials:
            try:
                kind, trial, payload = results.get(timeout=1.0)
            except queue.Empty:
                if not any(child.is_alive() for child in children):
                    raise RuntimeError("the search processes stopped unexpectedly") from None
                continue
            if kind == "error":
                raise RuntimeError(f"search trial {trial + 1} failed:\n{payload}")
            if kind == "done":
                parts[trial] = payload
                done_per_trial[trial] = iterations
            else:
                done_per_trial[trial] = payload
            if progress is not None:
                progress(sum(done_per_trial) / (trials * iterations))
    except BaseException:
        for child in children:
            child.terminate()
        raise
    finally:
        for child in children:
            child.join(timeout=5)
    return [parts[t] for t in range(trials)]


def _combine(parts: list[dict]) -> SearchResult:
    ids = [f"{part['trial'] + 1}_{i + 1}_1" for part in parts for i in range(len(part["values"]))]
    values = np.vstack([part["values"] for part in parts])
    metrics = np.vstack([part["metrics"] for part in parts])
    return SearchResult(
        model_ids=ids,
        values=values,
        nrmse=metrics[:, 0],
        decomp_rssd=metrics[:, 1],
        mape_lift=metrics[:, 2],
    )
