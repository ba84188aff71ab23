"""Allocator invariants on result documents built from the generator's known truth.

The truth's channels carry the same ``response`` block a fitted model does, so the
allocator plans on the true curves (a real fit is planned in tests/test_cli.py).
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from kiri_core.engine.allocator import AllocationError, ChannelBounds, allocate
from kiri_core.engine.response import ResponseCurve
from kiri_core.formatting import number
from kiri_core.generator import generate

WEEKS = 4
REL = 1e-7


def truth_result(seed: int, adstock: str = "geometric") -> dict:
    _, truth = generate(156, seed=seed, adstock=adstock)
    return {
        "model_id": f"truth_{seed}",
        "dep_var_type": "revenue",
        "spend_columns": list(truth["channels"]),
        "channels": truth["channels"],
    }


@pytest.fixture(scope="module", params=[(7, "geometric"), (3, "mixed"), (12, "weibull_cdf")])
def result(request: pytest.FixtureRequest) -> dict:
    return truth_result(*request.param)


def current(result: dict) -> dict[str, float]:
    return {c: ch["mean_spend"] * WEEKS for c, ch in result["channels"].items()}


def horizon_response(result: dict, spend: dict[str, float]) -> float:
    """What ``spend`` adds over the horizon: R(x) - R(0) per channel, summed."""
    total = 0.0
    for c, ch in result["channels"].items():
        curve = ResponseCurve.from_dict(ch["response"])
        total += WEEKS * float(curve.response(spend[c] / WEEKS) - curve.response(0.0))
    return total


def assert_within_bounds(plan: dict) -> None:
    for name, channel in plan["channels"].items():
        assert channel["lower"] * (1 - REL) <= channel["optimized_spend"], name
        assert channel["optimized_spend"] <= channel["upper"] * (1 + REL), name


# --- max_response --------------------------------------------------------------------


@pytest.mark.parametrize("factor", [0.7, 1.0, 1.5])
@pytest.mark.parametrize(("lower", "upper"), [(None, None), (0.6, 1.6), (0.0, 3.0)])
def test_max_response_holds_bounds_and_budget_and_beats_the_start(
    result: dict, factor: float, lower: float | None, upper: float | None
) -> None:
    spend_now = current(result)
    budget = factor * sum(spend_now.values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS, lower=lower, upper=upper)
    assert_within_bounds(plan)
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)
    proportional = {c: s * factor for c, s in spend_now.items()}
    inside = all(
        ch["lower"] <= proportional[c] <= ch["upper"] for c, ch in plan["channels"].items()
    )
    if inside:  # the start is current spend scaled to the budget
        assert plan["totals"]["optimized_response"] >= horizon_response(result, proportional)
    assert plan["totals"]["optimized_response"] == pytest.approx(
        horizon_response(result, {c: ch["optimized_spend"] for c, ch in plan["channels"].items()})
    )


@pytest.mark.parametrize("factor", [0.05, 4.0])
def test_budget_beyond_default_bounds_moves_them_with_the_budget(
    result: dict, factor: float
) -> None:
    spend_now = current(result)
    budget = factor * sum(spend_now.values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    assert_within_bounds(plan)
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)
    for name, channel in plan["channels"].items():
        assert channel["lower"] == pytest.approx(0.5 * factor * spend_now[name])
        assert channel["upper"] == pytest.approx(2.0 * factor * spend_now[name])
    assert plan["warnings"][0].startswith(f"the budget {number(budget)} is {factor:.0%} of")
    assert plan["totals"]["optimized_response"] >= horizon_response(
        result, {c: s * factor for c, s in spend_now.items()}
    )


@pytest.mark.parametrize("factor", [0.3, 2.5])
def test_default_bounds_move_with_the_budget_while_set_ones_hold(
    result: dict, factor: float
) -> None:
    spend_now = current(result)
    budget = factor * sum(spend_now.values())
    meta = ChannelBounds(lower=0.2, upper=1.2)
    plan = allocate(result, total_budget=budget, weeks=WEEKS,
                    bounds={"spend_meta": meta, "spend_email": ChannelBounds(locked=True)})
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)
    assert_within_bounds(plan)
    channels = plan["channels"]
    assert channels["spend_meta"]["lower"] == pytest.approx(0.2 * spend_now["spend_meta"])
    assert channels["spend_meta"]["upper"] == pytest.approx(1.2 * spend_now["spend_meta"])
    assert channels["spend_email"]["optimized_spend"] == pytest.approx(spend_now["spend_email"])
    moved = ["spend_google", "spend_tiktok"]
    for name in moved:
        assert channels[name]["lower"] == pytest.approx(0.5 * factor * spend_now[name])
        assert channels[name]["upper"] == pytest.approx(2.0 * factor * spend_now[name])
    note = plan["notes"][0]
    assert (note["code"], note["channels"], note["every_channel"]) == (
        "bounds_scaled", moved, False)
    assert note["budget"] == budget
    assert plan["warnings"][0].endswith(
        f"the bounds of {', '.join(moved)} are taken around the current mix scaled to it")


def test_a_budget_the_scaled_mix_cannot_hold_moves_it_as_far_as_set_bounds_allow(
    result: dict,
) -> None:
    spend_now = current(result)
    budget = 10 * sum(spend_now.values())
    locked = {c: ChannelBounds(locked=True) for c in ("spend_meta", "spend_email")}
    plan = allocate(result, total_budget=budget, weeks=WEEKS, bounds=locked)
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)
    assert_within_bounds(plan)
    channels = plan["channels"]
    for name in locked:
        assert channels[name]["optimized_spend"] == pytest.approx(spend_now[name])
    factors = {channels[c]["lower"] / (0.5 * spend_now[c]) for c in ("spend_google",
                                                                       "spend_tiktok")}
    assert max(factors) == pytest.approx(min(factors))
    for name in ("spend_google", "spend_tiktok"):
        assert channels[name]["upper"] == pytest.approx(4 * channels[name]["lower"])


def test_a_budget_the_set_bounds_cannot_reach_names_the_reachable_range(result: dict) -> None:
    spend_now = current(result)
    bounds = {c: ChannelBounds(lower=0.5, upper=2.0) for c in spend_now}
    with pytest.raises(AllocationError) as error:
        allocate(result, total_budget=10 * sum(spend_now.values()), weeks=WEEKS, bounds=bounds)
    total = sum(spend_now.values())
    assert error.value.code == "budget_out_of_reach"
    assert error.value.facts == {"budget": 10 * total, "weeks": WEEKS,
                                 "low": pytest.approx(0.5 * total),
                                 "high": pytest.approx(2 * total)}


def test_set_minimums_above_the_budget_name_the_least_budget(result: dict) -> None:
    spend_now = current(result)
    floor = 3 * sum(spend_now.values())
    with pytest.raises(AllocationError) as error:
        allocate(result, total_budget=floor / 2, weeks=WEEKS,
                 bounds={"spend_meta": ChannelBounds(min_spend=floor, max_spend=2 * floor)})
    assert error.value.facts["low"] == pytest.approx(floor)
    assert error.value.facts["high"] is None
    assert str(error.value).endswith(f"(at least {number(floor)})")
    plan = allocate(result, total_budget=floor, weeks=WEEKS,
                    bounds={"spend_meta": ChannelBounds(min_spend=floor, max_spend=2 * floor)})
    assert plan["totals"]["optimized_spend"] == pytest.approx(floor, rel=REL)


def test_max_response_equalises_marginal_roas(result: dict) -> None:
    """First-order optimality: channels inside their bounds share one marginal ROAS."""
    budget = sum(current(result).values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    channels = plan["channels"].values()
    inner = [
        c["optimized_mroas"]
        for c in channels
        if c["lower"] * 1.001 < c["optimized_spend"] < c["upper"] * 0.999
    ]
    assert inner, "at least one channel ends inside its bounds"
    level = np.mean(inner)
    assert np.allclose(inner, level, rtol=1e-3)
    for c in channels:
        if c["optimized_spend"] >= c["upper"] * 0.999:
            assert c["optimized_mroas"] >= level * (1 - 1e-3)
        if c["optimized_spend"] <= c["lower"] * 1.001:
            assert c["optimized_mroas"] <= level * (1 + 1e-3)


def test_no_random_allocation_beats_the_optimum(result: dict) -> None:
    budget = sum(current(result).values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    lower = np.array([c["lower"] for c in plan["channels"].values()])
    upper = np.array([c["upper"] for c in plan["channels"].values()])
    rng = np.random.default_rng(0)
    names = list(plan["channels"])
    best = -np.inf
    for _ in range(3000):
        x = lower + rng.random(len(names)) * (upper - lower)
        x = lower + (x - lower) * (budget - lower.sum()) / (x - lower).sum()
        if (x <= upper).all():
            best = max(best, horizon_response(result, dict(zip(names, x, strict=True))))
    assert best > -np.inf
    assert plan["totals"]["optimized_response"] >= best


def test_zero_effect_channel_gets_its_lower_bound_with_a_note() -> None:
    result = truth_result(7)
    result["channels"] = copy.deepcopy(result["channels"])
    result["channels"]["spend_tiktok"]["response"]["coef"] = 0.0
    budget = sum(current(result).values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    tiktok = plan["channels"]["spend_tiktok"]
    assert tiktok["optimized_spend"] == pytest.approx(tiktok["lower"])
    assert (tiktok["current_response"], tiktok["optimized_response"]) == (0.0, 0.0)
    assert (tiktok["current_roas"], tiktok["optimized_roas"]) == (0.0, 0.0)
    assert any(w.startswith("spend_tiktok: the model finds no effect") for w in plan["warnings"])
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)


def test_locked_channel_keeps_current_spend(result: dict) -> None:
    budget = 1.2 * sum(current(result).values())
    plan = allocate(
        result,
        total_budget=budget,
        weeks=WEEKS,
        bounds={"spend_meta": ChannelBounds(locked=True)},
    )
    meta = plan["channels"]["spend_meta"]
    assert meta["locked"] is True
    assert meta["optimized_spend"] == pytest.approx(meta["current_spend"], rel=REL)
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)
    assert_within_bounds(plan)


def test_absolute_bounds_are_respected(result: dict) -> None:
    spend_now = current(result)
    budget = sum(spend_now.values())
    cap = 0.9 * spend_now["spend_google"]
    floor = 1.5 * spend_now["spend_email"]
    plan = allocate(
        result,
        total_budget=budget,
        weeks=WEEKS,
        bounds={
            "spend_google": ChannelBounds(max_spend=cap),
            "spend_email": ChannelBounds(min_spend=floor, max_spend=3 * spend_now["spend_email"]),
        },
    )
    assert plan["channels"]["spend_google"]["upper"] == cap
    assert plan["channels"]["spend_google"]["optimized_spend"] <= cap * (1 + REL)
    assert plan["channels"]["spend_email"]["optimized_spend"] >= floor * (1 - REL)
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=REL)


def test_budget_at_the_sum_of_lower_bounds_puts_every_channel_there(result: dict) -> None:
    budget = 0.5 * sum(current(result).values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    for channel in plan["channels"].values():
        assert channel["optimized_spend"] == pytest.approx(channel["lower"], rel=1e-6)


def test_weekly_spend_beyond_the_seen_range_is_warned() -> None:
    result = truth_result(7)
    budget = 1.9 * sum(current(result).values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    for name, channel in plan["channels"].items():
        weekly = channel["optimized_spend"] / WEEKS
        warned = any(w.startswith(f"{name}: recommended weekly spend") for w in plan["warnings"])
        seen = result["channels"][name]
        assert warned == (not seen["min_spend"] <= weekly <= seen["max_spend"] * (1 + 1e-6))
    assert any("is above the highest seen" in w for w in plan["warnings"])


def test_plan_format(result: dict) -> None:
    plan = allocate(result, total_budget=sum(current(result).values()), weeks=WEEKS)
    assert plan["model_id"] == result["model_id"]
    assert (plan["scenario"], plan["weeks"], plan["target_roas"]) == ("max_response", 4, None)
    assert set(plan["totals"]) == {
        "current_spend",
        "optimized_spend",
        "current_response",
        "optimized_response",
        "current_mix_response",
        "current_roas",
        "optimized_roas",
        "uplift",
    }
    totals = plan["totals"]
    assert totals["uplift"] == pytest.approx(
        totals["optimized_response"] / totals["current_response"] - 1
    )
    assert totals["current_response"] == pytest.approx(horizon_response(result, current(result)))
    assert totals["current_mix_response"] == pytest.approx(totals["current_response"])
    assert len(plan["notes"]) == len(plan["warnings"])


def test_the_current_mix_at_the_new_budget_separates_budget_from_reallocation(
    result: dict,
) -> None:
    spend_now = current(result)
    plan = allocate(result, total_budget=1.4 * sum(spend_now.values()), weeks=WEEKS)
    same_mix = {c: 1.4 * s for c, s in spend_now.items()}
    totals = plan["totals"]
    assert totals["current_mix_response"] == pytest.approx(horizon_response(result, same_mix))
    assert totals["current_response"] < totals["current_mix_response"]
    assert totals["current_mix_response"] <= totals["optimized_response"] * (1 + REL)


# --- what a plan's spend adds ----------------------------------------------------------


@pytest.mark.parametrize("channel", ["spend_meta", "spend_google", "spend_tiktok", "spend_email"])
def test_a_channel_given_nothing_adds_nothing(result: dict, channel: str) -> None:
    """Its carry-over-only level is there whatever is spent, so a zero share returns 0."""
    curve = ResponseCurve.from_dict(result["channels"][channel]["response"])
    assert curve.response(0.0) > 0, "the truth's curves carry over"
    plan = allocate(result, total_budget=sum(current(result).values()), weeks=WEEKS,
                    bounds={channel: ChannelBounds(min_spend=0.0, max_spend=0.0)})
    nothing = plan["channels"][channel]
    assert nothing["optimized_spend"] == 0.0
    assert nothing["optimized_response"] == 0.0
    assert nothing["optimized_roas"] is None
    assert nothing["optimized_mroas"] == pytest.approx(float(curve.marginal(0.0)))


@pytest.mark.parametrize("share_of_current", [1e-3, 1e-5])
def test_a_tiny_budget_returns_about_its_marginal_roas_at_zero_new_spend(
    result: dict, share_of_current: float
) -> None:
    """The reported "1 000 kr returns 557 690 kr": a tiny plan's ROAS is the curve's slope at
    no new spend (tens of cents on the krona here), not the carry-over divided by 1 000 kr."""
    budget = share_of_current * sum(current(result).values())
    plan = allocate(result, total_budget=budget, weeks=WEEKS)
    slopes = {}
    for name, channel in plan["channels"].items():
        slopes[name] = float(
            ResponseCurve.from_dict(result["channels"][name]["response"]).marginal(0.0))
        assert np.isfinite(channel["optimized_roas"]), name
        assert channel["optimized_roas"] == pytest.approx(slopes[name], rel=1e-2), name
    totals = plan["totals"]
    weighted = sum(slopes[n] * c["optimized_spend"] for n, c in plan["channels"].items()) / budget
    assert totals["optimized_roas"] == pytest.approx(weighted, rel=1e-2)
    assert totals["optimized_roas"] < 10


@pytest.mark.parametrize("factor", [1e-3, 0.5, 1.0, 2.0])
def test_channel_responses_add_up_to_the_totals(result: dict, factor: float) -> None:
    spend_now = current(result)
    plan = allocate(result, total_budget=factor * sum(spend_now.values()), weeks=WEEKS)
    channels, totals = plan["channels"].values(), plan["totals"]
    for when in ("current", "optimized"):
        response = sum(c[f"{when}_response"] for c in channels)
        spend = sum(c[f"{when}_spend"] for c in channels)
        assert totals[f"{when}_response"] == pytest.approx(response, rel=1e-12)
        assert totals[f"{when}_roas"] == pytest.approx(response / spend, rel=1e-12)
        for c in channels:
            assert c[f"{when}_roas"] == pytest.approx(c[f"{when}_response"] / c[f"{when}_spend"])
    assert totals["optimized_response"] == pytest.approx(
        horizon_response(result, {n: c["optimized_spend"] for n, c in plan["channels"].items()}))
    assert totals["optimized_response"] >= totals["current_mix_response"] * (1 - REL)
    assert totals["current_mix_response"] == pytest.approx(
        horizon_response(result, {c: factor * s for c, s in spend_now.items()}))
    assert totals["uplift"] == pytest.approx(
        totals["optimized_response"] / totals["current_response"] - 1)


# --- target_efficiency ---------------------------------------------------------------


@pytest.mark.parametrize("share_of_current", [0.6, 0.8, 0.95])
def test_target_efficiency_hits_its_target(result: dict, share_of_current: float) -> None:
    spend_now = current(result)
    target = share_of_current * horizon_response(result, spend_now) / sum(spend_now.values())
    plan = allocate(result, scenario="target_efficiency", target_roas=target, weeks=WEEKS)
    assert plan["target_roas"] == target
    assert plan["totals"]["optimized_roas"] == pytest.approx(target, rel=1e-5)
    assert plan["totals"]["optimized_response"] >= plan["totals"]["current_response"]
    assert plan["total_budget"] == pytest.approx(plan["totals"]["optimized_spend"])
    assert_within_bounds(plan)
    default = allocate(result, scenario="target_efficiency", weeks=WEEKS)
    assert default["target_roas"] == pytest.approx(0.8 * plan["totals"]["current_roas"]), (
        "Robyn's default target is 0.8 x current ROAS"
    )


def test_target_efficiency_respects_a_budget_cap(result: dict) -> None:
    spend_now = sum(current(result).values())
    target = 0.5 * horizon_response(result, current(result)) / spend_now
    plan = allocate(
        result,
        scenario="target_efficiency",
        target_roas=target,
        total_budget=spend_now,
        weeks=WEEKS,
    )
    assert plan["totals"]["optimized_spend"] <= spend_now * (1 + REL)
    assert plan["totals"]["optimized_roas"] >= target * (1 - 1e-6)


def test_conversion_model_plans_to_a_target_cpa() -> None:
    result = {**truth_result(7), "dep_var_type": "conversion"}
    spend_now = current(result)
    cpa_now = sum(spend_now.values()) / horizon_response(result, spend_now)
    plan = allocate(result, scenario="target_efficiency", target_cpa=1.25 * cpa_now, weeks=WEEKS)
    assert plan["target_cpa"] == pytest.approx(1.25 * cpa_now)
    assert plan["target_roas"] is None
    totals = plan["totals"]
    assert totals["optimized_spend"] / totals["optimized_response"] == pytest.approx(
        1.25 * cpa_now, rel=1e-5
    )
    meta = plan["channels"]["spend_meta"]
    assert meta["optimized_cpa"] == pytest.approx(1 / meta["optimized_roas"])


# --- bad questions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "a total budget is required for the max_response scenario"),
        ({"total_budget": -100.0}, "the total budget must be a positive amount, got -100"),
        ({"total_budget": 0.0}, "the total budget must be a positive amount, got 0"),
        (
            {"total_budget": 1.0, "lower": 0.5, "upper": 2.0},
            "the total budget 1 is outside what the bounds allow over 4 weeks",
        ),
        (
            {"total_budget": 1e12, "lower": 0.5},
            "the total budget 1 000 000 000 000 is outside what the bounds",
        ),
        ({"total_budget": 1e6, "lower": 2.0, "upper": 1.0}, "spend_meta: the lower bound"),
        ({"total_budget": 1e6, "lower": -0.5}, "spend_meta: the lower bound -0.5 is negative"),
        (
            {
                "total_budget": 1e6,
                "bounds": {"spend_meta": ChannelBounds(min_spend=9, max_spend=5)},
            },
            "spend_meta: the lower bound 9 is above the upper bound 5",
        ),
        (
            {"total_budget": 1e6, "bounds": {"spend_tv": ChannelBounds(locked=True)}},
            "unknown channel 'spend_tv' in the bounds; the model's channels are spend_meta",
        ),
        ({"total_budget": 1e6, "weeks": 0}, "the horizon must be a whole number of weeks"),
        ({"total_budget": 1e6, "scenario": "max_roi"}, "unknown scenario 'max_roi'"),
        ({"total_budget": 1e6, "model_id": "9_9_9"}, "model '9_9_9' is not one of this result's"),
        (
            {"scenario": "target_efficiency", "target_roas": 50.0},
            "the target ROAS 50.00 is out of reach: the best total ROAS within the bounds is",
        ),
        (
            {"scenario": "target_efficiency", "target_roas": -2.0},
            "the target ROAS must be a positive number, got -2",
        ),
        (
            {"scenario": "target_efficiency", "target_cpa": 2.0},
            "this is a revenue model: give a target ROAS, not a target CPA",
        ),
    ],
)
def test_bad_questions_get_a_clear_error(kwargs: dict, message: str) -> None:
    with pytest.raises(AllocationError) as error:
        allocate(truth_result(7), **{"weeks": WEEKS, **kwargs})
    assert str(error.value).startswith(message), str(error.value)
    assert isinstance(error.value, ValueError)


@pytest.mark.parametrize(
    ("bound", "facts"),
    [
        (ChannelBounds(lower=3.0, upper=2.0),
         {"unit": "multiple", "minimum": 3.0, "maximum": 2.0}),
        (ChannelBounds(min_spend=9.0, max_spend=5.0),
         {"unit": "spend", "minimum": 9.0, "maximum": 5.0}),
    ],
    ids=["multiples", "spend"],
)
def test_a_minimum_above_the_maximum_is_told_in_the_units_given(bound, facts) -> None:
    with pytest.raises(AllocationError) as error:
        allocate(truth_result(7), total_budget=1e6, weeks=WEEKS,
                 bounds={"spend_meta": bound})
    assert error.value.code == "min_above_max"
    assert error.value.facts == {"channel": "spend_meta", **facts}


def test_warnings_come_with_their_facts() -> None:
    result = truth_result(7)
    plan = allocate(result, total_budget=1.9 * sum(current(result).values()), weeks=WEEKS)
    above = [n for n in plan["notes"] if n["code"] == "above_seen"]
    assert above
    for note in above:
        channel = plan["channels"][note["channel"]]
        assert note["weekly"] == pytest.approx(channel["optimized_spend"] / WEEKS)
        assert note["seen"] == result["channels"][note["channel"]]["max_spend"]
