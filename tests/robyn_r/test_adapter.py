"""run_robyn and its config with real Rscript (the Robyn package is not installed here)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kiri_core.robyn_r.adapter import robyn_config, run_robyn, with_spend_range
from kiri_core.robyn_r.parse import parse_robyn_outputs
from kiri_core.robyn_r.runner import RobynNotInstalled


def test_run_robyn_without_robyn_raises_robyn_not_installed(
    rscript: str, robyn_demo_csv: Path, demo_config: dict, tmp_path: Path
) -> None:
    progress: list[float] = []
    log: list[str] = []
    with pytest.raises(RobynNotInstalled, match="R package 'Robyn' is not installed"):
        run_robyn(pd.read_csv(robyn_demo_csv), demo_config, tmp_path, progress.append,
                  lambda: False, 60, log.append)
    assert progress == []
    assert any(line.startswith("KIRI_ERROR") for line in log)
    assert (tmp_path / "input.csv").exists() and (tmp_path / "config.json").exists()
    assert not (tmp_path / "robyn_out").exists()


def test_robyn_config_spells_out_every_bound_and_keeps_exposures(demo_config: dict) -> None:
    config = robyn_config({**demo_config, "hyperparameter_bounds": {
        "tv_S": {"alphas": [0.5, 1], "theta": [0.3, 0.8]}, "newsletter": {"gamma": 0.5}}})
    bounds = config["hyperparameter_bounds"]
    assert set(bounds) == {*demo_config["spend_columns"], "newsletter"}
    assert bounds["tv_S"] == {"alpha": [0.5, 1.0], "gamma": [0.01, 1.0], "theta": [0.3, 0.8]}
    assert bounds["newsletter"]["gamma"] == [0.5, 0.5]
    assert config["exposure_columns"] == demo_config["exposure_columns"]
    assert config["prophet_vars"] == ["trend", "season", "holiday"]


@pytest.mark.parametrize(("change", "message"), [
    ({"exposure_columns": {"tv": "tv_grp"}}, "exposure_columns names columns that are not"),
    ({"hyperparameter_bounds": {"lambda": [0, 0.5]}}, "lambda bounds are not supported"),
    ({"hyperparameter_bounds": {"tv_S": {"shape": [1, 2]}}}, "unknown"),
    ({"adstock": "exponential"}, "adstock must be one of"),
])
def test_robyn_config_rejects_bad_settings(demo_config: dict, change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        robyn_config({**demo_config, **change})


@pytest.mark.shared
def test_robyns_results_get_each_channel_s_spend_range_in_the_window(
    robyn_r_outputs: Path, robyn_demo_csv: Path, demo_config: dict
) -> None:
    """Robyn's files hold no raw spend; the planner's 'outside what the data has seen' notes
    need the window's lowest and highest week of each channel."""
    data = pd.read_csv(robyn_demo_csv)
    result = with_spend_range(parse_robyn_outputs(robyn_r_outputs, robyn_config(demo_config)),
                              data)
    dates = pd.to_datetime(data["DATE"])
    window = data[(dates >= result["window"]["start"]) & (dates <= result["window"]["end"])]
    assert len(window) == result["window"]["periods"]
    for model in result["models"]:
        for column, channel in model["channels"].items():
            assert (channel["min_spend"], channel["max_spend"]) == (window[column].min(),
                                                                    window[column].max())
            assert channel["min_spend"] < channel["mean_spend"] < channel["max_spend"]
    recommended = next(m for m in result["models"] if m["model_id"] == result["model_id"])
    assert result["channels"] == recommended["channels"]
