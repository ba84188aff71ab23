"""Robyn-vocabulary CSV exports of a result document (``docs/result-format.md``).

Robyn users know a model run by three files of ``robyn_outputs(csv_out = "pareto")``; this
module writes them from Kiri's result document, whichever engine produced it:

- ``pareto_hyperparameters.csv``: one row per Pareto model (hyperparameters, fit metrics).
- ``pareto_aggregated.csv``: one row per model x term (coefficient, contribution, shares,
  ROI or CPA).
- ``pareto_alldecomp_matrix.csv``: one row per model x period (every term's contribution).

Column names, their order, the leading row-number column, ``NA`` and ``TRUE``/``FALSE`` follow
Robyn 3.12's own files. Columns the document cannot fill (refresh, validation-split, bootstrap
and timing columns) are left out rather than invented. Names follow Robyn's: the intercept is
``(Intercept)`` in ``pareto_aggregated.csv`` and ``intercept`` in the decomposition matrix,
and a paid channel with an exposure metric (``config["exposure_columns"]``, as in Robyn runs)
is named by that metric; every other term keeps its own name. Per-term figures:

.. math:: \\mathrm{xDecompPerc}_j = C_j / \\sum_k C_k, \\qquad
          \\mathrm{xDecompMeanNon0}_j = \\operatorname{mean}\\{d_{jt} : d_{jt} \\neq 0\\}

with ``C_j`` the term's total contribution and ``d_jt`` its decomposition in period ``t``.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd

from kiri_core.results import is_conversion
from kiri_core.robyn_r.parse import ROBYN_PARAMS

HYPERPARAMETERS_CSV = "pareto_hyperparameters.csv"
AGGREGATED_CSV = "pareto_aggregated.csv"
DECOMPOSITION_CSV = "pareto_alldecomp_matrix.csv"
ROBYN_INTERCEPT = "(Intercept)"
SOLID_PATTERN = re.compile(r"(\d+)_(\d+)_(\d+)")


def robyn_csv_texts(result: dict) -> dict[str, str]:
    """The three CSV files of ``result`` as ``{file name: CSV text}``."""
    tables = {
        HYPERPARAMETERS_CSV: hyperparameter_table(result),
        AGGREGATED_CSV: aggregated_table(result),
        DECOMPOSITION_CSV: decomposition_table(result),
    }
    return {name: _robyn_csv(table) for name, table in tables.items()}


def robyn_csv_zip(result: dict) -> bytes:
    """The three CSV files of ``result`` in one zip archive (for a download button)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in robyn_csv_texts(result).items():
            archive.writestr(name, text)
    return buffer.getvalue()


# --- the tables ----------------------------------------------------------------------


def hyperparameter_table(result: dict) -> pd.DataFrame:
    """``pareto_hyperparameters.csv``: one row per Pareto model."""
    names = _robyn_names(result)
    rows = []
    for model in result["models"]:
        media = {**_paid_hyperparameters(model), **model.get("organic", {})}
        params = {f"{names.get(column, column)}_{ROBYN_PARAMS[name]}": value
                  for column, values in media.items() for name, value in values.items()}
        rows.append({
            **dict(sorted(params.items(), key=lambda item: item[0].lower())),
            **_train_size(model),
            **{f"{names.get(column, column)}_inflexion": channel["response"]["inflexion"]
               for column, channel in model["channels"].items()},
            **_metric_columns(model),
            **_lambda_columns(model),
            **_identity_columns(model),
            **({"error_score": model["error_score"]} if "error_score" in model else {}),
            **_cluster_columns(model),
        })
    return pd.DataFrame(rows)


def aggregated_table(result: dict) -> pd.DataFrame:
    """``pareto_aggregated.csv``: one row per model x term, Robyn's columns in its order."""
    names = _robyn_names(result)
    efficiency = "cpa_total" if is_conversion(result) else "roi_total"
    rows = []
    for model in result["models"]:
        total = sum(term["contribution"] for term in model["terms"].values())
        means = {term: _mean_non_zero(series) for term, series in model["decomposition"].items()}
        per_model = {**_train_size(model), **_metric_columns(model), **_lambda_columns(model),
                     **_identity_columns(model)}
        for term, summary in model["terms"].items():
            channel = model["channels"].get(term, {})
            rows.append({
                "rn": ROBYN_INTERCEPT if term == "intercept" else names.get(term, term),
                "coef": summary["coef"],
                "xDecompAgg": summary["contribution"],
                "xDecompPerc": summary["contribution"] / total,
                "xDecompMeanNon0": means[term],
                "xDecompMeanNon0Perc": means[term] / sum(means.values()),
                "pos": summary["contribution"] >= 0,
                "spend_share": channel.get("spend_share"),
                "mean_spend": channel.get("mean_spend"),
                "total_spend": channel.get("spend"),
                "effect_share": channel.get("effect_share"),
                **per_model,
                "mean_carryover": channel.get("response", {}).get("mean_carryover"),
                efficiency: channel.get("cpa" if efficiency == "cpa_total" else "roas"),
                **_cluster_columns(model),
                "carryover_pct": channel.get("carryover_share"),
            })
    return pd.DataFrame(rows)


def decomposition_table(result: dict) -> pd.DataFrame:
    """``pareto_alldecomp_matrix.csv``: one row per model x period; the intercept last."""
    names = _robyn_names(result)
    frames = []
    for model in result["models"]:
        decomposition = model["decomposition"]
        terms = [term for term in decomposition if term != "intercept"] + ["intercept"]
        frame = pd.DataFrame({
            "ds": result["dates"],
            "dep_var": result["actual"],
            **{names.get(term, term): decomposition[term] for term in terms},
            "depVarHat": model["fitted"],
        })
        frames.append(frame.assign(solID=model["model_id"], **_cluster_columns(model)))
    return pd.concat(frames, ignore_index=True)


# --- shared columns ------------------------------------------------------------------


def _robyn_names(result: dict) -> dict[str, str]:
    """Spend column -> Robyn's model variable, for paid media with an exposure metric."""
    return dict(result.get("config", {}).get("exposure_columns") or {})


def _paid_hyperparameters(model: dict) -> dict[str, dict[str, float]]:
    return {column: channel["hyperparameters"] for column, channel in model["channels"].items()}


def _train_size(model: dict) -> dict:
    engine_hp = model.get("hyperparameters", {})
    return {"train_size": engine_hp["train_size"]} if "train_size" in engine_hp else {}


def _metric_columns(model: dict) -> dict:
    metrics = model["metrics"]
    return {"rsq_train": metrics["rsq"], "nrmse": metrics["nrmse"],
            "decomp.rssd": metrics["decomp_rssd"], "mape": metrics.get("mape_lift")}


def _lambda_columns(model: dict) -> dict:
    """``lambda`` (the ridge penalty) and, when the engine keeps it, ``lambda_hp`` (the tuned
    position between Robyn's lambda_min and lambda_max)."""
    engine_hp = model.get("hyperparameters", {})
    return {"lambda": model["lambda"],
            **({"lambda_hp": engine_hp["lambda"]} if "lambda" in engine_hp else {})}


def _identity_columns(model: dict) -> dict:
    """``solID``, its parts ``trial``, ``iterNG``, ``iterPar`` (Robyn's ``trial_iterNG_iterPar``
    scheme) and ``robynPareto`` (the Pareto front)."""
    parts = SOLID_PATTERN.fullmatch(model["model_id"])
    trial, iter_ng, iter_par = map(int, parts.groups()) if parts else (None, None, None)
    return {"solID": model["model_id"], "trial": trial, "iterNG": iter_ng, "iterPar": iter_par,
            "robynPareto": model["pareto_front"]}


def _cluster_columns(model: dict) -> dict:
    return {"cluster": model.get("cluster"), "top_sol": bool(model.get("is_cluster_winner"))}


def _mean_non_zero(series: list[float]) -> float:
    values = np.asarray(series, dtype=float)
    non_zero = values[values != 0]
    return float(non_zero.mean()) if non_zero.size else 0.0


def _robyn_csv(table: pd.DataFrame) -> str:
    """CSV text as R's ``write.csv`` writes it: a row-number column, ``NA``, ``TRUE``."""
    table = table.copy()
    for column in table.select_dtypes(bool).columns:
        table[column] = table[column].map({True: "TRUE", False: "FALSE"})
    for column in ("trial", "iterNG", "iterPar", "robynPareto", "cluster"):
        if column in table:
            table[column] = table[column].astype("Int64")
    table.index = pd.RangeIndex(1, len(table) + 1)
    return table.to_csv(na_rep="NA", lineterminator="\n")
