"""Robyn-vocabulary CSV exports: Robyn's own run exported again, and a real Kiri fit."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fitted import fit_config, fitted_run
from robyn_r.conftest import demo_config  # noqa: F401  (fixture: the Robyn demo's config)

from kiri_core import generator
from kiri_core.engine.fit import fit_model
from kiri_core.export import (
    AGGREGATED_CSV,
    DECOMPOSITION_CSV,
    HYPERPARAMETERS_CSV,
    robyn_csv_texts,
    robyn_csv_zip,
)
from kiri_core.robyn_r.parse import parse_robyn_outputs

FILES = [HYPERPARAMETERS_CSV, AGGREGATED_CSV, DECOMPOSITION_CSV]
# The demo's paid media by Robyn's model variable (exposure metric for facebook and search).
ROBYN_MEDIA = ["tv_S", "ooh_S", "print_S", "facebook_I", "search_clicks_P"]
MEDIA_COLUMNS = ["coef", "xDecompAgg", "total_spend", "spend_share", "effect_share", "roi_total"]
# The exported model, another cluster winner, and a model that won no cluster.
ROBYN_MODELS = ["1_846_1", "4_984_2", "1_752_2"]


def write_robyn_csvs(result: dict, folder: Path) -> list[Path]:
    """Write the export's three files into ``folder``, as ``fit --robyn-csv`` does."""
    paths = []
    for name, text in robyn_csv_texts(result).items():
        (folder / name).write_text(text, encoding="utf-8")
        paths.append(folder / name)
    return paths


def read_exported(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / name, index_col=0) for name in FILES}


def rows_of(table: pd.DataFrame, model_id: str) -> pd.DataFrame:
    return table[table["solID"] == model_id].set_index("rn")


# --- Robyn's own run, parsed and exported again -------------------------------------


@pytest.fixture(scope="module")
def robyn_result(robyn_r_outputs: Path, demo_config: dict) -> dict:  # noqa: F811
    return parse_robyn_outputs(robyn_r_outputs, demo_config)


@pytest.fixture(scope="module")
def robyn_export(robyn_result: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("robyn_export")
    write_robyn_csvs(robyn_result, folder)
    return read_exported(folder)


@pytest.fixture(scope="module")
def robyn_own(robyn_r_outputs: Path) -> dict[str, pd.DataFrame]:
    return read_exported(robyn_r_outputs)


@pytest.mark.shared
@pytest.mark.parametrize("model_id", ROBYN_MODELS)
def test_media_rows_equal_robyns_own_aggregated_file(
    robyn_export: dict, robyn_own: dict, model_id: str
) -> None:
    ours = rows_of(robyn_export[AGGREGATED_CSV], model_id)
    theirs = rows_of(robyn_own[AGGREGATED_CSV], model_id)
    np.testing.assert_allclose(ours.loc[ROBYN_MEDIA, MEDIA_COLUMNS].to_numpy(float),
                               theirs.loc[ROBYN_MEDIA, MEDIA_COLUMNS].to_numpy(float), rtol=1e-12)


@pytest.mark.shared
@pytest.mark.parametrize("model_id", ROBYN_MODELS)
def test_every_term_row_equals_robyns_own_aggregated_file(
    robyn_export: dict, robyn_own: dict, model_id: str
) -> None:
    """Intercept (as ``(Intercept)``), prophet, context, paid and organic terms alike."""
    ours = rows_of(robyn_export[AGGREGATED_CSV], model_id)
    theirs = rows_of(robyn_own[AGGREGATED_CSV], model_id)
    assert list(ours.index) == list(theirs.index)
    assert ours.index[0] == "(Intercept)"
    columns = ["coef", "xDecompAgg", "xDecompPerc", "xDecompMeanNon0", "xDecompMeanNon0Perc",
               "rsq_train", "nrmse", "decomp.rssd", "lambda", "robynPareto", "cluster"]
    np.testing.assert_allclose(ours[columns].to_numpy(float), theirs[columns].to_numpy(float),
                               rtol=1e-12)
    assert (ours["top_sol"] == theirs["top_sol"]).all()
    assert (ours["pos"] == theirs["pos"]).all()


@pytest.mark.shared
@pytest.mark.parametrize("name", FILES)
def test_columns_are_robyns_in_robyns_order(robyn_export: dict, robyn_own: dict,
                                            name: str) -> None:
    ours, theirs = robyn_export[name], robyn_own[name]
    assert [column for column in theirs.columns if column in ours.columns] == list(ours.columns)
    assert len(ours) == len(theirs)


@pytest.mark.shared
def test_hyperparameters_equal_robyns_own_file(robyn_export: dict, robyn_own: dict) -> None:
    ours = robyn_export[HYPERPARAMETERS_CSV].set_index("solID")
    theirs = robyn_own[HYPERPARAMETERS_CSV].set_index("solID").loc[ours.index]
    # Robyn writes mape 0 for an uncalibrated run; the result document has no MAPE.LIFT then.
    assert ours["mape"].isna().all()
    columns = [c for c in ours.columns if c not in ("mape", "top_sol")]
    assert {f"{var}_{p}" for var in ROBYN_MEDIA for p in ("alphas", "gammas", "thetas",
                                                        "inflexion")} <= set(columns)
    np.testing.assert_allclose(ours[columns].to_numpy(float), theirs[columns].to_numpy(float),
                               rtol=1e-12)
    assert (ours["top_sol"] == theirs["top_sol"]).all()


@pytest.mark.shared
def test_decomposition_matrix_equals_robyns_own_file(robyn_export: dict, robyn_own: dict) -> None:
    ours = robyn_export[DECOMPOSITION_CSV]
    theirs = robyn_own[DECOMPOSITION_CSV]
    assert list(ours.columns) == list(theirs.columns)
    merged = ours.merge(theirs, on=["solID", "ds"], suffixes=("", "_robyn"), validate="1:1")
    assert len(merged) == len(theirs)
    for column in ours.columns.drop(["solID", "ds"]):
        np.testing.assert_allclose(merged[column].to_numpy(float),
                                   merged[f"{column}_robyn"].to_numpy(float), rtol=1e-12)


# --- a real Kiri fit -----------------------------------------------------------------


@pytest.fixture(scope="module")
def kiri_result() -> dict:
    return fitted_run().result


@pytest.fixture(scope="module")
def kiri_folder(kiri_result: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kiri_export")
    written = write_robyn_csvs(kiri_result, folder)
    assert written == [folder / name for name in FILES]
    return folder


@pytest.fixture(scope="module")
def kiri_export(kiri_folder: Path) -> dict[str, pd.DataFrame]:
    return read_exported(kiri_folder)


def test_fit_export_has_robyns_columns(kiri_result: dict, kiri_export: dict) -> None:
    spend = kiri_result["spend_columns"]
    hyper = kiri_export[HYPERPARAMETERS_CSV]
    assert {f"{c}_{p}" for c in spend for p in ("alphas", "gammas", "thetas", "inflexion")} <= set(
        hyper.columns)
    assert {"rsq_train", "nrmse", "decomp.rssd", "mape", "lambda", "lambda_hp", "solID",
            "robynPareto", "cluster", "top_sol"} <= set(hyper.columns)
    agg = kiri_export[AGGREGATED_CSV]
    assert {"solID", "rn", "coef", "xDecompAgg", "xDecompPerc", "total_spend", "mean_spend",
            "spend_share", "effect_share", "roi_total", "rsq_train", "nrmse", "decomp.rssd",
            "mape", "lambda", "robynPareto", "cluster", "top_sol"} <= set(agg.columns)
    assert "cpa_total" not in agg.columns
    decomposition = kiri_export[DECOMPOSITION_CSV]
    terms = [t for t in kiri_result["models"][0]["decomposition"] if t != "intercept"]
    assert list(decomposition.columns) == ["ds", "dep_var", *terms, "intercept", "depVarHat",
                                           "solID", "cluster", "top_sol"]


def test_every_pareto_model_appears_in_every_file(kiri_result: dict, kiri_export: dict) -> None:
    ids = [m["model_id"] for m in kiri_result["models"]]
    assert kiri_export[HYPERPARAMETERS_CSV]["solID"].tolist() == ids
    terms = len(kiri_result["models"][0]["terms"])
    assert kiri_export[AGGREGATED_CSV]["solID"].tolist() == [i for i in ids for _ in range(terms)]
    periods = kiri_result["window"]["periods"]
    assert kiri_export[DECOMPOSITION_CSV]["solID"].value_counts().to_dict() == dict.fromkeys(
        ids, periods)


def test_aggregated_rows_are_the_models_terms(kiri_result: dict, kiri_export: dict) -> None:
    agg = kiri_export[AGGREGATED_CSV]
    for model in kiri_result["models"]:
        rows = rows_of(agg, model["model_id"])
        expected = ["(Intercept)" if t == "intercept" else t for t in model["terms"]]
        assert list(rows.index) == expected
        paid = rows.loc[kiri_result["spend_columns"]]
        channels = pd.DataFrame(model["channels"]).T
        np.testing.assert_allclose(paid["total_spend"], channels["spend"].astype(float))
        np.testing.assert_allclose(paid["roi_total"], paid["xDecompAgg"] / paid["total_spend"])
        assert paid["effect_share"].sum() == pytest.approx(1.0)
        assert paid["spend_share"].sum() == pytest.approx(1.0)
        assert rows.drop(index=kiri_result["spend_columns"])["total_spend"].isna().all()
        assert (rows["robynPareto"] == model["pareto_front"]).all()
        assert (rows["top_sol"] == model["is_cluster_winner"]).all()


def test_contributions_sum_to_the_decomposition(kiri_result: dict, kiri_export: dict) -> None:
    agg, decomposition = kiri_export[AGGREGATED_CSV], kiri_export[DECOMPOSITION_CSV]
    for model in kiri_result["models"]:
        rows = rows_of(agg, model["model_id"]).rename(index={"(Intercept)": "intercept"})
        series = decomposition[decomposition["solID"] == model["model_id"]]
        assert rows["xDecompAgg"].sum() == pytest.approx(series["depVarHat"].sum(), rel=1e-9)
        np.testing.assert_allclose(rows["xDecompAgg"], series[rows.index].sum(), rtol=1e-9)
        assert rows["xDecompPerc"].sum() == pytest.approx(1.0)


def test_decomposition_terms_sum_to_the_fitted_values(kiri_result: dict,
                                                      kiri_export: dict) -> None:
    decomposition = kiri_export[DECOMPOSITION_CSV]
    terms = list(kiri_result["models"][0]["decomposition"])
    np.testing.assert_allclose(decomposition[terms].sum(axis=1), decomposition["depVarHat"],
                               rtol=1e-9)
    first = decomposition.iloc[: kiri_result["window"]["periods"]]
    assert first["ds"].tolist() == kiri_result["dates"]
    np.testing.assert_allclose(first["dep_var"], kiri_result["actual"])


def test_files_are_written_like_rs_write_csv(kiri_folder: Path) -> None:
    """A row-number column with an empty header, NA for missing values, TRUE/FALSE."""
    rows = list(csv.reader((kiri_folder / AGGREGATED_CSV).open(encoding="utf-8")))
    header, intercept = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:3] == ["", "rn", "coef"]
    assert [row[0] for row in rows[1:]] == [str(i) for i in range(1, len(rows))]
    assert intercept["rn"] == "(Intercept)"
    assert (intercept["total_spend"], intercept["mape"]) == ("NA", "NA")
    assert intercept["top_sol"] in ("TRUE", "FALSE")
    assert intercept["pos"] in ("TRUE", "FALSE")


def test_zip_holds_the_three_files(kiri_result: dict, kiri_folder: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(robyn_csv_zip(kiri_result))) as archive:
        assert archive.namelist() == FILES
        for name in FILES:
            assert archive.read(name) == (kiri_folder / name).read_bytes()


def test_conversion_fit_exports_cpa_total(tmp_path: Path) -> None:
    data, _ = generator.generate(78, seed=11)
    config = {**fit_config(list(generator.CHANNELS), ["promo_flag"]), "iterations": 60,
              "dep_var_type": "conversion"}
    result = fit_model(data, config, workers=1)
    write_robyn_csvs(result, tmp_path)
    agg = pd.read_csv(tmp_path / AGGREGATED_CSV, index_col=0)
    assert "roi_total" not in agg.columns
    paid = agg[agg["rn"].isin(result["spend_columns"])]
    effective = paid[paid["xDecompAgg"] > 0]
    assert len(effective) > 0
    np.testing.assert_allclose(effective["cpa_total"],
                               effective["total_spend"] / effective["xDecompAgg"])
