from __future__ import annotations

import json

import numpy as np
import pytest

from kiri_core.engine.fit import (
    BUILDING,
    PREPARING,
    SEARCH_END,
    SEARCHING,
    FitInputError,
    fit_model,
    models_as_likely,
    normalize_config,
    search_models,
)
from kiri_core.generator import CHANNELS


@pytest.fixture(scope="module")
def result(easy_set, easy_config) -> dict:
    data, _ = easy_set
    return fit_model(data, easy_config, workers=2)


def _without_timings(document: dict) -> str:
    return json.dumps({k: v for k, v in document.items() if k != "timings"}, sort_keys=True)


def test_result_follows_the_result_format(result):
    assert result["engine"] == "kiri" and result["format_version"] == 1
    assert result["window"]["periods"] == len(result["dates"]) == len(result["actual"]) == 156
    recommended = [m for m in result["models"] if m["recommended"]]
    assert len(recommended) == 1 and recommended[0]["model_id"] == result["model_id"]
    assert recommended[0]["channels"] == result["channels"]
    assert result["recommendation_reason"]
    assert set(result["channels"]) == set(CHANNELS)
    for block in result["channels"].values():
        for key in (
            "spend",
            "contribution",
            "roas",
            "mroas",
            "effect_share",
            "spend_share",
            "hyperparameters",
            "response",
            "curve",
            "decay",
        ):
            assert key in block
        assert block["roas_ci"][0] <= block["roas_ci"][1]
    for model in result["models"]:
        assert model["pareto_front"] >= 1
        np.testing.assert_allclose(
            np.sum(list(model["decomposition"].values()), axis=0), model["fitted"]
        )
    assert sum(m["is_cluster_winner"] for m in result["models"]) == len(
        {m["cluster"] for m in result["models"]}
    )
    json.dumps(result)  # JSON-ready, no numpy types


ULP = 1e-12  # the interval's ROAS and the document's are summed in different orders


def _at_end(end: float, roas: float) -> bool:
    """Whether an interval's ``end`` is its model's own ROAS."""
    return abs(end - roas) <= ULP * abs(roas)


def test_every_pareto_model_has_an_interval_around_its_own_roas(result):
    """Any model can be chosen as the client's, so every one carries its cluster's interval
    (the recommended model its own, drawn by likelihood), holding its ROAS with room on
    both sides: an interval that ends at the estimate reads as a mistake."""
    for model in result["models"]:
        for block in model["channels"].values():
            low, high, roas = *block["roas_ci"], block["roas"]
            assert low <= roas * (1 + ULP) and roas <= high * (1 + ULP)
            assert roas == 0 or not (_at_end(low, roas) or _at_end(high, roas))


def test_a_clusters_models_share_its_draws(result):
    """Within a cluster every interval comes from the same draws: each is the cluster's
    range (the highest lower end and the lowest upper end of its models), widened on one
    side only, the side of its model's ROAS."""
    recommended = result["model_id"]
    by_cluster: dict[int, list[dict]] = {}
    for model in result["models"]:
        if model["model_id"] != recommended:
            by_cluster.setdefault(model["cluster"], []).append(model)
    clusters = [models for models in by_cluster.values() if len(models) > 1]
    assert clusters
    for models in clusters:
        for column in result["spend_columns"]:
            intervals = [m["channels"][column]["roas_ci"] for m in models]
            low, high = max(i[0] for i in intervals), min(i[1] for i in intervals)
            assert all(i[0] == low or i[1] == high for i in intervals)


def test_recovers_the_easy_set_within_tolerance(result, easy_set):
    """Tolerance after only 600 x 2 iterations: mean absolute ROAS error under 40%, every
    channel within a factor of 2 of the truth, and the best and worst channel found (the
    benchmark reports full searches on harder sets)."""
    _, truth = easy_set
    estimated = np.array([result["channels"][c]["roas"] for c in CHANNELS])
    true = np.array([truth["channels"][c]["roas"] for c in CHANNELS])
    assert np.mean(np.abs(estimated - true) / true) < 0.40
    assert np.all(np.abs(np.log(estimated / true)) < np.log(2.0))
    assert estimated.argmax() == true.argmax() and estimated.argmin() == true.argmin()
    assert result["metrics"]["rsq"] > 0.85


def test_same_seed_gives_identical_json_on_any_number_of_workers(easy_set, easy_config, result):
    data, _ = easy_set
    again = fit_model(data, easy_config, workers=1)
    assert _without_timings(again) == _without_timings(result)


def test_progress_is_reported_up_to_one_and_each_stage_is_named(easy_set, easy_config):
    data, _ = easy_set
    seen: list[float] = []
    stages: list[tuple[str, float]] = []
    fit_model(data, {**easy_config, "iterations": 40, "trials": 1}, seen.append,
              stage=lambda name: stages.append((name, seen[-1] if seen else 0.0)))
    assert seen[-1] == 1.0 and seen == sorted(seen) and len(seen) >= 40
    assert stages == [(PREPARING, 0.0), (SEARCHING, 0.0), (BUILDING, SEARCH_END)]


def test_conversion_calibration_and_validation(easy_set, easy_config):
    data, truth = easy_set
    dates = data.date
    lift = float(sum(truth["decomposition"]["spend_meta"][40:52]))
    config = {
        **easy_config,
        "iterations": 60,
        "trials": 1,
        "dep_var_type": "conversion",
        "ts_validation": True,
        "adstock": "weibull_pdf",
        "calibration": [
            {"channel": "spend_meta", "start": dates[40], "end": dates[51], "lift": lift}
        ],
    }
    document = fit_model(data, config)
    assert document["metrics"]["mape_lift"] is not None
    block = document["channels"]["spend_meta"]
    assert block["cpa"] == pytest.approx(block["spend"] / block["contribution"])
    assert set(block["hyperparameters"]) == {"alpha", "gamma", "shape", "scale"}
    recommended = next(m for m in document["models"] if m["recommended"])
    assert 0.5 <= recommended["hyperparameters"]["train_size"] <= 0.8


def test_interval_models_are_drawn_by_likelihood_within_the_lift_constraint(
    easy_set, easy_config
):
    data, truth = easy_set
    lift = float(sum(truth["decomposition"]["spend_meta"][40:52]))
    study = {"channel": "spend_meta", "start": data.date[40], "end": data.date[51], "lift": lift}
    searched = search_models(data, {**easy_config, "iterations": 60, "trials": 1})
    calibrated = search_models(data, {**easy_config, "iterations": 60, "trials": 1,
                                      "calibration": [study]})
    drawn = models_as_likely(searched.problem, searched.space, searched.search, 200, seed=1)
    assert len(drawn) == 200
    assert np.mean([m.nrmse for m in drawn]) < np.nanquantile(searched.search.nrmse, 0.1)
    within = calibrated.search.mape_lift <= np.quantile(calibrated.search.mape_lift, 0.1)
    drawn = models_as_likely(calibrated.problem, calibrated.space, calibrated.search, 50, seed=1)
    assert max(m.mape_lift for m in drawn) <= calibrated.search.mape_lift[within].max() + 1e-12


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"spend_columns": ["spend_meta"]}, "at least 2 spend columns"),
        ({"adstock": "delayed"}, "adstock must be one of"),
        ({"dep_var_type": "profit"}, "dep_var_type must be revenue or conversion"),
        ({"prophet_vars": ["trend", "weather"]}, "unknown: weather"),
        ({"revenue_column": None}, "config is missing revenue_column"),
        ({"selection": "best"}, "selection must be one of"),
        ({"iterations": "many"}, "iterations must be a whole number, got 'many'"),
    ],
)
def test_bad_config_is_named(easy_config, change, message):
    with pytest.raises(ValueError, match=message):
        normalize_config({**easy_config, **change})


def test_missing_column_is_named(easy_set, easy_config):
    data, _ = easy_set
    with pytest.raises(FitInputError, match="not found in the data: spend_radio"):
        fit_model(data, {**easy_config, "spend_columns": ["spend_meta", "spend_radio"]})


def test_prophet_vars_left_null_take_the_default(easy_config):
    country = {**easy_config, "prophet_country": "SE"}
    assert normalize_config({**country, "prophet_vars": None})["prophet_vars"] == [
        "trend", "season", "holiday"]
    assert normalize_config({**country, "prophet_vars": []})["prophet_vars"] == []


def test_quick_mode_is_300_by_1(easy_config):
    config = normalize_config({**easy_config, "quick": True})
    assert (config["iterations"], config["trials"]) == (300, 1)
