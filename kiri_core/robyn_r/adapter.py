"""Robyn in R as an engine: write the inputs, run ``r/run_robyn.R``, parse the result.

The worker calls :func:`run_robyn` for runs whose engine is ``"robyn-r"``
(:mod:`kiri_core.robyn_r.runner` runs the R process, :mod:`kiri_core.robyn_r.parse` reads
Robyn's files).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from kiri_core.engine.fit import normalize_config
from kiri_core.engine.search import build_space
from kiri_core.results import model_by_id
from kiri_core.robyn_r.parse import parse_robyn_outputs
from kiri_core.robyn_r.runner import RUN_ROBYN_R, run_r_script


def robyn_config(config: dict) -> dict:
    """The config the R template reads: the engine's normalized config (same defaults as a
    Python run) with every channel's hyperparameter bounds spelled out.

    ``hyperparameter_bounds`` becomes ``{column: {param: [low, high]}}`` for every paid and
    organic column (the engine's defaults where none were given) plus ``train_size`` when
    ``ts_validation`` is on; ``exposure_columns`` (spend column -> exposure metric, Robyn's
    ``paid_media_vars``) is kept. Raises ``ValueError`` naming a bad key.
    """
    normalized = normalize_config(config)
    given = normalized["hyperparameter_bounds"]
    if "lambda" in given:
        raise ValueError("hyperparameter_bounds: lambda bounds are not supported by Robyn (R)")
    media = normalized["spend_columns"] + normalized["organic_columns"]
    space = build_space(media, normalized["adstock"], given, normalized["ts_validation"])
    bounds: dict[str, dict | list[float]] = {}
    for (owner, name), low, high in zip(space.keys, space.lower, space.upper, strict=True):
        if owner:
            bounds.setdefault(owner, {})[name] = [float(low), float(high)]
        elif name != "lambda":  # train_size: Robyn takes it; lambda is its own scheme
            bounds[name] = [float(low), float(high)]
    exposures = dict(config.get("exposure_columns") or {})
    unknown = set(exposures) - set(normalized["spend_columns"])
    if unknown:
        raise ValueError(f"exposure_columns names columns that are not spend columns: "
                         f"{', '.join(sorted(unknown))}")
    return {**normalized, "hyperparameter_bounds": bounds, "exposure_columns": exposures}


def write_inputs(data: pd.DataFrame, config: dict, workdir: Path) -> tuple[Path, Path, Path]:
    """Write ``input.csv`` and ``config.json`` into ``workdir``; return them and the outdir."""
    workdir.mkdir(parents=True, exist_ok=True)
    input_csv, config_json, outdir = (
        workdir / "input.csv", workdir / "config.json", workdir / "robyn_out"
    )
    data.to_csv(input_csv, index=False)
    config_json.write_text(json.dumps(config, indent=2, default=str), encoding="utf-8")
    return input_csv, config_json, outdir


def run_robyn(
    data: pd.DataFrame,
    config: dict,
    workdir: Path | str,
    progress: Callable[[float], None],
    should_cancel: Callable[[], bool],
    timeout_s: float,
    on_log: Callable[[str], None],
) -> dict:
    """Fit ``data`` with Robyn in R and return the result document (docs/result-format.md).

    Writes the inputs (``config`` through :func:`robyn_config`) into ``workdir``, runs
    ``r/run_robyn.R`` in its own process group (killed as a whole on cancel or after
    ``timeout_s``), reports progress, hands every log line to ``on_log`` and parses
    Robyn's output files.

    Raises
    ------
    RobynNotInstalled
        Rscript, Robyn or nevergrad is missing (the template exits with code 3 at once).
    RobynFailed
        Robyn stopped with an error; the message ends with R's last output lines.
    RobynTimeout, RobynCancelled
        The run was stopped; no R process is left running.
    """
    started = time.perf_counter()
    config = robyn_config(config)
    input_csv, config_json, outdir = write_inputs(data, config, Path(workdir))
    run_r_script(
        RUN_ROBYN_R, [str(input_csv), str(config_json), str(outdir)],
        progress, should_cancel, timeout_s, on_log,
    )
    result = with_spend_range(parse_robyn_outputs(outdir, config), data)
    result["timings"]["total_seconds"] = round(time.perf_counter() - started, 3)
    return result


def with_spend_range(result: dict, data: pd.DataFrame) -> dict:
    """``result`` with every channel's lowest and highest period spend in the window
    (``min_spend``, ``max_spend``), which Robyn's output files do not hold and the planner
    needs to say when a plan leaves the spend the data has seen."""
    dates = pd.to_datetime(data[result["config"]["date_column"]])
    window = data[dates.between(result["window"]["start"], result["window"]["end"])]
    for model in result["models"]:
        for column, channel in model["channels"].items():
            channel["min_spend"] = float(window[column].min())
            channel["max_spend"] = float(window[column].max())
    result["channels"] = model_by_id(result, result["model_id"])["channels"]
    return result
