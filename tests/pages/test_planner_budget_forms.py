"""The budget planner page after the UX audit 7: a budget above what the data's highest weeks
add up to gets one warning, not advice on limits no one can follow (finding 5); a budget
change reads alike on its tile and its warning, "-99,9 %" and not "-100 %" for 1 000 kr (10);
a channel held at a limit is marked in the table, and one its Max holds back is said to the
analyst (12); "12,5 tkr" is an amount (13)."""

from __future__ import annotations

from kiri_core import formatting as fmt
from kiri_core import planner
from tests.pages.test_planner_page import (  # noqa: F401  (planner_page: a fixture)
    BUDGET,
    budget_box,
    metric,
    optimise,
    planner_page,
)


def changes(app) -> dict[str, str]:
    """The plan table's Change column by channel, as shown."""
    table = app.table[0].value
    return dict(zip(table["Channel"], table["Change"], strict=True))


def test_a_budget_above_the_highest_weeks_gets_one_warning(planner_page):  # noqa: F811
    app, run, _ = planner_page
    budget_box(app).input("5 000 000")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    warnings = [w.value for w in app.warning]
    assert warnings == [fmt.unbreakable_numbers(w) for w in plan["warnings"]]
    assert len(warnings) == 2
    assert warnings[0].startswith(fmt.unbreakable_numbers(
        "The budget 5 000 000 kr is +439 % on today's 927 994 kr over 4 weeks"))
    assert warnings[1].startswith(fmt.unbreakable_numbers(
        "Above 2 260 752 kr over 4 weeks, what the channels' highest weeks in the data add up "
        "to, some channel must go beyond the spend seen in the data"))
    assert not any("Lower the" in w for w in warnings)
    assert (metric(app, BUDGET).value, metric(app, BUDGET).delta) == (
        "5 000 000 kr", "+439 %")
    shown = changes(app)
    assert (shown["Google"], shown["Email"], shown["Total"]) == tuple(
        fmt.unbreakable_numbers(change)
        for change in ("+277 % at\u00a0Min", "+978 % at\u00a0Max", "+439 %"))


def test_a_channel_its_max_holds_back_is_marked_and_said(planner_page):  # noqa: F811
    app, run, _ = planner_page
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert changes(app)["Email"] == fmt.unbreakable_numbers("+100 % at\u00a0Max")
    held = planner.held_below_return(plan, "SEK")
    assert held.startswith("Email is held at its Max, 2,00x")
    assert [i.value for i in app.info] == [fmt.unbreakable_numbers(held)]
    assert not app.warning


def test_a_tiny_budget_reads_almost_all_less_not_all(planner_page):  # noqa: F811
    app, _, _ = planner_page
    budget_box(app).input("1 000")
    optimise(app)
    assert metric(app, BUDGET).delta == "-99,9 %"
    assert app.warning[0].value.startswith(fmt.unbreakable_numbers(
        "The budget 1 000 kr is -99,9 % on today's"))


def test_a_budget_in_tkr_is_read(planner_page):  # noqa: F811
    app, run, _ = planner_page
    budget_box(app).input("12,5 tkr")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert not app.error, [e.value for e in app.error]
    assert plan["total_budget"] == 12_500.0
