"""The UX audit 7's planner findings on limits and budget changes: a budget above what the
data's highest weeks add up to gets one warning instead of per-channel advice no limit can
follow (5); a budget change reads the same on every tile, sentence and warning, never
"-100 %" for 1 000 kr (10); a channel held at its Min or Max is marked in the plan table,
and one held back by its Max said so to the analyst (12)."""

from __future__ import annotations

import copy

import pytest
from fitted import fitted_run

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.engine.allocator import ChannelBounds, allocate
from kiri_core.report import content

SEEN = "2 260 752 kr"  # the fitted run's highest weeks of its four channels, over 4 weeks


def plan_for(budget: float | None = None, goal: str = "max_response",
             target: float | None = None, bounds: dict | None = None) -> dict:
    result = fitted_run().result
    return planner.make_plan(result, result["model_id"], goal=goal, weeks=4,
                             budget=today() if budget is None else budget, target=target,
                             bounds=bounds or {}, currency="SEK")


def today() -> float:
    result = fitted_run().result
    return sum(planner.current_spend(result, result["model_id"], 4).values())


def highest_weeks() -> float:
    result = fitted_run().result
    return 4 * sum(result["channels"][c]["max_spend"] for c in result["spend_columns"])


def test_a_budget_above_the_highest_weeks_gets_one_warning_with_their_sum() -> None:
    """5 000 000 kr over 4 weeks: four "Lower the Max of ... / Lower the Min of ..." warnings
    that no limits could follow became one, naming the sum and each channel beyond it."""
    assert fmt.money(highest_weeks(), "SEK") == SEEN
    plan = plan_for(5e6)
    [note] = [n for n in plan["notes"] if n["code"] == "budget_above_seen"]
    assert note == {"code": "budget_above_seen", "budget": 5e6,
                    "seen": pytest.approx(highest_weeks()), "weeks": 4}
    above = [n for n in plan["notes"] if n["code"] == "above_seen"]
    assert len(above) == 4  # the data keeps each channel's facts
    assert len(plan["warnings"]) == 2  # the moved limits, and this
    warning = plan["warnings"][1]
    assert warning.startswith(
        f"Above {SEEN} over 4 weeks, what the channels' highest weeks in the data add up to, "
        "some channel must go beyond the spend seen in the data; the forecast there is less "
        "certain: Meta at ")
    for n in above:
        assert (f"{fmt.channel_name(n['channel'])} at {fmt.money(n['weekly'], 'SEK')} a week "
                f"(its highest week: {fmt.money(n['seen'], 'SEK')})") in warning
    assert warning.endswith(f"No limits avoid that at a budget of 5 000 000 kr; only a budget of "
                            f"at most {SEEN} can stay within what the data has seen.")
    assert not any(f"the {limit} of" in w for w in plan["warnings"] for limit in ("Max", "Min"))


def test_the_client_reads_the_budget_s_warning_without_the_advice() -> None:
    plan = plan_for(5e6)
    [fact] = planner.client_notes(plan, "SEK")
    assert fact.startswith(f"Above {SEEN} over 4 weeks") and fact in plan["warnings"][1]
    assert "No limits" not in fact


def test_below_the_highest_weeks_the_limits_are_why_and_each_channel_is_advised() -> None:
    """At 2,4x today's budget (below the sum) the moved limits take channels beyond their
    highest weeks: each keeps its advice, in the units a box takes."""
    assert 2.4 * today() < highest_weeks()
    plan = plan_for(2.4 * today())
    assert "budget_above_seen" not in [n["code"] for n in plan["notes"]]
    advised = [w for w in plan["warnings"] if "to stay within what the data has seen" in w]
    assert len(advised) == len([n for n in plan["notes"] if n["code"] == "above_seen"]) == 3


def test_only_a_maximise_plan_s_budget_is_said_to_be_above_the_weeks_seen() -> None:
    """A target plan's spend is set by its limits and target, so its limits are why."""
    result = fitted_run().result
    wide = {c: ChannelBounds(lower=0.1, upper=30.0) for c in result["spend_columns"]}
    plan = allocate(result, scenario="target_efficiency", weeks=4, target_roas=0.01, bounds=wide)
    assert plan["totals"]["optimized_spend"] > highest_weeks()
    assert "budget_above_seen" not in [n["code"] for n in plan["notes"]]
    unknown = copy.deepcopy(result)  # a channel without a highest week: no sum to say
    del unknown["channels"]["spend_meta"]["max_spend"]
    plan = allocate(unknown, weeks=4, total_budget=5e6)
    assert "budget_above_seen" not in [n["code"] for n in plan["notes"]]


@pytest.mark.parametrize(("budget", "change"), [(5e6, "+439 %"), (1e3, "-99,9 %")])
def test_a_budget_change_reads_the_same_everywhere(budget: float, change: str) -> None:
    """The tile and the sentence said "+439 %" where the warning said "539 % of today's
    spend"; a 1 000 kr budget read "-100 %"."""
    plan = plan_for(budget)
    tile = planner.plan_metrics(plan, "SEK")[0]
    assert (tile.delta, tile.delta_description) == (change, "on today's")
    assert content.effect_sentences(plan, "SEK").startswith(f"Budget {change} on today's ")
    assert plan["warnings"][0].startswith(
        f"The budget {fmt.money(budget, 'SEK')} is {change} on today's 927 994 kr over 4 weeks")
    assert content.plan_rows(plan, "SEK")[-1][3] == change
    assert content.scenario_rows([{"name": "A", "plan": plan}], "SEK")[0][3] == change


def test_a_budget_typed_as_today_s_is_today_s_and_a_plan_cutting_a_channel_to_nothing() -> None:
    """The box shows whole kronor: today's 927 994,04 kr typed back is no change; a channel
    planned at 0,30 kr reads 0 kr, so -100 %."""
    assert content.amount_change(927_994.04, 927_994.0, "SEK") == "+0 %"
    assert content.budget_change(plan_for(float(round(today()))), "SEK") is None
    assert content.amount_change(92_956.0, 0.3, "SEK") == "-100 %"
    assert content.amount_change(92_956.0, 1.0, "SEK") == "-99,999 %"
    assert content.amount_change(1_000.0, 1_003.0, "SEK") == "+0,3 %"


def test_the_what_if_s_spend_changes_in_percent_as_the_plan_s_budget() -> None:
    now = {"spend": 231_998.5, "response": 57_000.0, "roas": 0.25}
    new = {"spend": 1_161_982.0, "response": 86_000.0, "roas": 0.07}
    spend, revenue, _ = planner.what_if_metrics({"dep_var_type": "revenue"}, now, new, "SEK")
    assert (spend.delta, revenue.delta) == ("+401 %", "+50,9 %")
    snapped = {**now, "spend": 231_998.6, "response": 57_000.2}  # a slider's step off today's
    spend, revenue, _ = planner.what_if_metrics({"dep_var_type": "revenue"}, now, snapped, "SEK")
    assert (spend.delta, revenue.delta) == (None, None)  # "57 000 kr" on "57 000 kr"


def test_a_channel_held_at_a_limit_is_marked_in_the_plan_table() -> None:
    """Email stopped at exactly +100 %, its Max of 2,00x, with nothing to say so; at
    5 000 000 kr Google is held at its (moved) Min."""
    plan = plan_for()
    rows = {row[0]: row[3] for row in content.plan_rows(plan, "SEK")[:-1]}
    assert rows == {"Meta": "-26 %", "Google": "-16 %", "TikTok": "+54 %",
                    "Email": "+100 % at\u00a0Max"}
    assert content.plan_note(plan).endswith(
        "Marked \u201cat Max\u201d: the channel spends the most its limits allow, so a limit, "
        "not its returns, sets its change.")
    stretched = plan_for(5e6)
    rows = {row[0]: row[3] for row in content.plan_rows(stretched, "SEK")[:-1]}
    assert rows["Google"].endswith("% at\u00a0Min") and rows["Email"].endswith("% at\u00a0Max")
    assert ("Marked \u201cat Max\u201d or \u201cat Min\u201d: the channel spends the most or the "
            "least") in content.plan_note(stretched)


def test_a_locked_channel_or_one_between_its_limits_is_not_marked() -> None:
    plan = plan_for(bounds={"spend_email": ChannelBounds(locked=True)})
    email = content.plan_rows(plan, "SEK")[3]
    assert (email[0], email[3]) == ("Email (locked)", "+0 %")
    assert content.held_at({"optimized_spend": 5.0}) is None  # a plan without its limits
    free = copy.deepcopy(plan_for())
    for ch in free["channels"].values():
        ch["lower"], ch["upper"] = 0.5 * ch["optimized_spend"], 2 * ch["optimized_spend"]
    assert [row[3] for row in content.plan_rows(free, "SEK")] == [
        "-26 %", "-16 %", "+54 %", "+100 %", "+0 %"]
    assert content.plan_note(free) == content.plan_note(plan_for()).split(" Marked ")[0]


def test_the_analyst_is_told_a_max_holds_back_a_channel_that_returns_more() -> None:
    """Email at its Max returns 0,27 on its next krona against 0,18 in the channels free to
    move: raising its Max would add revenue."""
    plan = plan_for()
    assert planner.held_below_return(plan, "SEK") == (
        "Email is held at its Max, 2,00x (212 877 kr over 4 weeks), where its next krona returns "
        "0,27 against 0,18 elsewhere: raising its Max would add revenue.")
    assert planner.held_below_return(plan, "SEK") not in plan["warnings"]  # the page says it
    raised = plan_for(bounds={"spend_email": ChannelBounds(lower=0.5, upper=2.8)})
    assert planner.held_below_return(raised, "SEK").startswith(  # in the typed Max's units
        "Email is held at its Max, 2,80x (298 028 kr over 4 weeks), where its next krona ")


def test_a_conversion_plan_names_the_cost_of_the_next_conversion() -> None:
    result = {**fitted_run().result, "dep_var_type": "conversion"}
    plan = planner.make_plan(result, result["model_id"], goal="max_response", weeks=4,
                             budget=today(), target=None, bounds={}, currency="SEK")
    email = plan["channels"]["spend_email"]
    free = max(ch["optimized_mroas"] for ch in plan["channels"].values()
               if content.held_at(ch) is None)
    assert planner.held_below_return(plan, "SEK") == (
        "Email is held at its Max, 2,00x (212 877 kr over 4 weeks), where its next conversion "
        f"costs {fmt.money(1 / email['optimized_mroas'], 'SEK', 2)} against "
        f"{fmt.money(1 / free, 'SEK', 2)} elsewhere: raising its Max would add conversions.")


def test_no_max_is_said_to_hold_back_a_channel_beyond_its_weeks_or_a_target_plan() -> None:
    """Beyond its highest week a channel is advised to lower its Max; a target plan's limits
    are said otherwise (_capped_below_target)."""
    stretched = plan_for(2.4 * today())  # Email at its moved Max, above its highest week
    assert content.held_at(stretched["channels"]["spend_email"]) == "Max"
    assert planner.held_below_return(stretched, "SEK") is None
    target = plan_for(goal="target_efficiency", target=0.01)
    assert planner.held_below_return(target, "SEK") is None
