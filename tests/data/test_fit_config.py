"""Fit-config validation: every problem's message, several at once."""

from __future__ import annotations

import pytest

from kiri_core.data.fit_config import validate_fit_config

COLUMNS = ["date", "revenue", "spend_meta", "spend_google", "promo_flag"]

CONFIG = {
    "date_column": "date",
    "revenue_column": "revenue",
    "spend_columns": ["spend_meta", "spend_google"],
    "context_columns": ["promo_flag"],
    "iterations": 100,
    "trials": 1,
    "seed": 1,
}


def test_a_good_config_passes() -> None:
    config = {
        **CONFIG,
        "adstock": "weibull_pdf",
        "hyperparameter_bounds": {
            "spend_meta": {"alphas": [0.5, 3], "shape": [0.1, 10], "scale": 0.05},
            "lambda": [0, 1],
        },
    }
    assert validate_fit_config(config, COLUMNS) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"adstock": "hyperbolic"}, "unknown adstock 'hyperbolic'; choose one of geometric"),
        ({"dep_var_type": "clicks"}, "unknown dep_var_type 'clicks'"),
        ({"prophet_vars": ["trend", "weekday"]}, "unknown prophet_vars term 'weekday'"),
        ({"iterations": 5}, "'iterations' must be a whole number of at least 10, got 5"),
        ({"trials": 2.5}, "'trials' must be a whole number of at least 1, got 2.5"),
        ({"spend_columns": ["spend_meta"]}, "'spend_columns' must list at least 2"),
        ({"revenue_column": None}, "'revenue_column' is required"),
        ({"context_columns": ["weather"]}, "column 'weather' is not in the data"),
        (
            {"context_columns": ["promo_flag", "spend_meta"]},
            "column 'spend_meta' is chosen as spend and as context; give each column one role",
        ),
        (
            {"spend_columns": ["spend_meta", "spend_google", "revenue"]},
            "column 'revenue' is chosen as revenue and as spend; give each column one role",
        ),
        (
            {"hyperparameter_bounds": {"spend_meta": {"alpha": [0, 3]}}},
            "hyperparameter_bounds spend_meta.alpha: 0 is out of range [1e-06, 10]",
        ),
        (
            {"hyperparameter_bounds": {"spend_meta": {"thetas": [0.2, 1.0]}}},
            "hyperparameter_bounds spend_meta.theta: 1.0 is out of range [0, 0.999]",
        ),
        (
            {"hyperparameter_bounds": {"spend_google": {"gamma": [0.5, 0.2]}}},
            "hyperparameter_bounds spend_google.gamma: low 0.5 is above high 0.2",
        ),
        (
            {"hyperparameter_bounds": {"lambda": 2}},
            "hyperparameter_bounds lambda: 2 is out of range [0, 1]",
        ),
        (
            {"hyperparameter_bounds": {"spend_meta": {"shape": [1, 2]}}},
            "hyperparameter_bounds spend_meta: 'shape' is not a hyperparameter of geometric "
            "adstock (use alpha, gamma, theta)",
        ),
        (
            {"hyperparameter_bounds": {"spend_meta": {"alpha": "wide"}}},
            "hyperparameter_bounds spend_meta.alpha: expected [low, high] or one number",
        ),
        (
            {"hyperparameter_bounds": {"spend_tv": {"alpha": [1, 2]}}},
            "hyperparameter_bounds: 'spend_tv' is not a spend column of this config",
        ),
        (
            {"hyperparameter_bounds": [1, 2]},
            "'hyperparameter_bounds' must be an object keyed by spend column",
        ),
    ],
)
def test_config_problems_are_named(change: dict, message: str) -> None:
    found = [p.message for p in validate_fit_config({**CONFIG, **change}, COLUMNS)]
    assert len(found) == 1, found
    assert found[0].startswith(f"config: {message}"), found


def test_config_problems_are_reported_together() -> None:
    config = {**CONFIG, "adstock": "hyperbolic", "iterations": 0, "spend_columns": ["x", "y"]}
    found = [p.message for p in validate_fit_config(config, COLUMNS)]
    assert found == [
        "config: column 'x' is not in the data",
        "config: column 'y' is not in the data",
        "config: unknown adstock 'hyperbolic'; choose one of geometric, weibull_cdf, weibull_pdf",
        "config: 'iterations' must be a whole number of at least 10, got 0",
    ]


def test_two_spend_columns_that_read_as_one_channel_are_refused() -> None:
    config = {**CONFIG, "spend_columns": ["spend_meta", "Meta spend", "spend_google"]}
    found = [p.message for p in validate_fit_config(config, [*COLUMNS, "Meta spend"])]
    assert found == ["config: spend columns 'spend_meta' and 'Meta spend' both read as the "
                     "channel 'Meta'; rename one of them in the file"]
