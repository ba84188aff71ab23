"""Robyn 3.12's real output (../shared/data/robyn_r_outputs) read into Kiri's result format."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from kiri_core.engine.allocator import allocate
from kiri_core.engine.response import ResponseCurve
from kiri_core.engine.saturation import hill
from kiri_core.robyn_r.parse import RobynOutputError, parse_robyn_outputs

pytestmark = pytest.mark.shared

# The demo's paid media: spend column -> Robyn's model variable (README of the outputs).
ROBYN_VAR = {"tv_S": "tv_S", "ooh_S": "ooh_S", "print_S": "print_S",
             "facebook_S": "facebook_I", "search_S": "search_clicks_P"}
# The exported model, another cluster winner, and a model that won no cluster.
MODELS = ["1_846_1", "4_984_2", "1_752_2"]


@pytest.fixture(scope="module")
def result(robyn_r_outputs: Path, demo_config: dict) -> dict:
    return parse_robyn_outputs(robyn_r_outputs, demo_config)


@pytest.fixture(scope="module")
def tables(robyn_r_outputs: Path) -> dict[str, pd.DataFrame]:
    def read(name: str) -> pd.DataFrame:
        return pd.read_csv(robyn_r_outputs / name, index_col=0)

    return {name: read(f"{name}.csv") for name in (
        "pareto_aggregated", "pareto_hyperparameters", "pareto_alldecomp_matrix",
        "pareto_media_transform_matrix", "1_846_1_max_response_reallocated",
    )}


def model(result: dict, model_id: str) -> dict:
    return next(m for m in result["models"] if m["model_id"] == model_id)


def aggregated(tables: dict, model_id: str) -> pd.DataFrame:
    agg = tables["pareto_aggregated"]
    return agg[agg["solID"] == model_id].set_index("rn")


def test_the_result_is_tagged_with_robyn_and_its_version(result: dict, demo_config: dict) -> None:
    assert result["engine"] == "robyn-r"
    assert result["engine_version"] == "3.12.1"
    assert result["format_version"] == 1
    assert result["model_id"] == "1_846_1"
    assert result["spend_columns"] == list(ROBYN_VAR)
    assert result["organic_columns"] == ["newsletter"]
    assert result["context_columns"] == ["competitor_sales_B", "events"]
    assert result["window"] == {"start": "2016-01-04", "end": "2018-12-31", "periods": 157}
    assert len(result["dates"]) == len(result["actual"]) == 157
    assert result["config"] is demo_config
    assert result["timings"]["robyn_run_seconds"] == pytest.approx(26.23 * 60)
    assert result["timings"]["total_seconds"] == pytest.approx(27.52 * 60)


def test_every_pareto_model_is_kept_and_one_is_recommended(result: dict, tables: dict) -> None:
    hyp = tables["pareto_hyperparameters"]
    assert [m["model_id"] for m in result["models"]] == hyp["solID"].tolist()
    assert [m["model_id"] for m in result["models"] if m["recommended"]] == ["1_846_1"]
    winners = sorted(m["model_id"] for m in result["models"] if m["is_cluster_winner"])
    assert winners == sorted(hyp.loc[hyp["top_sol"], "solID"])
    assert model(result, "1_846_1")["cluster"] == 6
    assert result["channels"] == model(result, "1_846_1")["channels"]


@pytest.fixture(scope="module")
def t_ratio_90_95(robyn_r_outputs: Path) -> dict[str, float]:
    """Per model: t(0.95, n-1) / t(0.975, n-1) with n the size of its cluster."""
    clusters = pd.read_csv(robyn_r_outputs / "pareto_clusters.csv")
    return {sol: stats.t.ppf(0.95, n - 1) / stats.t.ppf(0.975, n - 1)
            for sol, n in zip(clusters["solID"], clusters["n"], strict=True)}


@pytest.mark.parametrize("model_id", MODELS)
def test_channels_equal_pareto_aggregated(
    result: dict, tables: dict, t_ratio_90_95: dict, model_id: str
) -> None:
    rows = aggregated(tables, model_id)
    channels = model(result, model_id)["channels"]
    assert list(channels) == list(ROBYN_VAR)  # keyed by spend column, exposure vars mapped
    for spend_column, var in ROBYN_VAR.items():
        row, channel = rows.loc[var], channels[spend_column]
        assert channel["roas"] == pytest.approx(row["roi_total"], rel=1e-12)
        assert channel["contribution"] == row["xDecompAgg"]
        assert channel["spend"] == row["total_spend"]
        assert channel["mean_spend"] == row["mean_spend"]
        assert channel["effect_share"] == row["effect_share"]
        assert channel["spend_share"] == row["spend_share"]
        assert channel["coef"] == row["coef"]
        low, high = channel["roas_ci"]  # Robyn's 95 % t-interval narrowed to 90 %
        assert row["ci_low"] < low < row["boot_mean"] < high < row["ci_up"]
        assert (high - row["boot_mean"]) / (row["ci_up"] - row["boot_mean"]) == pytest.approx(
            t_ratio_90_95[model_id])
        assert channel["carryover_share"] == row["carryover_pct"]
        assert channel["cpa"] is None


@pytest.mark.parametrize("model_id", MODELS)
def test_metrics_terms_and_hyperparameters_are_the_models(
    result: dict, tables: dict, model_id: str
) -> None:
    hyp = tables["pareto_hyperparameters"].set_index("solID").loc[model_id]
    parsed = model(result, model_id)
    assert parsed["metrics"] == {"rsq": hyp["rsq_train"], "nrmse": hyp["nrmse"],
                                 "decomp_rssd": hyp["decomp.rssd"], "mape_lift": None}
    assert parsed["lambda"] == hyp["lambda"]
    assert parsed["pareto_front"] == hyp["robynPareto"]
    rows = aggregated(tables, model_id)
    assert parsed["terms"]["intercept"]["contribution"] == rows.loc["(Intercept)", "xDecompAgg"]
    assert parsed["terms"]["facebook_S"]["coef"] == rows.loc["facebook_I", "coef"]
    assert parsed["terms"]["events"]["contribution"] == rows.loc["events", "xDecompAgg"]
    tv = parsed["channels"]["tv_S"]
    assert tv["hyperparameters"] == {"alpha": hyp["tv_S_alphas"], "gamma": hyp["tv_S_gammas"],
                                     "theta": hyp["tv_S_thetas"]}
    assert tv["decay"][:3] == pytest.approx([1.0, hyp["tv_S_thetas"], hyp["tv_S_thetas"] ** 2])


@pytest.mark.parametrize("model_id", MODELS)
def test_decomposition_is_robyns_and_sums_to_fitted(
    result: dict, tables: dict, model_id: str
) -> None:
    matrix = tables["pareto_alldecomp_matrix"]
    matrix = matrix[matrix["solID"] == model_id]
    parsed = model(result, model_id)
    assert parsed["decomposition"]["facebook_S"] == matrix["facebook_I"].tolist()
    assert parsed["decomposition"]["intercept"] == matrix["intercept"].tolist()
    assert parsed["fitted"] == matrix["depVarHat"].tolist()
    total = np.sum(list(parsed["decomposition"].values()), axis=0)
    np.testing.assert_allclose(total, parsed["fitted"], rtol=1e-9)
    for spend_column in ROBYN_VAR:
        assert sum(parsed["decomposition"][spend_column]) == pytest.approx(
            parsed["channels"][spend_column]["contribution"], rel=1e-9)


@pytest.mark.parametrize("model_id", MODELS)
def test_the_response_spec_reproduces_robyns_media_decomposition(
    result: dict, tables: dict, model_id: str
) -> None:
    """coef * hill(adstocked spend, alpha, inflexion) is Robyn's per-period effect."""
    media = tables["pareto_media_transform_matrix"]
    media = media[media["solID"] == model_id]
    adstocked = media[media["type"] == "adstockedMedia"]
    effect = media[media["type"] == "decompMedia"]
    for spend_column, var in ROBYN_VAR.items():
        response = model(result, model_id)["channels"][spend_column]["response"]
        modelled = response["coef"] * hill(adstocked[var].to_numpy(), response["alpha"],
                                           response["inflexion"])
        np.testing.assert_allclose(modelled, effect[var].to_numpy(), rtol=1e-8)


def test_marginal_roas_is_the_slope_of_contribution(result: dict, tables: dict) -> None:
    media = tables["pareto_media_transform_matrix"]
    adstocked = media[(media["solID"] == "1_846_1") & (media["type"] == "adstockedMedia")]
    eps = 1e-6
    for spend_column, var in ROBYN_VAR.items():
        channel = result["channels"][spend_column]
        r = channel["response"]
        a = adstocked[var].to_numpy()
        gain = r["coef"] * (hill(a * (1 + eps), r["alpha"], r["inflexion"])
                            - hill(a, r["alpha"], r["inflexion"])).sum()
        assert channel["mroas"] == pytest.approx(gain / (eps * channel["spend"]), rel=1e-4)


def test_the_response_spec_gives_robyns_allocator_response(result: dict, tables: dict) -> None:
    """At current mean spend, the shared response definition equals Robyn's allocator."""
    table = tables["1_846_1_max_response_reallocated"].set_index("channels")
    for spend_column, var in ROBYN_VAR.items():
        channel = result["channels"][spend_column]
        curve = ResponseCurve.from_dict(channel["response"])
        assert float(curve.response(channel["mean_spend"])) == pytest.approx(
            table.loc[var, "initResponseUnit"], rel=1e-9)
        assert channel["curve"]["response"] == pytest.approx(
            curve.response(np.array(channel["curve"]["spend"])).tolist())


def test_robyns_allocations_are_kept_by_spend_column(result: dict, tables: dict) -> None:
    table = tables["1_846_1_max_response_reallocated"].set_index("channels")
    allocations = result["robyn_allocations"]
    assert set(allocations) == {"max_response", "target_efficiency"}
    fb = allocations["max_response"]["channels"]["facebook_S"]
    assert fb["current_spend"] == table.loc["facebook_I", "initSpendUnit"]
    assert fb["optimized_spend"] == table.loc["facebook_I", "optmSpendUnit"]
    totals = table.iloc[0]  # Robyn repeats the plan's totals on every channel's row
    assert allocations["max_response"]["totals"]["uplift"] == pytest.approx(
        totals["optmResponseUnitTotal"] / totals["initResponseUnitTotal"] - 1, rel=1e-9)


def test_the_shared_allocator_plans_on_the_robyn_result(result: dict, tables: dict) -> None:
    """Kiri's allocator, on Robyn's model and Robyn's default bounds (0.5-2 x mean spend),
    starts from Robyn's current response and reaches at least Robyn's optimum.

    Robyn's responses include the carry-over-only level r(0); Kiri's plan counts what the
    spend adds over it, so the two differ by that level (the same for any allocation)."""
    table = tables["1_846_1_max_response_reallocated"]
    budget = float(table["initSpendUnitTotal"].iloc[0])
    plan = allocate(result, scenario="max_response", weeks=1, total_budget=budget)
    totals = plan["totals"]
    level = sum(float(ResponseCurve.from_dict(channel["response"]).response(0.0))
                for channel in result["channels"].values())
    assert level > 0
    assert totals["current_response"] + level == pytest.approx(
        table["initResponseUnitTotal"].iloc[0], rel=1e-6)
    assert totals["optimized_spend"] == pytest.approx(budget, rel=1e-6)
    assert totals["optimized_response"] + level >= (
        table["optmResponseUnitTotal"].iloc[0] * (1 - 1e-6))


def test_a_missing_output_file_is_named(
    robyn_r_outputs: Path, demo_config: dict, tmp_path: Path
) -> None:
    for path in robyn_r_outputs.iterdir():
        if path.name != "pareto_clusters.csv":
            shutil.copy(path, tmp_path / path.name)
    with pytest.raises(RobynOutputError, match="pareto_clusters.csv"):
        parse_robyn_outputs(tmp_path, demo_config)


def test_without_an_exported_model_the_error_says_so(
    robyn_r_outputs: Path, demo_config: dict, tmp_path: Path
) -> None:
    for path in robyn_r_outputs.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    exported = json.loads((robyn_r_outputs / "RobynModel-1_846_1.json").read_text())
    inputs_only = {key: exported[key] for key in ("InputCollect", "ModelsCollect")}
    (tmp_path / "RobynModel-inputs.json").write_text(json.dumps(inputs_only))
    with pytest.raises(RobynOutputError, match="has no exported model"):
        parse_robyn_outputs(tmp_path, demo_config)
