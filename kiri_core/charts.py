"""Altair chart builders for a model run, shared by the pages and the PDF report.

Every builder takes the result document (``docs/result-format.md``), the id of the model to
show and the client's currency (:func:`data_preview` takes a dataset instead), and returns a
finished, self-contained Vega-Lite chart: the Kiri theme (design colors, Inter) and the
currency's number locale are part of each spec, so Streamlit (``theme=None``) and vl-convert
draw the same picture. Money axes read like :func:`kiri_core.formatting.money_compact`.
Charts are ``"container"`` wide; the PDF sets a fixed width with
``chart.properties(width=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import altair as alt
import pandas as pd

from kiri_core import formatting as fmt
from kiri_core.data.validation import is_conversion_name, parse_dates
from kiri_core.formatting import channel_name, term_name
from kiri_core.results import (
    channel_interval,
    curve_through,
    is_conversion,
    is_conversion_plan,
    measure_name,
    model_by_id,
    response_at,
    term_groups,
    term_names,
)

PRIMARY = "#0066FF"
TEXT = "#111111"
MUTED = "#666666"
SECONDARY = "#F5F5F5"
GRID = "#E6E6E6"
#: The reference side of a pair (spend beside effect, today beside the plan, the baseline run
#: beside the compared one, carry-over beside the immediate effect); the other is PRIMARY.
REFERENCE = "#B8C4D6"
FONT = "Inter"
#: Channel colors, primary first; calm, distinguishable, print-safe.
PALETTE = (
    "#0066FF", "#00A39A", "#F2A541", "#7B61FF", "#E4572E",
    "#2E4057", "#8FB339", "#D64C9B", "#4FB3D9", "#A67C52",
)
#: Non-media terms of the decomposition: calm tones of distinct lightness and warmth, apart
#: from each other and from the channel colors, none lighter than the lightest channel color
#: (at least 2:1 against the white background, so a thin band and its part below zero show);
#: context variables in sand tones, organic ones in sage tones, one tone each in the order of
#: their columns.
BASE_COLORS = {
    "Baseline": "#5B6675", "Seasonality": "#8B97A3", "Holidays": "#C4A9C0",
}
CONTEXT_COLORS = ("#C9B084", "#92856E", "#6A563E")
ORGANIC_COLORS = ("#8AAE9F", "#598573", "#405A4D")
#: Pareto clusters get neutral tones and shapes of their own, never a channel's color.
CLUSTER_COLORS = ("#333333", "#9A9A9A", "#C7B37A", "#5E7F8F", "#946A86", "#6B7F3E")
CLUSTER_SHAPES = ("circle", "square", "triangle-up", "diamond", "cross", "triangle-down",
                  "triangle-right", "triangle-left")
#: The markers on the response curves, as their legend names them.
MEAN_SPEND = "Mean weekly spend"
PLANNED_SPEND = "Planned spend"
ZERO_SPEND = "Carry-over at zero spend"
#: The parts of a response curve: within the weekly spend seen in the data, and beyond it.
IN_DATA = "Within the data"
BEYOND_DATA = "Extrapolated beyond the data"
#: How far past its channel's furthest marker a response curve reaches at least (a share).
CURVE_MARGIN = 0.1
#: The models the Pareto chart marks, as its legend names them.
RECOMMENDED_MODEL, SELECTED_MODEL = "Recommended model", "Model shown"
DEFAULT_HEIGHT = 300
HAIR = 1e-9  # a value that draws nothing but is stacked on the negative side
TODAY = "Today"  # the first bar of the plans compared: today's spend
#: px per plan in the plans compared (its line of text, then its bar): the y step, not a
#: fixed height, as Streamlit fits a fixed height around the axis and legend too.
PLAN_ROW = 56
#: The legend of line charts: a short stroke per series, dashed where the line is.
LINE_LEGEND = alt.Legend(symbolType="stroke", symbolStrokeWidth=2, symbolSize=400)
#: Share of a labelled bar chart's plot kept free right of its longest bar for the label
#: there: 130 px of the 440 px the Results page leaves the plot at 1024 px, so no label
#: depends on how a browser measures text to fit; short labels ("+100 %") need less.
LABEL_ROOM, SHORT_LABEL_ROOM = 0.3, 0.15
#: The response curves' markers are explained above the plot, the channels below it: side
#: by side the two legends are wider than the chart at 1024 px.
MARKER_LEGEND = alt.Legend(orient="top")
#: How wide a name in the legend of a stacked chart may be (px) before it is cut short.
STACK_LABEL_LIMIT = 120
#: A waterfall label on each side of its bar (:func:`_label_side`): the end of the bar it is
#: written from, its alignment, its offset and its color.
WATERFALL_LABELS = {"after": ("right", "left", 4, MUTED), "before": ("left", "right", -4, MUTED),
                    "inside": ("right", "right", -4, "#FFFFFF")}


def kiri_theme() -> dict[str, Any]:
    """The Vega-Lite config of the design system (colors, Inter, quiet axes)."""
    return {
        "background": "#FFFFFF",
        "font": FONT,
        "padding": 8,
        "view": {"stroke": None, "continuousHeight": DEFAULT_HEIGHT},
        "title": {"font": FONT, "fontSize": 15, "fontWeight": 600, "color": TEXT,
                  "anchor": "start", "offset": 12, "subtitleColor": MUTED,
                  "subtitleFont": FONT, "subtitleFontSize": 12},
        "axis": {"labelFont": FONT, "titleFont": FONT, "labelColor": MUTED,
                 "titleColor": MUTED, "titleFontWeight": 400, "labelFontSize": 11,
                 "titleFontSize": 11, "gridColor": GRID, "domainColor": "#CCCCCC",
                 "tickColor": "#CCCCCC", "labelSeparation": 8},
        # about one tick per 100 px across and 50 px up, whatever the chart's size
        "axisXQuantitative": {"tickCount": {"expr": "ceil(width / 100)"}},
        "axisYQuantitative": {"tickCount": {"expr": "ceil(height / 50)"}},
        "axisBand": {"grid": False, "ticks": False, "domain": False, "labelColor": TEXT,
                     "labelPadding": 6},
        "legend": {"labelFont": FONT, "titleFont": FONT, "labelColor": TEXT,
                   "titleColor": MUTED, "titleFontWeight": 400, "orient": "bottom",
                   "symbolType": "circle", "columns": 5, "labelLimit": 240},
        "header": {"labelFont": FONT, "titleFont": FONT, "labelColor": TEXT},
        "text": {"font": FONT, "color": TEXT, "fontSize": 11},
        "range": {"category": list(PALETTE)},
        "bar": {"color": PRIMARY},
        "line": {"color": PRIMARY, "strokeWidth": 2},
        "point": {"color": PRIMARY, "filled": True},
        "area": {"color": PRIMARY},
    }


alt.theme.register("kiri", enable=False)(lambda: alt.theme.ThemeConfig(config=kiri_theme()))


def number_locale(currency: str) -> dict[str, Any]:
    """A d3 number locale for ``currency``: separators, currency sign, minus and percent sign."""
    style = fmt.style_for(currency)
    sign = [style.sign, ""] if style.sign_first else ["", f" {style.sign}"]
    return {"decimal": style.decimal, "thousands": style.thousands, "grouping": [3],
            "currency": sign, "minus": "-", "percent": " %" if style.percent_space else "%"}


def money_label_expr(currency: str) -> str:
    """A Vega expression writing ``datum.value`` the way :func:`fmt.money_compact` writes
    money ("1,5 M kr", "€1.5M"), with just the decimals a tick needs ("1,25 M kr")."""
    style = fmt.style_for(currency)
    text = _money_text(style, 1.0, "")
    for step, suffix in reversed(fmt.COMPACT_STEPS):  # k, M, bn; formatting's own steps
        text = f"abs(datum.value) >= {step:.0f} ? {_money_text(style, step, suffix)} : ({text})"
    return f"(datum.value < 0 ? '-' : '') + ({text})"


def _money_text(style: fmt.NumberStyle, step: float, suffix: str) -> str:
    """One branch of :func:`money_label_expr`: the amount in ``step`` units, sign placed."""
    amount = f"format(abs(datum.value) / {step:.0f}, ',~f')"
    if style.sign_first:
        return f"'{style.sign}' + {amount} + '{suffix}'"
    return f"{amount} + '{f' {suffix}' if suffix else ''} {style.sign}'"


def _money_axis(currency: str, **kwargs: Any) -> alt.Axis:
    """An axis of amounts written like the charts' labels and tables ("1,5 M kr")."""
    return alt.Axis(labelExpr=money_label_expr(currency), **kwargs)


def _outcome_axis(result: dict, currency: str, **kwargs: Any) -> alt.Axis:
    """Money for a revenue model, whole numbers for a conversion model."""
    if is_conversion(result):
        return alt.Axis(format=",~f", **kwargs)
    return _money_axis(currency, **kwargs)


def _outcome_tooltip(result: dict, field: str, title: str | None = None) -> alt.Tooltip:
    """A tooltip of the modelled outcome: money, or a count of conversions."""
    return alt.Tooltip(field, format=",.0f" if is_conversion(result) else "$,.0f",
                       title=title or alt.Undefined)


def _outcome_compact(conversion: bool, value: float, currency: str) -> str:
    """A chart label of the modelled outcome: ``"1,5 M kr"``, or ``"1,5 M"`` conversions."""
    if conversion:
        return fmt.number_compact(value, currency)
    return fmt.money_compact(value, currency)


def _time_x(dates: Sequence[Any]) -> alt.X:
    """A date axis on clean ticks: quarters with the year at each January and at the first
    tick ("Apr 2022 Jul Oct Jan 2023"); whole years for more than four years of data."""
    stamps = pd.to_datetime(pd.Series(list(dates)), errors="coerce").dropna()
    years = (stamps.max() - stamps.min()).days / 365.25 if len(stamps) else 0.0
    if years > 4:
        ticks, label = {"interval": "year", "step": 1}, "utcFormat(datum.value, '%Y')"
    else:
        ticks = {"interval": "month", "step": 3}
        label = ("datum.index == 0 || utcmonth(datum.value) == 0 ? "
                 "utcFormat(datum.value, '%b %Y') : utcFormat(datum.value, '%b')")
    return alt.X("date:T", title=None, scale=alt.Scale(type="utc"),
                 axis=alt.Axis(tickCount=ticks, labelExpr=label))


def _finish(chart: alt.TopLevelMixin, currency: str, height: int = DEFAULT_HEIGHT) -> Any:
    """Size, theme and locale: the chart as every page and the PDF show it."""
    return chart.properties(width="container", height=height).configure(
        **kiri_theme(), locale={"number": number_locale(currency)}
    )


def _channel_colors(spend_columns: Sequence[str]) -> dict[str, str]:
    """Each channel's name and color, in the order of the spend columns."""
    return {channel_name(c): PALETTE[i % len(PALETTE)] for i, c in enumerate(spend_columns)}


def _color_scale(colors: dict[str, str]) -> alt.Scale:
    return alt.Scale(domain=list(colors), range=list(colors.values()))


def _channel_scale(result: dict) -> alt.Scale:
    return _color_scale(_channel_colors(result["spend_columns"]))


def _room_for_labels(low: float, high: float, room: float = LABEL_ROOM) -> alt.Scale:
    """An x scale from ``low`` on which bars ending by ``high`` keep ``room`` (a share) of the
    plot free after them for their labels."""
    return alt.Scale(domain=[low, high + (high - low) * room / (1 - room)])


def _channels(result: dict, model_id: str) -> dict[str, dict]:
    model = model_by_id(result, model_id)
    return {c: model["channels"][c] for c in result["spend_columns"] if c in model["channels"]}


def pareto_front(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """The Pareto models by fit error (NRMSE) and business plausibility (DECOMP.RSSD).

    Clusters have colors and shapes of their own (never a channel's color); the models of
    Pareto front 1 (none beaten on both axes) are filled, those of later fronts hollow. The
    recommended model is ringed and the selected one a labelled primary dot, both named in a
    legend above the plot. The points carry a selection parameter ``pick`` (field
    ``model_id``) for the picker.
    """
    rows = [
        {"model_id": m["model_id"], "nrmse": m["metrics"]["nrmse"],
         "decomp_rssd": m["metrics"]["decomp_rssd"], "rsq": m["metrics"]["rsq"],
         "cluster": "–" if m.get("cluster") is None else str(m["cluster"]),
         "front": m.get("pareto_front"), "recommended": bool(m.get("recommended")),
         "selected": m["model_id"] == model_id}
        for m in result["models"]
    ]
    data = pd.DataFrame(rows)
    pick = alt.selection_point(name="pick", fields=["model_id"], on="click")
    base = alt.Chart(data).encode(
        x=alt.X("nrmse:Q", title="Fit error (NRMSE)", scale=alt.Scale(zero=False)),
        y=alt.Y("decomp_rssd:Q", title="Spend/effect gap (DECOMP.RSSD)",
                scale=alt.Scale(zero=False)),
    )
    clusters = alt.Scale(range=CLUSTER_COLORS)
    points = base.mark_point(size=70, opacity=0.85, filled=False, strokeWidth=1.5).encode(
        color=alt.Color("cluster:N", title="Cluster", scale=clusters),
        fill=alt.condition("datum.front == 1", alt.Fill("cluster:N", scale=clusters,
                                                        legend=None), alt.value("#FFFFFF")),
        shape=alt.Shape("cluster:N", title="Cluster", scale=alt.Scale(range=CLUSTER_SHAPES)),
        tooltip=["model_id", alt.Tooltip("nrmse:Q", format=".4f"),
                 alt.Tooltip("decomp_rssd:Q", format=".4f"), alt.Tooltip("rsq:Q", format=".3f"),
                 "cluster", "front"],
    ).add_params(pick)
    recommended = _pareto_marker(base, "recommended", RECOMMENDED_MODEL)
    selected = _pareto_marker(base, "selected", SELECTED_MODEL)
    middle = (data["nrmse"].min() + data["nrmse"].max()) / 2
    on_right = bool((data.loc[data["selected"], "nrmse"] > middle).any())
    markers = alt.layer(recommended, selected)  # one legend of both, apart from the clusters
    layers = alt.layer(points, markers, *_pareto_label(base, on_right))
    return _finish(layers.resolve_scale(fill="independent", stroke="independent",
                                        size="independent"), currency)


def _pareto_label(base: alt.Chart, on_right: bool) -> tuple[alt.Chart, alt.Chart]:
    """The shown model's id above its dot, toward the middle of the plot (left of a dot
    ``on_right``), over a white halo so it reads on top of the other models' markers."""
    text = base.transform_filter("datum.selected").encode(text="model_id:N")
    style = {"align": "right" if on_right else "left", "dx": -10 if on_right else 10,
             "dy": -12, "fontWeight": 600}
    halo = text.mark_text(**style, color="#FFFFFF", stroke="#FFFFFF", strokeWidth=7,
                          strokeJoin="round")
    return halo, text.mark_text(**style, color=TEXT)


def _pareto_marker(base: alt.Chart, flag: str, marker: str) -> alt.Chart:
    """The models whose ``flag`` is set, marked as the legend above the plot names
    ``marker``: the recommended model ringed, the selected one a larger dot in the primary
    color (inside the ring where they are one model)."""
    domain = [RECOMMENDED_MODEL, SELECTED_MODEL]
    legend = alt.Legend(orient="top", title=None)
    return base.transform_filter(f"datum.{flag}").transform_calculate(
        marker=f"'{marker}'").mark_point(shape="circle", opacity=1, strokeWidth=1.5).encode(
        fill=alt.Fill("marker:N", legend=legend,
                      scale=alt.Scale(domain=domain, range=["transparent", PRIMARY])),
        stroke=alt.Stroke("marker:N", legend=legend,
                          scale=alt.Scale(domain=domain, range=[TEXT, "#FFFFFF"])),
        size=alt.Size("marker:N", legend=legend, scale=alt.Scale(domain=domain,
                                                                  range=[260, 150])),
        tooltip=["marker:N", "model_id"],
    )


def spend_vs_effect(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """Share of spend beside share of effect per channel, labelled with the channel's ROAS
    (a conversion model's CPA) after the longer of its two bars."""
    conversion = is_conversion(result)
    measure = measure_name(conversion)
    rows = []
    for column, ch in _channels(result, model_id).items():
        name, end = channel_name(column), max(ch["spend_share"], ch["effect_share"])
        shown = fmt.efficiency(ch["roas"], conversion, currency)
        rows.append({"channel": name, "measure": "Share of spend", "share": ch["spend_share"],
                     "shown": shown, "end": end, "label": ""})
        rows.append({"channel": name, "measure": "Share of effect", "share": ch["effect_share"],
                     "shown": shown, "end": end, "label": f"{measure} {shown}"})
    data = pd.DataFrame(rows)
    order = [channel_name(c) for c in result["spend_columns"]]
    y = alt.Y("channel:N", sort=order, title=None)
    bars = alt.Chart(data).mark_bar(cornerRadiusEnd=2, height={"band": 0.4}).encode(
        x=alt.X("share:Q", title="Share of paid media", axis=alt.Axis(format="~%"),
                scale=_room_for_labels(0.0, float(data["end"].max()))),
        y=y,
        yOffset=alt.YOffset("measure:N", sort=["Share of spend", "Share of effect"]),
        color=alt.Color("measure:N", title=None, sort=["Share of spend", "Share of effect"],
                        scale=alt.Scale(range=[REFERENCE, PRIMARY])),
        tooltip=["channel", "measure", alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("shown:N", title=measure)],
    )
    labels = alt.Chart(data).mark_text(align="left", baseline="middle", dx=6, color=TEXT,
                                       fontWeight=600).encode(
        x="end:Q", y=y, text="label:N",
        yOffset=alt.YOffset("measure:N", sort=["Share of spend", "Share of effect"]),
    )
    return _finish(bars + labels, currency, height=max(220, 56 * len(order)))


def _term_label(model: dict, name: str) -> str:
    """A term's name (:func:`kiri_core.results.term_names`) on the charts; a negative
    baseline (intercept and trend) says what it is: the level the other terms are measured
    from, so it can sit below zero."""
    baseline = sum(model["terms"].get(term, {}).get("contribution", 0.0)
                   for term in ("intercept", "trend"))
    return "Baseline (offset)" if name == "Baseline" and baseline < 0 else name


def _term_colors(result: dict) -> dict[str, str]:
    """The color of each name of :func:`kiri_core.results.term_names`."""
    names = term_names(result)
    colors = dict(BASE_COLORS)
    for kind, tones in (("context", CONTEXT_COLORS), ("organic", ORGANIC_COLORS)):
        for i, column in enumerate(result.get(f"{kind}_columns", [])):
            colors[names[column]] = tones[i % len(tones)]
    return {**colors, **_channel_colors(result["spend_columns"])}


def waterfall(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """Response decomposition waterfall: each term's share of the modelled response, its
    amount and share written beside or inside its bar (:func:`_label_side`), on an axis
    that ends at a round value just past the highest bar; terms named as in the
    decomposition over time (:func:`kiri_core.results.term_names`, the two seasonalities
    one bar)."""
    model = model_by_id(result, model_id)
    names, summed = term_names(result), {}
    for term, summary in model["terms"].items():
        name = names.get(term) or term_name(term)
        summed[name] = summed.get(name, 0.0) + summary["contribution"]
    terms = sorted(summed.items(), key=lambda kv: -kv[1])
    total = sum(summed.values())
    rows, start = [], 0.0
    for name, value in terms:
        rows.append({"term": _term_label(model, name), "start": start, "end": start + value,
                     "left": min(start, start + value), "right": max(start, start + value),
                     "contribution": value, "share": value / total if total else 0.0,
                     "sign": "increase" if value >= 0 else "decrease",
                     "label": f"{_outcome_compact(is_conversion(result), value, currency)} · "
                              f"{fmt.percent(value / total if total else 0, currency, 1)}"})
        start += value
    data = pd.DataFrame(rows)
    domain = _round_domain(min(0.0, float(data["left"].min())), float(data["right"].max()))
    data["side"] = [_label_side(domain, left, right)
                    for left, right in zip(data["left"], data["right"], strict=True)]
    y = alt.Y("term:N", sort=list(data["term"]), title=None)
    bars = alt.Chart(data).mark_bar(height={"band": 0.7}).encode(
        x=alt.X("start:Q", title=f"Cumulative {_dep_var_title(result).lower()}",
                axis=_outcome_axis(result, currency),
                scale=alt.Scale(domain=domain, nice=False)),
        x2="end:Q",
        y=y,
        color=alt.Color("sign:N", legend=None,
                        scale=alt.Scale(domain=["increase", "decrease"],
                                        range=[PRIMARY, "#E4572E"])),
        tooltip=["term", _outcome_tooltip(result, "contribution:Q"),
                 alt.Tooltip("share:Q", format=".1%")],
    )
    labels = [
        alt.Chart(data).transform_filter(f"datum.side == '{side}'").mark_text(
            align=align, dx=dx, color=color).encode(x=f"{x}:Q", y=y, text="label:N")
        for side, (x, align, dx, color) in WATERFALL_LABELS.items()
    ]
    return _finish(alt.layer(bars, *labels), currency, height=max(240, 28 * len(data)))


def _label_side(domain: list[float], left: float, right: float) -> str:
    """Where a waterfall bar from ``left`` to ``right`` has its label: after the bar where
    the plot leaves room right of it, else before it, else inside its end (one of the three
    spans is at least a third of the plot)."""
    span = domain[1] - domain[0]
    if (domain[1] - right) / span >= LABEL_ROOM:
        return "after"
    return "before" if (left - domain[0]) / span >= LABEL_ROOM else "inside"


def _round_domain(low: float, high: float) -> list[float]:
    """``[low, high]`` widened to the next round values: steps of a twentieth of the span's
    power of ten (120,5 M ends at 125 M), so an axis ends just past its data."""
    if high <= low:
        return [low, low + 1.0]
    step = 10 ** math.floor(math.log10(high - low)) / 20
    return [math.floor(low / step) * step, math.ceil(high / step) * step]


def adstock_decay(result: dict, model_id: str, currency: str = "SEK", max_lags: int = 12) -> Any:
    """How long each channel's effect lasts: the adstock weight by weeks since the spend."""
    rows = [
        {"channel": channel_name(column), "lag": lag, "weight": weight}
        for column, ch in _channels(result, model_id).items()
        for lag, weight in enumerate(ch["decay"][:max_lags])
    ]
    chart = alt.Chart(pd.DataFrame(rows)).mark_line(point=True).encode(
        x=alt.X("lag:Q", title="Weeks after the spend", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("weight:Q", title="Effect remaining", axis=alt.Axis(format="~%")),
        color=alt.Color("channel:N", title=None, scale=_channel_scale(result)),
        tooltip=["channel", "lag", alt.Tooltip("weight:Q", format=".1%")],
    )
    return _finish(chart, currency)


def response_curves(result: dict, model_id: str, currency: str = "SEK",
                    plan: dict | None = None, *, added: bool = False) -> Any:
    """Expected weekly response against weekly spend, one curve per channel.

    The response includes the carry-over of earlier weeks' spend (Robyn's convention,
    :mod:`kiri_core.engine.response`), so a curve starts above zero: a triangle marks that
    level at zero spend. With ``added`` (the client's chart) a curve is instead what the
    week's spend adds, ``r(s) - r(0)`` as a plan counts it, from zero at zero spend and
    without the triangle. The mean weekly spend is a filled dot; with a ``plan``
    (docs/result-format.md) the planned weekly spend is an open diamond. Each curve
    reaches a little past its channel's markers and is dashed beyond the highest week of
    spend in the data, where it is an extrapolation.
    """
    channels = _channels(result, model_id)
    base = {column: response_at(ch["response"], 0.0) if added else 0.0
            for column, ch in channels.items()}
    planned = {column: p["optimized_spend"] / plan["weeks"]
               for column, p in (plan["channels"] if plan else {}).items() if column in channels}
    mean = [_curve_point(column, ch, MEAN_SPEND, ch["mean_spend"], base[column])
            for column, ch in channels.items()]
    diamonds = [_curve_point(column, channels[column], PLANNED_SPEND, spend, base[column])
                for column, spend in planned.items()]
    zero = [] if added else [
        point for column, ch in channels.items()
        if (point := _curve_point(column, ch, ZERO_SPEND, 0.0, 0.0))["response"] > 0]
    curve_rows = [
        row for column, ch in channels.items()
        for row in _curve_rows(column, ch, (1 + CURVE_MARGIN) * max(
            ch["mean_spend"], planned.get(column, 0.0)), base[column])
    ]
    scale = _channel_scale(result)
    x = alt.X("spend:Q", title="Weekly spend", axis=_money_axis(currency))
    y = alt.Y("response:Q", axis=_outcome_axis(result, currency),
              title=_curves_y_title(result, added))
    lines = alt.Chart(pd.DataFrame(curve_rows)).mark_line().encode(
        x=x, y=y, color=alt.Color("channel:N", title=None, scale=scale),
        strokeDash=_data_dash({row["data"] for row in curve_rows}))
    markers = [(rows, shape, hollow) for rows, shape, hollow in (
        (mean, "circle", False), (diamonds, "diamond", True), (zero, "triangle-right", False),
    ) if rows]
    shapes = alt.Scale(domain=[rows[0]["marker"] for rows, _, _ in markers],
                       range=[shape for _, shape, _ in markers])
    response = _outcome_tooltip(result, "response:Q")
    return _finish(alt.layer(lines, *(_markers(rows, x, y, scale, shapes, hollow, response)
                                      for rows, _, hollow in markers)), currency)


def _curves_y_title(result: dict, added: bool) -> list[str]:
    """The response curves' y-axis title: the response with the carry-over of earlier weeks,
    or (``added``) what the week's spend adds."""
    weekly = f"Weekly {_dep_var_title(result).lower()}"
    if added:
        return [f"{weekly} added", "by the week's spend"]
    return [weekly, "incl. carry-over of earlier weeks"]


def _curve_rows(column: str, channel: dict, reach: float,
                base: float) -> list[dict[str, Any]]:
    """The channel's curve less ``base`` carried on to at least ``reach`` per week, as the
    rows of a line solid up to the highest week of spend in the data (``max_spend``) and
    dashed beyond it; the point at that week ends the one and starts the other."""
    curve = curve_through(channel, reach)
    points = [(spend, response - base)
              for spend, response in zip(curve["spend"], curve["response"], strict=True)]
    seen = channel.get("max_spend", math.inf)
    if seen >= points[-1][0]:
        return [_curve_row(column, spend, response, IN_DATA) for spend, response in points]
    edge = (seen, response_at(channel["response"], seen) - base)
    return ([_curve_row(column, *point, IN_DATA) for point in points if point[0] < seen]
            + [_curve_row(column, *edge, IN_DATA), _curve_row(column, *edge, BEYOND_DATA)]
            + [_curve_row(column, *point, BEYOND_DATA) for point in points if point[0] > seen])


def _curve_row(column: str, spend: float, response: float, data: str) -> dict[str, Any]:
    return {"channel": channel_name(column), "spend": spend, "response": response,
            "data": data}


def _data_dash(parts: set[str]) -> alt.StrokeDash:
    """Solid lines within the spend seen in the data, dashed beyond it; where some line goes
    beyond, a legend names the dashes (solid is what a line is anyway)."""
    domain = [part for part in (IN_DATA, BEYOND_DATA) if part in parts]
    dashes = {IN_DATA: [1, 0], BEYOND_DATA: [5, 4]}
    legend = (alt.Legend(values=[BEYOND_DATA], **LINE_LEGEND.to_dict())
              if BEYOND_DATA in parts else None)
    return alt.StrokeDash("data:N", title=None, legend=legend,
                          scale=alt.Scale(domain=domain, range=[dashes[d] for d in domain]))


def _markers(rows: list[dict], x: alt.X, y: alt.Y, scale: alt.Scale, shapes: alt.Scale,
             hollow: bool, response: alt.Tooltip) -> alt.Chart:
    """Points on the response curves in the channel's color, shaped by their ``marker``."""
    mark = {"filled": False, "fill": "#FFFFFF"} if hollow else {"filled": True}
    return alt.Chart(pd.DataFrame(rows)).mark_point(
        size=100, opacity=1, strokeWidth=2, **mark).encode(
        x=x, y=y, color=alt.Color("channel:N", title=None, scale=scale),
        shape=alt.Shape("marker:N", title=None, scale=shapes, legend=MARKER_LEGEND),
        tooltip=["channel", "marker", alt.Tooltip("spend:Q", format="$,.0f"), response],
    )


def _curve_point(column: str, channel: dict, marker: str, spend: float,
                 base: float) -> dict[str, Any]:
    """The point of the channel's curve less ``base`` at ``spend`` per week."""
    return {"channel": channel_name(column), "marker": marker, "spend": spend,
            "response": response_at(channel["response"], spend) - base}


def actual_vs_predicted(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """The dependent variable and the model's fit over time; the legend tells the lines apart."""
    model = model_by_id(result, model_id)
    rows = [
        {"date": d, "series": series, "value": v}
        for series, values in (("Actual", result["actual"]), ("Predicted", model["fitted"]))
        for d, v in zip(result["dates"], values, strict=True)
    ]
    series = ["Actual", "Predicted"]
    chart = alt.Chart(pd.DataFrame(rows)).mark_line(strokeWidth=1.8).encode(
        x=_time_x(result["dates"]),
        y=alt.Y("value:Q", title=_dep_var_title(result), axis=_outcome_axis(result, currency)),
        color=alt.Color("series:N", title=None, legend=LINE_LEGEND,
                        scale=alt.Scale(domain=series, range=[TEXT, PRIMARY])),
        strokeDash=alt.StrokeDash("series:N", title=None, legend=LINE_LEGEND,
                                  scale=alt.Scale(domain=series, range=[[1, 0], [5, 3]])),
        tooltip=[alt.Tooltip("date:T"), "series", _outcome_tooltip(result, "value:Q")],
    )
    return _finish(chart, currency)


def fitted_vs_residual(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """Residual (actual minus fitted) against the fitted value; no pattern is good. The
    fitted axis's first and last labels end at the plot's edges (``labelFlush``): that axis
    does not start at zero, so a tick sits at each end, and its label centred there was cut
    off at the chart's right edge in a 1024 px window."""
    model = model_by_id(result, model_id)
    data = pd.DataFrame({
        "date": result["dates"],
        "fitted": model["fitted"],
        "residual": [a - f for a, f in zip(result["actual"], model["fitted"], strict=True)],
    })
    points = alt.Chart(data).mark_circle(size=36, opacity=0.7, color=PRIMARY).encode(
        x=alt.X("fitted:Q", title="Fitted", scale=alt.Scale(zero=False),
                axis=_outcome_axis(result, currency, labelFlush=True)),
        y=alt.Y("residual:Q", title="Residual", axis=_outcome_axis(result, currency)),
        tooltip=[alt.Tooltip("date:T"), _outcome_tooltip(result, "fitted:Q"),
                 _outcome_tooltip(result, "residual:Q")],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=MUTED, strokeDash=[4, 3]).encode(
        y="y:Q"
    )
    return _finish(points + zero, currency)


def immediate_vs_carryover(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """Share of each channel's effect from same-period spend versus carried over."""
    rows = [
        {"channel": channel_name(column), "part": part, "share": ch[key]}
        for column, ch in _channels(result, model_id).items()
        for part, key in (("Immediate", "immediate_share"), ("Carryover", "carryover_share"))
    ]
    order = [channel_name(c) for c in result["spend_columns"]]
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar(height={"band": 0.6}).encode(
        x=alt.X("share:Q", title="Share of the channel's effect", stack="normalize",
                axis=alt.Axis(format="~%")),
        y=alt.Y("channel:N", sort=order, title=None),
        color=alt.Color("part:N", title=None, sort=["Immediate", "Carryover"],
                        scale=alt.Scale(domain=["Immediate", "Carryover"],
                                        range=[PRIMARY, REFERENCE])),
        order=alt.Order("part_order:Q"),
        tooltip=["channel", "part", alt.Tooltip("share:Q", format=".1%")],
    ).transform_calculate(part_order="datum.part == 'Immediate' ? 0 : 1")
    return _finish(chart, currency, height=max(200, 40 * len(order)))


def roas_intervals(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """Each channel's ROAS with its bootstrapped 90 % interval (where computed) and
    break-even (ROAS 1) dashed; for a conversion model its CPA, whose interval runs to the
    axis's end when it has no upper bound (a lowest ROAS of 0)."""
    conversion = is_conversion(result)
    data = pd.DataFrame([_interval_row(column, ch, conversion)
                         for column, ch in _channels(result, model_id).items()])
    data["high"] = _to_the_edge(data)
    order = [channel_name(c) for c in result["spend_columns"]]
    y = alt.Y("channel:N", sort=order, title=None)
    color = alt.Color("channel:N", scale=_channel_scale(result), legend=None)
    x = alt.X("low:Q", title="Cost per conversion" if conversion else "ROAS",
              axis=_money_axis(currency) if conversion else alt.Undefined)
    bars = alt.Chart(data).transform_filter("isValid(datum.low)").mark_rule(
        strokeWidth=3, opacity=0.5).encode(x=x, x2="high:Q", y=y, color=color)
    number = "$,.2f" if conversion else ".2f"
    points = alt.Chart(data).mark_circle(size=110, opacity=1).encode(
        x="value:Q", y=y, color=color,
        tooltip=["channel", alt.Tooltip("value:Q", format=number, title=measure_name(conversion)),
                 alt.Tooltip("low:Q", format=number, title="90% low"),
                 alt.Tooltip("high:Q", format=number, title="90% high")],
    )
    layers = [bars, points]
    if not conversion:
        layers.insert(0, alt.Chart(pd.DataFrame({"x": [1.0]})).mark_rule(
            color=MUTED, strokeDash=[4, 3]).encode(x="x:Q"))
    return _finish(alt.layer(*layers), currency, height=max(200, 40 * len(order)))


def _interval_row(column: str, channel: dict, conversion: bool) -> dict[str, Any]:
    """A channel's ROAS and interval bounds; a conversion model's CPA, bounds inverted (no
    upper bound, None, where the lowest ROAS is 0)."""
    low, high = channel.get("roas_ci") or (None, None)
    if conversion:
        value, low, high = _inverse(channel["roas"]), _inverse(high), _inverse(low)
    else:
        value = channel["roas"]
    return {"channel": channel_name(column), "value": value, "low": low, "high": high}


def _to_the_edge(data: pd.DataFrame) -> pd.Series:
    """The highs of ``data``'s intervals, an open one (a low, no high) at the axis's far end."""
    far = 1.15 * float(data[["value", "low", "high"]].max().max())
    return data["high"].where(data["low"].isna() | data["high"].notna(), far)


def _inverse(value: float | None) -> float | None:
    return 1 / value if value else None


def decomposition_over_time(result: dict, model_id: str, currency: str = "SEK") -> Any:
    """The fitted response over time, stacked by source: base terms, then each channel."""
    model = model_by_id(result, model_id)
    groups = term_groups(result, model)
    palette = _term_colors(result)
    label = {"Baseline": _term_label(model, "Baseline")}
    colors = {label.get(group, group): palette[group] for group in groups}
    rows = [
        {"date": d, "source": label.get(group, group), "part": part, "value": shown,
         "weekly": v, "order": 2 * i + k}
        for i, (group, series) in enumerate(groups.items())
        for k, (part, parts) in enumerate(_signed_parts(series).items())
        for d, v, shown in zip(result["dates"], series, parts, strict=True)
    ]
    chart = alt.Chart(pd.DataFrame(rows)).mark_area(opacity=0.92).encode(
        x=_time_x(result["dates"]),
        y=alt.Y("value:Q", title=_dep_var_title(result), stack="zero",
                axis=_outcome_axis(result, currency)),
        color=alt.Color("source:N", title=None, sort=list(colors), scale=_color_scale(colors),
                        legend=_stack_legend(list(colors))),
        detail="part:N",
        order=alt.Order("order:Q", sort="ascending"),
        tooltip=[alt.Tooltip("date:T"), "source", _outcome_tooltip(result, "weekly:Q", "value")],
    )
    return _finish(chart, currency)


def _stack_legend(sources: list[str]) -> alt.Legend:
    """A legend in one column right of a chart stacked in the order of ``sources``, the top
    band's entry at the top, long names cut short."""
    return alt.Legend(orient="right", columns=1, values=sources[::-1],
                      labelLimit=STACK_LABEL_LIMIT)


def _signed_parts(series: list[float]) -> dict[str, list[float]]:
    """A series as it is stacked: whole when it keeps one sign, else its positive and its
    negative part as two bands. Vega stacks negative values below zero and the others on
    top, so a term whose sign changes (the season) would cut diagonal slivers through the
    bands between; the negative part's empty weeks are a hair below zero for that reason."""
    below = [min(v, -HAIR) for v in series]
    if min(series) >= 0:
        return {"whole": series}
    if max(series) <= 0:  # its zero weeks too: Vega would stack a 0 on top of the others
        return {"below": below}
    return {"above": [max(v, 0.0) for v in series], "below": below}


def estimated_vs_true(result: dict, model_id: str, truth: dict, currency: str = "SEK",
                      measure: str = "roas") -> Any:
    """The model's estimate beside the generator's known truth, per channel.

    ``measure`` is ``"roas"`` or ``"contribution"``; ``truth`` is the generator's truth
    (``truth["channels"][column][measure]``).
    """
    if measure not in ("roas", "contribution"):
        raise ValueError(f"measure must be 'roas' or 'contribution', got {measure!r}")
    rows = []
    for column, ch in _channels(result, model_id).items():
        true = truth["channels"].get(column, {}).get(measure)
        if true is None:
            continue
        name = channel_name(column)
        rows.append({"channel": name, "source": "Estimated", "value": ch[measure]})
        rows.append({"channel": name, "source": "True", "value": float(true)})
    order = [channel_name(c) for c in result["spend_columns"]]
    title = _roas_title(result) if measure == "roas" else "Contribution"
    axis = alt.Axis(format=".2f") if measure == "roas" else _outcome_axis(result, currency)
    chart = alt.Chart(pd.DataFrame(rows)).mark_bar(height={"band": 0.4}).encode(
        x=alt.X("value:Q", title=title, axis=axis),
        y=alt.Y("channel:N", sort=order, title=None),
        yOffset=alt.YOffset("source:N", sort=["Estimated", "True"]),
        color=alt.Color("source:N", title=None, sort=["Estimated", "True"],
                        scale=alt.Scale(domain=["Estimated", "True"], range=[PRIMARY, TEXT])),
        tooltip=["channel", "source", alt.Tooltip("value:Q", format=",.2f")],
    )
    return _finish(chart, currency, height=max(220, 56 * len(order)))


def budget_reallocation(plan: dict, currency: str = "SEK") -> Any:
    """Current versus planned spend per channel over the plan's horizon, the change
    written after the longer of the channel's two bars."""
    rows, sides = [], ["Current", "Planned"]
    for column, p in plan["channels"].items():
        name, end = channel_name(column), max(p["current_spend"], p["optimized_spend"])
        change = (p["optimized_spend"] / p["current_spend"] - 1) if p["current_spend"] else None
        rows.append({"channel": name, "budget": sides[0], "spend": p["current_spend"],
                     "end": end, "label": ""})
        rows.append({"channel": name, "budget": sides[1], "spend": p["optimized_spend"],
                     "end": end, "label": fmt.signed_percent(change, currency, 0)
                     if change is not None else "new"})
    data = pd.DataFrame(rows)
    order = [channel_name(c) for c in plan["channels"]]
    y = alt.Y("channel:N", sort=order, title=None)
    bars = alt.Chart(data).mark_bar(height={"band": 0.4}, cornerRadiusEnd=2).encode(
        x=alt.X("spend:Q", title=f"Spend over {fmt.weeks(plan['weeks'])}",
                axis=_money_axis(currency),
                scale=_room_for_labels(0.0, float(data["end"].max()), SHORT_LABEL_ROOM)),
        y=y,
        yOffset=alt.YOffset("budget:N", sort=sides),
        color=alt.Color("budget:N", title=None, sort=sides,
                        scale=alt.Scale(domain=sides, range=[REFERENCE, PRIMARY])),
        tooltip=["channel", "budget", alt.Tooltip("spend:Q", format="$,.0f")],
    )
    labels = alt.Chart(data).mark_text(align="left", baseline="middle", dx=6,
                                       fontWeight=600).encode(
        x="end:Q", y=y, text="label:N",
        yOffset=alt.YOffset("budget:N", sort=sides),
    )
    return _finish(bars + labels, currency, height=max(220, 56 * len(order)))


def plans_compared(scenarios: Sequence[dict], currency: str = "SEK", row: int = PLAN_ROW) -> Any:
    """Saved plans side by side per week (their horizons may differ): each plan's weekly
    spend stacked by channel, today's spend first; above each bar the plan's name, what
    media add in a week and the change against today.

    ``scenarios`` are ``{"name": str, "plan": <plan dict>}`` of one model, so today's spend
    is the same in each; the first plan gives it. The names sit above the bars, not on an
    axis, so a long name is read whole; bars are told apart by position (``bar``), so a
    plan may be called anything, "Today" too. ``row``: px per plan, label and bar (the PDF
    draws them closer to keep the chart under its table).
    """
    first = scenarios[0]["plan"]
    columns = list(first["channels"])
    bars = [(TODAY, first, "current"), *((s["name"], s["plan"], "optimized") for s in scenarios)]
    rows, labels = [], []
    for bar, (name, plan, side) in enumerate(bars):
        weeks, totals = plan["weeks"], plan["totals"]
        for i, (column, p) in enumerate(plan["channels"].items()):
            rows.append({"bar": bar, "plan": name, "channel": channel_name(column), "order": i,
                         "spend": p[f"{side}_spend"] / weeks})
        added = _plan_added(plan, totals[f"{side}_response"] / weeks, currency)
        change = ("" if side == "current" else
                  f" ({fmt.signed_percent(totals['uplift'], currency)} against today)")
        labels.append({"bar": bar, "plan": name,
                       "label": f"{name}: media add {added} a week{change}"})
    y = alt.Y("bar:O", title=None, axis=None)
    stacked = alt.Chart(pd.DataFrame(rows)).mark_bar(height={"band": 0.4}).encode(
        x=alt.X("spend:Q", title="Spend per week", axis=_money_axis(currency)),
        y=y,
        color=alt.Color("channel:N", title=None, scale=_color_scale(_channel_colors(columns)),
                        sort=[channel_name(c) for c in columns],
                        legend=alt.Legend(orient="bottom")),
        order=alt.Order("order:Q"),
        tooltip=["plan", "channel", alt.Tooltip("spend:Q", format="$,.0f")],
    )
    text = alt.Chart(pd.DataFrame(labels)).mark_text(
        align="left", baseline="bottom", dy=-0.24 * row, fontWeight=600,
    ).encode(x=alt.datum(0), y=y, text="label:N")
    return _finish(stacked + text, currency).properties(height=alt.Step(row))


def _plan_added(plan: dict, value: float, currency: str) -> str:
    """What media add in a week, short: ``"1,2 M kr of revenue"``, or ``"340 conversions"``."""
    conversion = is_conversion_plan(plan)
    amount = _outcome_compact(conversion, value, currency)
    return f"{amount} {'conversions' if conversion else 'of revenue'}"


def _dep_var_title(result: dict) -> str:
    return "Conversions" if is_conversion(result) else "Revenue"


def _roas_title(result: dict) -> str:
    return "Conversions per unit spent" if is_conversion(result) else "ROAS"


#: The measures :func:`compare_runs` draws: axis title and number format of the tooltip.
COMPARED_MEASURES = {"roas": ("ROAS", ",.2f"), "cpa": ("Cost per conversion", "$,.2f"),
                     "contribution": ("Contribution", ",.0f")}
#: The px of a whisker's line and of the ticks at its ends.
WHISKER_WIDTH, WHISKER_CAP = 1.5, 7
#: px of a run's bar, and of its whisker, in :func:`compare_runs`: the y step, not a fixed
#: height, as Streamlit fits a fixed height around the axis and legend too.
COMPARED_SLOT = 12


def compare_runs(results: dict[str, dict], currency: str = "SEK",
                 measure: str = "roas") -> Any:
    """One measure (``"roas"``, ``"cpa"`` or ``"contribution"``) per channel for two runs,
    each run's 90 % interval (where it has one) a thin whisker of its color beside its bar:
    the first run's above, the second's below, so a bar of its own color hides none.

    ``results`` maps a run label to its result document; each run shows the model at its top
    level (the recommended one, or another put there by :func:`kiri_core.results.showing`).
    Channels are matched by spend column.
    """
    if measure not in COMPARED_MEASURES:
        raise ValueError(f"measure must be one of {', '.join(COMPARED_MEASURES)}, "
                         f"got {measure!r}")
    conversion = is_conversion(next(iter(results.values())))
    show = partial(fmt.measure_value, measure=measure, conversion=conversion, currency=currency)
    data = pd.DataFrame([
        {"channel": channel_name(column), "run": label, "value": ch[measure],
         **_compared_interval(ch, measure, show)}
        for label, result in results.items()
        for column, ch in _channels(result, result["model_id"]).items()
    ])
    data["end"] = _to_the_edge(data)  # an open interval runs to the axis's end, no tick
    labels = list(results)
    title, number = COMPARED_MEASURES[measure]
    tooltip = ["run", "channel", alt.Tooltip("value:Q", format=number, title=title),
               alt.Tooltip("interval:N", title=fmt.interval_name(currency))]
    first, second = labels
    slots = [f"{first} interval", first, second, f"{second} interval"]
    slot = alt.Scale(domain=slots)
    bars = alt.Chart().mark_bar(height={"expr": "0.8 * bandwidth('yOffset')"}).encode(
        x=alt.X("value:Q", title=title, axis=_compared_axis(results, measure, currency)),
        yOffset=alt.YOffset("run:N", scale=slot))
    whisker = alt.Chart().transform_filter("isValid(datum.low)").transform_calculate(
        slot="datum.run + ' interval'").encode(yOffset=alt.YOffset("slot:N", scale=slot))
    chart = alt.layer(
        bars, whisker.mark_rule(strokeWidth=WHISKER_WIDTH).encode(x="low:Q", x2="end:Q"),
        *(whisker.transform_filter(f"isValid(datum.{end})").mark_tick(
            orient="vertical", thickness=WHISKER_WIDTH, size=WHISKER_CAP).encode(x=f"{end}:Q")
          for end in ("low", "high")),
        data=data,
    ).encode(
        y=alt.Y("channel:N", title=None, sort=list(dict.fromkeys(data["channel"]))),
        color=alt.Color("run:N", title=None, sort=labels,
                        scale=alt.Scale(domain=labels, range=[REFERENCE, PRIMARY])),
        tooltip=tooltip,
    )
    return _finish(chart, currency).properties(height=alt.Step(COMPARED_SLOT))


def _compared_interval(channel: dict, measure: str,
                       show: Callable[[float], str]) -> dict[str, Any]:
    """The channel's 90 % interval of ``measure`` (:func:`channel_interval`): its bounds
    (a CPA's inverted from the ROAS's, no high where the lowest ROAS is 0) and in words."""
    low, high = channel_interval(channel, measure) or (None, None)
    if measure == "cpa":
        low, high = _inverse(high), _inverse(low)
    text = ("–" if low is None else f"{show(low)} or more" if high is None
            else f"{show(low)} – {show(high)}")
    return {"low": low, "high": high, "interval": text}


def _compared_axis(results: dict[str, dict], measure: str, currency: str) -> alt.Axis:
    if measure == "roas":
        return alt.Axis(format=".2f")
    if measure == "cpa":
        return _money_axis(currency)
    return _outcome_axis(next(iter(results.values())), currency)


def data_preview(frame: pd.DataFrame, mapping: dict, currency: str = "SEK") -> Any:
    """A dataset's outcome (left axis: revenue, or a count of conversions when the column's
    name says so) and spend per channel (right axis) over time.

    ``mapping`` names the ``date``, ``revenue`` (the outcome) and ``spend`` columns
    (:func:`kiri_core.services.datasets.suggest_mapping`); values that are not numbers or
    dates are left out.
    """
    spend = list(mapping["spend"])
    conversion = is_conversion_name(mapping["revenue"])
    outcome = "Conversions" if conversion else "Revenue"
    dates = parse_dates(frame[mapping["date"]]).dt.strftime("%Y-%m-%d")  # as validated
    series = {outcome: mapping["revenue"], **{channel_name(c): c for c in spend}}
    data = pd.concat([
        pd.DataFrame({"date": dates, "series": name,
                      "value": pd.to_numeric(frame[column], errors="coerce")})
        for name, column in series.items()
    ])
    colors = {outcome: TEXT, **_channel_colors(spend)}
    color = alt.Color("series:N", title=None, sort=list(colors), scale=_color_scale(colors),
                      legend=LINE_LEGEND)
    base = alt.Chart(data.dropna()).mark_line(strokeWidth=1.5).encode(
        x=_time_x(data["date"]), color=color,
        tooltip=[alt.Tooltip("date:T"), "series", alt.Tooltip("value:Q", format="$,.0f")])
    outcome_line = base.transform_filter(f"datum.series == '{outcome}'").encode(
        y=alt.Y("value:Q", title=outcome,
                axis=alt.Axis(format=",~f") if conversion else _money_axis(currency)),
        tooltip=[alt.Tooltip("date:T"), "series",
                 alt.Tooltip("value:Q", format=",.0f" if conversion else "$,.0f")])
    channels = base.transform_filter(f"datum.series != '{outcome}'").encode(
        y=alt.Y("value:Q", title="Spend per week",
                axis=_money_axis(currency, orient="right", grid=False)))
    return _finish(alt.layer(outcome_line, channels).resolve_scale(y="independent"), currency,
                   height=260)
