"""kiri_core.report.content: the plan table speaks ROAS for revenue and CPA for conversions;
run comparisons sign their differences."""

from __future__ import annotations

import pytest

from kiri_core import formatting as fmt
from kiri_core.engine.allocator import allocate
from kiri_core.generator import generate
from kiri_core.report import content


def truth_plan(dep_var_type: str) -> dict:
    """A plan on the generator's true curves, as a revenue or a conversion model."""
    _, truth = generate(104, seed=5)
    result = {"model_id": "truth", "dep_var_type": dep_var_type,
              "spend_columns": list(truth["channels"]), "channels": truth["channels"]}
    budget = 4 * sum(ch["mean_spend"] for ch in truth["channels"].values())
    return allocate(result, total_budget=budget, weeks=4)


@pytest.mark.parametrize(
    ("dep_var_type", "headers"),
    [
        ("revenue", ["Expected effect", "ROAS", "Marginal ROAS"]),
        ("conversion", ["Expected conversions", "CPA", "Marginal CPA"]),
    ],
)
def test_plan_columns_follow_the_model_type(dep_var_type: str, headers: list[str]) -> None:
    assert content.plan_columns(truth_plan(dep_var_type))[-3:] == headers


def test_conversion_plan_rows_show_counts_and_cost_per_conversion() -> None:
    plan = truth_plan("conversion")
    rows = content.plan_rows(plan, "SEK")
    for row, (column, ch) in zip(rows, plan["channels"].items(), strict=False):
        assert row[0] == fmt.channel_name(column)
        assert row[4] == fmt.number(ch["optimized_response"], "SEK")
        assert row[5] == fmt.money(ch["optimized_cpa"], "SEK", 2)
        assert row[6] == fmt.money(1 / ch["optimized_mroas"], "SEK", 2)
    total = plan["totals"]
    assert rows[-1][5] == fmt.money(total["optimized_spend"] / total["optimized_response"],
                                    "SEK", 2)


def test_revenue_plan_rows_show_money_and_roas() -> None:
    plan = truth_plan("revenue")
    rows = content.plan_rows(plan, "SEK")
    first = next(iter(plan["channels"].values()))
    assert rows[0][4] == fmt.money(first["optimized_response"], "SEK")
    assert rows[0][5] == fmt.roas(first["optimized_roas"], "SEK")
    assert len(rows) == len(plan["channels"]) + 1


def test_plan_rows_at_a_tiny_budget_show_what_the_spend_adds() -> None:
    """Each row's effect and ROAS are what its spend adds; the total row sums them."""
    _, truth = generate(104, seed=5)
    result = {"model_id": "truth", "dep_var_type": "revenue",
              "spend_columns": list(truth["channels"]), "channels": truth["channels"]}
    plan = allocate(result, total_budget=1_000.0, weeks=4)
    rows = content.plan_rows(plan, "SEK")
    for row, ch in zip(rows, plan["channels"].values(), strict=False):
        assert row[4] == fmt.money(ch["optimized_response"], "SEK")
        assert row[5] == fmt.roas(ch["optimized_roas"], "SEK")
        assert ch["optimized_roas"] == pytest.approx(ch["optimized_mroas"], rel=1e-2)
    added = sum(ch["optimized_response"] for ch in plan["channels"].values())
    assert rows[-1][4] == fmt.money(added, "SEK")
    assert rows[-1][5] == fmt.roas(added / 1_000.0, "SEK")


def test_a_comparison_signs_its_differences_and_dashes_a_missing_channel() -> None:
    base = {"spend_columns": ["spend_tv"], "channels": {"spend_tv": {"roas": 1.5}}}
    more = {"spend_columns": ["spend_tv", "spend_radio"],
            "channels": {"spend_tv": {"roas": 2.0}, "spend_radio": {"roas": 0.5}}}
    assert content.channel_comparison_rows(base, more, "roas", "SEK") == [
        ["TV", "1,50", "2,00", "+0,50"], ["Radio", "–", "0,50", "–"]]
    assert content.channel_comparison_rows(more, base, "roas", "SEK")[0][3] == "-0,50"
