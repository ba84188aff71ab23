"""Results page: the recommended model first, switching model updates every view and the
PDF report."""

from __future__ import annotations

import pytest
from fitted import finished_run

from kiri_core import config
from kiri_core import formatting as fmt
from kiri_core.db.base import utcnow
from kiri_core.db.models import ModelRun
from kiri_core.report import artifact, content
from kiri_core.results import model_by_id, model_label, recommendation_reason
from kiri_core.services import audit
from kiri_core.services.runs import load_result


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


def test_the_pdf_report_is_of_the_chosen_model(session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    app = open_page("pages/results.py", team.analyst, team.client)
    app.selectbox(key=f"model_box_{run.id}").select(other).run()
    assert f"Model {other} · alternative model chosen by the analyst" in text_of(app)
    app.button(key=f"prepare_pdf_{run.id}_{other}").click().run()  # built at once: no Redis
    assert not app.exception
    assert [b.label for b in app.get("download_button")][0] == "Download PDF report"
    assert artifact.report_pdf(session, team.analyst, run.id, other) is not None
    assert artifact.report_pdf(session, team.analyst, run.id, result["model_id"]) is None


def chosen_by(name: str) -> str:
    today = fmt.moment_date(utcnow(), config.time_zone(), "SEK")
    return f"The client's model, chosen by {name} on {today}"


def test_an_analyst_s_choice_is_the_model_everyone_sees(session, team, open_page, text_of):
    """The analyst's pick is stored for the run: a viewer and the analyst's next session
    open on it and read who chose it; the viewer cannot change it."""
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m for m in result["models"] if not m["recommended"])
    box = f"model_box_{run.id}"
    analyst = open_page("pages/results.py", team.analyst, team.client)
    assert "Choosing another changes it for everyone." in text_of(analyst)
    analyst.selectbox(key=box).select(other["model_id"]).run()
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


def test_picking_the_recommended_model_again_goes_back_to_it_for_everyone(
        session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    box = f"model_box_{run.id}"
    open_page("pages/results.py", team.analyst, team.client).selectbox(key=box).select(
        other).run()
    app = open_page("pages/results.py", team.admin, team.client)
    app.selectbox(key=box).select(result["model_id"]).run()
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
    assert label.startswith(f"Run #{run.id} · dataset v{run.dataset.version} · 20")
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
