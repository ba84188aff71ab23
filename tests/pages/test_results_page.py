"""Results page: the recommended model first; picking another previews it in every view,
and only a button makes it the client's model (for everyone and the PDF report)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import sqlalchemy as sa
from chart_data import chart_frames
from fitted import finished_run, fitted_run

from kiri_core import charts, config, planner
from kiri_core import formatting as fmt
from kiri_core.db.base import utcnow
from kiri_core.db.models import AuditLog, ModelRun
from kiri_core.report import artifact, content
from kiri_core.results import model_by_id, model_label, recommendation_reason
from kiri_core.services import audit, runs
from kiri_core.services.runs import load_result
from ui import workspace
from ui.pdf import report_file_name


def metric(app, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)


def channel_table(app, result: dict) -> list[list[str]]:
    """The channel tables (spend and effect, return) joined back into rows per channel."""
    spend, returns = (frame.value for frame in app.dataframe[:2])
    return spend.join(returns.set_index("Channel"), on="Channel")[
        list(content.channel_columns(result))].values.tolist()


def test_the_recommended_model_is_preselected_and_a_switch_updates_the_views(
        session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/results.py", team.analyst, team.client)
    assert not app.exception
    box = app.selectbox(key=f"model_box_{run.id}")
    assert box.value == result["model_id"]
    assert len(box.options) == len(result["models"])
    winners = [m["model_id"] for m in result["models"]
               if m["is_cluster_winner"] and not m["recommended"]]
    assert box.options[:len(winners) + 1] == [  # the recommended model, then the winners
        model_label(result, m, "SEK") for m in [result["model_id"], *sorted(
            winners, key=lambda w: model_by_id(result, w)["metrics"]["nrmse"])]]
    assert f"Recommended: {recommendation_reason(result, 'SEK')}" in text_of(app)
    recommended = model_by_id(result, result["model_id"])
    assert metric(app, "R²") == fmt.number(recommended["metrics"]["rsq"], "SEK", 3)
    assert channel_table(app, result) == content.channel_rows(result, result["model_id"], "SEK")
    assert [t.label for t in app.tabs][-1] == "Estimated vs true"
    assert [i.value for i in app.info] == [content.quick_search_note(result)]  # 200 x 1

    other = next(m for m in result["models"] if not m["recommended"])
    box.select(other["model_id"]).run()
    assert not app.exception
    assert metric(app, "R²") == fmt.number(other["metrics"]["rsq"], "SEK", 3)
    assert channel_table(app, result) == content.channel_rows(result, other["model_id"], "SEK")
    assert "Recommended:" not in text_of(app)


def test_every_chart_has_the_pdf_s_title_and_caption(session, team, open_page):
    """The audit: the app's charts had neither, while the PDF's had both."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/results.py", team.analyst, team.client)
    assert not app.exception
    titles, captions = {m.value for m in app.markdown}, {c.value for c in app.caption}
    for name in ("waterfall", "decomposition_over_time", "actual_vs_predicted",
                 "fitted_vs_residual", "spend_vs_effect", "roas_intervals",
                 "immediate_vs_carryover", "adstock_decay"):
        title, caption = content.chart_text(result, name)
        assert f"**{title}**" in titles and caption in captions, name


def test_estimated_vs_true_says_which_intervals_hold_the_truth(session, team, open_page,
                                                               text_of):
    """The audit: two of four channels' truth lay outside their intervals and nothing said
    so. The tab shows each interval, whether it holds the true ROAS, and the count."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    truth = run.dataset.ground_truth["channels"]
    app = open_page("pages/results.py", team.analyst, team.client)
    assert not app.exception
    table = app.dataframe[-1].value.set_index("Channel")
    held = 0
    for column, channel in model_by_id(result, result["model_id"])["channels"].items():
        low, high = channel["roas_ci"]
        inside = low <= truth[column]["roas"] <= high
        held += inside
        row = table.loc[fmt.channel_name(column)]
        assert row["90 % interval"] == f"{fmt.roas(low, 'SEK')} – {fmt.roas(high, 'SEK')}"
        assert row["Truth inside"] == ("yes" if inside else "no")
    assert (f"The 90 % interval holds the true ROAS for {held} of {len(truth)} channels."
            in text_of(app))


def test_a_conversion_model_s_channel_tables_show_cost_per_conversion(session, team, open_page):
    """They showed its conversions per krona as "ROAS 0,00"."""
    run = finished_run(session, team.analyst, team.client.id, "conversion")
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/results.py", team.analyst, team.client)
    assert not app.exception and result["dep_var_type"] == "conversion"
    assert {"**Spend and effect**", "**Cost per conversion**"} <= {m.value for m in app.markdown}
    assert list(app.dataframe[1].value.columns) == ["Channel", "CPA", "90 % interval",
                                                     "Marginal CPA"]
    rows = channel_table(app, result)
    assert rows == content.channel_rows(result, result["model_id"], "SEK")
    assert all(row[5].endswith(" kr") for row in rows if row[4] != "0,0 %")
    # the generated data's truth is in revenue: nothing to check a conversion model against
    assert "Estimated vs true" not in [t.label for t in app.tabs]


def test_the_pdf_report_is_of_the_client_s_model_also_while_previewing(session, team,
                                                                       open_page, text_of):
    """While the page previews another model, the PDF button is the client's model's and
    the note names both; once made the client's, the PDF is of the new model."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    recommended, other = result["model_id"], alternative(result)
    app = open_page("pages/results.py", team.analyst, team.client)
    app.selectbox(key=f"model_box_{run.id}").select(other).run()
    assert (f"Model {recommended} · recommended: the PDF reports the client's model and the "
            f"budget scenarios saved for it, not model {other} you are looking at. Make "
            f"{other} the client's model to report it.") in text_of(app)
    assert f"prepare_pdf_{run.id}_{other}" not in [b.key for b in app.button]
    app.button(key=f"prepare_pdf_{run.id}_{recommended}").click().run()
    assert artifact.report_pdf(session, team.analyst, run.id, recommended) is not None
    assert artifact.report_pdf(session, team.analyst, run.id, other) is None

    app.button(key=f"make_client_model_{run.id}").click().run()
    assert f"Model {other} · alternative model chosen by the analyst" in text_of(app)
    app.button(key=f"prepare_pdf_{run.id}_{other}").click().run()  # built at once: no Redis
    assert not app.exception
    assert [b.label for b in app.get("download_button")][0] == "Download PDF report"
    assert artifact.report_pdf(session, team.analyst, run.id, other) is not None
    # the client's file names the client and the run, not the model's internal id
    assert report_file_name(team.client, run) == (
        f"Acme AB \u2013 Marketing mix report \u2013 run {run.number}.pdf")


def chosen_by(name: str) -> str:
    today = fmt.moment_date(utcnow(), config.time_zone(), "SEK")
    return f"The client's model, chosen by {name} on {today}"


def alternative(result: dict) -> str:
    """The best-fitting model other than the recommended one."""
    return next(m["model_id"] for m in result["models"] if not m["recommended"])


def make_client_model(app, run: ModelRun, model_id: str):
    """Pick ``model_id`` in the box, then press the button that makes it the client's."""
    app.selectbox(key=f"model_box_{run.id}").select(model_id).run()
    return app.button(key=f"make_client_model_{run.id}").click().run()


def stored_model(session, run: ModelRun) -> str | None:
    """The client's model as the database holds it (None: the recommended one)."""
    session.expire_all()
    return session.get(ModelRun, run.id).chosen_model_id


def audit_count(session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def previewing(model_id: str, client_model: str) -> str:
    return (f"You are looking at model {model_id}. The client's model is still "
            f"{client_model}")


def click_point(app, run: ModelRun, model_id: str):
    """A click on ``model_id``'s point of the Pareto scatter. AppTest cannot click a chart,
    so the page is run with the chart's selection as the browser sends it: a widget state of
    the chart's element id holding the JSON ``{"selection": {"pick": [point]}}``."""
    chart = next(c for c in app.get("vega_lite_chart") if c.key == f"pareto_{run.id}")
    states = app._tree.get_widget_states()  # AppTest has no public way to send it
    state = states.widgets.add()
    state.id = chart.proto.id
    state.string_value = json.dumps({"selection": {"pick": [{"model_id": model_id}]}})
    return app._run(states)


def test_picking_another_model_previews_it_and_stores_nothing(session, team, open_page,
                                                              text_of):
    """The UX audit: one pick in the box changed the client's model for everyone. It now
    shows the model on this page only, says the client's model stays, and offers to make it
    the client's or go back."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    recommended, other = result["model_id"], alternative(result)
    logged = audit_count(session)
    app = open_page("pages/results.py", team.analyst, team.client)
    assert "You are looking at" not in text_of(app)
    assert [b.label for b in app.button] == ["Prepare PDF report"]

    app.selectbox(key=f"model_box_{run.id}").select(other).run()
    assert not app.exception
    assert stored_model(session, run) is None and audit_count(session) == logged
    assert (f"{previewing(other, recommended)}: everyone sees {recommended} in the budget "
            "planner, the presentation and the PDF report.") in [i.value for i in app.info]
    assert [b.label for b in app.button] == [
        f"Make {other} the client's model", f"Back to {recommended}", "Prepare PDF report"]
    assert app.button(key=f"make_client_model_{run.id}").proto.type == "primary"
    assert metric(app, "R²") == fmt.number(model_by_id(result, other)["metrics"]["rsq"],
                                           "SEK", 3)  # the page follows the preview
    assert "The client's model" not in " ".join(c.value for c in app.caption[:4])
    viewer = open_page("pages/results.py", team.viewer, team.client)
    assert viewer.selectbox(key=f"model_box_{run.id}").value == recommended


def test_the_make_button_makes_the_previewed_model_the_client_s(session, team, open_page,
                                                                text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = alternative(result)
    app = make_client_model(open_page("pages/results.py", team.analyst, team.client), run,
                            other)
    assert not app.exception
    assert stored_model(session, run) == other
    assert audit.readable_entries(session, team.admin, limit=1)[0].action == (
        "Chose the model of a run")
    assert "You are looking at" not in text_of(app)
    assert [b.label for b in app.button] == ["Prepare PDF report"]
    assert app.selectbox(key=f"model_box_{run.id}").value == other
    assert [s.value for s in app.success] == [
        f"Model {other} is now the client's model: everyone sees it in the budget planner, "
        "the presentation and the PDF report."]
    assert chosen_by("Analyst") in text_of(app)
    assert not app.run().success  # said once


def test_back_returns_to_the_client_s_model_and_stores_nothing(session, team, open_page,
                                                               text_of):
    """The client's model is an alternative; the analyst looks at the recommended one, then
    goes back."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    recommended, other = result["model_id"], alternative(result)
    runs.choose_model(session, team.analyst, run.id, other)
    logged = audit_count(session)
    app = open_page("pages/results.py", team.analyst, team.client)
    box = f"model_box_{run.id}"
    app.selectbox(key=box).select(recommended).run()
    assert previewing(recommended, other) in text_of(app)
    assert f"Recommended: {recommendation_reason(result, 'SEK')}" in text_of(app)

    app.button(key=f"back_to_client_model_{run.id}").click().run()
    assert not app.exception
    assert app.selectbox(key=box).value == other
    assert "You are looking at" not in text_of(app) and not app.success
    assert metric(app, "R²") == fmt.number(model_by_id(result, other)["metrics"]["rsq"],
                                           "SEK", 3)
    assert stored_model(session, run) == other and audit_count(session) == logged


def test_a_click_on_a_pareto_point_previews_that_model(session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    recommended, other = result["model_id"], alternative(result)
    app = click_point(open_page("pages/results.py", team.analyst, team.client), run, other)
    assert not app.exception
    assert app.selectbox(key=f"model_box_{run.id}").value == other
    assert previewing(other, recommended) in text_of(app)
    assert stored_model(session, run) is None
    # the chart keeps reporting the clicked point: after "Back" it does not preview again
    app.button(key=f"back_to_client_model_{run.id}").click().run()
    assert app.selectbox(key=f"model_box_{run.id}").value == recommended
    assert "You are looking at" not in text_of(app.run())


def test_a_viewer_sees_the_client_s_model_and_no_preview(session, team, open_page, text_of):
    """A preview left in the browser session (an analyst's role taken away, say) does not
    show to a viewer: the box stays on the client's model and offers no button."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    app = open_page("pages/results.py", team.viewer, team.client,
                    **{workspace.PREVIEW_KEY.format(run_id=run.id): alternative(result)})
    assert not app.exception
    box = app.selectbox(key=f"model_box_{run.id}")
    assert box.value == result["model_id"] and box.disabled
    assert "You are looking at" not in text_of(app)
    assert [b.label for b in app.button] == ["Prepare PDF report"]
    assert workspace.PARETO_NOTE_VIEWER in text_of(app)


def test_a_preview_belongs_to_its_run(session, team, open_page, text_of):
    """A preview on one run is not shown on another run, and is still there on coming
    back."""
    first = finished_run(session, team.analyst, team.client.id)
    second = finished_run(session, team.analyst, team.client.id)
    other = alternative(load_result(session, team.analyst, first.id))
    app = open_page("pages/results.py", team.analyst, team.client, run_id=first.id)
    app.selectbox(key=f"model_box_{first.id}").select(other).run()
    assert "You are looking at" in text_of(app)

    app.selectbox(key="run").select(second.id).run()
    assert not app.exception
    assert "You are looking at" not in text_of(app)
    assert app.selectbox(key=f"model_box_{second.id}").value == load_result(
        session, team.analyst, second.id)["model_id"]
    app.selectbox(key="run").select(first.id).run()
    assert app.selectbox(key=f"model_box_{first.id}").value == other
    assert "You are looking at" in text_of(app)
    assert stored_model(session, first) is None and stored_model(session, second) is None


def test_an_analyst_s_choice_is_the_model_everyone_sees(session, team, open_page, text_of):
    """The analyst's choice is stored for the run: a viewer and the analyst's next session
    open on it and read who chose it; the viewer cannot change it."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m for m in result["models"] if not m["recommended"])
    box = f"model_box_{run.id}"
    analyst = open_page("pages/results.py", team.analyst, team.client)
    assert ("Picking another model previews it on this page only; a button then makes it "
            "the client's.") in text_of(analyst)
    make_client_model(analyst, run, other["model_id"])
    assert not analyst.exception
    assert chosen_by("Analyst") in text_of(analyst)
    session.expire_all()
    assert session.get(ModelRun, run.id).chosen_model_id == other["model_id"]
    assert audit.readable_entries(session, team.admin, limit=1)[0].action == (
        "Chose the model of a run")

    for user in (team.viewer, team.analyst):  # new browser sessions
        app = open_page("pages/results.py", user, team.client)
        assert not app.exception
        assert app.selectbox(key=box).value == other["model_id"]
        assert app.selectbox(key=box).disabled == (user is team.viewer)
        assert metric(app, "R²") == fmt.number(other["metrics"]["rsq"], "SEK", 3)
        assert f"An alternative to the recommended model {result['model_id']}." in text_of(app)
        assert chosen_by("Analyst") in text_of(app)
    assert "Only an analyst of the client can choose another." in text_of(
        open_page("pages/results.py", team.viewer, team.client))


def test_making_the_recommended_model_the_client_s_again_goes_back_to_it_for_everyone(
        session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    box = f"model_box_{run.id}"
    make_client_model(open_page("pages/results.py", team.analyst, team.client), run, other)
    app = make_client_model(open_page("pages/results.py", team.admin, team.client), run,
                            result["model_id"])
    assert not app.exception
    viewer = open_page("pages/results.py", team.viewer, team.client)
    assert viewer.selectbox(key=box).value == result["model_id"]
    assert f"Recommended: {recommendation_reason(result, 'SEK')}" in text_of(viewer)
    assert chosen_by("Admin") in text_of(viewer)


def test_a_viewer_gets_the_results_and_the_pdf_button_but_no_export(session, team, open_page):
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/results.py", team.viewer, team.client)
    assert not app.exception
    assert [b.label for b in app.button] == ["Prepare PDF report"]
    result = load_result(session, team.analyst, app.session_state["run_id"])
    cautions = content.client_cautions(result, result["model_id"], "SEK")
    assert cautions and [w.value for w in app.warning] == cautions  # the client's words
    assert [i.value for i in app.info][:1] == [content.client_quick_search_note(result)]
    assert [b.label for b in app.get("download_button")] == []  # no export of the models
    analyst = open_page("pages/results.py", team.analyst, team.client)
    assert [b.label for b in analyst.get("download_button")] == ["Robyn CSVs (zip)"]
    app.button[0].click().run()
    assert not app.exception
    run_id = app.session_state["run_id"]
    model_id = load_result(session, team.analyst, run_id)["model_id"]
    assert app.session_state[f"pdf_requested_{run_id}_{model_id}"] is True


def test_a_pdf_dropped_by_a_saved_scenario_can_be_prepared_again(session, team, open_page,
                                                                 text_of):
    """The page asked for the PDF, then saving a scenario dropped it: no build is pending,
    so the page offers the button again instead of waiting for ever."""
    run = finished_run(session, team.analyst, team.client.id)
    model_id = load_result(session, team.analyst, run.id)["model_id"]
    app = open_page("pages/results.py", team.analyst, team.client,
                    **{f"pdf_requested_{run.id}_{model_id}": True})
    assert not app.exception
    assert "Preparing the PDF report" not in text_of(app)
    app.button(key=f"prepare_pdf_{run.id}_{model_id}").click().run()
    assert [b.label for b in app.get("download_button")][0] == "Download PDF report"


@pytest.mark.parametrize("page", ["pages/results.py", "pages/planner.py",
                                  "pages/presentation.py"])
def test_without_a_finished_run_the_page_links_to_the_runs_page(session, team, open_page,
                                                                text_of, page):
    app = open_page(page, team.analyst, team.client)
    assert not app.exception
    assert "This client has no finished run yet." in text_of(app)
    assert [(link.label, link.proto.page) for link in app.get("page_link")] == [
        ("Open the Runs page", "runs")]
    viewer = open_page(page, team.viewer, team.client)  # Runs is the analysts' page
    assert not viewer.exception and "This client has no finished run yet." in text_of(viewer)
    assert not viewer.get("page_link")


def test_an_outsider_sees_no_run_of_the_client(session, team, open_page, text_of):
    finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/results.py", team.outsider, team.client)
    assert not app.exception
    assert not app.dataframe and not app.selectbox
    assert "Pick a client" in text_of(app)


def test_every_run_picker_labels_a_run_the_same_way(session, team, open_page):
    run = finished_run(session, team.analyst, team.client.id)
    shown = {page: open_page(page, team.analyst, team.client).selectbox(key=key).options[0]
             for page, key in (("pages/results.py", "run"), ("pages/planner.py", "run"),
                               ("pages/runs.py", "run_pick"))}
    label = shown["pages/results.py"]
    assert label.startswith(f"Run #{run.number} · dataset v{run.dataset.version} · 20")
    assert shown["pages/planner.py"] == label
    assert shown["pages/runs.py"] == f"{label} · succeeded"  # the Runs page lists every state


def test_r_squared_has_one_precision_on_every_page(session, team, open_page):
    run = finished_run(session, team.analyst, team.client.id)
    rsq = fmt.number(run.metrics["rsq"], "SEK", 3)
    results = open_page("pages/results.py", team.analyst, team.client)
    assert metric(results, "R²") == rsq
    assert f"· R² {rsq} ·" in results.selectbox(key=f"model_box_{run.id}").options[0]
    home = open_page("pages/home.py", team.analyst, team.client)
    assert metric(home, "Model fit (R²)") == rsq


def planned_markers(app) -> pd.DataFrame:
    """The planned-spend diamonds of the page's response curves (none: an empty frame)."""
    return pd.concat([f[f["marker"] == charts.PLANNED_SPEND] for f in chart_frames(app)
                      if "marker" in f.columns], ignore_index=True)


def weekly_spend(plan: dict) -> dict[str, float]:
    """A plan's weekly spend per channel, by the channel's name on the curves."""
    return {fmt.channel_name(column): p["optimized_spend"] / plan["weeks"]
            for column, p in plan["channels"].items()}


def marked(app) -> dict[str, float]:
    """The weekly spend per channel the curves' diamonds mark."""
    markers = planned_markers(app)
    return dict(zip(markers["channel"], markers["spend"], strict=True))


def test_the_curves_mark_the_plan_the_presentation_shows_not_the_planner_s_last_try(
        session, team, open_page):
    """Audit 8: Results drew the planner's last, unsaved try (1 000 kr: every diamond at
    0 kr over the zero-spend triangles) while the Presentation drew the saved plan. Results
    marks the model's first saved plan, as the Presentation shows first, and names it; with
    none saved, no diamonds."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    model_id = result["model_id"]
    tried = planner.make_plan(result, model_id, goal="max_response", weeks=4, budget=1_000,
                              target=None, bounds={}, currency="SEK")
    unsaved = {f"plan_{run.id}": tried}
    app = open_page("pages/results.py", team.analyst, team.client, **unsaved)
    assert not app.exception
    assert planned_markers(app).empty
    assert content.analyst_curves_text(result, None)[1] in [c.value for c in app.caption]

    planner.save_scenario(session, team.analyst, run.id, "Today's budget",
                          {**fitted_run().plan, "model_id": model_id})
    planner.save_scenario(session, team.analyst, run.id, "Tiny", tried)
    app = open_page("pages/results.py", team.analyst, team.client, **unsaved)
    assert not app.exception
    first = planner.model_scenarios(session, team.analyst, run.id, result, model_id, "SEK")[0]
    assert first["name"] == "Today's budget"
    assert marked(app) == pytest.approx(weekly_spend(first["plan"]))
    _, caption = content.analyst_curves_text(result, "Today's budget")
    assert caption in [c.value for c in app.caption]
    assert "the saved plan \u201cToday's budget\u201d (unsaved" in caption


def test_the_curves_mark_the_saved_plan_picked_starting_at_the_presentation_s_pick(
        session, team, open_page):
    """The curves marked the model's first saved plan even when the Presentation showed
    another. With two saved plans, a select picks the marked plan, named in the caption;
    it starts at the plan picked on the Presentation in this browser session, else the
    first."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    model_id = result["model_id"]
    today = sum(planner.current_spend(result, model_id, 4).values())
    for name, budget in (("Flat", today), ("Half", 0.5 * today)):
        planner.save_scenario(session, team.analyst, run.id, name, planner.make_plan(
            result, model_id, goal="max_response", weeks=4, budget=budget, target=None,
            bounds={}, currency="SEK"))
    flat, half = (s["plan"] for s in planner.model_scenarios(
        session, team.analyst, run.id, result, model_id, "SEK"))
    assert weekly_spend(flat) != pytest.approx(weekly_spend(half))
    key = f"marked_plan_{run.id}_{model_id}"

    def assert_marks(app, name: str, plan: dict) -> None:
        assert not app.exception
        assert app.selectbox(key=key).value == name
        assert marked(app) == pytest.approx(weekly_spend(plan))
        assert content.analyst_curves_text(result, name)[1] in [c.value for c in app.caption]

    app = open_page("pages/results.py", team.analyst, team.client)
    box = app.selectbox(key=key)
    assert (box.label, box.options) == ("Plan marked on the curves", ["Flat", "Half"])
    assert_marks(app, "Flat", flat)
    box.select("Half").run()
    assert_marks(app, "Half", half)

    app = open_page("app.py", team.analyst, team.client)  # one browser session
    app.switch_page("pages/presentation.py").run()
    app.main.segmented_control[0].set_value("Half").run()
    app.switch_page("pages/home.py").run()  # the Presentation's pick outlives its page
    app.switch_page("pages/results.py").run()
    assert_marks(app, "Half", half)
    app.selectbox(key=key).select("Flat").run()
    assert_marks(app, "Flat", flat)  # the analyst's pick holds on Results
    app.switch_page("pages/presentation.py").run()
    assert app.main.segmented_control[0].value == "Half"  # and leaves the Presentation's
