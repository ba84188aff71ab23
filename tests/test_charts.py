"""Chart builders: valid Vega-Lite, the Kiri theme, and data that equals the result's."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pytest
import vl_convert as vlc
from fitted import Fitted, fitted_run

from kiri_core import charts
from kiri_core.engine.response import ResponseCurve
from kiri_core.formatting import channel_name
from kiri_core.results import model_by_id

MODEL_BUILDERS = [
    charts.pareto_front, charts.spend_vs_effect, charts.waterfall, charts.adstock_decay,
    charts.response_curves, charts.actual_vs_predicted, charts.fitted_vs_residual,
    charts.immediate_vs_carryover, charts.roas_intervals, charts.decomposition_over_time,
]


@pytest.fixture(scope="module")
def fit() -> Fitted:
    return fitted_run()


def other_model(result: dict) -> str:
    """A Pareto model that is not the recommended one."""
    return next(m["model_id"] for m in result["models"] if not m["recommended"])


def records(spec: dict) -> list[dict]:
    """Every data row of a Vega-Lite spec (Altair puts inline data in ``datasets``)."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def rows_where(spec: dict, **match) -> list[dict]:
    return [r for r in records(spec) if all(r.get(k) == v for k, v in match.items())]


@pytest.mark.parametrize("builder", MODEL_BUILDERS, ids=lambda b: b.__name__)
def test_every_builder_gives_valid_vega_lite_in_the_kiri_theme(builder, fit: Fitted) -> None:
    spec = builder(fit.result, other_model(fit.result), "SEK").to_dict()  # schema-validated
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert spec["config"]["font"] == "Inter"
    assert spec["config"]["range"]["category"][0] == "#0066FF"
    assert spec["config"]["locale"]["number"]["thousands"] == " "
    assert records(spec), "the chart carries its data inline"
    vega = vlc.vegalite_to_vega(spec)  # compiles to a Vega spec
    assert vega["marks"]


def test_pareto_front_has_every_model_and_marks_recommended_and_selected(fit: Fitted) -> None:
    chosen = other_model(fit.result)
    spec = charts.pareto_front(fit.result, chosen).to_dict()
    rows = {r["model_id"]: r for r in records(spec)}
    assert set(rows) == {m["model_id"] for m in fit.result["models"]}
    for model in fit.result["models"]:
        row = rows[model["model_id"]]
        assert row["nrmse"] == pytest.approx(model["metrics"]["nrmse"])
        assert row["decomp_rssd"] == pytest.approx(model["metrics"]["decomp_rssd"])
    assert [m for m, r in rows.items() if r["recommended"]] == [fit.result["model_id"]]
    assert [m for m, r in rows.items() if r["selected"]] == [chosen]
    assert any(p.get("name") == "pick" for p in _params(spec))


def _params(spec: dict) -> list[dict]:
    layers = [spec, *spec.get("layer", [])]
    return [p for layer in layers for p in layer.get("params", [])]


@pytest.mark.parametrize("pick", ["recommended", "other"])
def test_spend_vs_effect_shares_and_roas_follow_the_chosen_model(pick, fit: Fitted) -> None:
    model_id = fit.result["model_id"] if pick == "recommended" else other_model(fit.result)
    channels = model_by_id(fit.result, model_id)["channels"]
    spec = charts.spend_vs_effect(fit.result, model_id, "SEK").to_dict()
    for column, ch in channels.items():
        name = channel_name(column)
        [spend] = rows_where(spec, channel=name, measure="Share of spend")
        [effect] = rows_where(spec, channel=name, measure="Share of effect")
        assert spend["share"] == pytest.approx(ch["spend_share"])
        assert effect["share"] == pytest.approx(ch["effect_share"])
        assert effect["roas"] == pytest.approx(ch["roas"])


def test_switching_model_changes_the_charts_data(fit: Fitted) -> None:
    recommended = charts.waterfall(fit.result, fit.result["model_id"]).to_dict()
    other = charts.waterfall(fit.result, other_model(fit.result)).to_dict()
    assert records(recommended) != records(other)


def test_waterfall_steps_add_up_to_the_models_total_response(fit: Fitted) -> None:
    model = model_by_id(fit.result, fit.result["model_id"])
    rows = records(charts.waterfall(fit.result, model["model_id"]).to_dict())
    total = sum(t["contribution"] for t in model["terms"].values())
    assert len(rows) == len(model["terms"])
    assert max(r["end"] for r in rows) == pytest.approx(
        max(np.cumsum(sorted((t["contribution"] for t in model["terms"].values()),
                             reverse=True))))
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    assert sum(r["contribution"] for r in rows) == pytest.approx(total)


def test_actual_vs_predicted_carries_both_series_per_date(fit: Fitted) -> None:
    model_id = other_model(fit.result)
    rows = records(charts.actual_vs_predicted(fit.result, model_id).to_dict())
    actual = [r["value"] for r in rows if r["series"] == "Actual"]
    predicted = [r["value"] for r in rows if r["series"] == "Predicted"]
    assert actual == pytest.approx(fit.result["actual"])
    assert predicted == pytest.approx(model_by_id(fit.result, model_id)["fitted"])


def test_fitted_vs_residual_residuals_are_actual_minus_fitted(fit: Fitted) -> None:
    model = model_by_id(fit.result, fit.result["model_id"])
    rows = rows_where(charts.fitted_vs_residual(fit.result, model["model_id"]).to_dict())
    rows = [r for r in rows if "residual" in r]
    assert [r["residual"] for r in rows] == pytest.approx(
        np.subtract(fit.result["actual"], model["fitted"]).tolist())


def test_decomposition_over_time_stacks_to_the_fitted_series(fit: Fitted) -> None:
    model = model_by_id(fit.result, fit.result["model_id"])
    rows = records(charts.decomposition_over_time(fit.result, model["model_id"]).to_dict())
    per_date: dict[str, float] = defaultdict(float)
    for row in rows:
        per_date[row["date"]] += row["value"]
    assert [per_date[d] for d in fit.result["dates"]] == pytest.approx(model["fitted"])
    sources = {r["source"] for r in rows}
    assert {channel_name(c) for c in fit.result["spend_columns"]} <= sources
    assert "Baseline" in sources and "Context" in sources


def test_response_curves_mark_current_and_recommended_spend(fit: Fitted) -> None:
    result, plan = fit.result, fit.plan
    spec = charts.response_curves(result, result["model_id"], "SEK", plan).to_dict()
    for column, ch in result["channels"].items():
        name = channel_name(column)
        curve = ResponseCurve.from_dict(ch["response"])
        [current] = rows_where(spec, channel=name, marker="Current")
        [recommended] = rows_where(spec, channel=name, marker="Recommended")
        assert current["spend"] == pytest.approx(ch["mean_spend"])
        assert current["response"] == pytest.approx(float(curve.response(ch["mean_spend"])))
        weekly = plan["channels"][column]["optimized_spend"] / plan["weeks"]
        assert recommended["spend"] == pytest.approx(weekly)
        line = [r for r in rows_where(spec, channel=name) if "marker" not in r]
        assert [r["response"] for r in line] == pytest.approx(ch["curve"]["response"])


def test_response_curves_without_a_plan_show_only_current_spend(fit: Fitted) -> None:
    spec = charts.response_curves(fit.result, fit.result["model_id"]).to_dict()
    assert not rows_where(spec, marker="Recommended")


def test_roas_intervals_and_carryover_match_the_channels(fit: Fitted) -> None:
    model_id = fit.result["model_id"]
    ci_spec = charts.roas_intervals(fit.result, model_id).to_dict()
    split_spec = charts.immediate_vs_carryover(fit.result, model_id).to_dict()
    for column, ch in fit.result["channels"].items():
        name = channel_name(column)
        [row] = [r for r in rows_where(ci_spec, channel=name) if "roas" in r]
        assert row["roas"] == pytest.approx(ch["roas"])
        if ch["roas_ci"] is not None:
            assert [row["low"], row["high"]] == pytest.approx(ch["roas_ci"])
        [immediate] = rows_where(split_spec, channel=name, part="Immediate")
        [carryover] = rows_where(split_spec, channel=name, part="Carryover")
        assert immediate["share"] == pytest.approx(ch["immediate_share"])
        assert carryover["share"] == pytest.approx(ch["carryover_share"])


def test_adstock_decay_uses_the_models_weights(fit: Fitted) -> None:
    model_id = other_model(fit.result)
    rows = records(charts.adstock_decay(fit.result, model_id).to_dict())
    for column, ch in model_by_id(fit.result, model_id)["channels"].items():
        weights = [r["weight"] for r in rows if r["channel"] == channel_name(column)]
        assert weights == pytest.approx(ch["decay"][: len(weights)])
        assert weights


@pytest.mark.parametrize("measure", ["roas", "contribution"])
def test_estimated_vs_true_sets_the_estimate_beside_the_truth(measure, fit: Fitted) -> None:
    spec = charts.estimated_vs_true(fit.result, fit.result["model_id"], fit.truth, "SEK",
                                    measure).to_dict()
    for column, ch in fit.result["channels"].items():
        name = channel_name(column)
        [estimated] = rows_where(spec, channel=name, source="Estimated")
        [true] = rows_where(spec, channel=name, source="True")
        assert estimated["value"] == pytest.approx(ch[measure])
        assert true["value"] == pytest.approx(fit.truth["channels"][column][measure])


def test_budget_reallocation_shows_current_and_recommended_spend(fit: Fitted) -> None:
    spec = charts.budget_reallocation(fit.plan, "EUR").to_dict()
    assert spec["config"]["locale"]["number"]["currency"] == ["€", ""]
    for column, p in fit.plan["channels"].items():
        name = channel_name(column)
        [current] = rows_where(spec, channel=name, budget="Current")
        [recommended] = rows_where(spec, channel=name, budget="Recommended")
        assert current["spend"] == pytest.approx(p["current_spend"])
        assert recommended["spend"] == pytest.approx(p["optimized_spend"])


def test_compare_runs_puts_each_runs_channels_side_by_side(fit: Fitted) -> None:
    other = {**fit.result, "model_id": other_model(fit.result)}
    spec = charts.compare_runs({"Run #1": fit.result, "Run #2": other}, "SEK").to_dict()
    for column in fit.result["spend_columns"]:
        [first] = rows_where(spec, run="Run #1", channel=channel_name(column))
        [second] = rows_where(spec, run="Run #2", channel=channel_name(column))
        assert first["value"] == pytest.approx(fit.result["channels"][column]["roas"])
        assert second["value"] == pytest.approx(
            model_by_id(fit.result, other["model_id"])["channels"][column]["roas"])


def test_an_unknown_model_or_measure_is_named_in_the_error(fit: Fitted) -> None:
    with pytest.raises(KeyError, match="Model 'nope' is not one of this run's"):
        charts.waterfall(fit.result, "nope")
    with pytest.raises(ValueError, match="measure must be 'roas' or 'contribution'"):
        charts.estimated_vs_true(fit.result, fit.result["model_id"], fit.truth, "SEK", "cpa")


def test_number_locale_follows_the_currency() -> None:
    assert charts.number_locale("SEK") == {"decimal": ",", "thousands": " ", "grouping": [3],
                                           "currency": ["", " kr"], "percent": " %"}
    assert charts.number_locale("USD")["currency"] == ["$", ""]
