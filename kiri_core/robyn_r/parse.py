"""Robyn 3.12's output files -> the result document of ``docs/result-format.md``.

Robyn names a paid channel by its model variable (``rn``): the exposure metric where one is
used (``facebook_I`` for spend ``facebook_S``). Kiri keys paid media by spend column
everywhere, so every Robyn variable is mapped through the model JSON's ``paid_media_vars``
/ ``paid_media_spends`` pair (same order).

Per paid channel the response spec is Robyn's own allocator response:
``coef``, ``alpha`` and ``inflexion`` (``<var>_inflexion``, = gamma * max adstocked spend in
the window) from the model, and ``mean_carryover`` (mean adstocked spend minus its
same-period part) from
``pareto_aggregated.csv``. Shares, ROAS, CPA and contributions are taken from
``pareto_aggregated.csv`` unchanged. Robyn's ROAS interval is a 95 % t-interval around the
cluster's bootstrap mean; Kiri reports 90 %, so its half-widths are scaled by
``t(0.95, n - 1) / t(0.975, n - 1)`` (``n`` = models in the cluster).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from kiri_core.engine.decompose import CURVE_SPEND_MULTIPLE, MIN_DECAY_LAGS
from kiri_core.engine.hyperparameters import ADSTOCK_PARAMS
from kiri_core.engine.model import channel_adstock
from kiri_core.engine.response import ResponseCurve
from kiri_core.engine.saturation import hill
from kiri_core.robyn_r.runner import ENGINE

FORMAT_VERSION = 1
ROBYN_PARAMS = {"alpha": "alphas", "gamma": "gammas", "theta": "thetas", "shape": "shapes",
                "scale": "scales"}
ROBYN_CI, KIRI_CI = 0.95, 0.90
ALLOCATION_FIELDS = {
    "current_spend": "initSpendUnit",
    "optimized_spend": "optmSpendUnit",
    "lower": "constr_low_abs",
    "upper": "constr_up_abs",
    "current_response": "initResponseUnit",
    "optimized_response": "optmResponseUnit",
    "current_roas": "initRoiUnit",
    "optimized_roas": "optmRoiUnit",
    "optimized_mroas": "optmResponseMargUnit",
}
NOT_TERMS = {"ds", "dep_var", "depVarHat", "solID", "cluster", "top_sol"}
SELECTION_REASON = (
    "Picked by Kiri's Robyn template: the lowest combined error (NRMSE and DECOMP.RSSD{mape}, "
    "each min-max scaled over the Pareto models) among the {winners} cluster winners of "
    "Robyn's clustering; exported by robyn_write."
)


class RobynOutputError(ValueError):
    """Robyn's output folder lacks a file or holds something unexpected."""


@dataclass(frozen=True)
class RobynFiles:
    """The output files of one Robyn run (found anywhere below the output folder)."""

    hyperparameters: Path
    aggregated: Path
    decomposition: Path
    media_transform: Path
    clusters: Path
    model_json: Path
    reallocated: tuple[Path, ...]


@dataclass(frozen=True)
class RobynSpec:
    """What the model JSON's ``InputCollect`` says about the run."""

    spends: list[str]
    var_to_spend: dict[str, str]
    organic: list[str]
    context: list[str]
    adstock: str
    dep_var_type: str
    window_start: str
    window_end: str
    periods: int
    total_rows: int
    calibrated: bool
    version: str

    def column(self, robyn_name: str) -> str:
        """Kiri's name of a Robyn variable: spend column for paid media, ``intercept``."""
        if robyn_name in ("(Intercept)", "intercept"):
            return "intercept"
        return self.var_to_spend.get(robyn_name, robyn_name)


def find_robyn_files(outdir: Path) -> RobynFiles:
    """Locate Robyn's files below ``outdir`` (Robyn writes into a sub-folder of its own)."""

    def one(pattern: str) -> Path:
        found = sorted(Path(outdir).rglob(pattern))
        if not found:
            raise RobynOutputError(f"Robyn's output in {outdir} has no {pattern}.")
        return found[0]

    return RobynFiles(
        hyperparameters=one("pareto_hyperparameters.csv"),
        aggregated=one("pareto_aggregated.csv"),
        decomposition=one("pareto_alldecomp_matrix.csv"),
        media_transform=one("pareto_media_transform_matrix.csv"),
        clusters=one("pareto_clusters.csv"),
        model_json=exported_model_json(Path(outdir)),
        reallocated=tuple(sorted(Path(outdir).rglob("*_reallocated.csv"))),
    )


def exported_model_json(outdir: Path) -> Path:
    """``RobynModel-<solID>.json`` of the exported model (robyn_outputs also writes a
    ``RobynModel-inputs.json`` without a model, which is skipped)."""
    for path in sorted(outdir.rglob("RobynModel-*.json")):
        if "ExportedModel" in json.loads(path.read_text(encoding="utf-8")):
            return path
    raise RobynOutputError(
        f"Robyn's output in {outdir} has no exported model (RobynModel-<solID>.json from "
        "robyn_write)."
    )


def robyn_version(version_text: str) -> str:
    """``"3.12.1"`` from Robyn's ``"Robyn (dev) v3.12.1 [R-4.2.2]"``."""
    match = re.search(r"(\d+\.\d+\.\d+)", version_text)
    if not match:
        raise RobynOutputError(f"Cannot read Robyn's version from {version_text!r}.")
    return match.group(1)


def read_spec(model_json: dict) -> RobynSpec:
    inputs = model_json["InputCollect"]
    spends, media_vars = inputs["paid_media_spends"], inputs["paid_media_vars"]
    if len(spends) != len(media_vars):
        raise RobynOutputError("paid_media_vars and paid_media_spends differ in length.")
    return RobynSpec(
        spends=list(spends),
        var_to_spend=dict(zip(media_vars, spends, strict=True)),
        organic=list(inputs.get("organic_vars", [])),
        context=list(inputs.get("context_vars", [])),
        adstock=_one(inputs["adstock"]),
        dep_var_type=_one(inputs["dep_var_type"]),
        window_start=_one(inputs["window_start"]),
        window_end=_one(inputs["window_end"]),
        periods=int(_one(inputs["rollingWindowLength"])),
        total_rows=int(_one(inputs["totalObservations"])),
        calibrated=bool(inputs.get("calibration_input")),
        version=robyn_version(_one(inputs["version"])),
    )


def parse_robyn_outputs(outdir: Path, config: dict) -> dict:
    """Read Robyn's output folder into a Kiri result document (engine ``"robyn-r"``).

    Every Pareto model becomes a ``<model>``; the model exported in ``RobynModel-<id>.json``
    is the recommended one. The allocator's ``*_reallocated.csv`` files of that model are
    kept under ``robyn_allocations`` (per period, spend columns as keys).
    """
    files = find_robyn_files(Path(outdir))
    model_json = json.loads(files.model_json.read_text(encoding="utf-8"))
    spec = read_spec(model_json)
    selected = _one(model_json["ExportedModel"]["select_model"])
    hyp = pd.read_csv(files.hyperparameters, index_col=0)
    agg = pd.read_csv(files.aggregated, index_col=0)
    decomp = pd.read_csv(files.decomposition, index_col=0)
    media = pd.read_csv(files.media_transform, index_col=0)
    clusters = pd.read_csv(files.clusters, index_col=0).set_index("solID")
    if selected not in set(hyp["solID"]):
        raise RobynOutputError(f"The exported model {selected} is not among the Pareto models.")

    models = [
        build_model(sol_id, spec, hyp, agg, decomp, media, clusters, recommended=sol_id == selected)
        for sol_id in hyp["solID"]
    ]
    best = next(m for m in models if m["recommended"])
    best_rows = decomp[decomp["solID"] == selected]
    return {
        "format_version": FORMAT_VERSION,
        "engine": ENGINE,
        "engine_version": spec.version,
        "dep_var_type": spec.dep_var_type,
        "config": config,
        "window": {"start": spec.window_start, "end": spec.window_end, "periods": spec.periods},
        "dates": best_rows["ds"].astype(str).tolist(),
        "actual": best_rows["dep_var"].astype(float).tolist(),
        "spend_columns": spec.spends,
        "organic_columns": spec.organic,
        "context_columns": spec.context,
        "model_id": selected,
        "recommendation_reason": SELECTION_REASON.format(
            mape=" and MAPE.LIFT" if spec.calibrated else "",
            winners=int(clusters["top_sol"].astype(bool).sum()),
        ),
        "metrics": best["metrics"],
        "channels": best["channels"],
        "models": models,
        "robyn_allocations": {
            scenario: allocation for scenario, allocation in
            (read_allocation(path, selected, spec) for path in files.reallocated
             if path.name.startswith(f"{selected}_"))
        },
        "timings": read_timings(model_json),
    }


def build_model(
    sol_id: str,
    spec: RobynSpec,
    hyp: pd.DataFrame,
    agg: pd.DataFrame,
    decomp: pd.DataFrame,
    media: pd.DataFrame,
    clusters: pd.DataFrame,
    recommended: bool,
) -> dict:
    """One Pareto model as a ``<model>`` of the result format."""
    hp = hyp[hyp["solID"] == sol_id].iloc[0]
    rows = agg[agg["solID"] == sol_id].set_index("rn")
    decomposition = {
        spec.column(name): values.astype(float).tolist()
        for name, values in decomp[decomp["solID"] == sol_id].items() if name not in NOT_TERMS
    }
    adstocked = media[(media["solID"] == sol_id) & (media["type"] == "adstockedMedia")]
    cluster = clusters.loc[sol_id] if sol_id in clusters.index else None
    return {
        "model_id": sol_id,
        "pareto_front": int(hp["robynPareto"]),
        "cluster": None if cluster is None else int(cluster["cluster"]),
        "is_cluster_winner": False if cluster is None else bool(cluster["top_sol"]),
        "recommended": recommended,
        "lambda": float(hp["lambda"]),
        "metrics": model_metrics(hp, spec.calibrated),
        "channels": {
            spec.column(var): build_channel(
                var, hp, rows.loc[var], adstocked[var].to_numpy(dtype=float), spec,
                cluster_size=None if cluster is None else int(cluster["n"]),
            )
            for var in spec.var_to_spend
        },
        "terms": {
            spec.column(name): {"coef": _num(row["coef"]), "contribution": _num(row["xDecompAgg"])}
            for name, row in rows.iterrows()
        },
        "decomposition": decomposition,
        "fitted": decomp.loc[decomp["solID"] == sol_id, "depVarHat"].astype(float).tolist(),
    }


def model_metrics(hp: pd.Series, calibrated: bool) -> dict:
    return {
        "rsq": _num(hp["rsq_train"]),
        "nrmse": _num(hp["nrmse"]),
        "decomp_rssd": _num(hp["decomp.rssd"]),
        "mape_lift": _num(hp["mape"]) if calibrated else None,
    }


def build_channel(
    var: str,
    hp: pd.Series,
    row: pd.Series,
    adstocked: np.ndarray,
    spec: RobynSpec,
    cluster_size: int | None,
) -> dict:
    """One paid channel (Robyn variable ``var``) as a ``<channel>`` of the result format."""
    params = {name: float(hp[f"{var}_{ROBYN_PARAMS[name]}"])
              for name in ("alpha", "gamma", *ADSTOCK_PARAMS[spec.adstock])}
    spend, contribution = float(row["total_spend"]), float(row["xDecompAgg"])
    coef, alpha, inflexion = float(row["coef"]), params["alpha"], float(hp[f"{var}_inflexion"])
    response = ResponseCurve(coef, alpha, inflexion, float(row["mean_carryover"]))
    mean_spend = float(row["mean_spend"])
    carryover = _num(row["carryover_pct"])
    conversion = spec.dep_var_type == "conversion"
    decay = channel_adstock(spec.adstock, params, spec.total_rows).decay_weights(MIN_DECAY_LAGS)
    return {
        "spend": spend,
        "mean_spend": mean_spend,
        "contribution": contribution,
        "roas": contribution / spend if spend > 0 else None,
        "cpa": (spend / contribution if contribution > 0 else None) if conversion else None,
        "mroas": marginal_roas(adstocked, coef, alpha, inflexion, spend),
        "roas_ci": roas_interval_90(row, cluster_size),
        "effect_share": float(row["effect_share"]),
        "spend_share": float(row["spend_share"]),
        "immediate_share": None if carryover is None else 1.0 - carryover,
        "carryover_share": carryover,
        "adstock": spec.adstock,
        "hyperparameters": params,
        "coef": coef,
        "decay": decay.tolist(),
        "response": response.to_dict(),
        "curve": response.grid(CURVE_SPEND_MULTIPLE * mean_spend),
    }


def marginal_roas(
    adstocked: np.ndarray, coef: float, alpha: float, inflexion: float, spend: float
) -> float | None:
    """d contribution / d spend when the window's spend is scaled by ``1 + eps``.

    Adstock is linear, so the adstocked series ``a_t`` scales with the spend; with the
    model's inflexion ``K`` held fixed and ``h = hill(a, alpha, K)``:

    .. math:: \\frac{dC}{dS} = \\frac{1}{S} \\sum_t a_t \\, \\mathrm{coef} \\, h'(a_t)
              = \\frac{\\mathrm{coef} \\, \\alpha}{S} \\sum_t h_t (1 - h_t)
    """
    if spend <= 0:
        return None
    h = hill(adstocked, alpha, inflexion)
    return float(coef * alpha * np.sum(h * (1.0 - h)) / spend)


def roas_interval_90(row: pd.Series, cluster_size: int | None) -> list[float] | None:
    r"""Robyn's 95 % ROAS interval of the model's cluster narrowed to Kiri's 90 %.

    .. math:: [m - r (m - l_{95}),\; m + r (u_{95} - m)], \qquad
              r = t_{(1 + 0.90)/2,\, n-1} \,/\, t_{(1 + 0.95)/2,\, n-1}

    with ``m`` the cluster's bootstrap mean ROAS; None without an interval or a cluster of
    at least two models.
    """
    low, high, mean = _num(row["ci_low"]), _num(row["ci_up"]), _num(row["boot_mean"])
    if None in (low, high, mean) or cluster_size is None or cluster_size < 2:
        return None
    df = cluster_size - 1
    ratio = stats.t.ppf((1 + KIRI_CI) / 2, df) / stats.t.ppf((1 + ROBYN_CI) / 2, df)
    return [mean - ratio * (mean - low), mean + ratio * (high - mean)]


def read_allocation(path: Path, sol_id: str, spec: RobynSpec) -> tuple[str, dict]:
    """``(scenario, allocation)`` from ``<solID>_<scenario>_reallocated.csv`` (per period)."""
    scenario = path.name.removeprefix(f"{sol_id}_").removesuffix("_reallocated.csv")
    table = pd.read_csv(path, index_col=0)
    channels = {
        spec.column(row["channels"]): {key: _num(row[col]) for key, col in ALLOCATION_FIELDS.items()
                                       if col in row}
        for _, row in table.iterrows()
    }
    first = table.iloc[0]
    totals = {
        "current_spend": _num(first["initSpendUnitTotal"]),
        "optimized_spend": _num(first["optmSpendUnitTotal"]),
        "current_response": _num(first["initResponseUnitTotal"]),
        "optimized_response": _num(first["optmResponseUnitTotal"]),
        "uplift": _num(first["optmResponseUnitTotalLift"]),
    }
    return scenario, {"periods": str(first["periods"]), "channels": channels, "totals": totals}


def read_timings(model_json: dict) -> dict:
    """Robyn's own timings (``"26.23 min"``) in seconds; ``total_seconds`` is Robyn's total
    until the run's wall time replaces it (:func:`kiri_core.robyn_r.adapter.run_robyn`)."""
    collect = model_json.get("ModelsCollect", {})
    timings = {}
    for key, name in (("total_time", "robyn_total_seconds"), ("run_time", "robyn_run_seconds"),
                      ("outputs_time", "robyn_outputs_seconds")):
        if key in collect:
            value, unit = str(_one(collect[key])).split()
            timings[name] = float(value) * {"min": 60.0, "secs": 1.0, "hours": 3600.0}[unit]
    if "robyn_total_seconds" in timings:
        timings["total_seconds"] = timings["robyn_total_seconds"]
    return timings


def _one(value: Any) -> Any:
    """Robyn's JSON wraps scalars in one-element lists."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, str):
        return None
    number = float(value)
    return None if math.isnan(number) else number


