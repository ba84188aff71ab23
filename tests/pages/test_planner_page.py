"""Budget planner page: invariants through the UI, clear messages for bad input, saved
scenarios, and what-if sliders that follow the response curves."""

from __future__ import annotations

import re

import pytest
from fitted import carry_over_counted_in, finished_run
from streamlit.proto.Metric_pb2 import Metric

from kiri_core import config, planner
from kiri_core import formatting as fmt
from kiri_core.db.base import utcnow
from kiri_core.report import content
from kiri_core.results import expected_response, model_by_id
from kiri_core.services.runs import choose_model, load_result
from tests.pages.test_app_login import PASSWORD, log_in

SPEND_LIMITS = "Spend over the horizon"
BUDGET = "Budget over 4 weeks"  # the plan's first tile, which says its horizon
NOT_UPDATED = ("Not updated: below is the last plan made, which the refused Optimise left as it "
               "was. Correct what is marked above and press Optimise to update it before saving.")
UP, DOWN, NONE = Metric.MetricDirection.UP, Metric.MetricDirection.DOWN, Metric.MetricDirection.NONE


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


def budget_box(app, weeks: int = 4):
    return app.text_input(key=f"plan_budget_{weeks}")


def metric(app, label: str):
    return next(m for m in app.metric if m.label == label)


def today(result: dict, weeks: int = 4) -> float:
    return sum(planner.current_spend(result, result["model_id"], weeks).values())


def made(app, run) -> tuple[dict, dict]:
    """The run's plan on the page and its settings."""
    return app.session_state[f"plan_{run.id}"], app.session_state[f"plan_{run.id}_settings"]


def assert_nothing_changed(app, run, earlier: tuple[dict, dict]) -> None:
    """A refused Optimise: the last plan and its settings as they were, still on show but
    marked as not updated, and nothing to save."""
    assert made(app, run) == earlier
    assert [i.value for i in app.info][:1] == [NOT_UPDATED]
    saved = [m.value for e in app.expander for m in e.metric if m.label == BUDGET]
    shown = fmt.money(earlier[0]["totals"]["optimized_spend"], "SEK")
    assert [m.value for m in app.metric if m.label == BUDGET] == [shown, *saved]
    assert "Save scenario" not in [b.label for b in app.button]


def test_the_default_budget_is_today_s_spend_so_the_gain_is_the_reallocation(planner_page):
    app, run, result = planner_page
    assert budget_box(app).value == fmt.number(today(result), "SEK")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    totals = plan["totals"]
    assert totals["optimized_spend"] == pytest.approx(round(today(result)), abs=1)
    assert metric(app, BUDGET).proto.delta == ""  # no arrow for an unchanged budget
    uplift = fmt.signed_percent(totals["uplift"], "SEK")
    assert metric(app, "Revenue added by media").proto.delta == uplift
    added = fmt.money(totals["optimized_response"] - totals["current_response"], "SEK")
    said = fmt.unbreakable_numbers(  # the percentage is of what media adds, not all revenue
        f"Same budget as today, reallocated: revenue from media {uplift}, that is +{added}")
    assert any(m.value.startswith(said) for m in app.markdown), [m.value for m in app.markdown]


def test_a_bigger_budget_shows_its_own_share_of_the_gain_and_a_falling_roas(planner_page):
    app, run, result = planner_page
    budget_box(app).input(fmt.number(1.5 * today(result), "SEK"))
    plan = optimise(app).session_state[f"plan_{run.id}"]
    t = plan["totals"]
    budget = metric(app, BUDGET).proto
    assert (budget.delta, budget.direction, budget.color) == (
        "+50 %", UP, Metric.MetricColor.GRAY)
    roas = metric(app, "Return on the planned spend").proto
    assert t["optimized_roas"] < t["current_roas"]
    shown = [fmt.parse_decimal(fmt.roas(t[key], "SEK"), "SEK")
             for key in ("current_roas", "optimized_roas")]
    assert roas.delta == fmt.roas(shown[1] - shown[0], "SEK")  # the shown figures' difference
    assert (roas.direction, roas.color) == (DOWN, Metric.MetricColor.RED)
    assert roas.delta_description == f"from {fmt.roas(t['current_roas'], 'SEK')}"
    from_budget = fmt.signed_percent(t["current_mix_response"] / t["current_response"] - 1,
                                     "SEK")
    summary = fmt.unbreakable_numbers(
        f"Budget +50 % on today's {fmt.money(t['current_spend'], 'SEK')}: "
        f"revenue from media {fmt.signed_percent(t['uplift'], 'SEK')} "
        f"({from_budget} from spending more")
    assert any(m.value.startswith(summary) for m in app.markdown), [
        m.value for m in app.markdown]
    cost = content.extra_budget_note(plan, "SEK")  # the extra budget returns less than it costs
    assert cost and any(m.value.startswith(summary) and m.value.endswith(
        fmt.unbreakable_numbers(f". {cost}")) for m in app.markdown)


def test_the_recommended_budget_keeps_the_total_and_the_bounds(planner_page):
    app, run, result = planner_page
    shown = budget_box(app).value
    assert re.fullmatch(r"\d{1,3}( \d{3})+", shown), shown  # "938 664", not "938664.0"
    budget = fmt.parse_money(shown, "SEK")
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
    assert app.table[0].value.values.tolist() == [  # amounts kept whole on narrow screens
        [fmt.unbreakable_numbers(cell) for cell in row] for row in content.plan_rows(plan, "SEK")]
    assert app.table[0].value.iloc[0, 1].endswith("\u00a0kr")


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
        (lambda app, c, _: budget_box(app).input("0"),
         "Enter a total budget above 0 kr; today's spend over 4 weeks is {today}."),
        (lambda app, c, _: app.text_input(key=f"min_{c}_4_False").input("3"),
         "{channel}: the minimum 3,00 × is above the maximum 2,00 ×. Lower the Min or raise the "
         "Max."),
        (lambda app, c, _: (app.radio(key="plan_limits").set_value(SPEND_LIMITS).run(),
                            app.text_input(key=f"min_{c}_4_True").input("100m")),
         "{channel}: the minimum 100 000 000 kr is above the maximum {max} kr."),
        (lambda app, c, _: (app.radio(key="plan_goal").set_value("target_efficiency"),
                            app.text_input(key="plan_target").input("1000")),
         "A target return on the planned spend of 1 000,00 is out of reach: the best within the "
         "channel limits is "),
        (lambda app, _, columns: [*(app.text_input(key=f"max_{c}_4_False").input("2,5")
                                    for c in columns), budget_box(app).input("10m")],
         "A total budget of 10 000 000 kr cannot be planned within the channel limits you "
         "set: over 4 weeks they allow {half} to {most}. Enter a budget in that range, or "
         "widen the Min and Max limits."),  # {half}: the Min boxes as they start
    ],
    ids=["zero budget", "min above max", "min above max in money", "unreachable target",
         "budget beyond set limits"],
)
def test_bad_input_gives_a_clear_message_and_no_new_plan(planner_page, setup, message):
    app, run, result = planner_page
    earlier = made(optimise(app), run)  # kept as it was, marked as not updated, not to save
    column = result["spend_columns"][0]
    setup(app, column, result["spend_columns"])
    optimise(app)
    total = today(result)
    least = sum(low for low, _ in planner.box_defaults(result, result["model_id"], 4,
                                                        as_spend=True).values())
    expected = message.format(
        today=fmt.money(total, "SEK"), channel=fmt.channel_name(column),
        max=fmt.number(2 * planner.current_spend(result, result["model_id"], 4)[column], "SEK"),
        half=fmt.money(least, "SEK"), most=fmt.money(2.5 * total, "SEK"))
    errors = [e.value.replace("\u00a0", " ") for e in app.error]
    assert any(e.startswith(expected) for e in errors), errors
    assert "spend_" not in " ".join(errors)
    assert_nothing_changed(app, run, earlier)


@pytest.mark.parametrize(("typed", "change"), [("100", "-99,99 %"), ("10m", "+978 %")])
def test_a_budget_beyond_the_default_limits_moves_them_with_it(planner_page, typed, change):
    app, run, result = planner_page
    budget_box(app).input(typed)
    plan = optimise(app).session_state[f"plan_{run.id}"]
    budget = fmt.parse_money(typed, "SEK")
    assert plan["totals"]["optimized_spend"] == pytest.approx(budget, rel=1e-7)
    assert not app.error
    assert app.warning[0].value == fmt.unbreakable_numbers(  # "-99,99 %", not "-100 %"
        f"The budget {fmt.money(budget, 'SEK')} is {change} on today's "
        f"{fmt.money(today(result), 'SEK')} over 4 weeks, so every channel's Min and Max apply to "
        "today's mix scaled to this budget instead of today's spend: see Limits applied in "
        "the table.")
    assert "\u00a0kr" in app.warning[0].value  # an amount is never split over two lines
    assert "spend_" not in " ".join(w.value for w in app.warning)


def test_limits_and_target_are_shown_and_read_with_the_client_s_decimals(planner_page):
    app, run, result = planner_page
    column = result["spend_columns"][0]
    low, high = app.text_input(key=f"min_{column}_4_False"), app.text_input(
        key=f"max_{column}_4_False")
    target = fmt.number(planner.default_target(result, result["model_id"]), "SEK", 2)
    assert (low.value, high.value, app.text_input(key="plan_target").value) == (
        "0,50", "2,00", target)
    low.input("0.8")
    app.text_input(key=f"max_{column}_4_False").input("1,2x")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert app.text_input(key=f"min_{column}_4_False").value == "0,80"
    assert app.text_input(key=f"max_{column}_4_False").value == "1,20"
    settings = app.session_state[f"plan_{run.id}_settings"]
    assert list(settings["bounds"]) == [column]  # the untouched channels keep the defaults
    assert (settings["bounds"][column]["lower"], settings["bounds"][column]["upper"]) == (
        0.8, 1.2)
    current = plan["channels"][column]["current_spend"]
    assert plan["channels"][column]["lower"] == pytest.approx(0.8 * current)
    app.text_input(key=f"min_{column}_4_False").input("abc")
    optimise(app)
    assert app.error[0].value == (f"Min for {fmt.channel_name(column)}: \u201cabc\u201d is not "
                                  "a number; type one like 1,50.")


@pytest.mark.parametrize("typed", ["1250000", "1 250 000", "1 250 000 kr", "1,25m", "1250k"])
def test_a_typed_budget_is_read_shown_the_client_s_way_and_planned(planner_page, typed):
    app, run, _ = planner_page
    budget_box(app).input(typed)
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert budget_box(app).value == "1 250 000"
    assert plan["total_budget"] == 1_250_000
    assert sum(c["optimized_spend"] for c in plan["channels"].values()) == pytest.approx(
        1_250_000)
    assert app.session_state[f"plan_{run.id}_settings"]["total_budget"] == 1_250_000
    assert next(m.value for m in app.metric if m.label == BUDGET) == "1 250 000 kr"


def test_money_limits_are_shown_formatted_and_bound_the_plan(planner_page):
    app, run, result = planner_page
    captions = {c.value for c in app.caption}
    assert {"Min (× current)", "Max (× current)"} <= captions
    app.radio(key="plan_limits").set_value(SPEND_LIMITS).run()
    captions = {c.value for c in app.caption}  # the audit: no unit said these are kronor
    assert {"Min (SEK)", "Max (SEK)"} <= captions and "Min (× current)" not in captions
    column = result["spend_columns"][0]
    current = model_by_id(result, result["model_id"])["channels"][column]["mean_spend"] * 4
    low, high = app.text_input(key=f"min_{column}_4_True"), app.text_input(
        key=f"max_{column}_4_True")
    assert low.value == fmt.number(0.5 * current, "SEK")
    assert high.value == fmt.number(2 * current, "SEK")
    cap = round(0.8 * current, -3)
    high.input(f"{cap:.0f}")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert app.text_input(key=f"max_{column}_4_True").value == fmt.number(cap, "SEK")
    assert " " in fmt.number(cap, "SEK")  # the box now groups the thousands
    bounds = app.session_state[f"plan_{run.id}_settings"]["bounds"][column]
    assert bounds["max_spend"] == cap
    assert plan["channels"][column]["optimized_spend"] <= cap * (1 + 1e-9)


def test_a_new_horizon_starts_from_today_s_spend_over_it(planner_page):
    app, _, result = planner_page
    app.number_input(key="plan_weeks").set_value(8).run()
    assert budget_box(app, 8).value == fmt.number(today(result, 8), "SEK")


@pytest.mark.parametrize(
    ("box", "typed", "message"),
    [
        ("budget", "abc", "\u201cabc\u201d is not an amount; type digits, for example "
                          "1 250 000, 250k or 1,25m."),
        ("budget", "-5 000", "\u201c-5 000\u201d is negative; an amount must be zero or more."),
        ("budget", "", "Enter an amount, for example 1 250 000."),
        ("budget", "1,250,000", "\u201c1,250,000\u201d does not read as an amount in SEK"),
        ("max", "lots", "Max for {channel}: \u201clots\u201d is not an amount; type digits"),
    ],
)
def test_a_bad_amount_is_explained_and_leaves_no_new_plan_to_save(planner_page, session, team,
                                                                  box, typed, message):
    app, run, result = planner_page
    optimise(app)
    app.text_input(key="scenario_name").set_value("Before")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    earlier = made(app, run)
    column = result["spend_columns"][0]
    if box == "max":
        app.radio(key="plan_limits").set_value(SPEND_LIMITS).run()
    key = "plan_budget_4" if box == "budget" else f"max_{column}_4_True"
    app.text_input(key=key).input(typed)
    optimise(app)
    errors = [e.value for e in app.error]
    # kept on one line: the audit saw an example wrap as "1 250 / 000"
    expected = fmt.unbreakable_numbers(message.format(channel=fmt.channel_name(column)))
    assert errors[0].startswith(expected), errors
    assert "Nothing was optimised: correct what is marked above." in errors
    assert app.text_input(key=key).value == typed  # left for the user to correct
    # the earlier plan stays as it was, marked: it cannot be taken for a new one or saved
    assert_nothing_changed(app, run, earlier)
    [before] = planner.list_scenarios(session, team.analyst, run.id)
    assert (before.name, before.plan) == ("Before", earlier[0])


def test_every_problem_is_marked_at_once_and_the_last_plan_stays_as_it_was(planner_page):
    """The UX audit: "abc" in Max for Meta and Min 3 for Google (above its Max) showed only
    Meta's error, Google's after Meta was fixed; and the plan on show disappeared."""
    app, run, result = planner_page
    earlier = made(optimise(app), run)
    boxes = {"max_spend_meta_4_False": "abc", "min_spend_google_4_False": "3",
             "plan_budget_4": "0"}
    for key, typed in boxes.items():
        app.text_input(key=key).input(typed)
    optimise(app)
    assert [e.value for e in app.error] == [fmt.unbreakable_numbers(e) for e in (
        f"Enter a total budget above 0 kr; today's spend over 4 weeks is "
        f"{fmt.money(today(result), 'SEK')}.",
        "Max for Meta: \u201cabc\u201d is not a number; type one like 1,50.",
        "Google: the minimum 3,00\u00a0× is above the maximum 1,45\u00a0×. Lower the Min or raise "
        "the Max.",
        "Nothing was optimised: correct what is marked above.")]
    assert {key: app.text_input(key=key).value for key in boxes} == {
        **boxes, "min_spend_google_4_False": "3,00"}  # read, so shown the client's way
    assert_nothing_changed(app, run, earlier)
    app.run()  # a rerun (another run, a page revisited) neither saves nor forgets it
    assert_nothing_changed(app, run, earlier)

    for key, typed in {"max_spend_meta_4_False": "1,5", "min_spend_google_4_False": "0,8",
                       "plan_budget_4": "1m"}.items():  # one round of corrections
        app.text_input(key=key).input(typed)
    plan, settings = made(optimise(app), run)
    assert not app.error, [e.value for e in app.error]
    assert (plan["total_budget"], settings["bounds"]["spend_google"]["lower"]) == (1e6, 0.8)
    assert NOT_UPDATED not in [i.value for i in app.info]
    assert "Save scenario" in [b.label for b in app.button]
    assert metric(app, BUDGET).value == fmt.money(1e6, "SEK")


def test_a_refused_plan_stays_marked_until_a_plan_is_made(planner_page):
    """A refusal of the allocator's (a target out of reach) keeps the last plan too."""
    app, run, _ = planner_page
    earlier = made(optimise(app), run)
    app.radio(key="plan_goal").set_value("target_efficiency")
    app.text_input(key="plan_target").input("0")
    optimise(app)
    assert [e.value for e in app.error] == [
        "Enter a target return on the planned spend above 0.",
        "Nothing was optimised: correct what is marked above."]
    assert_nothing_changed(app, run, earlier)
    app.text_input(key="plan_target").input("1000")
    optimise(app)
    assert app.error[0].value.startswith("A target return on the planned spend of 1 000,00 is "
                                         "out of reach")
    assert_nothing_changed(app, run, earlier)


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
    value = next(m.value for m in app.metric if m.label == "Weekly revenue added by media")
    assert value == fmt.money(expected["response"], "SEK")


def test_a_what_if_reaches_ten_times_today_s_spend_and_says_when_it_is_beyond_the_data(
        planner_page, text_of):
    """The UX audit: a what-if slider stopped at the stored curve's end, so nobody could ask
    what tripling Meta does. It reaches ten times today's spend, counted on the plan's own
    curves, and past the highest week in the data the page says the figures are
    extrapolated."""
    app, _, result = planner_page
    model_id = result["model_id"]
    channels = model_by_id(result, model_id)["channels"]
    column = result["spend_columns"][0]
    channel = channels[column]
    slider = app.select_slider(key=f"whatif_{model_id}_{column}")
    amounts = [float(re.sub(r"\D", "", option)) for option in slider.options]
    assert amounts[-1] == round(10 * channel["mean_spend"]) > channel["curve"]["spend"][-1]
    assert "up to 10 times today's" in text_of(app)
    assert "Extrapolated beyond the data" not in text_of(app)  # today's spend is within
    slider.set_value(max(a for a in amounts if a <= channel["max_spend"])).run()
    assert "Extrapolated beyond the data" not in text_of(app)
    spend = {c: channels[c]["mean_spend"] for c in result["spend_columns"]}
    spend[column] = amounts[-1]
    slider.set_value(amounts[-1]).run()
    assert not app.exception
    note = planner.beyond_data(result, model_id, spend, "SEK")
    assert note.startswith(f"Extrapolated beyond the data: {fmt.channel_name(column)} at ")
    assert fmt.unbreakable_numbers(fmt.money(channel["max_spend"], "SEK")) in note
    assert note in text_of(app)
    expected = expected_response(result, model_id, spend)
    assert metric(app, "Weekly revenue added by media").value == fmt.money(expected["response"],
                                                                           "SEK")


def test_what_if_changes_point_the_way_they_go_and_nowhere_when_nothing_moved(planner_page):
    """The usability audit: after any rerun the untouched what-if read "Weekly spend
    342 670 kr ↑ +0,0001 % on today's": a slider keeps its value by the label it shows, and
    today's 103 486,51 kr came back as the step 103 487 kr beside it."""
    app, _, result = planner_page
    labels = ("Weekly spend", "Weekly revenue added by media", "Return on the planned spend")
    model_id = result["model_id"]
    channels = model_by_id(result, model_id)["channels"]
    for _ in range(2):  # as the page opens, and after a rerun (the browser's state sent back)
        assert [app.select_slider(key=f"whatif_{model_id}_{c}").value for c in channels] == [
            ch["mean_spend"] for ch in channels.values()]
        assert [metric(app, label).proto.direction for label in labels] == [NONE] * 3
        assert [metric(app, label).proto.delta for label in labels] == [""] * 3
        app.run()
    model_id = result["model_id"]
    column = result["spend_columns"][1]
    slider = app.select_slider(key=f"whatif_{model_id}_{column}")
    slider.set_value(max(float(re.sub(r"\D", "", o)) for o in slider.options)).run()
    spend, revenue, roas = (metric(app, label).proto for label in labels)
    assert (spend.direction, spend.color) == (UP, Metric.MetricColor.GRAY)
    assert (revenue.direction, revenue.color) == (UP, Metric.MetricColor.GREEN)
    assert roas.delta.startswith("-") and (roas.direction, roas.color) == (
        DOWN, Metric.MetricColor.RED)


def test_everyone_plans_on_the_model_an_analyst_chose(session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    choose_model(session, team.analyst, run.id, other)
    note = (f"Model {other} · alternative model chosen by the analyst · set on the Results "
            f"page by Analyst on {fmt.moment_date(utcnow(), config.time_zone(), 'SEK')}")
    viewer = open_page("pages/planner.py", team.viewer, team.client)
    assert not viewer.exception
    assert note in text_of(viewer)
    column = result["spend_columns"][0]
    assert viewer.select_slider(key=f"whatif_{other}_{column}").value == (
        model_by_id(result, other)["channels"][column]["mean_spend"])
    analyst = optimise(open_page("pages/planner.py", team.admin, team.client))
    assert analyst.session_state[f"plan_{run.id}"]["model_id"] == other


def test_a_viewer_cannot_optimise_but_can_try_what_if(session, team, open_page, text_of):
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/planner.py", team.viewer, team.client)
    assert not app.exception
    assert "Optimise" not in [b.label for b in app.button]
    assert app.select_slider
    assert "optimise a budget above" not in text_of(app)
    assert "No saved scenarios yet: an analyst saves budget plans here" in text_of(app)


def test_a_saved_scenario_opens_to_its_plan_for_viewers_and_analysts_can_delete_it(
    planner_page, session, team, open_page
):
    app, run, result = planner_page
    budget_box(app).input("2m")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    app.text_input(key="scenario_name").set_value("Q1 push")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    viewer = open_page("pages/planner.py", team.viewer, team.client)
    assert not viewer.exception
    [saved] = viewer.expander
    assert saved.label == (f"**Q1 push** · {fmt.money(plan['totals']['optimized_spend'], 'SEK')}"
                           f" over 4 weeks · model {result['model_id']}")
    assert [m.value for m in saved.metric][0] == fmt.money(plan["totals"]["optimized_spend"],
                                                           "SEK")
    assert saved.table[0].value.iloc[-1, 0] == "Total"
    assert not viewer.get("popover")  # no delete for viewers
    app = open_page("pages/planner.py", team.analyst, team.client)
    [ask] = [p for p in app.get("popover") if p.proto.popover.label == "Delete scenario"]
    assert "Delete “Q1 push” for everyone who sees this client?" in ask.markdown[0].value
    assert len(planner.list_scenarios(session, team.analyst, run.id)) == 1  # only asked
    ask.button[0].click().run()
    assert planner.list_scenarios(session, team.analyst, run.id) == []
    assert not app.expander


def test_a_scenario_saved_when_plans_counted_the_carry_over_in_shows_what_its_spend_adds(
    planner_page, session, team, open_page
):
    _, run, result = planner_page
    made = planner.make_plan(result, result["model_id"], goal="max_response", weeks=4,
                             budget=today(result), target=None, bounds={}, currency="SEK")
    planner.save_scenario(session, team.analyst, run.id, "Old plan",
                          carry_over_counted_in(result, made))
    viewer = open_page("pages/planner.py", team.viewer, team.client)
    assert not viewer.exception
    [saved] = viewer.expander
    assert [(m.label, m.value) for m in saved.metric] == [
        (m.label, m.value) for m in planner.plan_metrics(made, "SEK")]


def test_headline_numbers_wrap_instead_of_being_cut_in_columns(planner_page):
    """At 1024 px columns cut "1 150 873 kr" to "1 150 8…": the numbers sit in a row that
    wraps, and the plan is a table whose columns share the page width."""
    app, _, _ = planner_page
    optimise(app)
    in_columns = {m.label for column in app.columns for m in column.metric}
    assert {BUDGET, content.incremental_measure(False)}.isdisjoint(in_columns)
    assert not app.dataframe and app.table


def test_a_plan_shows_three_tiles_like_the_what_if_its_horizon_in_the_budget_s_label(
        planner_page):
    """The UX audit: at 1024 px the plan's fourth tile, "Horizon 4 weeks", wrapped onto a
    line of its own; the horizon is now said by the budget's label."""
    app, _, _ = planner_page
    optimise(app)
    labels = [m.label for m in app.metric]
    plan, what_if = labels[:3], labels[3:]
    measure = content.incremental_measure(False)
    assert plan == [BUDGET, "Revenue added by media", measure]
    assert what_if == ["Weekly spend", "Weekly revenue added by media", measure]
    assert "Horizon" not in labels


def test_plan_and_what_if_name_their_roas_and_say_why_it_is_below_the_period_s(planner_page,
                                                                               text_of):
    """The UX review: the what-if said "ROAS 0,43" at today's spend while Results said 0,64,
    and a plan's "ROAS" sat beside the channels' with nothing to tell them apart."""
    app, run, _ = planner_page
    what_if = content.what_if_note(False)
    assert what_if in text_of(app)
    assert "Return on the planned spend" in [m.label for m in app.metric]
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert content.plan_note(plan) in text_of(app)
    assert list(app.table[0].value.columns) == content.plan_columns(plan)
    assert "Return on the planned spend" in content.plan_columns(plan)
    assert app.text_input(key="plan_target").label.startswith("Target return on the planned spend")


def test_a_saved_plan_names_its_model_and_one_of_another_model_says_so(
        planner_page, session, team, open_page, text_of):
    app, run, result = planner_page
    optimise(app).text_input(key="scenario_name").set_value("Made on the first")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    first, other = result["model_id"], next(m["model_id"] for m in result["models"]
                                            if not m["recommended"])
    choose_model(session, team.analyst, run.id, other)
    viewer = open_page("pages/planner.py", team.viewer, team.client)
    assert not viewer.exception
    [saved] = viewer.expander
    assert saved.label.endswith(f" · model {first} (another model)")
    assert content.other_model_note(first, other) in text_of(viewer)
    choose_model(session, team.analyst, run.id, first)
    viewer = open_page("pages/planner.py", team.viewer, team.client)
    assert viewer.expander[0].label.endswith(f" · model {first}")
    assert content.other_model_note(first, other) not in text_of(viewer)


@pytest.mark.parametrize(("dep_var_type", "goal", "target", "effect", "measure"), [
    ("revenue", "Maximise the expected return",
     "Target return on the planned spend (for the target goal)",
     "Weekly revenue added by media", "Return on the planned spend"),
    ("conversion", "Maximise the expected conversions",
     "Target cost per added conversion (SEK, for the target goal)",
     "Weekly conversions added by media",
     "Cost per added conversion"),
])
def test_the_planner_speaks_of_what_the_model_counts(session, team, open_page, text_of,
                                                     dep_var_type, goal, target, effect,
                                                     measure):
    """The UX audit, on a conversion model: "Maximise the expected return", a target CPA box
    at 1,00 with no currency that Optimise found out of reach, and a what-if of "Weekly
    revenue added by media 478 kr" (conversions) and "Return on the planned spend 0,00"."""
    run = finished_run(session, team.analyst, team.client.id, dep_var_type)
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/planner.py", team.analyst, team.client)
    assert app.radio(key="plan_goal").format_func("max_response") == goal
    assert app.text_input(key="plan_target").label == target
    now = expected_response(result, result["model_id"], {
        c: ch["mean_spend"] for c, ch in model_by_id(result, result["model_id"])[
            "channels"].items()})
    assert [m.label for m in app.metric][1:] == [effect, measure]
    assert metric(app, measure).value == fmt.efficiency(now["roas"],
                                                       dep_var_type == "conversion", "SEK")
    lowered = content.in_sentence(measure)
    assert (f"the expected {effect.split()[1]} and {lowered} follow at once" in text_of(app)
            and content.what_if_note(dep_var_type == "conversion") in text_of(app))
    app.radio(key="plan_goal").set_value("target_efficiency")
    optimise(app)  # the target as the box starts: today's, within reach
    assert not app.error, [e.value for e in app.error]
    assert [m.label for m in app.metric].count(measure) == 2  # the plan's and the what-if's


def test_a_one_week_horizon_reads_1_week(planner_page, text_of):
    app, run, _ = planner_page
    app.number_input(key="plan_weeks").set_value(1).run()
    assert budget_box(app, 1).label.startswith("Total budget over 1 week (SEK")
    assert "Current (1 week)" in text_of(app)
    optimise(app)
    plan = app.session_state[f"plan_{run.id}"]
    assert metric(app, "Budget over 1 week").value == fmt.money(
        plan["totals"]["optimized_spend"], "SEK")
    assert "in the plan's 1 week," in text_of(app)


def test_a_horizon_out_of_range_says_so_and_the_plan_keeps_its_own(planner_page, text_of):
    """The usability audit: 60 or 0 in "Horizon (weeks)" turned the box red with only an (!)
    icon, the budget still "over 4 weeks", and nothing said why."""
    app, run, _ = planner_page
    optimise(app)
    for typed in (60, 0):
        app.number_input(key="plan_weeks").set_value(typed).run()
        assert not app.exception
        assert [e.value for e in app.error] == [
            "Enter 1 to 52 weeks; the plan still uses 4 weeks."]
        assert budget_box(app).label.startswith("Total budget over 4 weeks (SEK")
        assert metric(app, BUDGET)  # the plan made for 4 weeks, still on show
        assert "Settings changed" not in text_of(app)
    app.number_input(key="plan_weeks").set_value(8).run()
    assert not app.error and budget_box(app, 8).label.startswith("Total budget over 8 weeks")
    app.number_input(key="plan_weeks").set_value(53).run()
    assert [e.value for e in app.error] == ["Enter 1 to 52 weeks; the plan still uses 8 weeks."]


def browser_shows(box) -> str:
    """What a text box shows in a browser that did not get the page's earlier runs: the
    value the run sets, else the box's default."""
    return box.proto.value if box.proto.set_value else box.proto.default


def test_the_boxes_are_filled_for_a_browser_that_missed_the_first_run(planner_page):
    """The UX audit: /planner opened right after logging in came up 2 times in 8 with the
    budget, the target and every Min and Max empty, and Optimise gave 10 "Enter a number"
    errors. A rerun (the login cookie's) can cut the first run short before the browser
    has its boxes; the next run must still tell the browser what they show."""
    app, run, _ = planner_page
    app.run()
    shown = {box.key: browser_shows(box) for box in app.text_input}
    assert shown == {box.key: box.value for box in app.text_input} and "" not in shown.values()
    for box in app.text_input:
        box.input(shown[box.key])  # what that browser sends on Optimise
    optimise(app)
    assert not app.error, [e.value for e in app.error]
    assert app.session_state[f"plan_{run.id}"]


def form_values(app, columns: list[str]) -> dict:
    """What the planner form shows: horizon, limits, goal, budget, target, a channel's row."""
    weeks = app.number_input(key="plan_weeks").value
    key = f"{columns[0]}_{weeks}_{app.radio(key='plan_limits').value == SPEND_LIMITS}"
    return {"weeks": weeks, "limits": app.radio(key="plan_limits").value,
            "goal": app.radio(key="plan_goal").value, "budget": budget_box(app, weeks).value,
            "target": app.text_input(key="plan_target").value,
            "min": app.text_input(key=f"min_{key}").value,
            "max": app.text_input(key=f"max_{key}").value,
            "lock": app.checkbox(key=f"lock_{columns[1]}_{weeks}_False").value}


def test_the_form_comes_back_as_the_user_left_it_under_the_plan_it_made(session, team,
                                                                        open_page):
    """The UX review: a target plan (ROAS 0,50, budget 829 675 kr), then Results and back:
    the form was at "Maximise", today's budget and target 1,00 under the target plan."""
    run = finished_run(session, team.analyst, team.client.id)
    columns = load_result(session, team.analyst, run.id)["spend_columns"]
    app = open_page("app.py")
    log_in(app, "analyst@agency.se", PASSWORD)
    app.switch_page("pages/planner.py").run()
    app.number_input(key="plan_weeks").set_value(6).run()
    app.radio(key="plan_goal").set_value("target_efficiency")
    budget_box(app, 6).input("829 675")
    app.text_input(key="plan_target").input("0,2")
    app.text_input(key=f"min_{columns[0]}_6_False").input("0,7")
    app.checkbox(key=f"lock_{columns[1]}_6_False").check()
    optimise(app)
    assert not app.error, [e.value for e in app.error]
    plan = app.session_state[f"plan_{run.id}"]
    left = form_values(app, columns)
    assert left == {"weeks": 6, "limits": "Multiples of current spend",
                    "goal": "target_efficiency", "budget": "829 675", "target": "0,20",
                    "min": "0,70", "max": "2,00", "lock": True}
    app.switch_page("pages/results.py").run()
    assert "plan_goal" not in app.session_state  # Streamlit forgot the widgets
    app.switch_page("pages/planner.py").run()
    assert not app.exception
    assert form_values(app, columns) == left
    assert app.session_state[f"plan_{run.id}"] == plan
    assert metric(app, "Budget over 6 weeks").value == fmt.money(
        plan["totals"]["optimized_spend"], "SEK")

    second = finished_run(session, team.analyst, team.client.id)  # another run: its own form
    app.run().selectbox(key="run").set_value(second.id).run()
    assert (app.radio(key="plan_goal").value, app.number_input(key="plan_weeks").value) == (
        "max_response", 4)
    app.selectbox(key="run").set_value(run.id).run()
    assert form_values(app, columns) == left


def test_a_plan_is_hidden_while_the_horizon_or_limits_on_the_form_differ_from_its_own(
        planner_page, text_of):
    app, run, _ = planner_page
    optimise(app)
    assert metric(app, BUDGET)
    note = "Settings changed: press Optimise to update the plan."
    for change, back in (
            (lambda: app.number_input(key="plan_weeks").set_value(8).run(),
             lambda: app.number_input(key="plan_weeks").set_value(4).run()),
            (lambda: app.radio(key="plan_limits").set_value(SPEND_LIMITS).run(),
             lambda: app.radio(key="plan_limits").set_value("Multiples of current spend")
             .run())):
        change()
        assert not app.exception
        assert note in text_of(app)
        assert not [m for m in app.metric if m.label.startswith("Budget over")]
        assert "Save scenario" not in [b.label for b in app.button]
        back()  # the plan's own settings again: it is back, nothing lost
        assert metric(app, BUDGET) and note not in text_of(app)
    app.number_input(key="plan_weeks").set_value(8).run()
    app.radio(key="plan_limits").set_value(SPEND_LIMITS).run()
    optimise(app)
    assert metric(app, "Budget over 8 weeks") and note not in text_of(app)
    assert app.session_state[f"plan_{run.id}_settings"]["limits"] == "spend"


def test_the_default_limits_keep_each_channel_within_the_weeks_seen(planner_page, text_of):
    """The UX audit: the default 0,50x Min took an always-on channel below its lowest week,
    and the page told the user to raise the Min the planner had set itself."""
    app, run, result = planner_page
    boxes = {c: (app.text_input(key=f"min_{c}_4_False").value,
                 app.text_input(key=f"max_{c}_4_False").value) for c in result["spend_columns"]}
    assert boxes == {"spend_meta": ("0,50", "2,00"), "spend_google": ("0,70", "1,45"),
                     "spend_tiktok": ("0,50", "2,00"), "spend_email": ("0,50", "2,00")}
    assert ("Defaults keep each channel within the weekly spend seen in the data; widen them "
            "to explore beyond it, with less certain forecasts.") in text_of(app)
    budget_box(app).input(fmt.number(1.8 * today(result), "SEK"))  # 0,5x-2x: Google above
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert not app.warning and plan["notes"] == []
    google = plan["channels"]["spend_google"]
    assert google["optimized_spend"] / 4 <= result["channels"]["spend_google"]["max_spend"]
    assert planner.LIMITS_APPLIED not in app.table[0].value.columns  # the boxes say them
    app.radio(key="plan_limits").set_value(SPEND_LIMITS).run()
    current = planner.current_spend(result, result["model_id"], 4)["spend_google"]
    assert (app.text_input(key="min_spend_google_4_True").value,
            app.text_input(key="max_spend_google_4_True").value) == (
        fmt.number(0.7 * current, "SEK"), fmt.number(1.45 * current, "SEK"))


def test_a_typed_limit_beyond_the_weeks_seen_keeps_its_warning(planner_page):
    app, run, result = planner_page
    budget_box(app).input(fmt.number(1.8 * today(result), "SEK"))
    app.text_input(key="max_spend_google_4_False").input("2")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert [n["code"] for n in plan["notes"]] == ["above_seen"]
    assert [w.value for w in app.warning] == [fmt.unbreakable_numbers(w)
                                              for w in plan["warnings"]]
    assert app.warning[0].value.endswith(fmt.unbreakable_numbers(
        "Lower the Max of Google to at most 1,48\u00a0× (466 748 kr over 4 weeks) to stay within "
        "what the data has seen; in this plan it is 2,00\u00a0× (629 308 kr over 4 weeks)."))


def test_limits_moved_with_a_large_budget_are_shown_in_money_to_the_analyst_only(
        planner_page, session, team, open_page):
    """The UX audit: at 3x today's budget a "2x" Max allowed 6x today's spend, and only a
    note said that the limits had moved. The client's Presentation shows no limits."""
    app, run, result = planner_page
    budget_box(app).input(fmt.number(3 * today(result), "SEK"))
    plan = optimise(app).session_state[f"plan_{run.id}"]
    table = app.table[0].value
    assert list(table.columns) == ["Channel", "Current spend", "Planned",
                                   planner.LIMITS_APPLIED, *content.plan_columns(plan)[3:]]
    email = plan["channels"]["spend_email"]
    assert email["upper"] == pytest.approx(6 * email["current_spend"])  # its "2,00x" Max
    assert table[planner.LIMITS_APPLIED].tolist() == [
        fmt.unbreakable_numbers(cell) for cell in [*planner.applied_limits(plan, "SEK"), ""]]
    assert table[planner.LIMITS_APPLIED].iloc[3] == fmt.unbreakable_numbers(
        f"{fmt.money(email['lower'], 'SEK')} \u2013 {fmt.money(email['upper'], 'SEK')}")
    assert app.warning[0].value.endswith("see Limits applied in the table.")
    app.text_input(key="scenario_name").set_value("Stretch")
    next(b for b in app.button if b.label == "Save scenario").click().run()
    viewer = open_page("pages/planner.py", team.viewer, team.client)
    [saved] = viewer.expander
    assert planner.LIMITS_APPLIED in saved.table[0].value.columns
    shown = open_page("pages/presentation.py", team.viewer, team.client)
    assert not shown.exception
    assert list(shown.table[0].value.columns) == content.plan_columns(plan)
    assert not [c.value for c in shown.caption if "Limits applied" in c.value]
    assert "at\u00a0Max" in changes(app)["Email"]  # the planner's table shows the moved Max
    assert not [c for c in changes(shown).values() if " at\u00a0" in c]  # the client's not
    assert not [c.value for c in shown.caption if "Marked \u201cat" in c.value]


def changes(app) -> dict[str, str]:
    """The plan table's Change column by channel, as shown."""
    table = app.table[0].value
    return dict(zip(table["Channel"], table["Change"], strict=True))


def test_a_budget_above_the_highest_weeks_gets_one_warning(planner_page):
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
    assert metric(app, BUDGET).proto.delta_description == (  # the loss the client's page shows
        f"on today's, net {content.net_change(plan, 'SEK')}")


def test_a_channel_its_max_holds_back_is_marked_and_said(planner_page):
    app, run, result = planner_page
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert changes(app)["Email"] == fmt.unbreakable_numbers("+100 % at\u00a0Max")
    held = planner.held_below_return(plan, "SEK", result)
    assert held.startswith("Email is held at its Max of 2,00\u00a0× (")
    assert [i.value for i in app.info] == [fmt.unbreakable_numbers(held)]
    assert not app.warning


def test_a_tiny_budget_reads_almost_all_less_not_all(planner_page):
    app, _, _ = planner_page
    budget_box(app).input("1 000")
    optimise(app)
    assert metric(app, BUDGET).delta == "-99,9 %"
    assert app.warning[0].value.startswith(fmt.unbreakable_numbers(
        "The budget 1 000 kr is -99,9 % on today's"))


def test_a_budget_in_tkr_is_read(planner_page):
    app, run, _ = planner_page
    budget_box(app).input("12,5 tkr")
    plan = optimise(app).session_state[f"plan_{run.id}"]
    assert not app.error, [e.value for e in app.error]
    assert plan["total_budget"] == 12_500.0
