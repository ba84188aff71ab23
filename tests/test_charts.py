"""Chart builders: valid Vega-Lite, the Kiri theme, and data that equals the result's."""

from __future__ import annotations

import copy
import itertools
import re
from collections import defaultdict
from collections.abc import Iterator

import numpy as np
import pytest
import vl_convert as vlc
from fitted import Fitted, fitted_run
from PIL import ImageFont

from kiri_core import charts
from kiri_core import formatting as fmt
from kiri_core.engine.allocator import allocate
from kiri_core.engine.response import ResponseCurve
from kiri_core.formatting import channel_name
from kiri_core.report import comparison
from kiri_core.report.render import FONT_DIR
from kiri_core.results import expected_response, model_by_id, showing, term_names

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


def scene_texts(chart, role: str, width: int = 900, hidden: bool = False) -> list[list[str]]:
    """The texts of each ``role`` group ("axis-label", "legend-label", "axis-title") when
    vl-convert draws ``chart`` ``width`` px wide; labels it hid for overlap only if ``hidden``
    (a browser measures text its own way and may show them)."""
    scene = vlc.vegalite_to_scenegraph(chart.properties(width=width).to_dict())
    return [[item["text"] for item in group["items"] if hidden or item.get("opacity", 1)]
            for group in _scene_groups(scene, role)]


def legend_labels(chart) -> list[str]:
    return [label for labels in scene_texts(chart, "legend-label") for label in labels]


def _scene_groups(node, role: str) -> Iterator[dict]:
    if isinstance(node, dict):
        if node.get("role") == role:
            yield node
        for value in node.values():
            yield from _scene_groups(value, role)
    elif isinstance(node, list):
        for value in node:
            yield from _scene_groups(value, role)


def delta_e(first: str, second: str) -> float:
    """CIE76 color difference of two hex colors (about 2 is just noticeable)."""
    return float(np.linalg.norm(np.subtract(_lab(first), _lab(second))))


def _lab(color: str) -> tuple[float, float, float]:
    rgb = np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ linear / [0.95047, 1.0, 1.08883]
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def with_negative_baseline(result: dict) -> dict:
    """The result with its recommended model's intercept at minus twice its trend, so the
    baseline (intercept and trend) sits below zero."""
    result = copy.deepcopy(result)
    model = model_by_id(result, result["model_id"])
    model["terms"]["intercept"]["contribution"] = -2 * model["terms"]["trend"]["contribution"]
    model["decomposition"]["intercept"] = [-2 * v for v in model["decomposition"]["trend"]]
    return result


def baseline_of(model: dict) -> tuple[float, list[float]]:
    """The model's intercept and trend together: total, and per period."""
    terms, series = model["terms"], model["decomposition"]
    return (terms["intercept"]["contribution"] + terms["trend"]["contribution"],
            [a + b for a, b in zip(series["intercept"], series["trend"], strict=True)])


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


def drawn_marks(chart, marktype: str, width: int = 640) -> list[dict]:
    """Every ``marktype`` item vl-convert draws on the plot, in drawing order."""
    scene = vlc.vegalite_to_scenegraph(chart.properties(width=width).to_dict())
    return [item for group in _scene_groups(scene, "mark")
            if group.get("marktype") == marktype for item in group["items"]]


@pytest.mark.parametrize("pick", ["recommended", "other"])
def test_pareto_front_gives_the_selected_model_a_primary_dot_of_its_own(pick,
                                                                        fit: Fitted) -> None:
    """The selected model is a filled primary dot drawn over the points and the ring of the
    recommended model, inside that ring when it is the same model; a legend names both."""
    recommended = fit.result["model_id"]
    chosen = recommended if pick == "recommended" else other_model(fit.result)
    chart = charts.pareto_front(fit.result, chosen)
    symbols = drawn_marks(chart, "symbol")
    [dot] = [s for s in symbols if s["fill"] == charts.PRIMARY]
    [ring] = [s for s in symbols if s.get("stroke") == charts.TEXT]
    assert f"model_id: {chosen};" in dot["description"] + ";"
    assert f"model_id: {recommended};" in ring["description"] + ";"
    assert ring["fill"] == "transparent" and symbols.index(dot) == len(symbols) - 1  # on top
    assert dot["size"] > max(s["size"] for s in symbols if s is not dot and s is not ring)
    assert ((dot["x"], dot["y"]) == (ring["x"], ring["y"])) == (pick == "recommended")
    assert {charts.RECOMMENDED_MODEL, charts.SELECTED_MODEL} <= set(legend_labels(chart))


@pytest.mark.parametrize("side", ["left", "right"])
def test_the_shown_models_label_is_drawn_over_a_halo_on_top_of_every_marker(
        side: str, fit: Fitted) -> None:
    """The label reads over the other models' markers: a white halo, then the text, both
    after every point; it points toward the middle of the plot."""
    by_fit = sorted(fit.result["models"], key=lambda m: m["metrics"]["nrmse"])
    chosen = (by_fit[0] if side == "left" else by_fit[-1])["model_id"]
    chart = charts.pareto_front(fit.result, chosen)
    scene = vlc.vegalite_to_scenegraph(chart.properties(width=640).to_dict())
    groups = [g for g in _scene_groups(scene, "mark") if g["items"]]
    assert [g["marktype"] for g in groups][-2:] == ["text", "text"]
    halo, label = (g["items"][0] for g in groups[-2:])
    assert halo["text"] == label["text"] == chosen
    assert halo["stroke"] == halo["fill"] == "#FFFFFF" and halo["strokeWidth"] >= 4
    assert label["fill"] == charts.TEXT and not label.get("stroke")
    [dot] = [s for s in drawn_marks(chart, "symbol") if s["fill"] == charts.PRIMARY]
    assert label["x"] == dot["x"] and (label["dx"] > 0) == (side == "left")
    assert label["align"] == ("left" if side == "left" else "right")


def test_the_waterfalls_axis_ends_at_a_round_value_just_past_its_highest_bar(
        fit: Fitted) -> None:
    """No room kept after the bars for their labels: the axis ends within 5 % of the top."""
    for result, currency in ((fit.result, "SEK"), (with_negative_baseline(fit.result), "EUR")):
        spec = charts.waterfall(result, result["model_id"], currency).to_dict()
        top = max(r["right"] for r in records(spec))
        bottom = min(0.0, min(min(r["start"], r["end"]) for r in records(spec)))
        low, high = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
        step = 10 ** np.floor(np.log10(top - bottom)) / 20
        assert top <= high <= top + step and bottom - step <= low <= bottom
        assert high / step == pytest.approx(round(high / step))  # a round value


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
        assert effect["label"] == f"ROAS {fmt.roas(ch['roas'], 'SEK')}"


def test_switching_model_changes_the_charts_data(fit: Fitted) -> None:
    recommended = charts.waterfall(fit.result, fit.result["model_id"]).to_dict()
    other = charts.waterfall(fit.result, other_model(fit.result)).to_dict()
    assert records(recommended) != records(other)


def test_waterfall_steps_add_up_to_the_models_total_response(fit: Fitted) -> None:
    model = model_by_id(fit.result, fit.result["model_id"])
    rows = records(charts.waterfall(fit.result, model["model_id"]).to_dict())
    total = sum(t["contribution"] for t in model["terms"].values())
    names, grouped = term_names(fit.result), {}
    for term, summary in model["terms"].items():  # the intercept and the trend are one bar
        grouped[names[term]] = grouped.get(names[term], 0.0) + summary["contribution"]
    assert len(rows) == len(grouped) == len(model["terms"]) - 1
    assert max(r["end"] for r in rows) == pytest.approx(
        max(np.cumsum(sorted(grouped.values(), reverse=True))))
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
    assert "Baseline" in sources and "Promo flag" in sources


def test_waterfall_and_decomposition_name_the_same_terms_the_same_way(fit: Fitted) -> None:
    result = copy.deepcopy(fit.result)
    model = model_by_id(result, result["model_id"])
    model["terms"]["monthly"] = {"coef": 1.0, "contribution": 500.0}  # a second seasonality
    model["decomposition"]["monthly"] = [500.0 / len(result["dates"])] * len(result["dates"])
    model["fitted"] = np.add(model["fitted"], model["decomposition"]["monthly"]).tolist()
    bars = records(charts.waterfall(result, model["model_id"]).to_dict())
    over_time = {r["source"] for r in records(
        charts.decomposition_over_time(result, model["model_id"]).to_dict())}
    assert [b["term"] for b in bars if b["term"] in {"Promo flag", "Seasonality"}]
    assert {b["term"] for b in bars} == over_time  # the context variable by its own name
    assert "Context" not in over_time and "Monthly seasonality" not in over_time
    [season] = [b for b in bars if b["term"] == "Seasonality"]  # one bar, as one band
    assert season["contribution"] == pytest.approx(
        model["terms"]["season"]["contribution"] + 500.0)


def test_response_curves_mark_current_and_recommended_spend(fit: Fitted) -> None:
    result, plan = fit.result, fit.plan
    spec = charts.response_curves(result, result["model_id"], "SEK", plan).to_dict()
    for column, ch in result["channels"].items():
        name = channel_name(column)
        curve = ResponseCurve.from_dict(ch["response"])
        [current] = rows_where(spec, channel=name, marker=charts.MEAN_SPEND)
        [recommended] = rows_where(spec, channel=name, marker=charts.PLANNED_SPEND)
        assert current["spend"] == pytest.approx(ch["mean_spend"])
        assert current["response"] == pytest.approx(float(curve.response(ch["mean_spend"])))
        weekly = plan["channels"][column]["optimized_spend"] / plan["weeks"]
        assert recommended["spend"] == pytest.approx(weekly)
        line = {r["spend"]: r["response"] for r in rows_where(spec, channel=name)
                if "marker" not in r}
        stored = dict(zip(ch["curve"]["spend"], ch["curve"]["response"], strict=True))
        assert [line[s] for s in stored] == pytest.approx(list(stored.values()))


def curve_line(spec: dict, column: str) -> list[dict]:
    """The rows of the response curve line of ``column``, in order of spend."""
    rows = [r for r in rows_where(spec, channel=channel_name(column)) if "marker" not in r]
    return sorted(rows, key=lambda r: r["spend"])


def test_response_curves_reach_past_a_recommended_spend_beyond_the_stored_curve(
        fit: Fitted) -> None:
    """A plan of three times today's budget puts some channels' recommended spend past the
    end of their stored curve: the drawn curve goes on, under the channel's own response
    definition, to a little beyond it."""
    result = fit.result
    budget = 3 * 4 * sum(c["mean_spend"] for c in result["channels"].values())
    plan = allocate(result, scenario="max_response", weeks=4, total_budget=budget)
    spec = charts.response_curves(result, result["model_id"], "SEK", plan).to_dict()
    beyond_end = 0
    for column, ch in result["channels"].items():
        curve = ResponseCurve.from_dict(ch["response"])
        weekly = plan["channels"][column]["optimized_spend"] / plan["weeks"]
        end = ch["curve"]["spend"][-1]
        line = curve_line(spec, column)
        assert line[-1]["spend"] >= max(end, (1 + charts.CURVE_MARGIN) * weekly) - 1e-6
        added = [r for r in line if r["spend"] > end]
        if weekly > end:
            beyond_end += 1
            assert len(added) >= 2
        assert [r["response"] for r in added] == pytest.approx(
            curve.response([r["spend"] for r in added]).tolist())
    assert beyond_end >= 1  # the case the chart is for happens with this plan


def test_response_curves_are_dashed_beyond_the_highest_week_in_the_data(fit: Fitted) -> None:
    spec = charts.response_curves(fit.result, fit.result["model_id"], "SEK", fit.plan).to_dict()
    for column, ch in fit.result["channels"].items():
        line = curve_line(spec, column)
        seen = [r for r in line if r["data"] == charts.IN_DATA]
        beyond = [r for r in line if r["data"] == charts.BEYOND_DATA]
        assert max(r["spend"] for r in seen) == pytest.approx(ch["max_spend"])
        assert min(r["spend"] for r in beyond) == pytest.approx(ch["max_spend"])  # joined
        assert seen[-1]["response"] == pytest.approx(
            float(ResponseCurve.from_dict(ch["response"]).response(ch["max_spend"])))
    dash = spec["layer"][0]["encoding"]["strokeDash"]
    assert dash["scale"]["domain"] == [charts.IN_DATA, charts.BEYOND_DATA]
    assert dash["scale"]["range"][0] == [1, 0] and dash["scale"]["range"][1] != [1, 0]
    labels = legend_labels(
        charts.response_curves(fit.result, fit.result["model_id"], "SEK", fit.plan))
    assert charts.BEYOND_DATA in labels and charts.IN_DATA not in labels


def test_response_curves_within_the_data_are_solid_and_need_no_dash_legend(
        fit: Fitted) -> None:
    result = copy.deepcopy(fit.result)
    for model in result["models"]:
        for ch in model["channels"].values():
            ch["max_spend"] = 10 * ch["curve"]["spend"][-1]
    chart = charts.response_curves(result, result["model_id"], "SEK", fit.plan)
    spec = chart.to_dict()
    assert {r["data"] for r in records(spec) if "data" in r} == {charts.IN_DATA}
    assert spec["layer"][0]["encoding"]["strokeDash"]["legend"] is None
    assert charts.BEYOND_DATA not in legend_labels(chart)


def test_response_curves_without_a_plan_show_only_current_spend(fit: Fitted) -> None:
    chart = charts.response_curves(fit.result, fit.result["model_id"])
    assert not rows_where(chart.to_dict(), marker=charts.PLANNED_SPEND)
    assert charts.PLANNED_SPEND not in legend_labels(chart)


def test_the_client_s_response_curves_show_what_the_week_s_spend_adds(fit: Fitted) -> None:
    """UX audit: the client's "Diminishing returns" started each curve at the carry-over of
    earlier weeks (TikTok a flat line well above zero), read as "TikTok spend does nothing".
    With ``added`` a curve is what the week's spend adds: zero at zero spend, the full curve
    less its carry-over level all along, no carry-over triangle, today's dot at what today's
    spend adds and the plan's diamond at the plan's expected weekly effect of its table."""
    result, plan = fit.result, fit.plan
    chart = charts.response_curves(result, result["model_id"], "SEK", plan, added=True)
    spec = chart.to_dict()
    full = charts.response_curves(result, result["model_id"], "SEK", plan).to_dict()
    today = expected_response(result, result["model_id"],
                              {c: ch["mean_spend"] for c, ch in result["channels"].items()})
    for column, ch in result["channels"].items():
        name, carried = channel_name(column), float(
            ResponseCurve.from_dict(ch["response"]).response(0.0))
        line = curve_line(spec, column)
        assert (line[0]["spend"], line[0]["response"]) == (0, pytest.approx(0.0, abs=1e-9))
        assert [(r["spend"], r["response"], r["data"]) for r in line] == [
            (r["spend"], pytest.approx(r["response"] - carried), r["data"])
            for r in curve_line(full, column)]
        [current] = rows_where(spec, channel=name, marker=charts.MEAN_SPEND)
        assert current["response"] == pytest.approx(today["channels"][column])
        [diamond] = rows_where(spec, channel=name, marker=charts.PLANNED_SPEND)
        planned = plan["channels"][column]
        assert diamond["spend"] == pytest.approx(planned["optimized_spend"] / plan["weeks"])
        assert diamond["response"] == pytest.approx(planned["optimized_response"] / plan["weeks"])
    assert not rows_where(spec, marker=charts.ZERO_SPEND)
    assert charts.ZERO_SPEND not in legend_labels(chart)
    [_, y_title] = scene_texts(chart, "axis-title")
    assert y_title == [["Weekly revenue added", "by the week's spend"]]


def test_roas_intervals_and_carryover_match_the_channels(fit: Fitted) -> None:
    model_id = fit.result["model_id"]
    ci_spec = charts.roas_intervals(fit.result, model_id).to_dict()
    split_spec = charts.immediate_vs_carryover(fit.result, model_id).to_dict()
    for column, ch in fit.result["channels"].items():
        name = channel_name(column)
        [row] = [r for r in rows_where(ci_spec, channel=name) if "value" in r]
        assert row["value"] == pytest.approx(ch["roas"])
        if ch["roas_ci"] is not None:
            assert [row["low"], row["high"]] == pytest.approx(ch["roas_ci"])
        [immediate] = rows_where(split_spec, channel=name, part="Immediate")
        [carryover] = rows_where(split_spec, channel=name, part="Carryover")
        assert immediate["share"] == pytest.approx(ch["immediate_share"])
        assert carryover["share"] == pytest.approx(ch["carryover_share"])


def test_a_conversion_model_s_return_charts_show_cost_per_conversion(fit: Fitted) -> None:
    """They showed its conversions per krona: "ROAS 0,00" labels and dots at 0 beside a
    break-even line at 1."""
    result = {**fit.result, "dep_var_type": "conversion"}
    channels = {column: {**ch, "roas": ch["roas"] / 250, "roas_ci": [0.0, ch["roas"] / 200]}
                for column, ch in fit.result["channels"].items()}
    result["models"] = [{**model_by_id(fit.result, fit.result["model_id"]),
                         "channels": channels}]
    shares = charts.spend_vs_effect(result, result["model_id"], "SEK").to_dict()
    intervals = charts.roas_intervals(result, result["model_id"], "SEK").to_dict()
    rows = [r for r in records(intervals) if "value" in r]
    for column, ch in channels.items():
        name = channel_name(column)
        [labelled] = [r for r in rows_where(shares, channel=name) if r["label"]]
        assert labelled["label"] == f"CPA {fmt.money(1 / ch['roas'], 'SEK', 2)}"
        [row] = [r for r in rows if r["channel"] == name]
        assert row["value"] == pytest.approx(1 / ch["roas"])
        assert row["low"] == pytest.approx(1 / ch["roas_ci"][1])
        assert row["high"] > max(r["value"] for r in rows)  # no upper bound: to the axis end
    assert all(layer["mark"]["type"] != "rule" or "x2" in layer["encoding"]
               for layer in intervals["layer"])  # no break-even line
    assert intervals["layer"][0]["encoding"]["x"]["title"] == "Cost per conversion"


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


def test_budget_reallocation_shows_current_and_planned_spend(fit: Fitted) -> None:
    """The UX audit: a plan that loses money was still "Recommended" in the legend."""
    chart = charts.budget_reallocation(fit.plan, "EUR")
    assert legend_labels(chart) == ["Current", "Planned"]
    spec = chart.to_dict()
    assert spec["config"]["locale"]["number"]["currency"] == ["€", ""]
    for column, p in fit.plan["channels"].items():
        name = channel_name(column)
        [current] = rows_where(spec, channel=name, budget="Current")
        [planned] = rows_where(spec, channel=name, budget="Planned")
        assert current["spend"] == pytest.approx(p["current_spend"])
        assert planned["spend"] == pytest.approx(p["optimized_spend"])


def test_compare_runs_puts_each_runs_channels_side_by_side(fit: Fitted) -> None:
    other = {**fit.result, "model_id": other_model(fit.result)}
    spec = charts.compare_runs({"Run #1": fit.result, "Run #2": other}, "SEK").to_dict()
    for column in fit.result["spend_columns"]:
        [first] = rows_where(spec, run="Run #1", channel=channel_name(column))
        [second] = rows_where(spec, run="Run #2", channel=channel_name(column))
        assert first["value"] == pytest.approx(fit.result["channels"][column]["roas"])
        assert second["value"] == pytest.approx(
            model_by_id(fit.result, other["model_id"])["channels"][column]["roas"])
    scale = spec["encoding"]["color"]["scale"]  # the baseline run as "today" in the planner
    assert dict(zip(scale["domain"], scale["range"], strict=True)) == {
        "Run #1": charts.REFERENCE, "Run #2": charts.PRIMARY}


def as_conversion(result: dict, factor: float) -> dict:
    """``result`` as a conversion model's shown model, a conversion per ``factor`` kronor of
    its revenue; its first channel's lowest ROAS 0, so that CPA interval has no upper end."""
    channels = {}
    for i, (column, ch) in enumerate(result["channels"].items()):
        low, high = (bound / factor for bound in ch["roas_ci"])
        channels[column] = {**ch, "roas": ch["roas"] / factor, "cpa": factor / ch["roas"],
                            "contribution": ch["contribution"] / factor,
                            "roas_ci": [0.0 if i == 0 else low, high]}
    model = {**model_by_id(result, result["model_id"]), "channels": channels}
    return {**result, "dep_var_type": "conversion", "channels": channels, "models": [model]}


def compared_pair(fit: Fitted, measure: str) -> dict[str, dict]:
    """Two runs as Compare runs shows them: the recommended model and another, or two
    conversion models for ``"cpa"``."""
    if measure == "cpa":
        return {"Run #1": as_conversion(fit.result, 250), "Run #2": as_conversion(fit.result, 200)}
    return {"Run #1": fit.result, "Run #2": showing(fit.result, other_model(fit.result))}


@pytest.mark.parametrize("measure", ["roas", "cpa", "contribution"])
def test_compare_runs_gives_each_runs_90_percent_interval(measure, fit: Fitted) -> None:
    """The chart showed the runs' figures only, so a difference within the search's noise
    read like a change: each run's interval is drawn, and named in the tooltip as the table
    above the chart names it."""
    results = compared_pair(fit, measure)
    spec = charts.compare_runs(results, "SEK", measure).to_dict()
    shown = {(row[1], row[0]): row[3] for row in comparison.run_rows(results, measure, "SEK")}
    for run, result in results.items():
        for column, ch in result["channels"].items():
            [row] = rows_where(spec, run=run, channel=channel_name(column))
            low, high = ch["roas_ci"]
            expected = {"roas": (low, high), "cpa": (1 / high, 1 / low if low else None),
                        "contribution": (low * ch["spend"], high * ch["spend"])}[measure]
            assert row["low"] == pytest.approx(expected[0])
            assert row["high"] == (pytest.approx(expected[1]) if expected[1] else None)
            assert row["interval"] == shown[run, channel_name(column)]
    if measure == "cpa":  # no upper end: to the axis's end, past every bar and bound
        rows = records(spec)
        open_rows = [r for r in rows if r["high"] is None]
        assert len(open_rows) >= len(results)
        for row in open_rows:
            assert row["end"] > max(r["value"] for r in rows)
            assert row["end"] > max(r["high"] for r in rows if r["high"] is not None)
            assert row["interval"].endswith(" or more")


def test_compare_runs_names_the_interval_in_the_client_s_percent_style(fit: Fitted) -> None:
    """The usability audit: a EUR client's tooltip said "90 % interval" beside "11%"."""
    spec = str(charts.compare_runs(compared_pair(fit, "roas"), "EUR").to_dict())
    assert "'title': '90% interval'" in spec and "90 %" not in spec


def test_compare_runs_draws_each_interval_beside_its_own_bar(fit: Fitted) -> None:
    """A whisker of its run's color, not hidden by either bar, nearer its own bar than the
    other run's, and inside the plot."""
    results = compared_pair(fit, "roas")
    chart = charts.compare_runs(results, "SEK")
    colors = dict(zip(results, (charts.REFERENCE, charts.PRIMARY), strict=True))
    bars = {(item["description"], item["fill"]): item for item in drawn_marks(chart, "rect")
            if item["height"] > charts.WHISKER_CAP}
    whiskers = drawn_marks(chart, "rule")
    assert len(whiskers) == len(bars) == 2 * len(fit.result["spend_columns"])
    for whisker in whiskers:
        run = next(run for run in results if f"run: {run};" in whisker["description"])
        channel = whisker["description"].split("channel: ")[1].split(";")[0]
        assert whisker["stroke"] == colors[run]
        assert whisker["strokeWidth"] == charts.WHISKER_WIDTH
        assert 0 <= whisker["x"] < whisker["x2"] <= 640
        mine, theirs = ([bar for (text, fill), bar in bars.items()
                         if f"channel: {channel};" in text and (fill == colors[run]) == own]
                        for own in (True, False))
        [distance, other_distance] = [_gap(whisker["y"], bar) for [bar] in (mine, theirs)]
        assert 0 < distance < other_distance


def _gap(y: float, bar: dict) -> float:
    """How far ``y`` lies from ``bar`` vertically; 0 inside it."""
    return max(bar["y"] - y, y - bar["y"] - bar["height"], 0)


def test_an_unknown_model_or_measure_is_named_in_the_error(fit: Fitted) -> None:
    with pytest.raises(KeyError, match="Model 'nope' is not one of this run's"):
        charts.waterfall(fit.result, "nope")
    with pytest.raises(ValueError, match="measure must be 'roas' or 'contribution'"):
        charts.estimated_vs_true(fit.result, fit.result["model_id"], fit.truth, "SEK", "cpa")


def test_number_locale_follows_the_currency() -> None:
    assert charts.number_locale("SEK") == {"decimal": ",", "thousands": " ", "grouping": [3],
                                           "currency": ["", " kr"], "minus": "-",
                                           "percent": " %"}
    assert charts.number_locale("USD")["currency"] == ["$", ""]


def test_actual_vs_predicted_has_a_legend_that_tells_the_lines_apart(fit: Fitted) -> None:
    chart = charts.actual_vs_predicted(fit.result, fit.result["model_id"])
    assert legend_labels(chart) == ["Actual", "Predicted"]
    encoding = chart.to_dict()["encoding"]
    assert encoding["strokeDash"]["legend"] == encoding["color"]["legend"]  # one legend
    assert encoding["color"]["legend"]["symbolType"] == "stroke"


MONEY_LABEL = {"SEK": r"-?\d[\d ]*(,\d+)?( k| M| bn)? kr", "EUR": r"-?€\d[\d,]*(\.\d+)?(k|M|bn)?"}
MONEY_CHARTS = {
    "fitted_vs_residual": lambda fit, cur: charts.fitted_vs_residual(
        fit.result, fit.result["model_id"], cur),
    "waterfall": lambda fit, cur: charts.waterfall(fit.result, fit.result["model_id"], cur),
    "response_curves": lambda fit, cur: charts.response_curves(
        fit.result, fit.result["model_id"], cur, fit.plan),
    "actual_vs_predicted": lambda fit, cur: charts.actual_vs_predicted(
        fit.result, fit.result["model_id"], cur),
    "decomposition_over_time": lambda fit, cur: charts.decomposition_over_time(
        fit.result, fit.result["model_id"], cur),
    "budget_reallocation": lambda fit, cur: charts.budget_reallocation(fit.plan, cur),
    "estimated_vs_true": lambda fit, cur: charts.estimated_vs_true(
        fit.result, fit.result["model_id"], fit.truth, cur, "contribution"),
    "data_preview": lambda fit, cur: charts.data_preview(fit.data, PREVIEW_MAPPING, cur),
}
PREVIEW_MAPPING = {"date": "date", "revenue": "revenue",
                   "spend": ["spend_meta", "spend_google", "spend_tiktok", "spend_email"]}


@pytest.mark.parametrize("currency", ["SEK", "EUR"])
@pytest.mark.parametrize("width", [900, 640])
@pytest.mark.parametrize("name", MONEY_CHARTS)
def test_money_axes_have_few_distinct_ticks_written_like_the_labels(
        name, width, currency, fit: Fitted) -> None:
    """No "1,4M kr 1,4M kr", no "95 %100 %": ticks differ, fit the width, and amounts read
    like formatting.money_compact ("1,5 M kr", "€1.5M")."""
    chart = MONEY_CHARTS[name](fit, currency)
    axes = scene_texts(chart, "axis-label", width)
    money = [labels for labels in axes
             if all(re.fullmatch(MONEY_LABEL[currency], label) for label in labels)]
    assert money, f"no axis of amounts written like {currency} money in {axes}"
    for labels in money:
        assert len(set(labels)) == len(labels), labels
    for labels in scene_texts(chart, "axis-label", width, hidden=True):
        assert 2 <= len(labels) <= width / 60, labels


@pytest.mark.parametrize("builder", [charts.immediate_vs_carryover, charts.spend_vs_effect,
                                     charts.adstock_decay, charts.roas_intervals])
def test_share_and_roas_axes_do_not_crowd(builder, fit: Fitted) -> None:
    chart = builder(fit.result, fit.result["model_id"], "SEK")
    for labels in scene_texts(chart, "axis-label", 900, hidden=True):
        assert len(set(labels)) == len(labels) <= 15, labels


@pytest.mark.parametrize("name", ["actual_vs_predicted", "decomposition_over_time",
                                  "data_preview"])
def test_time_axes_tick_quarters_and_name_every_year(name, fit: Fitted) -> None:
    dates = scene_texts(MONEY_CHARTS[name](fit, "SEK"), "axis-label", 640)[0]
    assert dates[0] == "Apr 2022"  # the first tick names its year
    assert "Jan 2023" in dates
    assert set(dates) - {"Apr 2022", "Jan 2023"} <= {"Apr", "Jul", "Oct"}


def test_decomposition_colors_are_told_apart(fit: Fitted) -> None:
    spec = charts.decomposition_over_time(fit.result, fit.result["model_id"]).to_dict()
    scale = spec["encoding"]["color"]["scale"]
    assert {"Baseline", "Seasonality", "Promo flag"} <= set(scale["domain"])
    assert "Trend" not in scale["domain"]  # the trend is part of the baseline
    for first, second in itertools.combinations(scale["range"], 2):
        assert delta_e(first, second) >= 15, (first, second)
    base = [*charts.BASE_COLORS.values(), *charts.CONTEXT_COLORS, *charts.ORGANIC_COLORS]
    for first, second in [*itertools.combinations(base, 2), *itertools.product(base,
                                                                               charts.PALETTE)]:
        assert delta_e(first, second) >= 15, (first, second)


def contrast(color: str, background: str = "#FFFFFF") -> float:
    """WCAG contrast ratio of two hex colors (1 to 21)."""
    lighter, darker = sorted((_luminance(color), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _luminance(color: str) -> float:
    rgb = np.array([int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def test_every_term_of_the_decomposition_stands_out_from_the_white_background(
        fit: Fitted) -> None:
    """No band as light as the old seasonality (1.4:1): every term color is at least 2:1
    against white, as the lightest channel color is, so a thin band and its part below zero
    show."""
    spec = charts.decomposition_over_time(fit.result, fit.result["model_id"]).to_dict()
    drawn = spec["encoding"]["color"]["scale"]["range"]
    terms = [*charts.BASE_COLORS.values(), *charts.CONTEXT_COLORS, *charts.ORGANIC_COLORS]
    for color in [*drawn, *terms, *charts.PALETTE]:
        assert contrast(color) >= 2.0, color


def test_the_decompositions_legend_lists_the_bands_as_they_are_stacked(fit: Fitted) -> None:
    """One column right of the plot, the top band first: no legend wrapped over two rows."""
    chart = charts.decomposition_over_time(fit.result, fit.result["model_id"])
    spec = chart.to_dict()
    legend = spec["encoding"]["color"]["legend"]
    assert legend["orient"] == "right" and legend["columns"] == 1 and legend["labelLimit"]
    stacked = list(dict.fromkeys(r["source"] for r in sorted(records(spec),
                                                             key=lambda r: r["order"])))
    assert legend_labels(chart) == stacked[::-1]
    assert stacked[0] == "Baseline" and stacked[-1] == channel_name(
        fit.result["spend_columns"][-1])
    scene = vlc.vegalite_to_scenegraph(chart.properties(width=640).to_dict())
    [legend] = [item for group in _scene_groups(scene, "legend") for item in group["items"]]
    entries = [item for entry in _scene_groups(legend, "legend-entry")
               for group in _scene_groups(entry, "scope") for item in group["items"]]
    assert legend["x"] >= 640 and len(entries) == len(stacked)  # right of the plot
    assert {entry["x"] for entry in entries} == {0}  # one column, an entry a row
    assert [entry["y"] for entry in entries] == sorted({entry["y"] for entry in entries})


def test_pareto_clusters_have_shapes_and_colors_apart_from_the_channels(fit: Fitted) -> None:
    points = charts.pareto_front(fit.result, fit.result["model_id"]).to_dict()["layer"][0]
    assert points["encoding"]["shape"]["field"] == "cluster"
    colors = points["encoding"]["color"]["scale"]["range"]
    assert len(set(points["encoding"]["shape"]["scale"]["range"])) >= 6
    for cluster, channel in itertools.product(colors, charts.PALETTE):
        assert delta_e(cluster, channel) >= 15, (cluster, channel)


def test_the_baseline_is_the_intercept_and_the_trend_together(fit: Fitted) -> None:
    model = model_by_id(fit.result, fit.result["model_id"])
    total, series = baseline_of(model)
    [baseline] = rows_where(charts.waterfall(fit.result, fit.result["model_id"]).to_dict(),
                            term="Baseline")
    assert baseline["contribution"] == pytest.approx(total) and total > 0
    over_time = charts.decomposition_over_time(fit.result, fit.result["model_id"]).to_dict()
    rows = rows_where(over_time, source="Baseline")
    assert [r["value"] for r in rows] == pytest.approx(series)


def test_a_negative_baseline_is_shown_and_named_an_offset(fit: Fitted) -> None:
    result = with_negative_baseline(fit.result)
    model = model_by_id(result, result["model_id"])
    total, series = baseline_of(model)
    [baseline] = rows_where(charts.waterfall(result, result["model_id"]).to_dict(),
                            term="Baseline (offset)")
    assert baseline["contribution"] == pytest.approx(total) and total < 0
    assert baseline["sign"] == "decrease"
    over_time = charts.decomposition_over_time(result, result["model_id"]).to_dict()
    rows = rows_where(over_time, source="Baseline (offset)")
    assert [r["value"] for r in rows] == pytest.approx(series)
    assert over_time["encoding"]["color"]["scale"]["range"][0] == charts.BASE_COLORS["Baseline"]
    assert not rows_where(charts.waterfall(fit.result, fit.result["model_id"]).to_dict(),
                          term="Baseline (offset)")


def test_response_curves_mark_the_carryover_at_zero_spend(fit: Fitted) -> None:
    chart = charts.response_curves(fit.result, fit.result["model_id"], "SEK", fit.plan)
    spec = chart.to_dict()
    for column, ch in fit.result["channels"].items():
        [zero] = rows_where(spec, channel=channel_name(column), marker=charts.ZERO_SPEND)
        curve = ResponseCurve.from_dict(ch["response"])
        assert zero["spend"] == 0
        assert zero["response"] == pytest.approx(float(curve.response(0.0)))
        assert zero["response"] > 0  # the carry-over of earlier weeks' spend
    [_, y_title] = scene_texts(chart, "axis-title")
    assert y_title == [["Weekly revenue", "incl. carry-over of earlier weeks"]]
    assert {"Mean weekly spend", "Planned spend", "Carry-over at zero spend"} <= set(
        legend_labels(chart))  # a plan, not a recommendation: it may lose money


def test_data_preview_names_the_series_and_gives_spend_its_own_axis(fit: Fitted) -> None:
    spec = charts.data_preview(fit.data, PREVIEW_MAPPING, "SEK").to_dict()
    names = ["Revenue", "Meta", "Google", "TikTok", "Email"]
    for name, column in zip(names, ["revenue", *PREVIEW_MAPPING["spend"]], strict=True):
        assert [r["value"] for r in rows_where(spec, series=name)] == pytest.approx(
            fit.data[column].tolist())
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale == {"domain": names, "range": [charts.TEXT, *charts.PALETTE[:4]]}
    assert spec["resolve"]["scale"]["y"] == "independent"
    assert spec["layer"][1]["encoding"]["y"]["axis"]["orient"] == "right"


def test_data_preview_leaves_out_values_that_are_not_numbers(fit: Fitted) -> None:
    frame = fit.data.astype(str)
    frame.loc[:9, "revenue"] = frame.loc[:9, "revenue"].str.replace(".", ",")  # "1567327,76"
    spec = charts.data_preview(frame, PREVIEW_MAPPING, "SEK").to_dict()
    assert len(rows_where(spec, series="Revenue")) == len(frame) - 10
    assert len(rows_where(spec, series="Meta")) == len(frame)


def test_conversion_models_have_counts_not_money_on_their_axes(fit: Fitted) -> None:
    result = {**fit.result, "dep_var_type": "conversion"}
    chart = charts.actual_vs_predicted(result, result["model_id"], "SEK")
    [_, counts] = scene_texts(chart, "axis-label")
    assert all(re.fullmatch(r"\d[\d ]*", label) for label in counts), counts


def test_a_conversion_models_waterfall_counts_conversions_not_money(fit: Fitted) -> None:
    result = {**fit.result, "dep_var_type": "conversion"}
    spec = charts.waterfall(result, result["model_id"], "SEK").to_dict()
    labels = [row["label"] for row in records(spec)]
    assert labels and not any("kr" in label for label in labels), labels
    tooltips = [t for layer in spec["layer"] for t in layer["encoding"].get("tooltip", [])
                if isinstance(t, dict) and "format" in t]
    assert tooltips and all("$" not in t["format"] for t in tooltips), tooltips


FONTS = {400: "Inter-Regular.otf", 600: "Inter-SemiBold.otf", 700: "Inter-Bold.otf"}
WEIGHTS = {None: 400, "normal": 400, "bold": 700}
#: The plot width Chromium gives a full-width chart of the Results page at 1024 px (about
#: 480 px) less a margin; the chart itself is 564 px wide there, a half-width one 415 px.
NARROW_PLOT, RESULTS_AT_1024, HALF_AT_1024 = 440, 564, 415


def text_extent(item: dict) -> tuple[float, float]:
    """Where a drawn text item starts and ends (px from its group's left edge), measured in
    the shipped Inter."""
    weight = WEIGHTS.get(item.get("fontWeight"), item.get("fontWeight"))
    font = ImageFont.truetype(str(FONT_DIR / FONTS[weight]), item.get("fontSize", 11))
    width = font.getlength(item["text"])
    x = item["x"] + item.get("dx", 0)
    left = {"left": x, "center": x - width / 2, "right": x - width}[item.get("align", "left")]
    return left, left + width


def mark_labels(chart, plot_width: int) -> list[tuple[str, float, float]]:
    """(text, start, end) of every label drawn on the marks, ``plot_width`` px of plot."""
    scene = vlc.vegalite_to_scenegraph(chart.properties(width=plot_width).to_dict())
    return [(item["text"], *text_extent(item)) for group in _scene_groups(scene, "mark")
            if group.get("marktype") == "text" for item in group["items"]]


def legend_ends(chart, width: int) -> list[float]:
    """How far right each legend reaches when the chart fills a ``width`` px wide place (as
    Streamlit draws a "container" wide chart): it cannot shrink, so past ``width`` it is cut."""
    sized = chart.properties(width=width, autosize={"type": "fit", "contains": "padding"})
    scene = vlc.vegalite_to_scenegraph(sized.to_dict())
    origin = scene["origin"][0]
    return [origin + item["x"] + item["width"] for group in _scene_groups(scene, "legend")
            for item in group["items"]]


LABELLED_BARS = {
    "waterfall": lambda fit: charts.waterfall(fit.result, fit.result["model_id"], "SEK"),
    "waterfall, negative baseline": lambda fit: charts.waterfall(
        with_negative_baseline(fit.result), fit.result["model_id"], "EUR"),
    "spend_vs_effect": lambda fit: charts.spend_vs_effect(fit.result, fit.result["model_id"]),
    "budget_reallocation": lambda fit: charts.budget_reallocation(fit.plan, "SEK"),
}


@pytest.mark.parametrize("width", [NARROW_PLOT, 640])
@pytest.mark.parametrize("name", LABELLED_BARS)
def test_bar_labels_stay_inside_the_plot(name, width, fit: Fitted) -> None:
    """A label beside a bar never reaches past the plot, so no browser's text measuring
    decides whether it is cut (the Results page at 1024 px, the PDF at 640 px)."""
    labels = mark_labels(LABELLED_BARS[name](fit), width)
    assert labels
    outside = [(text, round(start), round(end)) for text, start, end in labels
               if start < 0 or end > width]
    assert outside == []


@pytest.mark.parametrize("width", [NARROW_PLOT, 640])
def test_the_waterfalls_labels_sit_beside_or_inside_their_bars(width, fit: Fitted) -> None:
    """A label is after its bar, before it, or (white) inside its end, never across it."""
    for result in (fit.result, with_negative_baseline(fit.result)):
        chart = charts.waterfall(result, result["model_id"], "SEK")
        bars, texts = drawn_marks(chart, "rect", width), drawn_marks(chart, "text", width)
        assert len(bars) == len(texts) == len(records(chart.to_dict()))
        for text in texts:
            start, end = text_extent(text)
            [bar] = [b for b in bars if b["y"] < text["y"] < b["y"] + b["height"]]
            left, right = bar["x"], bar["x"] + bar["width"]
            inside = left <= start and end <= right
            assert end <= left or start >= right or inside, text["text"]
            assert (text["fill"] == "#FFFFFF") == inside, text["text"]


@pytest.mark.parametrize("builder", MODEL_BUILDERS, ids=lambda b: b.__name__)
def test_legends_read_in_full_on_the_results_page_at_1024_px(builder, fit: Fitted) -> None:
    chart = builder(fit.result, fit.result["model_id"], "SEK", *(
        [fit.plan] if builder is charts.response_curves else []))
    assert all(end <= RESULTS_AT_1024 for end in legend_ends(chart, RESULTS_AT_1024))


@pytest.mark.parametrize("builder", [charts.spend_vs_effect, charts.roas_intervals])
def test_the_presentations_half_width_charts_read_in_full_at_1024_px(builder,
                                                                    fit: Fitted) -> None:
    chart = builder(fit.result, fit.result["model_id"], "SEK")
    assert all(end <= HALF_AT_1024 for end in legend_ends(chart, HALF_AT_1024))


def test_a_bar_label_stands_clear_of_both_bars_of_its_channel(fit: Fitted) -> None:
    """A channel's ROAS, or its change of spend, sits after the longer of its two bars."""
    shares = charts.spend_vs_effect(fit.result, fit.result["model_id"]).to_dict()
    for column, ch in fit.result["channels"].items():
        [labelled] = [r for r in rows_where(shares, channel=channel_name(column)) if r["label"]]
        assert labelled["end"] == max(ch["spend_share"], ch["effect_share"])
    spend = charts.budget_reallocation(fit.plan, "SEK").to_dict()
    for column, ch in fit.plan["channels"].items():
        [labelled] = [r for r in rows_where(spend, channel=channel_name(column)) if r["label"]]
        assert labelled["end"] == max(ch["current_spend"], ch["optimized_spend"])


def test_plans_compared_puts_each_plan_per_week_beside_today(fit: Fitted) -> None:
    budget = 8 * sum(c["mean_spend"] for c in fit.result["channels"].values()) * 1.5
    longer = allocate(fit.result, scenario="max_response", weeks=8, total_budget=budget)
    scenarios = [{"name": "Four weeks", "plan": fit.plan}, {"name": "More for two months",
                                                            "plan": longer}]
    spec = charts.plans_compared(scenarios, "SEK").to_dict()
    assert spec["config"]["font"] == "Inter"
    for name, plan, side in (("Today", fit.plan, "current"), ("Four weeks", fit.plan,
                                                              "optimized"),
                             ("More for two months", longer, "optimized")):
        for column, p in plan["channels"].items():
            [row] = rows_where(spec, plan=name, channel=channel_name(column))
            assert row["spend"] == pytest.approx(p[f"{side}_spend"] / plan["weeks"])
    # today's weekly spend is the same whichever plan's horizon it is counted over
    today = {r["channel"]: r["spend"] for r in rows_where(spec, plan="Today") if "channel" in r}
    assert sum(today.values()) == pytest.approx(
        longer["totals"]["current_spend"] / longer["weeks"])
    labels = {r["plan"]: r["label"] for r in records(spec) if "label" in r}
    uplift = fmt.signed_percent(longer["totals"]["uplift"], "SEK")  # as the plans' table
    assert labels["More for two months"].startswith("More for two months: media add ")
    assert labels["More for two months"].endswith(f"a week ({uplift} against today)")
    assert "(" not in labels["Today"]  # today is the reference, not a change


def test_a_term_whose_sign_changes_is_stacked_as_two_bands_of_one_sign(fit: Fitted) -> None:
    """Vega stacks negative values below zero: a band that changed sides between two weeks
    would cut a sliver through the bands between (the baseline)."""
    result = copy.deepcopy(fit.result)
    model = model_by_id(result, result["model_id"])
    weeks = len(result["dates"])
    wave = (1e4 * np.sin(np.arange(weeks) / 4)).tolist()
    model["fitted"] = np.add(model["fitted"], wave).tolist()
    model["decomposition"]["season"] = np.add(model["decomposition"]["season"], wave).tolist()
    rows = records(charts.decomposition_over_time(result, model["model_id"]).to_dict())
    bands = defaultdict(list)
    for row in rows:
        bands[(row["source"], row["part"])].append(row["value"])
    assert set(bands) >= {("Seasonality", "above"), ("Seasonality", "below")}
    for values in bands.values():
        assert min(values) >= 0 or max(values) < 0  # zero weeks of a negative band stay below
    season = [r["weekly"] for r in rows if r["source"] == "Seasonality" and r["part"] == "above"]
    assert season == pytest.approx(model["decomposition"]["season"])  # the tooltip's value
    per_date: dict[str, float] = defaultdict(float)
    for row in rows:
        per_date[row["date"]] += row["value"]
    assert [per_date[d] for d in result["dates"]] == pytest.approx(model["fitted"])


#: How a chart is sized where it is drawn: Streamlit fits all of it, axis and legend too, into
#: its place (736 px wide beside the sidebar at 1024 px); the PDF sets the plot's width.
SIZINGS = {"app": {"width": 736, "autosize": {"type": "fit", "contains": "padding"}},
           "pdf": {"width": 640}}


@pytest.mark.parametrize("sizing", SIZINGS)
def test_each_plan_s_label_sits_above_its_own_bar_clear_of_the_one_above(fit: Fitted,
                                                                          sizing: str) -> None:
    """In the app the labels were drawn against the bar above: Streamlit's fit squeezed a
    fixed height around the axis and legend, and the rows with it, but not the labels' offset."""
    scenarios = [{"name": f"Plan {weeks}", "plan": allocate(
        fit.result, scenario="max_response", weeks=weeks,
        total_budget=weeks * sum(c["mean_spend"] for c in fit.result["channels"].values()))}
        for weeks in (4, 8, 13)]
    chart = charts.plans_compared(scenarios, "SEK").properties(**SIZINGS[sizing])
    scene = vlc.vegalite_to_scenegraph(chart.to_dict())
    marks = list(_scene_groups(scene, "mark"))
    bars = sorted({(item["y"], item["y"] + item["height"]) for group in marks
                   if group.get("marktype") == "rect" for item in group["items"]})
    texts = sorted((item for group in marks if group.get("marktype") == "text"
                    for item in group["items"]), key=lambda item: item["y"])
    assert len(bars) == len(texts) == 4  # today and the three plans
    for i, ((top, _), text) in enumerate(zip(bars, texts, strict=True)):
        assert text["baseline"] == "bottom"
        bottom = text["y"] + text["dy"]
        assert bottom <= top  # above its own bar
        if i:  # a line's height of room between it and the bar above (5 px in the app before)
            assert bottom - text["fontSize"] - bars[i - 1][1] >= text["fontSize"]


def test_a_plan_named_today_gets_a_bar_of_its_own(fit: Fitted) -> None:
    spec = charts.plans_compared([{"name": "Today", "plan": fit.plan}], "SEK").to_dict()
    bars = {(r["bar"], r["plan"]) for r in records(spec)}
    assert bars == {(0, "Today"), (1, "Today")}
    spend = defaultdict(float)
    for row in records(spec):
        spend[row["bar"]] += row.get("spend", 0.0)
    assert spend[1] == pytest.approx(fit.plan["totals"]["optimized_spend"] / fit.plan["weeks"])


def test_a_negative_term_with_empty_weeks_stays_below_zero(fit: Fitted) -> None:
    """A holiday or a negative context flag is 0 in most weeks: stacked as 0 those weeks would
    jump to the top of the positive stack and back."""
    result = copy.deepcopy(fit.result)
    model = model_by_id(result, result["model_id"])
    dip = [-5e3 if week % 10 == 0 else 0.0 for week in range(len(result["dates"]))]
    model["fitted"] = np.add(model["fitted"], dip).tolist()
    model["decomposition"]["promo_flag"] = dip
    rows = [r for r in records(charts.decomposition_over_time(result, model["model_id"])
                               .to_dict()) if r["source"] == "Promo flag"]
    assert {r["part"] for r in rows} == {"below"}
    assert max(r["value"] for r in rows) < 0


def test_a_conversions_column_is_previewed_as_a_count(fit: Fitted) -> None:
    """An uploaded "orders" column was previewed as "Revenue" on a money axis."""
    frame = fit.data.rename(columns={"revenue": "orders"})
    spec = charts.data_preview(frame, {**PREVIEW_MAPPING, "revenue": "orders"}, "SEK").to_dict()
    assert len(rows_where(spec, series="Conversions")) == len(frame)
    outcome = spec["layer"][0]["encoding"]["y"]
    assert outcome["title"] == "Conversions" and outcome["axis"] == {"format": ",~f"}


DIAGNOSTIC_WIDTH = 640


def scene_items(chart, role: str) -> Iterator[list[dict]]:
    """The items of every ``role`` group vl-convert draws, ``DIAGNOSTIC_WIDTH`` px wide."""
    def walk(node) -> Iterator[list[dict]]:
        if isinstance(node, dict):
            if node.get("role") == role:
                yield node["items"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk(vlc.vegalite_to_scenegraph(chart.properties(width=DIAGNOSTIC_WIDTH).to_dict()))


def test_front_one_models_are_filled_and_later_fronts_hollow() -> None:
    """The audit: 84 of the 92 candidates were beaten on both axes, yet every dot looked
    alike. Front 1's are filled in their cluster's color, the others white inside; the ring
    and the shown model's dot keep their one legend."""
    result = fitted_run().result
    chart = charts.pareto_front(result, result["model_id"])
    front = {m["model_id"]: m["pareto_front"] for m in result["models"]}
    [points] = [items for items in scene_items(chart, "mark")
                if len(items) == len(front) and "fill" in items[0]]
    for point in points:
        model_id = point["description"].split("model_id: ")[1].split(";")[0]
        if front[model_id] == 1:
            assert point["fill"] == point["stroke"] != "#FFFFFF", model_id
        else:
            assert point["fill"] == "#FFFFFF" != point["stroke"], model_id
    assert 0 < sum(f == 1 for f in front.values()) < len(front)
    labels = [i["text"] for items in scene_items(chart, "legend-label") for i in items]
    assert [labels.count(m) for m in (charts.RECOMMENDED_MODEL, charts.SELECTED_MODEL)] == [1, 1]


def test_the_residual_chart_s_last_fitted_label_ends_at_the_plot_s_edge() -> None:
    """The audit: at 1024 px the fitted axis's last label ("1,24 M kr") was cut off at the
    chart's right edge. Centred on the axis's end it reached past it; it now ends there."""
    result = fitted_run().result
    chart = charts.fitted_vs_residual(result, result["model_id"])
    fitted_axis = next(items for items in scene_items(chart, "axis-label")
                       if len({round(i["x"]) for i in items}) > 1)
    last = max(fitted_axis, key=lambda i: i["x"])
    assert round(last["x"]) == DIAGNOSTIC_WIDTH and last["align"] == "right"
