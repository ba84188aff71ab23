"""The Results page's model charts, usability audit 7: the candidate models of Pareto front 1
stand out from those of later fronts, and the residual chart's fitted axis keeps its last
label within the chart."""

from __future__ import annotations

from collections.abc import Iterator

import vl_convert as vlc
from fitted import fitted_run

from kiri_core import charts

WIDTH = 640


def scene_items(chart, role: str) -> Iterator[list[dict]]:
    """The items of every ``role`` group vl-convert draws, ``WIDTH`` px wide."""
    def walk(node) -> Iterator[list[dict]]:
        if isinstance(node, dict):
            if node.get("role") == role:
                yield node["items"]
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    yield from walk(vlc.vegalite_to_scenegraph(chart.properties(width=WIDTH).to_dict()))


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
    assert round(last["x"]) == WIDTH and last["align"] == "right"
