"""Engine fixtures: a small generated data set with known truth and Robyn's demo config."""

from __future__ import annotations

import pandas as pd
import pytest

from kiri_core.generator import CHANNELS, generate
from kiri_core.robyn_demo import robyn_demo_config as demo_config


@pytest.fixture(scope="session")
def easy_set() -> tuple[pd.DataFrame, dict]:
    """Three years of weekly data with 1% noise."""
    return generate(156, seed=6, noise=0.01)


@pytest.fixture(scope="session")
def easy_config() -> dict:
    return {
        "date_column": "date",
        "revenue_column": "revenue",
        "spend_columns": list(CHANNELS),
        "context_columns": ["promo_flag"],
        "iterations": 600,
        "trials": 2,
        "seed": 3,
    }


@pytest.fixture(scope="session")
def robyn_demo(robyn_demo_csv) -> pd.DataFrame:
    return pd.read_csv(robyn_demo_csv)


@pytest.fixture(scope="session")
def robyn_demo_config() -> dict:
    """Robyn's demo settings with the engine's default bounds, small search."""
    config = demo_config(iterations=100, trials=1, seed=1)
    del config["hyperparameter_bounds"]
    return config


@pytest.fixture(scope="session")
def easy_problem(easy_set, easy_config):
    """The easy set as the search sees it (geometric adstock)."""
    from kiri_core.engine.features import prepare_model_data
    from kiri_core.engine.fit import normalize_config
    from kiri_core.engine.model import Problem

    data, _ = easy_set
    return Problem(prepare_model_data(data, normalize_config(easy_config)), "geometric")


@pytest.fixture(scope="session")
def true_hyperparameters(easy_set) -> dict:
    _, truth = easy_set
    hp = {c: dict(truth["channels"][c]["hyperparameters"]) for c in CHANNELS}
    hp["lambda"] = 0.0
    return hp
