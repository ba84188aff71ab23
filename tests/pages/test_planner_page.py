"""Budget planner page: invariants through the UI, clear messages for bad input, saved
scenarios, and what-if sliders that follow the response curves."""

from __future__ import annotations

import re

import pytest
from fitted import finished_run

from kiri_core import formatting as fmt
from kiri_core import planner
from kiri_core.report import content
from kiri_core.results import expected_response, model_by_id
from kiri_core.services.runs import load_result


@pytest.fixture
def planner_page(session, team, open_page):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/planner.py", team.analyst, team.client)
    assert not app.exception
    return app, run, result


def optimise(app):
    next(b for b in app.button if b.label == "Optimise").click().run()
    assert not app.exception
    return app


def test_the_recommended_budget_keeps_the_total_and_the_bounds(planner_page):
    app, run, result = planner_page
    budget = app.number_input(key="plan_budget").value
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert sum(c["optimized_spend"] for c in plan["channels"].values()) == pytest.approx(budget)
    for column, ch in plan["channels"].items():
        current = model_by_id(result, result["model_id"])["channels"][column]["mean_spend"] * 4
        assert 0.5 * current * (1 - 1e-9) <= ch["optimized_spend"] <= 2 * current * (1 + 1e-9)
    current_total = sum(ch["current_spend"] for ch in plan["channels"].values())
    same_split = {c: ch["current_spend"] / 4 * budget / current_total
                  for c, ch in plan["channels"].items()}
    baseline = 4 * expected_response(result, result["model_id"], same_split)["response"]
    assert plan["totals"]["optimized_response"] >= baseline * (1 - 1e-6)
    assert app.dataframe[0].value.values.tolist() == content.plan_rows(plan, "SEK")


def test_a_locked_channel_stays_at_current_spend(planner_page):
    app, run, result = planner_page
    column = result["spend_columns"][0]
    app.checkbox(key=f"lock_{column}_4_False").check()
    plan = optimise(app).session_state[f"plan_{run.id}"]
    channel = plan["channels"][column]
    assert channel["locked"] is True
    assert channel["optimized_spend"] == pytest.approx(channel["current_spend"])


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda app, c: app.number_input(key="plan_budget").set_value(-5000.0),
         "The total budget must be a positive amount"),
        (lambda app, c: app.number_input(key=f"min_{c}_4_False").set_value(3.0),
         "is above the upper bound"),
        (lambda app, c: (app.radio(key="plan_goal").set_value("target_efficiency"),
                         app.number_input(key="plan_target").set_value(1000.0)),
         "The target ROAS 1000.00 is out of reach"),
    ],
    ids=["negative budget", "min above max", "unreachable target"],
)
def test_bad_input_gives_a_clear_message_and_no_plan(planner_page, setup, message):
    app, run, result = planner_page
    setup(app, result["spend_columns"][0])
    optimise(app)
    assert any(message in e.value for e in app.error), [e.value for e in app.error]
    assert f"plan_{run.id}" not in app.session_state


def test_a_plan_is_saved_by_name_and_an_empty_name_is_refused(planner_page, session, team):
    app, run, _ = planner_page
    optimise(app)
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert any("Give the scenario a name" in e.value for e in app.error)
    app.text_input(key="scenario_name").set_value("Board meeting")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    assert not app.exception
    saved = planner.list_scenarios(session, team.analyst, run.id)
    assert [s.name for s in saved] == ["Board meeting"]
    assert saved[0].plan == app.session_state[f"plan_{run.id}"]


def test_what_if_sliders_follow_the_response_curves(planner_page):
    app, _, result = planner_page
    model_id = result["model_id"]
    column = result["spend_columns"][1]
    channels = model_by_id(result, model_id)["channels"]
    spend = {c: channels[c]["mean_spend"] for c in result["spend_columns"]}
    slider = app.select_slider(key=f"whatif_{model_id}_{column}")
    assert slider.value == channels[column]["mean_spend"]
    assert slider.format_func(slider.value) == fmt.money(channels[column]["mean_spend"], "SEK")
    assert slider.options[0] == "0 kr"
    whole_amounts = [float(re.sub(r"\D", "", option)) for option in slider.options]
    spend[column] = min(whole_amounts, key=lambda amount: abs(amount - 2 * spend[column]))
    slider.set_value(spend[column]).run()
    assert not app.exception
    expected = expected_response(result, model_id, spend)
    value = next(m.value for m in app.metric if m.label == "Expected weekly revenue from media")
    assert value == fmt.money(expected["response"], "SEK")


def test_a_viewer_cannot_optimise_but_can_try_what_if(session, team, open_page):
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/planner.py", team.viewer, team.client)
    assert not app.exception
    assert "Optimise" not in [b.label for b in app.button]
    assert app.select_slider
