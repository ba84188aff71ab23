"""Accuracy on generated data with known truth (``kiri_core.generator``).

For each data set the search runs once; every selection rule then picks its model from the
same Pareto set, so the rules are compared on equal footing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiri_core.engine.fit import result_document, search_models
from kiri_core.engine.selection import RULES
from kiri_core.generator import CHANNELS, generate

NOISE_LEVELS = (0.03, 0.05, 0.08, 0.10, 0.05, 0.15)
DATA_SETS = tuple((seed, NOISE_LEVELS[(seed - 1) % 6]) for seed in range(1, 13))
WEEKS = 156


@dataclass(frozen=True)
class SetScore:
    seed: int
    noise: float
    rule: str
    roas_error: float  # mean abs % error over channels
    share_error: float  # mean abs % error of contribution share
    covered: int  # channels whose 90% interval holds the true ROAS
    channels: int
    mroas_error: float


def config_for(iterations: int, trials: int, seed: int) -> dict:
    return {
        "date_column": "date",
        "revenue_column": "revenue",
        "spend_columns": list(CHANNELS),
        "context_columns": ["promo_flag"],
        "iterations": iterations,
        "trials": trials,
        "seed": seed,
    }


def score(result: dict, truth: dict, seed: int, noise: float, rule: str) -> SetScore:
    roas, share, mroas, covered = [], [], [], 0
    for name in CHANNELS:
        true, est = truth["channels"][name], result["channels"][name]
        roas.append(abs(est["roas"] - true["roas"]) / true["roas"])
        share.append(abs(est["effect_share"] - true["effect_share"]) / true["effect_share"])
        mroas.append(abs(est["mroas"] - true["mroas"]) / true["mroas"])
        low, high = est["roas_ci"] or (np.nan, np.nan)
        covered += int(low <= true["roas"] <= high)
    return SetScore(
        seed,
        noise,
        rule,
        float(np.mean(roas)),
        float(np.mean(share)),
        covered,
        len(CHANNELS),
        float(np.mean(mroas)),
    )


def run(iterations: int = 2000, trials: int = 5, sets: int = len(DATA_SETS)) -> list[SetScore]:
    scores = []
    for seed, noise in DATA_SETS[:sets]:
        data, truth = generate(WEEKS, seed, noise=noise)
        searched = search_models(data, config_for(iterations, trials, seed))
        for rule in RULES:
            scores.append(score(result_document(searched, rule), truth, seed, noise, rule))
    return scores


def table(scores: list[SetScore]) -> str:
    lines = [
        "| selection rule | data sets | ROAS error (mean abs %) | contribution-share error "
        "| mROAS error | 90% interval holds true ROAS |",
        "|---|---|---|---|---|---|",
    ]
    for rule in RULES:
        mine = [s for s in scores if s.rule == rule]
        if not mine:
            continue
        covered, total = sum(s.covered for s in mine), sum(s.channels for s in mine)
        lines.append(
            f"| {rule} | {len(mine)} | {100 * np.mean([s.roas_error for s in mine]):.1f}% "
            f"| {100 * np.mean([s.share_error for s in mine]):.1f}% "
            f"| {100 * np.mean([s.mroas_error for s in mine]):.1f}% "
            f"| {covered}/{total} channels |"
        )
    lines += ["", "| seed | noise | rule | ROAS error | share error | covered |"]
    lines += ["|---|---|---|---|---|---|"]
    lines += [
        f"| {s.seed} | {s.noise} | {s.rule} | {100 * s.roas_error:.1f}% "
        f"| {100 * s.share_error:.1f}% | {s.covered}/{s.channels} |"
        for s in scores
    ]
    return "\n".join(lines)
