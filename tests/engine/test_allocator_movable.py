"""Movable bounds: a caller's own default multiples (the budget planner's, narrowed to the
weeks the data has seen) move with a budget they cannot reach like the scenario's defaults,
while the same bounds set by a user hold."""

from __future__ import annotations

import pytest

from kiri_core.engine.allocator import AllocationError, ChannelBounds, allocate
from kiri_core.generator import generate

WEEKS = 4


@pytest.fixture(scope="module")
def result() -> dict:
    _, truth = generate(156, seed=7)
    return {"model_id": "truth_7", "dep_var_type": "revenue",
            "spend_columns": list(truth["channels"]), "channels": truth["channels"]}


def test_movable_bounds_move_with_a_budget_they_cannot_reach(result: dict) -> None:
    current = {c: ch["mean_spend"] * WEEKS for c, ch in result["channels"].items()}
    total = sum(current.values())
    narrow = {c: ChannelBounds(lower=0.8, upper=1.2, movable=True) for c in current}
    plan = allocate(result, total_budget=3 * total, weeks=WEEKS, bounds=narrow)
    assert plan["totals"]["optimized_spend"] == pytest.approx(3 * total)
    assert plan["notes"][0]["code"] == "bounds_scaled"
    for column, ch in plan["channels"].items():
        assert (ch["lower"], ch["upper"]) == pytest.approx(
            (3 * 0.8 * current[column], 3 * 1.2 * current[column]))
    within = allocate(result, total_budget=1.1 * total, weeks=WEEKS, bounds=narrow)
    assert "bounds_scaled" not in [n["code"] for n in within["notes"]]
    for column, ch in within["channels"].items():  # within reach they are the multiples
        assert (ch["lower"], ch["upper"]) == pytest.approx(
            (0.8 * current[column], 1.2 * current[column]))


def test_the_same_bounds_set_by_a_user_hold(result: dict) -> None:
    total = sum(ch["mean_spend"] * WEEKS for ch in result["channels"].values())
    set_ = {c: ChannelBounds(lower=0.8, upper=1.2) for c in result["channels"]}
    with pytest.raises(AllocationError) as error:
        allocate(result, total_budget=3 * total, weeks=WEEKS, bounds=set_)
    assert error.value.code == "budget_out_of_reach"
    assert error.value.facts["high"] == pytest.approx(1.2 * total)
