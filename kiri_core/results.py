"""Reading a result document (docs/result-format.md): models, terms, headline numbers."""

from __future__ import annotations

import re

import numpy as np

from kiri_core import formatting as fmt
from kiri_core.engine.response import ResponseCurve

_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
SUMMARY_KEYS = ("spend", "contribution", "roas", "cpa", "mroas", "roas_ci", "effect_share",
                "spend_share")


def is_conversion(result: dict) -> bool:
    """Whether the result models conversions (CPA) rather than revenue (ROAS)."""
    return result.get("dep_var_type") == "conversion"


def measure_name(conversion: bool) -> str:
    """``"CPA"`` for conversion models, else ``"ROAS"``."""
    return "CPA" if conversion else "ROAS"


def is_conversion_plan(plan: dict) -> bool:
    """A plan made on a conversion model (its efficiency is a CPA, its effect a count)."""
    return any(ch.get("optimized_cpa") is not None for ch in plan["channels"].values())


def model_by_id(result: dict, model_id: str) -> dict:
    """The model ``model_id`` of ``result``; a clear error when the run has no such model."""
    for model in result["models"]:
        if model["model_id"] == model_id:
            return model
    raise KeyError(f"Model {model_id!r} is not one of this run's {len(result['models'])} models.")


def channel_summary(model: dict) -> dict[str, dict]:
    """A model's (or a result's top-level) per-channel numbers that a run's row keeps for
    lists and the client home."""
    return {name: {key: channel.get(key) for key in SUMMARY_KEYS}
            for name, channel in model["channels"].items()}


def channel_interval(channel: dict | None, measure: str) -> list[float] | None:
    """The channel's 90 % interval of ``measure`` in ROAS (a CPA interval's inverse), or of
    ``"contribution"`` (the ROAS interval times the spend); None without one."""
    ci = channel.get("roas_ci") if channel else None
    if not ci or measure != "contribution":
        return ci
    return [bound * channel["spend"] for bound in ci]


def showing(result: dict, model_id: str) -> dict:
    """``result`` with model ``model_id``'s id, metrics and channels at its top level, where
    readers of a run's headline figures (run comparisons) look; the rest as it is."""
    model = model_by_id(result, model_id)
    return {**result, "model_id": model_id, "metrics": model["metrics"],
            "channels": model["channels"]}


def model_role(result: dict, model_id: str) -> str:
    """What sets the model apart: ``"recommended"``, ``"best of cluster 2"``, ``"cluster 1"``."""
    model = model_by_id(result, model_id)
    if model_id == result["model_id"]:
        return "recommended"
    if model.get("cluster") is None:
        return "not clustered"
    prefix = "best of " if model.get("is_cluster_winner") else ""
    return f"{prefix}cluster {model['cluster']}"


def model_label(result: dict, model_id: str, currency: str) -> str:
    """The model's id, role and fit for a picker: ``"3_1916_1 · best of cluster 2 · R² 0,703
    · NRMSE 0,104"``."""
    metrics = model_by_id(result, model_id)["metrics"]
    return (f"{model_id} · {model_role(result, model_id)} · "
            f"R² {fmt.fit(metrics['rsq'], currency)} · "
            f"NRMSE {fmt.fit(metrics['nrmse'], currency)}")


def recommendation_reason(result: dict, currency: str) -> str:
    """The engine's reason for its recommended model, its decimals written the client's way."""
    decimal = fmt.style_for(currency).decimal
    return _DECIMAL_POINT.sub(decimal, result.get("recommendation_reason", ""))


def response_at(response: dict, spend: float) -> float:
    """Expected response per period at ``spend`` per period (the channel's ``response``),
    the carry-over-only level included: a point on the channel's curve."""
    return float(ResponseCurve.from_dict(response).response(spend))


def curve_through(channel: dict, spend: float) -> dict[str, list[float]]:
    """The channel's response curve (``curve``) carried on, under its ``response``
    definition, to reach at least ``spend`` per period: the points of an even grid to
    ``spend`` that lie past the stored curve's end are added to it."""
    curve = channel["curve"]
    end = curve["spend"][-1]
    if spend <= end:
        return curve
    grid = ResponseCurve.from_dict(channel["response"]).grid(spend)
    past = [i for i, s in enumerate(grid["spend"]) if s > end]
    return {key: [*curve[key], *(grid[key][i] for i in past)] for key in ("spend", "response")}


#: The model's own terms and the name each is shown under. The intercept and prophet's trend
#: are one baseline: the trend carries the sales level, so the free intercept is only an
#: offset to it (often negative) and neither alone reads as what it is. Both seasonalities
#: are one.
BASE_TERMS = {"intercept": "Baseline", "trend": "Baseline", "season": "Seasonality",
              "monthly": "Seasonality", "holiday": "Holidays"}


def term_names(result: dict) -> dict[str, str]:
    """Each term of the result's models and the one name every chart (waterfall,
    decomposition over time) shows it under, in reading order: Baseline (intercept and
    trend), Seasonality (season and monthly), Holidays, each context and organic variable by
    its own readable name (``"promo_flag"`` as ``"Promo flag"``, ``"(context)"`` or
    ``"(organic)"`` added should it match another name), then each paid channel by its
    channel name."""
    channels = {c: fmt.channel_name(c) for c in result["spend_columns"]}
    names = dict(BASE_TERMS)
    for kind in ("context", "organic"):
        for column in result.get(f"{kind}_columns", []):
            name = fmt.term_name(column)
            taken = {*names.values(), *channels.values()}
            names[column] = f"{name} ({kind})" if name in taken else name
    return {**names, **channels}


def term_groups(result: dict, model: dict) -> dict[str, list[float]]:
    """The model's decomposition per period under the names of :func:`term_names`, in its
    order (terms of one name summed); terms the model does not have are left out. The groups
    sum to the fitted series."""
    decomposition = model["decomposition"]
    series: dict[str, list] = {}
    for term, name in term_names(result).items():
        if term in decomposition:
            series.setdefault(name, []).append(decomposition[term])
    return {name: np.sum(parts, axis=0).tolist() for name, parts in series.items()}


def expected_response(result: dict, model_id: str, weekly_spend: dict[str, float]) -> dict:
    """What a weekly spend per channel is expected to add under the model's curves.

    As in a plan (docs/result-format.md, plan format), a channel's response is what the
    spend adds over the carry-over-only level, ``response(spend) - response(0)``: zero
    spend returns 0. Returns ``{"channels": {column: response}, "response": total,
    "spend": total, "roas": total response / total spend}`` per week; channels left out
    spend nothing.
    """
    channels = model_by_id(result, model_id)["channels"]
    per_channel = {
        column: float(ResponseCurve.from_dict(channels[column]["response"]).incremental(
            float(weekly_spend.get(column, 0.0))))
        for column in result["spend_columns"]
    }
    spend = float(sum(weekly_spend.get(c, 0.0) for c in result["spend_columns"]))
    response = float(sum(per_channel.values()))
    return {"channels": per_channel, "response": response, "spend": spend,
            "roas": response / spend if spend > 0 else None}


def what_if_top(channel: dict) -> float:
    """The highest weekly spend a what-if offers for a model's channel: the end of its
    response curve, and at least twice its current spend (at least 1)."""
    return float(max(channel["curve"]["spend"][-1], 2 * channel["mean_spend"], 1.0))


def what_if_steps(current: float, top: float, steps: int = 200) -> list[float]:
    """Weekly spend choices for a what-if slider: ``steps`` even steps from 0 to ``top``
    (whole amounts), plus the current spend so the slider can start on it."""
    grid = {round(top * k / steps) for k in range(steps + 1)}
    return sorted(grid | {float(current)})
