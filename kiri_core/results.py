"""Reading a result document (docs/result-format.md): models, terms, headline numbers."""

from __future__ import annotations

import re

import numpy as np

from kiri_core import formatting as fmt
from kiri_core.engine.response import ResponseCurve

_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def model_by_id(result: dict, model_id: str) -> dict:
    """The model ``model_id`` of ``result``; a clear error when the run has no such model."""
    for model in result["models"]:
        if model["model_id"] == model_id:
            return model
    raise KeyError(f"Model {model_id!r} is not one of this run's {len(result['models'])} models.")


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
    """The model's id, role and fit for a picker: ``"3_1916_1 · best of cluster 2 · R² 0,70
    · NRMSE 0,104"``."""
    metrics = model_by_id(result, model_id)["metrics"]
    return (f"{model_id} · {model_role(result, model_id)} · "
            f"R² {fmt.number(metrics['rsq'], currency, 2)} · "
            f"NRMSE {fmt.number(metrics['nrmse'], currency, 3)}")


def recommendation_reason(result: dict, currency: str) -> str:
    """The engine's reason for its recommended model, its decimals written the client's way."""
    decimal = fmt.style_for(currency).decimal
    return _DECIMAL_POINT.sub(decimal, result.get("recommendation_reason", ""))


def response_at(response: dict, spend: float) -> float:
    """Expected response per period at ``spend`` per period (the channel's ``response``),
    the carry-over-only level included: a point on the channel's curve."""
    return float(ResponseCurve.from_dict(response).response(spend))


def term_groups(result: dict, model: dict) -> dict[str, list[float]]:
    """The model's decomposition per period, grouped for reading.

    Baseline (intercept), Trend, Seasonality (season and monthly), Holidays, Context (all
    context columns), Organic (all organic columns), then each paid channel by name; groups
    the model does not have are left out. The groups sum to the fitted series.
    """
    decomposition = model["decomposition"]
    spec = [
        ("Baseline", ["intercept"]),
        ("Trend", ["trend"]),
        ("Seasonality", ["season", "monthly"]),
        ("Holidays", ["holiday"]),
        ("Context", list(result.get("context_columns", []))),
        ("Organic", list(result.get("organic_columns", []))),
    ]
    spec += [(fmt.channel_name(c), [c]) for c in result["spend_columns"]]
    groups: dict[str, list[float]] = {}
    for name, terms in spec:
        present = [decomposition[t] for t in terms if t in decomposition]
        if present:
            groups[name] = np.sum(present, axis=0).tolist()
    return groups


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


def what_if_steps(current: float, top: float, steps: int = 200) -> list[float]:
    """Weekly spend choices for a what-if slider: ``steps`` even steps from 0 to ``top``
    (whole amounts), plus the current spend so the slider can start on it."""
    grid = {round(top * k / steps) for k in range(steps + 1)}
    return sorted(grid | {float(current)})
