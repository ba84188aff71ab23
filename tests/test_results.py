"""Result helpers the pages share: model labels, the recommendation in the client's number
format, the what-if's expected response and its slider's spend choices."""

from __future__ import annotations

import pytest
from fitted import fitted_run

from kiri_core import formatting as fmt
from kiri_core.engine.response import ResponseCurve
from kiri_core.results import (
    curve_through,
    expected_response,
    model_label,
    recommendation_reason,
    what_if_steps,
    what_if_top,
)


def test_model_labels_say_which_is_recommended_which_wins_a_cluster_and_how_well_it_fits(
) -> None:
    result = fitted_run().result
    by_kind = {
        "recommended": result["model_id"],
        "winner": next(m["model_id"] for m in result["models"]
                       if m["is_cluster_winner"] and not m["recommended"]),
        "member": next(m["model_id"] for m in result["models"] if not m["is_cluster_winner"]),
    }
    labels = {kind: model_label(result, model_id, "SEK") for kind, model_id in by_kind.items()}
    models = {m["model_id"]: m for m in result["models"]}
    for kind, model_id in by_kind.items():
        metrics = models[model_id]["metrics"]
        assert labels[kind].startswith(f"{model_id} · ")  # the Robyn id stays first
        assert f"R² {fmt.number(metrics['rsq'], 'SEK', 3)} ·" in labels[kind]
        assert f"NRMSE {fmt.number(metrics['nrmse'], 'SEK', 3)}" in labels[kind]
    assert " · recommended · " in labels["recommended"]
    winner, member = models[by_kind["winner"]], models[by_kind["member"]]
    assert f" · best of cluster {winner['cluster']} · " in labels["winner"]
    assert f" · cluster {member['cluster']} · " in labels["member"]
    assert "best of" not in labels["member"]


def test_the_recommendation_reads_in_the_clients_number_format() -> None:
    result = {**fitted_run().result, "recommendation_reason":
              "the 23 best (DECOMP.RSSD weighted 0.2 against 1; holdout NRMSE 0.1626)."}
    assert recommendation_reason(result, "SEK") == (
        "the 23 best (DECOMP.RSSD weighted 0,2 against 1; holdout NRMSE 0,1626).")
    assert recommendation_reason(result, "USD") == result["recommendation_reason"]


@pytest.mark.parametrize("weekly_spend", [{}, "zero"], ids=["left out", "zero"])
def test_the_what_if_at_zero_spend_returns_nothing_from_media(weekly_spend) -> None:
    """The carry-over-only level is there whatever is spent; spending nothing adds nothing."""
    result = fitted_run().result
    if weekly_spend == "zero":
        weekly_spend = dict.fromkeys(result["spend_columns"], 0.0)
    levels = [ResponseCurve.from_dict(ch["response"]).response(0.0)
              for ch in result["channels"].values()]
    assert sum(levels) > 0
    expected = expected_response(result, result["model_id"], weekly_spend)
    assert expected == {"channels": dict.fromkeys(result["spend_columns"], 0.0),
                        "response": 0.0, "spend": 0.0, "roas": None}


@pytest.mark.parametrize("when", ["current", "optimized"])
def test_the_what_if_counts_like_the_plan(when: str) -> None:
    """A week of the what-if at a plan's spend is that plan's response over one week."""
    fitted = fitted_run()
    result, plan = fitted.result, fitted.plan
    weeks = plan["weeks"]
    weekly = {c: ch[f"{when}_spend"] / weeks for c, ch in plan["channels"].items()}
    expected = expected_response(result, result["model_id"], weekly)
    for column, ch in plan["channels"].items():
        assert expected["channels"][column] == pytest.approx(ch[f"{when}_response"] / weeks,
                                                             rel=1e-9)
    assert expected["roas"] == pytest.approx(plan["totals"][f"{when}_roas"], rel=1e-9)


def test_a_tiny_what_if_returns_about_the_marginal_roas_at_zero_spend() -> None:
    result = fitted_run().result
    channels = result["channels"]
    weekly = {c: 1e-3 * ch["mean_spend"] for c, ch in channels.items()}
    expected = expected_response(result, result["model_id"], weekly)
    slopes = sum(float(ResponseCurve.from_dict(ch["response"]).marginal(0.0)) * weekly[c]
                 for c, ch in channels.items())
    assert expected["roas"] == pytest.approx(slopes / expected["spend"], rel=1e-2)


@pytest.mark.parametrize(("current", "top"), [(12_345.6, 40_000.0), (0.0, 1.0), (500.0, 500.0)])
def test_what_if_steps_run_from_zero_to_top_and_hold_the_current_spend(
    current: float, top: float
) -> None:
    steps = what_if_steps(current, top)
    assert steps[0] == 0 and steps[-1] == top
    assert current in steps
    assert steps == sorted(set(steps))


@pytest.mark.parametrize(("curve_end", "mean_spend", "top"),
                         [(9_000.0, 2_000.0, 9_000.0), (3_000.0, 2_000.0, 4_000.0),
                          (0.0, 0.0, 1.0)])
def test_what_if_top_reaches_the_curve_end_and_twice_the_current_spend(
    curve_end: float, mean_spend: float, top: float
) -> None:
    channel = {"curve": {"spend": [0.0, curve_end / 2, curve_end]}, "mean_spend": mean_spend}
    assert what_if_top(channel) == top


def test_what_if_steps_are_even_whole_amounts_around_the_current_spend() -> None:
    steps = what_if_steps(1_234.5, 20_000.0, steps=200)
    grid = [s for s in steps if s != 1_234.5]
    assert len(grid) == 201
    assert all(s == round(s) for s in grid)
    assert {b - a for a, b in zip(grid, grid[1:], strict=False)} == {100}


def test_curve_through_keeps_a_curve_that_reaches_far_enough() -> None:
    channel = fitted_run().result["channels"]["spend_meta"]
    end = channel["curve"]["spend"][-1]
    assert curve_through(channel, end) == channel["curve"]
    assert curve_through(channel, end / 2) == channel["curve"]


def test_curve_through_carries_the_curve_on_under_its_response_definition() -> None:
    channel = fitted_run().result["channels"]["spend_google"]
    stored, end = channel["curve"], channel["curve"]["spend"][-1]
    curve = curve_through(channel, 2 * end)
    n = len(stored["spend"])
    assert curve["spend"][:n] == stored["spend"] and curve["response"][:n] == stored["response"]
    added = curve["spend"][n:]
    assert len(added) >= 40 and added[0] > end and added[-1] == pytest.approx(2 * end)
    assert added == sorted(added)
    assert curve["response"][n:] == pytest.approx(
        ResponseCurve.from_dict(channel["response"]).response(added).tolist())
