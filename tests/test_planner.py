"""The planner service: plans and messages worded for the client, saved scenarios (access per
role, clear messages) and the migration's table."""

from __future__ import annotations

import copy
import math
import re

import numpy as np
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fitted import (
    Workspace,
    carry_over_counted_in,
    fitted_run,
    workspace_fixture,  # noqa: F401  (the "workspace" fixture)
)

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.db.base import Base
from kiri_core.db.models import RunArtifact
from kiri_core.db.session import get_engine
from kiri_core.engine.allocator import ChannelBounds, allocate
from kiri_core.engine.response import ResponseCurve
from kiri_core.report import content
from kiri_core.results import expected_response, model_by_id
from kiri_core.services.errors import AccessDenied, NotFound, ValidationError


@pytest.fixture
def ws(workspace: Workspace, session) -> Workspace:
    """The workspace bound to the test's session."""
    return workspace.bound(session)


@pytest.fixture
def plan() -> dict:
    return fitted_run().plan


@pytest.fixture
def session(workspace: Workspace):
    with workspace.session() as session:
        yield session
        session.rollback()
        for scenario in session.scalars(sa.select(planner.BudgetScenario)):
            session.delete(scenario)
        session.commit()


def test_an_analyst_saves_and_everyone_with_access_lists(session, ws, plan) -> None:
    run_id = ws.run.id
    saved = planner.save_scenario(session, ws.analyst, run_id, "  Spring   plan ", plan,
                                  {"goal": "max_response"})
    assert saved.name == "Spring plan"
    assert saved.client_id == ws.client.id
    for actor in (ws.analyst, ws.viewer, ws.admin):
        listed = planner.list_scenarios(session, actor, run_id)
        assert [s.name for s in listed] == ["Spring plan"]
        assert listed[0].plan["totals"] == plan["totals"]
        shown = listed[0].as_report_scenario(fitted_run().result, "SEK")
        assert shown["name"] == "Spring plan"
        assert_same_figures(shown["plan"], plan)


def test_plans_of_other_models_are_counted_per_model(session, ws, plan) -> None:
    """What Presentation says when the model shown has no plans but others of the run do."""
    for name, model_id in (("A", "m1"), ("B", "m2"), ("C", "m1"), ("D", plan["model_id"])):
        planner.save_scenario(session, ws.analyst, ws.run.id, name, {**plan, "model_id": model_id})
    assert planner.plans_on_other_models(session, ws.viewer, ws.run.id,
                                         plan["model_id"]) == {"m1": 2, "m2": 1}
    with pytest.raises(AccessDenied, match="no access"):
        planner.plans_on_other_models(session, ws.outsider, ws.run.id, plan["model_id"])


def test_a_conversion_plan_shows_its_incremental_cpa_lower_is_better() -> None:
    result = {**fitted_run().result, "dep_var_type": "conversion"}
    plan = plan_for(result=result, budget=1.5 * today_total())
    t = plan["totals"]
    cpa = planner.plan_metrics(plan, "SEK")[2]
    assert (cpa.label, cpa.value) == ("Cost per added conversion", content.plan_efficiency(
        plan, t["optimized_roas"], "SEK"))
    assert cpa.delta_color == "inverse"  # a higher CPA is worse
    today = content.plan_efficiency(plan, t["current_roas"], "SEK")
    assert cpa.delta_description == f"from {today}"


def test_the_plan_s_return_tile_says_its_basis_and_the_period_s_figure() -> None:
    """The usability audit: Home said "Media CPA 1 121,32 kr", the planner "Cost per added
    conversion 1 861,22 kr" at today's spend, with no word on why: the tile's help says it
    counts only the week of the spend and names the period's figure (the what-if's too)."""
    result = {**fitted_run().result, "dep_var_type": "conversion"}
    label, value = content.period_efficiency(result, result["model_id"], "SEK")
    assert label == "Media CPA"
    spend, contribution = content.paid_totals(result, result["model_id"])
    assert value == fmt.money(spend / contribution, "SEK", 2)
    plan = plan_for(result=result)
    expected = ("Cost per added conversion counts only the week of the spend. The period's "
                f"Media CPA on Home and the Presentation ({value}) also counts what the spend "
                "brings in the weeks after.")
    assert planner.plan_metrics(plan, "SEK", result)[2].help == expected
    now = expected_response(result, result["model_id"], {
        c: ch["mean_spend"] for c, ch in result["channels"].items()})
    assert planner.what_if_metrics(result, now, now, "SEK", result["model_id"])[2].help == expected
    assert planner.plan_metrics(plan, "SEK")[2].help == expected.split(" The period")[0]


def test_a_viewer_cannot_save_or_delete(session, ws, plan) -> None:
    with pytest.raises(AccessDenied, match="needs the analyst role"):
        planner.save_scenario(session, ws.viewer, ws.run.id, "Mine", plan)
    saved = planner.save_scenario(session, ws.analyst, ws.run.id, "Kept", plan)
    with pytest.raises(AccessDenied, match="needs the analyst role"):
        planner.delete_scenario(session, ws.viewer, saved.id)
    assert [s.name for s in planner.list_scenarios(session, ws.viewer,
                                                   ws.run.id)] == ["Kept"]


def test_an_outsider_reaches_no_scenario(session, ws, plan) -> None:
    saved = planner.save_scenario(session, ws.analyst, ws.run.id, "Secret", plan)
    with pytest.raises(AccessDenied, match="no access"):
        planner.list_scenarios(session, ws.outsider, ws.run.id)
    with pytest.raises(AccessDenied, match="no access"):
        planner.delete_scenario(session, ws.outsider, saved.id)


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Give the scenario a name"), ("x" * 121, "at most 120 are allowed")],
)
def test_bad_names_are_refused_and_nothing_is_saved(session, ws, plan, name,
                                                    message) -> None:
    with pytest.raises(ValidationError, match=message):
        planner.save_scenario(session, ws.analyst, ws.run.id, name, plan)
    assert planner.list_scenarios(session, ws.analyst, ws.run.id) == []


def test_a_duplicate_name_or_an_incomplete_plan_is_refused(session, ws, plan) -> None:
    planner.save_scenario(session, ws.analyst, ws.run.id, "Twice", plan)
    with pytest.raises(ValidationError,
                       match=f"^Run #{ws.run.number} already has a scenario named"):
        planner.save_scenario(session, ws.analyst, ws.run.id, "Twice", plan)
    with pytest.raises(ValidationError, match="lacks totals"):
        planner.save_scenario(session, ws.analyst, ws.run.id, "Half",
                              {k: v for k, v in plan.items() if k != "totals"})
    assert len(planner.list_scenarios(session, ws.analyst, ws.run.id)) == 1


def test_unknown_run_or_scenario_is_not_found(session, ws) -> None:
    with pytest.raises(NotFound, match="The run with id 999999 does not exist"):
        planner.list_scenarios(session, ws.analyst, 999_999)
    with pytest.raises(NotFound, match="Scenario #999999 does not exist"):
        planner.delete_scenario(session, ws.analyst, 999_999)


def test_changing_scenarios_drops_the_stored_pdf(session, ws, plan) -> None:
    run_id = ws.run.id
    session.add(RunArtifact(run_id=run_id, kind=planner.REPORT_KIND, storage_key="x.pdf",
                            checksum="0" * 64, size_bytes=1, content_type="application/pdf"))
    session.commit()
    saved = planner.save_scenario(session, ws.analyst, run_id, "New", plan)
    assert _report_artifacts(session, run_id) == 0
    planner.delete_scenario(session, ws.analyst, saved.id)
    assert planner.list_scenarios(session, ws.analyst, run_id) == []


def _report_artifacts(session, run_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(RunArtifact).where(
        RunArtifact.run_id == run_id, RunArtifact.kind == planner.REPORT_KIND))


def test_today_s_spend_is_the_allocator_s_current(plan) -> None:
    result = fitted_run().result
    current = planner.current_spend(result, result["model_id"], 4)
    assert list(current) == result["spend_columns"]
    for column, spend in current.items():
        assert spend == pytest.approx(plan["channels"][column]["current_spend"])
    assert sum(current.values()) == pytest.approx(plan["totals"]["current_spend"])


def test_today_s_spend_needs_a_week() -> None:
    result = fitted_run().result
    with pytest.raises(ValidationError, match="at least one week"):
        planner.current_spend(result, result["model_id"], 0)


@pytest.mark.parametrize("as_spend", [False, True])
def test_only_the_limits_a_user_changed_count_as_set(as_spend) -> None:
    result = fitted_run().result
    shown = planner.box_defaults(result, result["model_id"], 4, as_spend)
    typed = {c: (round(low, 0 if as_spend else 2), round(high, 0 if as_spend else 2), False)
             for c, (low, high) in shown.items()}
    assert planner.channel_bounds(typed, shown, as_spend) == {}
    low, high = shown["spend_google"]
    typed["spend_google"] = (low, 3 * high, False)
    typed["spend_email"] = (*typed["spend_email"][:2], True)
    bounds = planner.channel_bounds(typed, shown, as_spend)
    assert list(bounds) == ["spend_google", "spend_email"]
    assert bounds["spend_email"].locked
    google = bounds["spend_google"]
    assert (google.max_spend if as_spend else google.upper) == 3 * high
    assert not google.movable  # a limit the user typed holds whatever the budget


def test_the_default_limits_stay_within_the_weeks_the_data_has_seen() -> None:
    """The UX audit: the default 0,50x Min cut Google (lowest week 0,65x its mean) below the
    data's lowest week, and the page then told the user to raise the Min it had set itself."""
    result = fitted_run().result
    channels = result["channels"]
    google = channels["spend_google"]
    assert (google["min_spend"], google["max_spend"]) == (51447.0, 116687.0)
    lowest, highest = (google[key] / google["mean_spend"] for key in ("min_spend", "max_spend"))
    assert (round(lowest, 3), round(highest, 3)) == (0.654, 1.483)
    multiples = planner.box_multiples(result, result["model_id"])
    assert multiples == {"spend_meta": (0.5, 2.0),  # lowest week 0,47x, highest 2,73x
                         "spend_google": (0.7, 1.45),  # rounded inward to 0,05
                         "spend_tiktok": (0.5, 2.0),  # a week without spend: Robyn's 0,5
                         "spend_email": (0.5, 2.0)}
    assert channels["spend_tiktok"]["min_spend"] == 0.0
    for column, (low, high) in multiples.items():
        mean = channels[column]["mean_spend"]
        assert channels[column]["min_spend"] <= low * mean <= mean <= high * mean <= (
            channels[column]["max_spend"]), column
    current = planner.current_spend(result, result["model_id"], 4)
    in_money = planner.box_defaults(result, result["model_id"], 4, as_spend=True)
    assert in_money["spend_google"] == pytest.approx((0.7 * current["spend_google"],
                                                      1.45 * current["spend_google"]))


@pytest.mark.parametrize(("channel", "expected"), [
    ({"mean_spend": 100.0, "min_spend": 65.0, "max_spend": 145.0}, (0.65, 1.45)),  # on the step
    ({"mean_spend": 100.0, "min_spend": 64.9, "max_spend": 145.1}, (0.65, 1.45)),
    ({"mean_spend": 100.0, "min_spend": 65.1, "max_spend": 144.9}, (0.7, 1.4)),
    ({"mean_spend": 100.0, "min_spend": 20.0, "max_spend": 900.0}, (0.5, 2.0)),  # Robyn's
    ({"mean_spend": 100.0, "min_spend": 99.0, "max_spend": 101.0}, (1.0, 1.0)),  # steady
    ({"mean_spend": 100.0, "min_spend": 120.0, "max_spend": 80.0}, (1.0, 1.0)),  # inconsistent
    ({"mean_spend": 100.0, "min_spend": 0.0, "max_spend": 90.0}, (0.5, 1.0)),
    ({"mean_spend": 0.0, "min_spend": 0.0, "max_spend": 0.0}, (0.5, 2.0)),  # never spent
    ({"mean_spend": 100.0}, (0.5, 2.0)),  # a result without the seen range
])
def test_a_default_limit_never_leaves_today_s_spend_out(channel, expected) -> None:
    low, high = planner.seen_multiples(channel)
    assert (low, high) == expected
    assert low <= 1.0 <= high


@pytest.mark.parametrize("share", [0.6, 1.0, 1.8])
def test_a_plan_on_the_default_limits_stays_within_the_weeks_seen(share) -> None:
    """Budgets the old 0,5x–2x defaults took below Google's lowest week (0,6x today's) or
    above its highest (1,8x) are planned within them, without a note."""
    plan = plan_for(budget=share * today_total())
    assert plan["notes"] == [] and plan["warnings"] == []
    channels = fitted_run().result["channels"]
    for column, ch in plan["channels"].items():
        weekly = ch["optimized_spend"] / 4
        assert channels[column]["min_spend"] * (1 - 1e-6) <= weekly <= (
            channels[column]["max_spend"] * (1 + 1e-6)), column


def test_a_target_plan_on_the_default_limits_stays_within_the_weeks_seen() -> None:
    result = fitted_run().result
    plan = plan_for(goal="target_efficiency", target=0.01)  # every channel at its Max
    multiples = planner.box_multiples(result, result["model_id"])
    for column, ch in plan["channels"].items():
        assert ch["optimized_spend"] == pytest.approx(multiples[column][1] * ch["current_spend"])
    assert not [n for n in plan["notes"] if n["code"].endswith("_seen")]


@pytest.mark.parametrize(("share", "typed", "code", "advice"), [
    (0.6, ChannelBounds(lower=0.5, upper=1.45), "below_seen",
     "Raise the Min of Google to at least 0,66\u00a0× (205 788 kr over 4 weeks) to stay within "
     "what the data has seen; in this plan it is 0,50\u00a0× (157 327 kr over 4 weeks)."),
    (1.8, ChannelBounds(lower=0.7, upper=2.0), "above_seen",
     "Lower the Max of Google to at most 1,48\u00a0× (466 748 kr over 4 weeks) to stay within what "
     "the data has seen; in this plan it is 2,00\u00a0× (629 308 kr over 4 weeks)."),
])
def test_a_typed_limit_beyond_the_weeks_seen_keeps_its_note(share, typed, code,
                                                            advice) -> None:
    plan = plan_for(budget=share * today_total(), bounds={"spend_google": typed})
    [note] = plan["notes"]
    assert (note["code"], note["channel"]) == (code, "spend_google")
    assert plan["warnings"][0].endswith(advice)


def test_limits_moved_with_a_large_budget_are_shown_in_money() -> None:
    """The UX audit: at 3x today's budget a "2x" Max allowed 6x today's spend, and only a note
    said that the limits had moved."""
    assert planner.applied_limits(plan_for(), "SEK") is None  # the boxes say them
    plan = plan_for(budget=3 * today_total())
    applied = planner.applied_limits(plan, "SEK")
    multiples = planner.box_multiples(fitted_run().result, fitted_run().result["model_id"])
    assert applied == [
        f"{fmt.money(ch['lower'], 'SEK')} – {fmt.money(ch['upper'], 'SEK')}"
        for ch in plan["channels"].values()]
    for column, ch in plan["channels"].items():
        low, high = multiples[column]
        assert (ch["lower"], ch["upper"]) == pytest.approx(
            (3 * low * ch["current_spend"], 3 * high * ch["current_spend"]), rel=1e-6)
    assert plan["warnings"][0].endswith(
        "so every channel's Min and Max apply to today's mix scaled to this budget instead "
        "of today's spend: see Limits applied in the table.")


def test_a_spend_above_the_weeks_seen_set_by_a_moved_min_is_told_to_lower_the_min() -> None:
    """At 2,4x today's budget Google's Min (0,70x) moves to 1,68x today's, above its highest
    week: lowering its Max would not help. (The budget is below what the channels' highest
    weeks add up to, so the limits, not the budget, are why.)"""
    plan = plan_for(budget=2.4 * today_total())
    google = plan["channels"]["spend_google"]
    assert google["optimized_spend"] == pytest.approx(google["lower"])
    assert ("Google: the planned weekly spend "
            f"{fmt.money(google['optimized_spend'] / 4, 'SEK')} is above the highest week in "
            "the data (116 687 kr), so the model's forecast for it is less sure. Lower the Min "
            "of Google to at most 1,48\u00a0× (466 748 kr over 4 weeks) to stay within what the "
            "data has seen; in this plan it is 1,68\u00a0× (528 618 kr over 4 weeks)."
            ) in plan["warnings"]
    email = plan["channels"]["spend_email"]
    assert email["optimized_spend"] == pytest.approx(email["upper"])
    assert any(w.startswith("Email:") and "Lower the Max of Email to at most 2,88\u00a0×" in w
               for w in plan["warnings"])


def plan_for(currency: str = "SEK", *, result: dict | None = None, goal: str = "max_response",
             budget: float | None = None, target: float | None = None,
             bounds: dict | None = None) -> dict:
    result = result or fitted_run().result
    today = sum(planner.current_spend(result, result["model_id"], 4).values())
    return planner.make_plan(result, result["model_id"], goal=goal, weeks=4,
                             budget=today if budget is None else budget, target=target,
                             bounds=bounds or {}, currency=currency)


def today_total() -> float:
    result = fitted_run().result
    return sum(planner.current_spend(result, result["model_id"], 4).values())


@pytest.mark.parametrize(("ask", "message"), [
    (lambda: plan_for(budget=0.0),
     "Enter a total budget above 0 kr; today's spend over 4 weeks is {today}."),
    (lambda: plan_for(bounds={"spend_meta": ChannelBounds(lower=3.0, upper=2.0)}),
     "Meta: the minimum 3,00\u00a0× is above the maximum 2,00\u00a0×. Lower the Min or raise the "
     "Max."),
    (lambda: plan_for(bounds={"spend_meta": ChannelBounds(min_spend=9e5, max_spend=1e5)}),
     "Meta: the minimum 900 000 kr is above the maximum 100 000 kr. Lower the Min or raise "
     "the Max."),
    (lambda: plan_for(budget=1e7, bounds={c: ChannelBounds(lower=0.5, upper=2.0) for c in
                                          fitted_run().result["spend_columns"]}),
     "A total budget of 10 000 000 kr cannot be planned within the channel limits you set: "
     "over 4 weeks they allow {half} to {double}. Enter a budget in that range, or widen the "
     "Min and Max limits."),
    (lambda: plan_for(budget=1e5, bounds={"spend_meta": ChannelBounds(min_spend=2e5,
                                                                      max_spend=3e5)}),
     "A total budget of 100 000 kr is less than the channel minimums you set need over 4 "
     "weeks (200 000 kr). Enter at least 200 000 kr, or lower those Min limits."),
    (lambda: plan_for("EUR", goal="target_efficiency", target=1000.0),
     "A target return on the planned spend of 1,000.00 is out of reach: the best within the "
     "channel limits is "),
    (lambda: plan_for(goal="target_efficiency", target=0.0),
     "Enter a target return on the planned spend above 0."),
])
def test_a_refusal_is_worded_for_the_client(ask, message) -> None:
    with pytest.raises(ValidationError) as error:
        ask()
    today = today_total()
    expected = message.format(today=fmt.money(today, "SEK"), half=fmt.money(0.5 * today, "SEK"),
                              double=fmt.money(2 * today, "SEK"))
    assert str(error.value).startswith(expected), str(error.value)
    assert "spend_" not in str(error.value)


def refusal(ask) -> str:
    """The message :func:`planner.make_plan` refuses with."""
    with pytest.raises(ValidationError) as error:
        ask()
    return str(error.value)


def test_every_channel_whose_limits_cannot_be_planned_is_named_at_once() -> None:
    """The UX audit: Google's Min above its Max was only said after Meta's was fixed. Each
    is worded as the plan's refusal of it alone; a locked channel keeps today's spend, so its
    limits do not count (as for the plan)."""
    result = fitted_run().result
    current = planner.current_spend(result, result["model_id"], 4)
    bounds = {"spend_meta": ChannelBounds(lower=3.0, upper=2.0),
              "spend_google": ChannelBounds(min_spend=9e5, max_spend=1e5),
              "spend_tiktok": ChannelBounds(lower=0.8, upper=1.2),
              "spend_email": ChannelBounds(lower=3.0, upper=2.0, locked=True)}
    problems = planner.limit_problems(bounds, current, "SEK")
    assert problems == {
        "spend_meta": "Meta: the minimum 3,00\u00a0× is above the maximum 2,00\u00a0×. Lower the "
                      "Min or raise the Max.",
        "spend_google": "Google: the minimum 900 000 kr is above the maximum 100 000 kr. Lower "
                        "the Min or raise the Max."}
    for column, problem in problems.items():
        assert refusal(lambda c=column: plan_for(bounds={c: bounds[c]})) == problem
    fine = {c: b for c, b in bounds.items() if c not in problems}
    assert planner.limit_problems(fine, current, "SEK") == {}
    assert plan_for(bounds=fine)["channels"]["spend_email"]["locked"]


def test_a_budget_or_target_at_0_is_worded_as_the_plan_refuses_it() -> None:
    result = fitted_run().result
    budget = planner.budget_problem("max_response", 0.0, today_total(), 4, "SEK")
    assert budget == refusal(lambda: plan_for(budget=0.0))
    target = planner.target_problem(result, "target_efficiency", 0.0, "SEK")
    assert target == refusal(lambda: plan_for(goal="target_efficiency", target=0.0))
    assert target == "Enter a target return on the planned spend above 0."
    assert [planner.budget_problem("target_efficiency", 0.0, today_total(), 4, "SEK"),
            planner.budget_problem("max_response", None, today_total(), 4, "SEK"),
            planner.budget_problem("max_response", 1.0, today_total(), 4, "SEK"),
            planner.target_problem(result, "max_response", 0.0, "SEK"),
            planner.target_problem(result, "target_efficiency", 0.01, "SEK")] == [None] * 5


def test_an_unreachable_target_names_one_that_can_be_reached() -> None:
    with pytest.raises(ValidationError) as error:
        plan_for(goal="target_efficiency", target=1000.0)
    best = re.search(r"Lower the target to (\d+,\d\d) or less", str(error.value))[1]
    plan = plan_for(goal="target_efficiency", target=fmt.parse_decimal(best, "SEK"))
    assert plan["scenario"] == "target_efficiency"


def test_a_budget_far_from_today_is_planned_and_said_so() -> None:
    plan = plan_for(budget=1e7)
    assert plan["totals"]["optimized_spend"] == pytest.approx(1e7, rel=1e-7)
    today = today_total()
    assert plan["warnings"][0] == (
        f"The budget 10 000 000 kr is {content.amount_change(today, 1e7, 'SEK')} on today's "
        f"{fmt.money(today, 'SEK')} over 4 weeks, so every channel's Min and Max apply to today's "
        "mix scaled to this budget instead of today's spend: see Limits applied in the table.")
    assert plan["warnings"][1].startswith("Above 2 260 752 kr over 4 weeks")  # not per channel
    assert "spend_" not in " ".join(plan["warnings"])


def test_the_client_reads_what_is_less_sure_without_the_planner_s_advice() -> None:
    plan = plan_for(budget=1e7)
    notes = planner.client_notes(plan, "SEK")
    codes = [note["code"] for note in plan["notes"]]
    assert "bounds_scaled" in codes and len(notes) == len(planner.worded_notes(plan)) - 1
    for note in notes:
        assert note in " ".join(plan["warnings"])
        assert not any(word in note for word in ("Min", "Max", "Lock", "Optimise"))


def test_a_budget_too_small_for_a_channel_s_lowest_week_is_not_told_to_raise_its_min() -> None:
    plan = plan_for(budget=0.05 * today_total())
    below = [n for n in plan["notes"] if n["code"] == "below_seen"]
    assert below, plan["notes"]
    for note in below:
        name = fmt.channel_name(note["channel"])
        wording = planner.describe(note, plan, "SEK")
        assert note["seen"] * 4 > plan["total_budget"]
        assert wording.endswith(f"The budget is below what {name}'s lowest week costs over 4 "
                                "weeks; a larger budget stays within what the data has seen.")
        assert f"Raise the Min of {name}" not in wording


def test_a_channel_below_its_lowest_week_within_the_budget_is_told_to_raise_its_min() -> None:
    plan = plan_for(bounds={"spend_meta": ChannelBounds(lower=0.0, upper=2.0)})
    note = {"code": "below_seen", "channel": "spend_meta", "weekly": 10.0, "seen": 20.0}
    assert ("Raise the Min of Meta to at least 0,01\u00a0× (80 kr over 4 weeks) to stay within "
            "what the data has seen") in planner.describe(note, plan, "SEK")


def test_set_limits_hold_while_the_others_move_and_the_note_names_them() -> None:
    plan = plan_for(budget=1e7, bounds={"spend_meta": ChannelBounds(locked=True),
                                        "spend_email": ChannelBounds(locked=True)})
    assert plan["totals"]["optimized_spend"] == pytest.approx(1e7, rel=1e-7)
    assert "so the Min and Max of Google and TikTok, which you left as they were, apply to " \
           "their spend scaled to the budget the other channels leave" in plan["warnings"][0]


def test_a_channel_without_effect_is_named_with_what_to_do() -> None:
    result = copy.deepcopy(fitted_run().result)
    model = next(m for m in result["models"] if m["model_id"] == result["model_id"])
    model["channels"]["spend_tiktok"]["response"]["coef"] = 0.0
    plan = plan_for(result=result)
    lowest = plan["channels"]["spend_tiktok"]["lower"]
    assert (f"TikTok: the model finds no effect, so it is kept at its minimum "
            f"({fmt.money(lowest, 'SEK')}). Lock TikTok to keep today's spend instead."
            ) in plan["warnings"]


@pytest.mark.parametrize(("text", "shown"), [
    ("0 kr", None), ("+0,0 %", None), ("0,00", None), ("-0,00", None), ("€0", None),
    ("14 624 kr", "+14 624 kr"), ("-0,27", "-0,27"), ("+21,3 %", "+21,3 %"),
    ("-€1,250", "-€1,250"),
])
def test_a_change_shows_its_sign_and_nothing_when_zero(text, shown) -> None:
    assert content.delta(text) == shown


def test_a_plan_at_today_s_budget_shows_the_reallocation_alone() -> None:
    plan = plan_for()
    budget, revenue, _ = planner.plan_metrics(plan, "SEK")  # the horizon in the budget's label
    assert (budget.label, budget.delta, budget.delta_description) == (
        "Budget over 4 weeks", None, None)
    uplift = fmt.signed_percent(plan["totals"]["uplift"], "SEK")
    assert (revenue.label, revenue.delta, revenue.delta_color) == (
        "Revenue added by media", uplift, "normal")
    added = fmt.money(plan["totals"]["optimized_response"] - plan["totals"]["current_response"],
                      "SEK")
    assert content.effect_summary(plan, "SEK") == (
        f"same budget as today, reallocated: revenue from media {uplift}, that is +{added}")


def test_a_bigger_budget_is_told_apart_from_the_reallocation() -> None:
    plan = plan_for("EUR", budget=1.5 * today_total())
    t = plan["totals"]
    budget, _, roas = planner.plan_metrics(plan, "EUR")
    assert (budget.delta, budget.delta_color) == ("+50%", "off")
    assert budget.delta_description == f"on today's, net {content.net_change(plan, 'EUR')}"
    assert t["optimized_roas"] < t["current_roas"]
    shown = [float(text) for text in (roas.value, roas.delta_description.removeprefix("from "))]
    assert roas.delta == fmt.roas(shown[0] - shown[1], "EUR")  # the figures' difference
    assert roas.delta.startswith("-")
    from_budget = t["current_mix_response"] / t["current_response"] - 1
    from_mix = (t["optimized_response"] - t["current_mix_response"]) / t["current_response"]
    assert from_budget + from_mix == pytest.approx(t["uplift"])
    assert from_mix >= 0
    added = fmt.money(t["optimized_response"] - t["current_response"], "EUR")
    assert content.effect_summary(plan, "EUR") == (
        f"budget +50% on today's {fmt.money(t['current_spend'], 'EUR')}: "
        f"revenue from media {fmt.signed_percent(t['uplift'], 'EUR')} "
        f"({fmt.signed_percent(from_budget, 'EUR')} from spending more with today's "
        f"split, {fmt.signed_percent(from_mix, 'EUR')} from reallocating), that is +{added}")
    older = {**plan, "totals": {k: v for k, v in t.items() if k != "current_mix_response"}}
    assert content.effect_summary(older, "EUR") == (
        f"budget +50% on today's {fmt.money(t['current_spend'], 'EUR')}: "
        f"revenue from media {fmt.signed_percent(t['uplift'], 'EUR')}, that is +{added}")


@pytest.mark.parametrize("share", [1e-3, 0.5], ids=["about 1 000 kr", "half"])
def test_a_small_budget_shows_what_its_spend_adds(share: float) -> None:
    """The UX review's "1 000 kr: expected revenue 557 690 kr, ROAS 557,69": the metrics
    count only what the plan's spend adds over the carry-over-only level, so a channel's
    ROAS is its curve's mean slope over the spend, between the slopes at its ends."""
    result = fitted_run().result
    plan = plan_for(budget=share * today_total())
    t = plan["totals"]
    added = sum(ch["optimized_response"] for ch in plan["channels"].values())
    _, revenue, roas = planner.plan_metrics(plan, "SEK")
    assert roas.label == "Return on the planned spend"  # not the channels' ROAS of the period
    assert revenue.value == fmt.money(added, "SEK")
    assert roas.value == fmt.roas(added / t["optimized_spend"], "SEK")
    assert roas.delta_description == f"from {fmt.roas(t['current_roas'], 'SEK')}"
    for column, ch in plan["channels"].items():
        curve = ResponseCurve.from_dict(result["channels"][column]["response"])
        slopes = curve.marginal(np.linspace(0.0, ch["optimized_spend"] / plan["weeks"], 401))
        low, high = min(slopes[0], slopes[-1]), slopes.max()
        assert low * (1 - 1e-6) <= ch["optimized_roas"] <= high * (1 + 1e-6), column


def test_the_presentation_and_pdf_word_a_bigger_budget_like_the_planner() -> None:
    result = fitted_run().result
    plan = plan_for("SEK", result=result, budget=1.5 * today_total())
    finding = content.findings(result, result["model_id"], "SEK",
                               [{"name": "Q1 push", "plan": plan}])[-1]
    t = plan["totals"]
    extra, added = t["optimized_spend"] - t["current_spend"], (t["current_mix_response"]
                                                               - t["current_response"])
    assert 0 < added < extra  # the extra budget brings back less than it costs
    assert content.extra_budget_note(plan, "SEK") == (
        f"The extra {fmt.money(extra, 'SEK')} adds {fmt.money(added, 'SEK')} with today's "
        "split, less than it costs.")
    assert finding == (
        f"The plan \u201cQ1 push\u201d spends {fmt.money(1.5 * today_total(), 'SEK')} over "
        f"4 weeks. B{content.effect_summary(plan, 'SEK', result)[1:]}. "
        f"{content.extra_budget_note(plan, 'SEK')}")
    assert "from spending more with today's split" in finding
    assert "Reallocating" not in finding


def test_a_tripled_budget_s_uplift_says_what_it_is_a_share_of() -> None:
    """The UX audit: a plan tripling the budget read "+91,1 % expected revenue", the growth
    of what media adds, while the client's total revenue rises about a tenth. The sentence
    says the percentage is of revenue from media, the amount it adds and that amount's share
    of the total revenue over the plan's weeks (the window's mean weekly revenue x weeks)."""
    result = fitted_run().result
    plan = plan_for("SEK", result=result, budget=3 * today_total())
    t = plan["totals"]
    added = t["optimized_response"] - t["current_response"]
    whole = sum(result["actual"]) / len(result["actual"]) * 4
    share = added / whole
    assert 0 < share < t["uplift"] / 5  # the media's growth is no growth of the total
    sentences = content.effect_sentences(plan, "SEK", result)
    uplift = fmt.signed_percent(t["uplift"], "SEK")
    assert sentences.startswith(f"Budget +200 % on today's {fmt.money(t['current_spend'], 'SEK')}:"
                                f" revenue from media {uplift} (")
    assert (f"), that is +{fmt.money(added, 'SEK')}, about {fmt.signed_percent(share, 'SEK')} "
            "of total revenue.") in sentences
    assert "expected revenue" not in sentences and f"{uplift} expected" not in sentences
    summary = content.plan_summary(plan, "SEK", result)
    finding = content.findings(result, result["model_id"], "SEK",
                               [{"name": "Triple", "plan": plan}])[-1]
    assert sentences.split(". The extra")[0] in summary and sentences in finding


def assert_same_figures(shown: dict, made: dict) -> None:
    """Two plans with the same spend, responses, ROAS / CPA and totals (to rounding)."""
    assert list(shown["channels"]) == list(made["channels"])
    for column, ch in made["channels"].items():
        assert _numbers(shown["channels"][column]) == pytest.approx(_numbers(ch)), column
    assert _numbers(shown["totals"]) == pytest.approx(_numbers(made["totals"]))


def _numbers(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if isinstance(v, float)}


def test_a_plan_saved_with_the_carry_over_counted_in_is_shown_with_what_its_spend_adds(
        plan) -> None:
    """Plans saved before responses were incremental showed an inflated ROAS; shown now,
    their figures are counted again from the model for the spend they allocate."""
    result = fitted_run().result
    old = carry_over_counted_in(result, plan)
    assert old["totals"]["optimized_roas"] > 1.5 * plan["totals"]["optimized_roas"]
    shown = planner.shown_plan(result, old, "SEK")
    assert_same_figures(shown, plan)
    assert shown["warnings"] == old["warnings"] == []
    assert content.plan_rows(shown, "SEK") == content.plan_rows(plan, "SEK")


@pytest.mark.parametrize("goal", ["max_response", "target_efficiency"])
def test_a_plan_made_today_is_shown_as_it_was_made(goal) -> None:
    result = fitted_run().result
    made = plan_for(result=result, goal=goal, budget=1.2 * today_total(), target=0.2)
    shown = planner.shown_plan(result, made, "SEK")
    assert_same_figures(shown, made)
    assert shown["warnings"] == made["warnings"]


def test_a_target_plan_saved_with_the_carry_over_counted_in_says_it_misses_its_target() -> None:
    result = fitted_run().result
    made = plan_for(result=result, goal="target_efficiency", target=0.2)
    old = carry_over_counted_in(result, made)
    old["target_roas"] = old["totals"]["optimized_roas"]  # the target the old counting met
    shown = planner.shown_plan(result, old, "SEK")
    assert shown["warnings"] == [*made["warnings"], (
        "This plan was saved when its expected revenue still counted what past spend brings "
        "in whatever is spent. Counting only what its own spend adds, its return on the "
        f"planned spend is {fmt.roas(made['totals']['optimized_roas'], 'SEK')} instead of the "
        f"target {fmt.roas(old['target_roas'], 'SEK')}. Optimise it again to plan for the target.")]
    assert planner.client_notes(shown, "SEK") == [
        *planner.client_notes(made, "SEK"), shown["warnings"][-1].removesuffix(
            " Optimise it again to plan for the target.")]


@pytest.mark.parametrize("dep_var_type", ["revenue", "conversion"])
def test_the_target_starts_at_today_s_efficiency_so_the_untouched_form_plans(
        dep_var_type: str) -> None:
    """The UX audit: the target CPA box started at 1,00, so Optimise on the untouched form
    said "out of reach: the lowest within the channel limits is 395,86 kr"."""
    result = {**fitted_run().result, "dep_var_type": dep_var_type}
    target = planner.default_target(result, result["model_id"])
    plan = plan_for(result=result, goal="target_efficiency", target=target)
    today, conversion = plan["totals"]["current_roas"], dep_var_type == "conversion"
    assert target == (math.ceil(100 / today) / 100 if conversion
                      else math.floor(100 * today) / 100)  # rounded the way today's spend meets
    wanted = 1 / target if conversion else target
    assert plan["totals"]["optimized_roas"] >= wanted * (1 - 1e-6)
    assert not [w for w in plan["warnings"] if w.startswith("Every channel is at its Max")]


@pytest.mark.parametrize(("dep_var_type", "target", "measure", "side"), [
    ("revenue", 0.01, "return on the planned spend", "above"),
    ("conversion", 5000.0, "cost per added conversion", "below")])
def test_a_target_the_limits_keep_the_plan_from_says_the_limits_set_its_spend(
        dep_var_type: str, target: float, measure: str, side: str) -> None:
    """The UX audit: with target CPA 5 000 kr every channel went to its Max and nothing said
    that the limits, not the target, set the spend."""
    result = {**fitted_run().result, "dep_var_type": dep_var_type}
    plan = plan_for(result=result, goal="target_efficiency", target=target)
    assert all(ch["optimized_spend"] == pytest.approx(ch["upper"])
               for ch in plan["channels"].values())
    reached = content.plan_efficiency(plan, plan["totals"]["optimized_roas"], "SEK")
    wanted = fmt.money(target, "SEK", 2) if dep_var_type == "conversion" else fmt.roas(target)
    assert plan["warnings"][-1] == (
        "Every channel is at its Max, so the limits, not the target, set this plan's spend: "
        f"its {measure} is {reached}, {side} the target {wanted}. Raise the Max "
        "limits to spend more toward the target.")


def test_a_locked_channel_is_not_said_to_be_at_its_max_nor_to_have_it_raised() -> None:
    """The usability audit: with Max Meta 1,2 and Google locked, target 0,5 said "Every
    channel is at its Max … Raise the Max limits", though Google's Max does nothing while it
    is locked."""
    plan = plan_for(goal="target_efficiency", target=0.01, bounds={
        "spend_meta": ChannelBounds(lower=0.5, upper=1.2),
        "spend_google": ChannelBounds(locked=True)})
    reached = content.plan_efficiency(plan, plan["totals"]["optimized_roas"], "SEK")
    assert plan["warnings"][-1] == (
        "Every unlocked channel is at its Max, so the limits, not the target, set this plan's "
        f"spend: its return on the planned spend is {reached}, above the target 0,01. Raise "
        "the Max of Meta, TikTok and Email, or unlock Google, to spend more toward the target.")
    every = plan_for(goal="target_efficiency", target=0.01, bounds={
        c: ChannelBounds(locked=True) for c in fitted_run().result["spend_columns"]})
    assert not [w for w in every["warnings"] if "at its Max" in w]  # nothing to raise


def test_a_one_week_horizon_reads_1_week() -> None:
    plan = planner.make_plan(fitted_run().result, fitted_run().result["model_id"],
                             goal="max_response", weeks=1, budget=1.0, target=None, bounds={},
                             currency="SEK")
    assert planner.plan_metrics(plan, "SEK")[0].label == "Budget over 1 week"
    assert "kr over 1 week, so" in plan["warnings"][0]


REVENUE = {"dep_var_type": "revenue"}


def test_what_if_changes_are_only_shown_when_something_moved() -> None:
    now = {"spend": 1000.0, "response": 2000.0, "roas": 2.0}
    assert [m.delta for m in planner.what_if_metrics(REVENUE, now, now, "SEK")] == [None] * 3
    new = {"spend": 1500.0, "response": 2400.0, "roas": 1.6}
    spend, revenue, roas = planner.what_if_metrics(REVENUE, now, new, "SEK")
    assert roas.label == "Return on the planned spend"
    assert (spend.delta, spend.delta_color) == ("+50 %", "off")  # as the plan's Budget tile
    assert (revenue.delta, roas.delta, roas.delta_description) == ("+20,0 %", "-0,40",
                                                                   "from 2,00")


@pytest.mark.parametrize(("dep_var_type", "shown"), [
    ("revenue", [("Weekly revenue added by media", "478 kr", "+20,0 %", "normal"),
                 ("Return on the planned spend", "0,48", "-0,02", "normal", "from 0,50")]),
    ("conversion", [("Weekly conversions added by media", "478", "+20,0 %", "normal"),
                    ("Cost per added conversion", "2,09 kr", "+0,09 kr", "inverse",
                     "from 2,00 kr")]),
])
def test_a_what_if_counts_its_effect_as_the_model_does(dep_var_type: str, shown: list) -> None:
    """The UX audit: a conversion model's what-if read "Weekly revenue added by media 478 kr"
    and "Incremental ROAS 0,00": its conversions are a count, its efficiency a CPA in money
    whose rise is bad news."""
    now = {"spend": 796.0, "response": 398.0, "roas": 0.5}
    new = {"spend": 1000.0, "response": 477.6, "roas": 0.4776}
    _, effect, efficiency = planner.what_if_metrics({"dep_var_type": dep_var_type}, now, new,
                                                    "SEK")
    assert [(effect.label, effect.value, effect.delta, effect.delta_color),
            (efficiency.label, efficiency.value, efficiency.delta, efficiency.delta_color,
             efficiency.delta_description)] == shown


def channels_of(result: dict) -> dict:
    """The channels of ``result``'s chosen model, as the planner reads them."""
    return model_by_id(result, result["model_id"])["channels"]


def short_curved(result: dict, column: str) -> dict:
    """``result`` as stored when its curves were shorter: ``column``'s stops at today's
    weekly spend."""
    short = copy.deepcopy(result)
    channel = channels_of(short)[column]
    ends = [i for i, spend in enumerate(channel["curve"]["spend"])
            if spend <= channel["mean_spend"]]
    channel["curve"] = {key: values[:ends[-1] + 1] for key, values in channel["curve"].items()}
    return short


def test_a_what_if_reaches_ten_times_today_s_spend_past_a_short_stored_curve() -> None:
    """The UX audit: the slider stopped at the stored curve's end, so nobody could ask what
    tripling Meta does; it now reaches the allocator's widest default Max, 10x today's."""
    result = fitted_run().result
    column = result["spend_columns"][0]
    channel = channels_of(short_curved(result, column))[column]
    mean = channel["mean_spend"]
    options = planner.what_if_options(channel)
    assert channel["curve"]["spend"][-1] <= mean
    assert options[0] == 0 and options[-1] == round(10 * mean)
    # 500 even steps, the one that reads as today's spend (the 50th) today's own
    assert mean in options and round(mean) not in options and len(options) == 501
    assert options[1] == round(10 * mean / 500)  # a step of 2 % of today's spend
    assert any(abs(option - 3 * mean) <= mean / 50 for option in options)


def test_a_what_if_slider_has_one_step_that_reads_as_today_s_spend() -> None:
    """The usability audit's "Weekly spend 342 670 kr ↑ +0,0001 % on today's" of an untouched
    what-if: the step 1 235 kr read as today's 1 234,70 kr, and the slider, which keeps its
    value by that label, came back with the step."""
    channel = {"mean_spend": 1234.7, "curve": {"spend": [0.0, 2000.0]}}  # steps of 24,694
    options = planner.what_if_options(channel)
    labels = [fmt.money(spend, "SEK") for spend in options]
    assert len(set(labels)) == len(labels)
    assert options[labels.index("1 235 kr")] == 1234.7
    assert 1235 not in options and len(options) == 501  # every step else is there


def test_a_what_if_keeps_a_stored_curve_that_reaches_further() -> None:
    result = fitted_run().result
    column = result["spend_columns"][0]
    channel = copy.deepcopy(channels_of(result)[column])
    channel["curve"]["spend"][-1] = 25 * channel["mean_spend"]
    assert planner.what_if_options(channel)[-1] == round(25 * channel["mean_spend"])


def test_a_what_if_past_the_stored_curve_counts_as_a_plan_spending_there() -> None:
    """One curve definition: the what-if's effect at its top, past the stored curve, is what
    the allocator counts for a plan that spends the same (the other channels locked)."""
    result = fitted_run().result
    column = result["spend_columns"][0]
    short = short_curved(result, column)
    channels = channels_of(short)
    top = planner.what_if_options(channels[column])[-1]
    weekly = {c: top if c == column else ch["mean_spend"] for c, ch in channels.items()}
    what_if = expected_response(short, short["model_id"], weekly)
    bounds = {c: ChannelBounds(locked=True) for c in channels if c != column}
    bounds[column] = ChannelBounds(min_spend=4 * top, max_spend=4 * top)
    plan = planner.make_plan(short, short["model_id"], goal="max_response", weeks=4,
                             budget=4 * sum(weekly.values()), target=None, bounds=bounds,
                             currency="SEK")
    assert plan["channels"][column]["optimized_spend"] == pytest.approx(4 * top)
    assert what_if["channels"][column] == pytest.approx(
        plan["channels"][column]["optimized_response"] / 4, rel=1e-9)
    assert what_if["response"] == pytest.approx(plan["totals"]["optimized_response"] / 4,
                                                rel=1e-9)


def test_a_what_if_says_which_spends_lie_beyond_the_weeks_seen() -> None:
    result = fitted_run().result
    model_id = result["model_id"]
    meta, google, *_ = result["spend_columns"]
    channels = channels_of(result)
    within = {c: ch["max_spend"] for c, ch in channels.items()}  # the highest weeks themselves
    assert planner.beyond_data(result, model_id, within, "SEK") is None
    seen = channels[meta]["max_spend"]
    one = planner.beyond_data(result, model_id, {**within, meta: 3 * seen}, "SEK")
    assert one == fmt.unbreakable_numbers(
        f"Extrapolated beyond the data: {fmt.channel_name(meta)} at "
        f"{fmt.money(3 * seen, 'SEK')} a week (its highest week in the data: "
        f"{fmt.money(seen, 'SEK')}). Past a channel's highest week the model carries its "
        "curve on (dashed on Results), so these figures are less sure.")
    two = planner.beyond_data(result, model_id, {**within, meta: 3 * seen,
                                                 google: 2 * channels[google]["max_spend"]},
                              "SEK")
    assert f" and {fmt.channel_name(google)} at " in two


def test_the_migration_creates_the_models_table(workspace) -> None:
    with get_engine(workspace.url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "budget_scenarios" in repr(d)] == []
    with get_engine(workspace.url).connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("budget_scenarios")}
    assert {"run_id", "client_id", "name", "model_id", "settings", "plan"} <= columns


def test_a_change_is_the_difference_of_the_figures_shown() -> None:
    """The UX audit's "Incremental ROAS 0,54 ↓ -0,01 from 0,54": a change is counted from the
    figures as shown, so equal figures show none and the change is what they differ by."""
    now = {"spend": 1000.4, "response": 545.0, "roas": 0.5449}
    same = {"spend": 1000.6, "response": 545.0, "roas": 0.5351}
    spend, _, roas = planner.what_if_metrics(REVENUE, now, same, "SEK")
    assert (roas.value, roas.delta_description) == ("0,54", None)
    assert roas.delta is None  # 0,54 from 0,54: no arrow
    assert (spend.value, spend.delta) == ("1 001 kr", "+0,02 %")  # from 1 000 kr
    up = {**same, "roas": 0.5551}
    roas = planner.what_if_metrics(REVENUE, now, up, "SEK")[2]
    assert (roas.value, roas.delta, roas.delta_description) == ("0,56", "+0,02", "from 0,54")

    plan = plan_for()
    totals = {**plan["totals"], "current_roas": 0.5449, "optimized_roas": 0.5351}
    roas = planner.plan_metrics({**plan, "totals": totals}, "SEK")[2]
    assert (roas.value, roas.delta, roas.delta_description) == ("0,54", None, None)
    conversion = {**plan, "totals": {**totals, "current_roas": 1 / 12.344,
                                      "optimized_roas": 1 / 12.336},
                  "channels": {c: {**ch, "optimized_cpa": 12.34}
                               for c, ch in plan["channels"].items()}}
    cpa = planner.plan_metrics(conversion, "SEK")[2]
    assert (cpa.label, cpa.value, cpa.delta) == ("Cost per added conversion", "12,34 kr", None)


SEEN = "2 260 752 kr"  # the fitted run's highest weeks of its four channels, over 4 weeks


def highest_weeks() -> float:
    result = fitted_run().result
    return 4 * sum(result["channels"][c]["max_spend"] for c in result["spend_columns"])


def test_a_budget_above_the_highest_weeks_gets_one_warning_with_their_sum() -> None:
    """5 000 000 kr over 4 weeks: four "Lower the Max of ... / Lower the Min of ..." warnings
    that no limits could follow became one, naming the sum and each channel beyond it."""
    assert fmt.money(highest_weeks(), "SEK") == SEEN
    plan = plan_for(budget=5e6)
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
    plan = plan_for(budget=5e6)
    [fact] = planner.client_notes(plan, "SEK")
    assert fact.startswith(f"Above {SEEN} over 4 weeks") and fact in plan["warnings"][1]
    assert "No limits" not in fact


def test_below_the_highest_weeks_the_limits_are_why_and_each_channel_is_advised() -> None:
    """At 2,4x today's budget (below the sum) the moved limits take channels beyond their
    highest weeks: each keeps its advice, in the units a box takes."""
    assert 2.4 * today_total() < highest_weeks()
    plan = plan_for(budget=2.4 * today_total())
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
    plan = plan_for(budget=budget)
    tile = planner.plan_metrics(plan, "SEK")[0]
    assert (tile.delta, tile.delta_description) == (
        change, f"on today's, net {content.net_change(plan, 'SEK')}")
    assert content.effect_sentences(plan, "SEK").startswith(f"Budget {change} on today's ")
    assert plan["warnings"][0].startswith(
        f"The budget {fmt.money(budget, 'SEK')} is {change} on today's 927 994 kr over 4 weeks")
    assert content.plan_rows(plan, "SEK")[-1][3] == change
    assert content.scenario_rows([{"name": "A", "plan": plan}], "SEK")[0][3] == change


def test_a_budget_typed_as_today_s_is_today_s_and_a_plan_cutting_a_channel_to_nothing() -> None:
    """The box shows whole kronor: today's 927 994,04 kr typed back is no change; a channel
    planned at 0,30 kr reads 0 kr, so -100 %."""
    assert content.amount_change(927_994.04, 927_994.0, "SEK") == "+0 %"
    assert content.budget_change(plan_for(budget=float(round(today_total()))), "SEK") is None
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
    stretched = plan_for(budget=5e6)
    rows = {row[0]: row[3] for row in content.plan_rows(stretched, "SEK", moved=True)[:-1]}
    assert rows["Google"].endswith("% at\u00a0Min") and rows["Email"].endswith("% at\u00a0Max")
    assert ("Marked \u201cat Max\u201d or \u201cat Min\u201d: the channel spends the most or the "
            "least") in content.plan_note(stretched, moved=True)


def test_the_client_s_table_marks_no_channel_at_a_limit_moved_with_the_budget() -> None:
    """The UX audit: the Presentation and the PDF said "+978 % at Max" against a Max of 2,00
    nobody could see had moved to today's mix scaled to 5 000 000 kr; a Max typed holds as
    shown, so it is still marked there."""
    stretched = plan_for(budget=5e6)
    assert [row[3] for row in content.plan_rows(stretched, "SEK")] == [
        "+345 %", "+277 %", "+788 %", "+978 %", "+439 %"]
    assert " Marked " not in content.plan_note(stretched)
    typed = plan_for(budget=5e6, bounds={"spend_email": ChannelBounds(lower=0.5, upper=2.0)})
    assert content.moved_limits(typed) == {"spend_meta", "spend_google", "spend_tiktok"}
    email = content.plan_rows(typed, "SEK")[3]
    assert (email[0], email[3]) == ("Email", "+100 % at\u00a0Max")
    assert content.plan_note(typed).endswith("Marked \u201cat Max\u201d: the channel spends the "
                                             "most its limits allow, so a limit, not its "
                                             "returns, sets its change.")


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
    plan, result = plan_for(), fitted_run().result
    assert planner.held_below_return(plan, "SEK", result) == (
        "Email is held at its Max of 2,00\u00a0× (212 877 kr over 4 weeks), where its next krona "
        "returns 0,27 against 0,18 elsewhere: raising its Max would add revenue.")
    assert planner.held_below_return(plan, "SEK", result) not in plan["warnings"]
    assert planner.held_below_return(plan, "SEK", result, as_spend=True).startswith(
        "Email is held at its Max of 212 877 kr over 4 weeks, where its next krona ")
    raised = plan_for(bounds={"spend_email": ChannelBounds(lower=0.5, upper=2.8)})
    assert planner.held_below_return(raised, "SEK", result).startswith(  # the typed Max
        "Email is held at its Max of 2,80\u00a0× (298 028 kr over 4 weeks), where its next krona ")


def test_a_max_moved_with_the_budget_is_said_as_its_box_shows_it() -> None:
    """The UX audit: at 12 500 kr Google was "held at its Max, 0,02x (6 146 kr over 4
    weeks)" while its box held 1,45: the Max moved with the budget."""
    plan, result = plan_for(budget=12_500.0), fitted_run().result
    held = planner.held_below_return(plan, "SEK", result)
    assert held.startswith("Google is held at its Max of 1,45\u00a0×, moved with the budget to "
                           "6 146 kr over 4 weeks, where its next krona returns ")
    assert not re.search(r"\dx", held)  # the form writes "×"
    assert planner.held_below_return(plan, "SEK", result, as_spend=True).startswith(
        "Google is held at its Max of 456 248 kr, moved with the budget to 6 146 kr over 4 "
        "weeks, where ")


def test_a_revenue_plan_s_budget_tile_says_its_net_against_today() -> None:
    """The UX audit: the planner showed a green "+143 %" at 5 000 000 kr, where the client's
    page said "Net vs today" -3 662 833 kr. A fourth tile does not fit on the row at 1024 px,
    so the budget's tile says it; a conversion plan has no net in money."""
    stretched = plan_for(budget=5e6)
    budget, *_ = planner.plan_metrics(stretched, "SEK")
    assert budget.delta_description == (
        f"on today's, net {content.net_change(stretched, 'SEK')}")
    assert content.net_change(stretched, "SEK").startswith("-")
    assert len(planner.plan_metrics(stretched, "SEK")) == 3
    result = {**fitted_run().result, "dep_var_type": "conversion"}
    conversion = planner.plan_metrics(plan_for(result=result, budget=5e6), "SEK")
    assert conversion[0].delta_description == "on today's"


def test_a_conversion_plan_names_the_cost_of_the_next_conversion() -> None:
    result = {**fitted_run().result, "dep_var_type": "conversion"}
    plan = planner.make_plan(result, result["model_id"], goal="max_response", weeks=4,
                             budget=today_total(), target=None, bounds={}, currency="SEK")
    email = plan["channels"]["spend_email"]
    free = max(ch["optimized_mroas"] for ch in plan["channels"].values()
               if content.held_at(ch) is None)
    assert planner.held_below_return(plan, "SEK", result) == (
        "Email is held at its Max of 2,00\u00a0× (212 877 kr over 4 weeks), where its next "
        f"conversion costs {fmt.money(1 / email['optimized_mroas'], 'SEK', 2)} against "
        f"{fmt.money(1 / free, 'SEK', 2)} elsewhere: raising its Max would add conversions.")


def test_no_max_is_said_to_hold_back_a_channel_beyond_its_weeks_or_a_target_plan() -> None:
    """Beyond its highest week a channel is advised to lower its Max; a target plan's limits
    are said otherwise (_capped_below_target)."""
    # Email at its moved Max, above its highest week
    stretched = plan_for(budget=2.4 * today_total())
    assert content.held_at(stretched["channels"]["spend_email"]) == "Max"
    assert planner.held_below_return(stretched, "SEK", fitted_run().result) is None
    target = plan_for(goal="target_efficiency", target=0.01)
    assert planner.held_below_return(target, "SEK", fitted_run().result) is None


def lowest_weeks() -> float:
    result = fitted_run().result
    return 4 * sum(result["channels"][c]["min_spend"] for c in result["spend_columns"])


def test_a_budget_below_the_lowest_weeks_gets_one_warning_with_their_sum() -> None:
    """Audit 8: 1 000 kr over 4 weeks gave a box per channel, each "a larger budget stays
    within what the data has seen" without saying how large; one warning now names the sum
    of the lowest weeks and each channel below its lowest."""
    plan = plan_for(budget=1_000.0)
    [note] = [n for n in plan["notes"] if n["code"] == "budget_below_seen"]
    assert note == {"code": "budget_below_seen", "budget": 1_000.0,
                    "seen": pytest.approx(lowest_weeks()), "weeks": 4}
    below = [n for n in plan["notes"] if n["code"] == "below_seen"]
    assert below  # the data keeps each channel's facts
    lowest = fmt.money(lowest_weeks(), "SEK")
    [warning] = [w for w in plan["warnings"] if w.startswith("Below ")]
    assert warning.startswith(f"Below {lowest} over 4 weeks, what the channels' lowest weeks in "
                              "the data add up to, some channel must go beyond the spend seen")
    for n in below:
        assert (f"{fmt.channel_name(n['channel'])} at {fmt.money(n['weekly'], 'SEK')} a week "
                f"(its lowest week: {fmt.money(n['seen'], 'SEK')})") in warning
    assert warning.endswith(f"only a budget of at least {lowest} can stay within what the data "
                            "has seen.")
    assert not any("a larger budget stays within" in w for w in plan["warnings"])
