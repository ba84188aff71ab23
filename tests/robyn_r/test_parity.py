"""Parity table: Kiri's Python engine (a real quick fit) against Robyn 3.12's real output,
both on Robyn's demo data."""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from kiri_core.engine.fit import fit_model
from kiri_core.robyn_r.parity import engine_parity
from kiri_core.robyn_r.parse import parse_robyn_outputs

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def robyn_result(robyn_r_outputs: Path, demo_config: dict) -> dict:
    return parse_robyn_outputs(robyn_r_outputs, demo_config)


@pytest.fixture(scope="module")
def kiri_result(robyn_demo_csv: Path, demo_config: dict) -> dict:
    config = {key: value for key, value in demo_config.items() if key != "exposure_columns"}
    return fit_model(pd.read_csv(robyn_demo_csv), {**config, "quick": True}, workers=1)


def test_parity_puts_both_engines_side_by_side(kiri_result: dict, robyn_result: dict) -> None:
    parity = engine_parity(kiri_result, robyn_result)
    assert parity.warnings == []
    table = parity.table.set_index("channel")
    assert list(table.index) == ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"]
    for channel, row in table.iterrows():
        kiri, robyn = kiri_result["channels"][channel], robyn_result["channels"][channel]
        assert row["roas_robyn"] == robyn["roas"] and row["roas_kiri"] == kiri["roas"]
        assert row["contribution_robyn"] == robyn["contribution"]
        assert row["contribution_kiri"] == kiri["contribution"]
        assert row["effect_share_kiri"] == kiri["effect_share"]
        assert row["roas_difference"] == pytest.approx(kiri["roas"] / robyn["roas"] - 1)
        assert row["spend"] == pytest.approx(kiri["spend"], rel=1e-9)  # same data, same window


def test_different_windows_and_spend_are_warned_about(
    kiri_result: dict, robyn_result: dict
) -> None:
    shifted = copy.deepcopy(kiri_result)
    shifted["window"]["start"] = "2017-01-02"
    shifted["channels"]["tv_S"]["spend"] *= 0.8
    warnings = engine_parity(shifted, robyn_result).warnings
    assert any(w.startswith("The modelling windows differ: Kiri 2017-01-02") for w in warnings)
    assert any(w.startswith("tv_S: spend differs") for w in warnings)


def test_results_of_the_wrong_engine_are_refused(kiri_result: dict, robyn_result: dict) -> None:
    with pytest.raises(ValueError, match="Expected a Kiri \\(Python\\) run"):
        engine_parity(robyn_result, robyn_result)
    with pytest.raises(ValueError, match="Expected a Robyn \\(R\\) run"):
        engine_parity(kiri_result, kiri_result)
