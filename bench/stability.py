"""Steadiness across search seeds: how far the recommended model's channel ROAS move when
only the search's seed changes (Robyn's users see them move from run to run).

For each data set the search runs once per seed; every selection rule then picks its model
from that seed's Pareto set. Per channel the spread is ``(max - min) / median`` of the
recommended ROAS over the seeds; the table gives its mean over channels and data sets, and,
for generated data, each seed's mean ROAS error against the truth, so a single seed's luck
shows up in the accuracy figures too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.accuracy import config_for
from bench.datasets import DATA_SETS, WEEKS
from bench.speed import DEMO_CSV, demo_config
from kiri_core.engine.fit import result_document, search_models
from kiri_core.engine.selection import RULES
from kiri_core.generator import CHANNELS, generate

SEEDS = (1, 2, 3, 4, 5)
ROBYN_DEMO = "Robyn's demo"


@dataclass(frozen=True)
class SeedRun:
    data_set: str
    rule: str
    seed: int
    roas: dict[str, float]  # channel -> recommended model's ROAS
    roas_error: float | None  # mean abs % error against the truth (generated data only)


def run(iterations: int = 2000, trials: int = 5, sets: int = 3,
        seeds: tuple[int, ...] = SEEDS) -> list[SeedRun]:
    """Every seed's recommended ROAS under every rule: Robyn's demo (when ``../shared`` is
    there) and the first ``sets`` generated sets of the varied family."""
    runs = []
    if DEMO_CSV.exists():
        data = pd.read_csv(DEMO_CSV)
        for seed in seeds:
            config = demo_config(iterations=iterations, trials=trials) | {"seed": seed}
            runs += _rule_runs(ROBYN_DEMO, data, config, seed, truth=None)
    for set_seed, noise in DATA_SETS[:sets]:
        data, truth = generate(WEEKS, set_seed, noise=noise, spend_profile="varied")
        for seed in seeds:
            config = config_for(iterations, trials, seed)
            runs += _rule_runs(f"varied, set {set_seed}", data, config, seed, truth)
    return runs


def _rule_runs(name: str, data: pd.DataFrame, config: dict, seed: int,
               truth: dict | None) -> list[SeedRun]:
    searched = search_models(data, config)
    runs = []
    for rule in RULES:
        channels = result_document(searched, rule)["channels"]
        roas = {channel: block["roas"] for channel, block in channels.items()}
        error = None if truth is None else float(np.mean(
            [abs(roas[c] - truth["channels"][c]["roas"]) / truth["channels"][c]["roas"]
             for c in CHANNELS]))
        runs.append(SeedRun(name, rule, seed, roas, error))
    return runs


def spread(runs: list[SeedRun]) -> float:
    """Mean over channels of ``(max - min) / median`` of the ROAS across the seeds."""
    frame = pd.DataFrame([r.roas for r in runs])
    return float(((frame.max() - frame.min()) / frame.median().where(frame.median() > 0))
                 .mean())


def table(runs: list[SeedRun]) -> str:
    lines = ["| data set | rule | seeds | ROAS spread across seeds (mean over channels) "
             "| ROAS error per seed | ROAS error, mean (min–max) |",
             "|---|---|---|---|---|---|"]
    for name in dict.fromkeys(r.data_set for r in runs):
        for rule in RULES:
            mine = [r for r in runs if r.data_set == name and r.rule == rule]
            lines.append(f"| {name} | {rule} | {len(mine)} | {100 * spread(mine):.0f}% "
                         f"| {_errors(mine)} | {_error_summary(mine)} |")
    return "\n".join(lines)


def _errors(runs: list[SeedRun]) -> str:
    if runs[0].roas_error is None:
        return "—"
    return " / ".join(f"{100 * r.roas_error:.1f}" for r in runs)


def _error_summary(runs: list[SeedRun]) -> str:
    if runs[0].roas_error is None:
        return "—"
    errors = [100 * r.roas_error for r in runs]
    return f"{np.mean(errors):.1f}% ({min(errors):.1f}–{max(errors):.1f})"
