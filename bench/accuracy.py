"""Accuracy on generated data with known truth (``kiri_core.generator``).

Two families of twelve sets each, one per spend profile of the generator: ``varied``
(always-on budgets move week to week and are re-planned, as in most accounts) and
``steady`` (always-on spend barely moves, so those channels' ROAS is hard to identify).
For each data set the search runs once; every selection rule then picks its model from the
same Pareto set, so the rules are compared on equal footing. The row ``true curves`` is
the reference for how hard a family is: the same regression given the true adstock and
saturation of every channel (Robyn's smallest lambda), i.e. what the data let a
regression see when nothing has to be searched. The row ``lift tests`` is a second search
calibrated (MAPE.LIFT) with one simulated 4-week lift test per channel, measured with 10%
error (``generator.lift_studies``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.datasets import DATA_SETS, PROFILES, WEEKS
from kiri_core.engine.features import prepare_model_data
from kiri_core.engine.fit import model_document, normalize_config, result_document, search_models
from kiri_core.engine.model import Problem, evaluate
from kiri_core.engine.selection import RULES
from kiri_core.generator import CHANNELS, generate, lift_studies

TRUE_CURVES = "true curves"
LIFT_TESTS = "lift tests"
LABELS = {
    TRUE_CURVES: "true curves given (reference)",
    LIFT_TESTS: "Kiri, rule holdout, one lift test per channel",
}


@dataclass(frozen=True)
class SetScore:
    profile: str
    seed: int
    noise: float
    rule: str
    roas_error: float  # mean abs % error over channels
    share_error: float  # mean abs % error of contribution share
    covered: int | None  # channels whose 90% interval holds the true ROAS
    channels: int
    mroas_error: float
    interval_width: float | None  # mean over channels of (high - low) / true ROAS


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


def score(channels: dict, truth: dict, data_set: tuple[str, int, float], rule: str) -> SetScore:
    """Errors of one model's ``channels`` blocks against the truth."""
    roas, share, mroas, width, covered = [], [], [], [], 0
    for name in CHANNELS:
        true, est = truth["channels"][name], channels[name]
        roas.append(abs(est["roas"] - true["roas"]) / true["roas"])
        share.append(abs(est["effect_share"] - true["effect_share"]) / true["effect_share"])
        mroas.append(abs(est["mroas"] - true["mroas"]) / true["mroas"])
        low, high = est["roas_ci"] or (np.nan, np.nan)
        covered += int(low <= true["roas"] <= high)
        width.append((high - low) / true["roas"])
    intervals = rule != TRUE_CURVES
    return SetScore(
        *data_set,
        rule,
        float(np.mean(roas)),
        float(np.mean(share)),
        covered if intervals else None,
        len(CHANNELS),
        float(np.mean(mroas)),
        float(np.mean(width)) if intervals else None,
    )


def true_curves_channels(data, truth: dict, config: dict) -> dict:
    """Channel blocks of the regression given every channel's true transform."""
    prepared = prepare_model_data(data, normalize_config(config))
    problem = Problem(prepared, truth["adstock"], ts_validation=False, calibration=())
    hp = {"lambda": 0.0}
    hp |= {name: dict(truth["channels"][name]["hyperparameters"]) for name in CHANNELS}
    return model_document(problem, evaluate(problem, hp), hp, conversion=False)["channels"]


def run(
    iterations: int = 2000,
    trials: int = 5,
    sets: int = len(DATA_SETS),
    profiles: tuple[str, ...] = PROFILES,
) -> list[SetScore]:
    scores = []
    for profile in profiles:
        for seed, noise in DATA_SETS[:sets]:
            data, truth = generate(WEEKS, seed, noise=noise, spend_profile=profile)
            config = config_for(iterations, trials, seed)
            data_set = (profile, seed, noise)
            scores.append(
                score(true_curves_channels(data, truth, config), truth, data_set, TRUE_CURVES)
            )
            searched = search_models(data, config)
            for rule in RULES:
                result = result_document(searched, rule)
                scores.append(score(result["channels"], truth, data_set, rule))
            calibrated = config | {"calibration": lift_studies(data, truth, seed)}
            result = result_document(search_models(data, calibrated))
            scores.append(score(result["channels"], truth, data_set, LIFT_TESTS))
    return scores


def table(scores: list[SetScore]) -> str:
    lines = [
        "| spend profile | model | data sets | ROAS error (mean abs %) | contribution-share "
        "error | mROAS error | 90% interval holds true ROAS | interval width / true ROAS "
        "(median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for profile in dict.fromkeys(s.profile for s in scores):
        for rule in (*RULES, LIFT_TESTS, TRUE_CURVES):
            mine = [s for s in scores if s.profile == profile and s.rule == rule]
            if mine:
                lines.append(_summary_row(profile, rule, mine))
    lines += ["", "| spend profile | seed | noise | model | ROAS error | share error | covered |"]
    lines += ["|---|---|---|---|---|---|---|"]
    lines += [
        f"| {s.profile} | {s.seed} | {s.noise} | {s.rule} | {100 * s.roas_error:.1f}% "
        f"| {100 * s.share_error:.1f}% | {_covered(s.covered, s.channels)} |"
        for s in scores
    ]
    return "\n".join(lines)


def _summary_row(profile: str, rule: str, scores: list[SetScore]) -> str:
    covered = None if rule == TRUE_CURVES else sum(s.covered or 0 for s in scores)
    label = LABELS.get(rule, f"Kiri, rule {rule}")
    return (
        f"| {profile} | {label} | {len(scores)} "
        f"| {100 * np.mean([s.roas_error for s in scores]):.1f}% "
        f"| {100 * np.mean([s.share_error for s in scores]):.1f}% "
        f"| {100 * np.mean([s.mroas_error for s in scores]):.1f}% "
        f"| {_covered(covered, sum(s.channels for s in scores))} "
        f"| {_width([s.interval_width for s in scores])} |"
    )


def _width(widths: list[float | None]) -> str:
    return "—" if None in widths else f"{np.median(widths):.2f}"


def _covered(covered: int | None, channels: int) -> str:
    return "—" if covered is None else f"{covered}/{channels} channels"
