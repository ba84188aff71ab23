"""Presentation mode: headline numbers, findings and the saved scenarios of the model chosen on
the Results page (compared, then one at a time, their figures counted from the model); no
engine jargon; a clean view without sidebar or controls but the pick of a plan."""

from __future__ import annotations

import copy
import re

from chart_data import chart_frames
from fitted import carry_over_counted_in, finished_run, fitted_run, orders_dataset

from kiri_core import config, planner
from kiri_core import formatting as fmt
from kiri_core.db.base import utcnow
from kiri_core.db.models import ModelRun
from kiri_core.jobs import execute_run
from kiri_core.report import content
from kiri_core.services.runs import choose_model, default_config, load_result

JARGON = ("NRMSE", "DECOMP", "RSSD", "Pareto", "adstock", "Hill", "lambda", "model_id")
INPUTS = ("text_input", "number_input", "slider", "select_slider", "selectbox", "checkbox",
          "radio", "segmented_control")


def inputs(block) -> list:
    return [widget for kind in INPUTS for widget in getattr(block, kind)]


def whole(rows: list[list[str]]) -> list[list[str]]:
    """Table cells as the page writes them: amounts kept whole on their line."""
    return [[fmt.unbreakable_numbers(cell) for cell in row] for row in rows]


def test_a_viewer_sees_the_story_without_jargon_and_a_clean_view(session, team, open_page,
                                                                  text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    plan = {**fitted_run().plan, "model_id": result["model_id"]}
    planner.save_scenario(session, team.analyst, run.id, "Q3 plan", plan)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    text = text_of(app)
    assert app.title[0].value == "Acme AB"
    window = result["window"]
    period = fmt.weeks_period(window["start"], window["end"], "SEK")
    assert (f"Marketing mix results · {period} · the recommended model"
            in [c.value for c in app.caption])
    weak = content.client_fit_note(result, result["model_id"], "SEK")  # the quick fit's R² 0.31
    steady = content.client_steady_spend_note(result, result["model_id"], "SEK")  # Google's 9 %
    # the analyst's to-dos are not the viewer's: no "Before you present" above the story,
    # which tells the viewer what it tells the client; nor "the model is chosen on the
    # Results page" (nobody has chosen it)
    assert [w.value for w in app.warning] == [weak, steady]
    assert f"Model {result['model_id']} · recommended" in [c.value for c in app.caption]
    assert not any(words in text_of(app) for words in (
        "Before you present", "The client is told", "a full search", "chosen on the Results"))
    quick = content.client_quick_search_note(result)  # the client's words, in both views
    assert quick and [i.value for i in app.info] == [quick]
    heads = content.headlines(result, result["model_id"], "SEK")
    assert [(m.label, m.value) for m in app.metric] == [(h.label, h.value) for h in heads]
    captions = [c.value for c in app.caption]
    assert heads[-1].note == "revenue driven by media per krona spent" and all(
        h.note in captions for h in heads)  # each tile's caption about its own number
    shown = planner.shown_plan(result, plan, "SEK")  # counted from the run's own model
    for finding in content.findings(result, result["model_id"], "SEK",
                                    [{"name": "Q3 plan", "plan": shown}]):
        assert fmt.unbreakable_numbers(finding) in text
    assert "Budget plan: Q3 plan" in text
    assert app.table[0].value.values.tolist() == whole(content.plan_rows(shown, "SEK"))
    assert list(app.table[0].value.columns)[-2] == "Return on the planned spend"
    assert fmt.unbreakable_numbers(content.plan_note(shown)) in text  # why not the period's
    assert "Budget plans" not in text  # one plan: nothing to compare or pick
    assert not any(word.lower() in text.lower() for word in JARGON)
    assert [w.label for w in inputs(app.main)] == ["Run"]  # the bar above the story
    assert [b.label for b in app.main.button] == ["Present", "Prepare PDF report"]
    assert fmt.money(sum(result["actual"]), "SEK") in [m.value for m in app.metric]

    app.main.button[0].click().run()  # "Present"
    assert not app.exception
    assert "stSidebar" in app.get("html")[0].proto.body  # the sidebar is hidden
    assert not inputs(app.main)
    assert [b.label for b in app.main.button] == ["Stop presenting"]
    assert [w.value for w in app.warning] == [weak, steady]  # not the presenter's warning
    assert [i.value for i in app.info] == [quick]
    assert not any(word in text_of(app) for word in ("search", "Before you present",
                                                     "lift test", "more weeks of data"))
    assert [(m.label, m.value) for m in app.metric] == [(h.label, h.value) for h in heads]
    assert not mentions(text_of(app), result["model_id"])  # the client's view names no id
    app.main.button[0].click().run()
    assert [b.label for b in app.main.button] == ["Present", "Prepare PDF report"]

    # the run bar's box and "the model is chosen on the Results page" are the analyst's, who
    # can start a full search and choose the model: 200 x 1 settings, and the fit and the
    # spend with the analyst's advice
    app = open_page("pages/presentation.py", team.analyst, team.client)
    before = content.before_presenting(result, result["model_id"], "SEK")
    assert len(before) == 3 and "lift test" in before[1] and "lift test" in before[2]
    assert [w.value for w in app.warning] == [content.presenter_warning(before), weak, steady]
    assert (f"Model {result['model_id']} · recommended · the model is chosen on the Results "
            "page" in [c.value for c in app.caption])


def test_the_story_is_of_the_model_an_analyst_chose(session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    for name, model_id in (("Recommended plan", result["model_id"]), ("Other plan", other)):
        planner.save_scenario(session, team.analyst, run.id, name,
                              {**fitted_run().plan, "model_id": model_id})
    choose_model(session, team.analyst, run.id, other)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    heads = content.headlines(result, other, "SEK")
    assert [(m.label, m.value) for m in app.metric] == [(h.label, h.value) for h in heads]
    text = text_of(app)
    # the bar names the model without the analyst's "alternative", which reads as second best
    assert (f"Model {other} · selected by Analyst on "
            f"{fmt.moment_date(utcnow(), config.time_zone(), 'SEK')}") in text
    assert "alternative" not in text
    assert mentions(text, other) == 1  # in the run bar, above the story
    window = result["window"]
    period = fmt.weeks_period(window["start"], window["end"], "SEK")
    story = f"Marketing mix results · {period} · the model your analyst selected"
    assert story in [c.value for c in app.caption]
    app.main.button[0].click().run()  # "Present": the story says which model in words only
    assert not app.exception
    assert story in [c.value for c in app.caption]
    assert not mentions(text_of(app), other)
    assert "Budget plan: Other plan" in text
    assert "Recommended plan" not in text
    for finding in content.findings(result, other, "SEK")[:4]:
        assert fmt.unbreakable_numbers(finding) in text


def test_saved_plans_are_compared_then_shown_one_at_a_time(session, team, open_page, text_of):
    """Two saved plans, "Q1 flat budget" (saved when plan responses counted the carry-over
    of past spend in) and "Q1 +20%": a table compares them, a row of buttons picks the one
    shown (in the clean view too), and each shows what its spend adds."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    model_id = result["model_id"]
    today = sum(planner.current_spend(result, model_id, 4).values())
    flat, more = (planner.make_plan(result, model_id, goal="max_response", weeks=4,
                                    budget=budget, target=None, bounds={}, currency="SEK")
                  for budget in (today, 1.2 * today))
    old = carry_over_counted_in(result, flat)
    planner.save_scenario(session, team.analyst, run.id, "Q1 flat budget", old)
    planner.save_scenario(session, team.analyst, run.id, "Q1 +20%", more)
    scenarios = [{"name": "Q1 flat budget", "plan": flat}, {"name": "Q1 +20%", "plan": more}]
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    text = text_of(app)
    assert "Budget plans" in [h.value for h in app.subheader]
    assert app.table[0].value.values.tolist() == whole(content.scenario_rows(scenarios, "SEK"))
    assert plans_charted(app) == ["Today", "Q1 flat budget", "Q1 +20%"]
    [pick] = app.main.segmented_control
    assert (pick.label, pick.options, pick.value) == (
        "Show the plan", ["Q1 flat budget", "Q1 +20%"], "Q1 flat budget")
    assert_shows(app, text_of(app), "Q1 flat budget", flat, result)
    assert fmt.money(old["totals"]["optimized_response"], "SEK") not in text  # not inflated
    assert fmt.unbreakable_numbers(content.findings(result, model_id, "SEK", scenarios)[-1]) in text

    pick.set_value("Q1 +20%").run()
    assert not app.exception
    assert_shows(app, text_of(app), "Q1 +20%", more, result)

    app.main.button[0].click().run()  # "Present": the pick stays, and is the only control
    assert not app.exception
    assert [w.label for w in inputs(app.main)] == ["Show the plan"]
    assert_shows(app, text_of(app), "Q1 +20%", more, result)


def test_a_channel_planned_at_nothing_shows_no_return_in_any_plan(session, team, open_page):
    """The audit: TikTok at 0 kr read "–" in one plan and "0,00" in the other (a fraction of
    a krona). Both plans show "–" for both its returns, in the clean view too."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    for name, spend in (("Nothing", 0.0), ("Almost nothing", 0.3)):
        plan = copy.deepcopy({**fitted_run().plan, "model_id": result["model_id"]})
        plan["channels"]["spend_tiktok"]["optimized_spend"] = spend
        planner.save_scenario(session, team.analyst, run.id, name, plan)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    for name in ("Nothing", "Almost nothing"):
        app.main.segmented_control[0].set_value(name).run()
        assert not app.exception
        tiktok = next(row for row in app.table[1].value.values.tolist() if row[0] == "TikTok")
        assert tiktok[2] == "0\u00a0kr" and tiktok[5:] == ["–", "–"]
    app.main.button[0].click().run()  # "Present"
    tiktok = next(row for row in app.table[1].value.values.tolist() if row[0] == "TikTok")
    assert tiktok[5:] == ["–", "–"]


def mentions(text: str, model_id: str) -> int:
    """How often a page's text names the model's internal id (not as part of a longer id)."""
    return len(re.findall(rf"\b{model_id}\b", text))


def plans_charted(app) -> list[str]:
    """The bars of the page's plans-per-week chart, in order (empty without one)."""
    for rows in chart_frames(app):
        if {"bar", "plan", "label"} <= set(rows.columns):
            return rows.sort_values("bar")["plan"].tolist()
    return []


def assert_shows(app, text: str, name: str, plan: dict, result: dict) -> None:
    """The page shows plan ``name``: its heading, summary (with its share of the client's
    total revenue) and table."""
    assert f"Budget plan: {name}" in text
    summary = content.plan_summary(plan, "SEK", result)
    assert "of total revenue" in summary
    assert fmt.unbreakable_numbers(summary) in text
    assert app.table[1].value.values.tolist() == whole(content.plan_rows(plan, "SEK"))


def test_a_model_without_plans_says_where_the_runs_plans_are(session, team, open_page,
                                                             text_of):
    """Choosing another model hid both plans without a word: the page now says they were made
    on the other model, and links to the planner (not in the clean view of a meeting)."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    first = result["model_id"]
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    for name in ("Q1", "Q2"):
        planner.save_scenario(session, team.analyst, run.id, name,
                              {**fitted_run().plan, "model_id": first})
    choose_model(session, team.analyst, run.id, other)
    for user, analyst in ((team.analyst, True), (team.viewer, False)):
        app = open_page("pages/presentation.py", user, team.client)
        assert not app.exception
        assert content.plans_elsewhere_note({first: 2}, analyst) in [i.value for i in app.info]
        assert [link.label for link in app.get("page_link")] == ["Open the Budget planner"]
        assert "Budget plan:" not in text_of(app)
    quick = [content.client_quick_search_note(result)]  # the quick search's note stays, alone
    app.main.button[0].click().run()  # "Present"
    assert [i.value for i in app.info] == quick and not app.get("page_link")
    choose_model(session, team.analyst, run.id, first)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert [i.value for i in app.info] == quick and "Budget plan: Q1" in text_of(app)


def test_a_plan_s_notes_tell_the_client_what_is_less_sure_without_planner_advice(
        session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    today = sum(planner.current_spend(result, result["model_id"], 4).values())
    plan = planner.make_plan(result, result["model_id"], goal="max_response", weeks=4,
                             budget=20 * today, target=None, bounds={}, currency="SEK")
    assert {"bounds_scaled", "above_seen"} <= {note["code"] for note in plan["notes"]}
    planner.save_scenario(session, team.analyst, run.id, "Stretch", plan)
    app = open_page("pages/presentation.py", team.viewer, team.client)
    assert not app.exception
    notes = [c.value for c in app.caption if c.value.startswith("Note: ")]
    expected = planner.client_notes(planner.shown_plan(result, plan, "SEK"), "SEK")
    assert notes == [fmt.unbreakable_numbers(f"Note: {note}") for note in expected]
    assert len(notes) == len(planner.worded_notes(plan)) - 1  # the budget's note: the planner's
    assert not any(advice in text_of(app) for advice in ("the Max of", "the Min of", "Lock "))


def test_an_outcome_of_the_other_kind_is_the_presenter_s_to_fix_and_the_client_s_question(
        session, team, open_page, text_of):
    """The audit: the clean view told the client "If it counts conversions, model it as
    Conversions (CPA)". Orders modelled as revenue: the run bar tells the analyst so, the
    story (the same in the clean view) asks what the column holds."""
    dataset = orders_dataset(session, team.analyst, team.client.id)
    run = ModelRun(client_id=team.client.id, dataset_id=dataset.id, created_by_id=team.analyst.id,
                   config={**default_config(dataset), "iterations": 200, "trials": 1,
                           "seed": 2, "dep_var_type": "revenue"})
    session.add(run)
    session.commit()
    assert execute_run(run.id) == "succeeded"
    result = load_result(session, team.analyst, run.id)
    model_id = result["model_id"]
    mismatch = content.outcome_mismatch(result, model_id, "SEK")
    client_view = content.client_cautions(result, model_id, "SEK")
    assert mismatch and "model it as Conversions (CPA)" in mismatch
    assert client_view[-1] == content.client_outcome_note(result, model_id, "SEK")
    app = open_page("pages/presentation.py", team.analyst, team.client)
    assert not app.exception
    warnings, before = [w.value for w in app.warning], content.before_presenting(result, model_id,
                                                                              "SEK")
    assert warnings == [content.presenter_warning(before), *client_view]
    assert warnings[0].endswith(f"- {mismatch} The client is told only that the returns "
                                "shown may be wrong.")  # the last one
    app.main.button[0].click().run()  # "Present"
    assert not app.exception
    assert [w.value for w in app.warning] == client_view
    assert not any(words in text_of(app) for words in (
        "model it as", f"\u201c{result['config']['revenue_column']}\u201d",
        "analyst is checking"))  # no fix, raw column or to-do of the analyst's
