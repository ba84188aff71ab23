"""Runs page: start a real run, see it finish with the first results; viewers only watch."""

from __future__ import annotations

import time
from datetime import timedelta

import sqlalchemy as sa

from kiri_core.db.base import utcnow
from kiri_core.db.models import ModelRun
from kiri_core.report import content
from kiri_core.results import is_conversion, recommendation_reason
from kiri_core.services import datasets, runs
from tests.fitted import finished_run, orders_dataset
from ui.workspace import channel_table_layout


def wait_until_finished(session, run_id: int, timeout: float = 180) -> ModelRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = session.get(ModelRun, run_id, populate_existing=True)
        if run.status not in ("queued", "running"):
            return run
        time.sleep(0.5)
    raise AssertionError(f"run {run_id} did not finish")


def start_quick_run(app) -> None:
    """Click Start run with the quick search picked (the form's default is the full one)."""
    app.radio(key="run_mode").set_value("quick")
    next(b for b in app.button if b.label == "Start run").click().run()


def test_analyst_starts_a_run_and_sees_the_first_results(session, team, open_page, text_of):
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception
    start_quick_run(app)
    run_id = app.session_state["run_id"]
    run = session.get(ModelRun, run_id)
    assert (run.dataset_id, run.config["iterations"], run.config["trials"]) == (dataset.id,
                                                                                300, 1)
    assert wait_until_finished(session, run_id).status == "succeeded"
    app.run()
    assert not app.exception
    spend_table, return_table = (app.dataframe[0].value, app.dataframe[1].value)
    result = runs.load_result(session, team.analyst, run_id)
    assert [tuple(spend_table.columns), tuple(return_table.columns)] == list(
        channel_table_layout(result).values())
    assert {"**Spend and effect**", "**Return on spend**"} <= {m.value for m in app.markdown}
    assert list(spend_table["Channel"]) == ["Meta", "Google", "TikTok", "Email"]
    rows = content.channel_rows(result, result["model_id"], team.client.currency)
    shown = return_table.join(spend_table.drop(columns="Channel"))
    assert shown[list(content.channel_columns(result))].values.tolist() == rows
    assert [m.label for m in app.metric][:3] == ["R²", "NRMSE", "DECOMP.RSSD"]
    assert [w.value for w in app.warning] == content.cautions(result, result["model_id"],
                                                              team.client.currency)
    assert [i.value for i in app.info] == [content.quick_search_note(result)]
    assert "Estimated vs true" in text_of(app)
    assert app.dataframe[-1].value["Run"].tolist() == [f"#{run.number}"]


def test_viewer_sees_runs_without_start_or_cancel(session, team, open_page, text_of):
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    config = {**runs.default_config(dataset), "iterations": 5000}
    run = runs.start_run(session, team.analyst, team.client.id, dataset.id, config)
    try:
        app = open_page("pages/runs.py", team.viewer, team.client)
        assert not app.exception
        labels = [b.label for b in app.button]
        assert "Start run" not in labels and "Cancel run" not in labels
        assert f"Run #{run.number}" in text_of(app)
    finally:
        runs.cancel_run(session, team.analyst, run.id)
        wait_until_finished(session, run.id, timeout=60)


def test_a_second_run_is_selected_and_its_history_row_finishes(session, team, open_page,
                                                                text_of):
    first = finished_run(session, team.analyst, team.client.id)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert f"Run #{first.number}** · succeeded" in text_of(app)
    start_quick_run(app)
    assert not app.exception
    second = app.session_state["run_id"]
    assert second != first.id and app.selectbox(key="run_pick").value == second
    number = session.get(ModelRun, second).number
    assert [m.value for m in app.success] == [
        f"Run #{number} was started: follow it under Selected run."]
    assert app.session_state["start_form_open"] is False  # the form folds away
    picked = app.selectbox(key="run_pick")
    assert picked.format_func(second).endswith(" · in progress")  # until the page shows its end
    assert app.get("progress"), "the new run's live progress is shown"
    history = app.dataframe[-1].value.set_index("Run")
    rsq = f"{first.metrics['rsq']:.3f}".replace(".", ",")  # Acme AB is a SEK client
    assert history.loc[f"#{first.number}", "R²"] == rsq and history.loc[f"#{number}", "R²"] \
        == "–"
    assert wait_until_finished(session, second).status == "succeeded"
    app.run()
    assert f"Run #{number}** · succeeded" in text_of(app)
    assert app.dataframe[-1].value.set_index("Run").loc[f"#{number}", "Status"] == "succeeded"


def test_the_form_defaults_to_the_full_search_and_to_the_outcome_its_column_names(
        session, team, open_page):
    revenue = datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    orders = orders_dataset(session, team.analyst, team.client.id)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception
    search = app.radio(key="run_mode")
    assert (search.value, search.options) == (
        "full", ["Quick (300 iterations × 1 trial, 300 settings)",
                 "Full (2000 iterations × 5 trials, 10000 settings)"])
    outcome = app.radio(key=f"outcome_{orders.id}")  # the newest version is picked first
    assert outcome.label == "Outcome column \u201corders\u201d holds"
    assert (outcome.value, outcome.options) == ("conversion",
                                                ["Revenue (ROAS)", "Conversions (CPA)"])
    app.selectbox(key="run_dataset").set_value(revenue.id).run()
    assert app.radio(key=f"outcome_{revenue.id}").value == "revenue"


def test_the_form_warns_when_the_outcome_s_size_says_the_other_kind(session, team, open_page):
    """An orders column modelled as revenue (every ROAS would read below 1) and revenue
    modelled as conversions (every CPA under 1 kr) are named before the run starts; the
    kind the column's name and size agree on gets no warning."""
    revenue = datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    orders = orders_dataset(session, team.analyst, team.client.id)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception and not app.warning
    app.radio(key=f"outcome_{orders.id}").set_value("revenue").run()
    (warning,) = [w.value for w in app.warning]
    assert warning.startswith("\u201corders\u201d adds up to ")
    assert "less than the media spend" in warning and "Conversions (CPA)" in warning
    app.selectbox(key="run_dataset").set_value(revenue.id).run()
    assert not app.warning
    app.radio(key=f"outcome_{revenue.id}").set_value("conversion").run()
    (warning,) = [w.value for w in app.warning]
    assert "more than the media spend" in warning and "Revenue (ROAS)" in warning


def test_a_conversion_model_is_started_from_the_form_and_labelled_as_one(
        session, team, open_page):
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    app = open_page("pages/runs.py", team.analyst, team.client)
    app.radio(key=f"outcome_{dataset.id}").set_value("conversion")
    start_quick_run(app)
    assert not app.exception
    run_id = app.session_state["run_id"]
    run = session.get(ModelRun, run_id)
    assert (run.config["dep_var_type"], run.config["revenue_column"]) == ("conversion",
                                                                          "revenue")
    assert wait_until_finished(session, run_id).status == "succeeded"
    assert is_conversion(runs.load_result(session, team.analyst, run_id))
    app.run()
    assert not app.exception
    assert app.selectbox(key="run_pick").format_func(run_id).startswith(
        f"Run #{run.number} · dataset v1 · conversions · ")
    assert app.dataframe[-1].value.set_index("Run").loc[f"#{run.number}", "Dataset"] \
        == "v1 · conversions"
    assert "CPA" in app.dataframe[1].value.columns  # its results speak cost per conversion


def test_a_single_problem_with_the_run_settings_is_shown(session, team, open_page):
    datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    app = open_page("pages/runs.py", team.analyst, team.client)
    next(m for m in app.multiselect if m.label == "Spend columns").set_value([])
    next(b for b in app.button if b.label == "Start run").click().run()
    message = app.error[0].value
    assert message.startswith("The run settings have 1 problem.")
    assert "\u201cSpend columns\u201d must list at least 2 spend columns" in message


def test_a_column_chosen_as_spend_and_context_is_refused_and_no_run_starts(
    session, team, open_page
):
    datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    app = open_page("pages/runs.py", team.analyst, team.client)
    next(m for m in app.multiselect if m.label == "Context columns").set_value(
        ["promo_flag", "spend_tiktok"])
    next(b for b in app.button if b.label == "Start run").click().run()
    assert "column 'spend_tiktok' is chosen as spend and as context" in app.error[0].value
    assert session.scalar(sa.select(sa.func.count()).select_from(ModelRun)) == 0


def test_adstock_options_read_as_words(session, team, open_page):
    datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    app = open_page("pages/runs.py", team.analyst, team.client)
    adstock = app.selectbox(key="run_adstock")
    assert adstock.options == ["Geometric", "Weibull CDF", "Weibull PDF"]
    assert adstock.value == "geometric"


def test_without_data_the_analyst_gets_a_link_to_the_data_page(session, team, open_page):
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert [(link.label, link.proto.page) for link in app.get("page_link")] == [
        ("Load data", "data")]


def test_robyn_set_up_words_are_for_admins_and_the_reason_reads_the_client_s_way(
        session, team, open_page, text_of):
    run = finished_run(session, team.analyst, team.client.id)
    result = runs.load_result(session, team.analyst, run.id)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception
    assert "Robyn (R) is not set up here yet; an administrator can enable it." in text_of(app)
    assert "python worker.py" not in text_of(app)
    captions = "\n".join(c.value for c in app.caption)
    assert recommendation_reason(result, "SEK") in captions  # "NRMSE 0,1132", not 0.1132
    assert result["recommendation_reason"] != recommendation_reason(result, "SEK")
    assert result["recommendation_reason"] not in captions
    admin = open_page("pages/runs.py", team.admin, team.client)
    assert "The app is checking whether Robyn (R) runs on this machine" in text_of(admin)


def running_run(session, team, progress: float, stage: str, seconds: int = 0) -> ModelRun:
    """A run of the team's client at ``progress`` in ``stage``, started ``seconds`` ago."""
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 3)
    run = ModelRun(client_id=team.client.id, dataset_id=dataset.id, config={},
                   status="running", progress=progress, stage=stage,
                   started_at=utcnow() - timedelta(seconds=seconds), heartbeat_at=utcnow(),
                   created_by_id=team.analyst.id)
    session.add(run)
    session.commit()
    return run


def test_a_running_run_names_what_it_is_doing(session, team, open_page):
    running_run(session, team, 0.9, "Building the model set")
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception
    [bar] = app.get("progress")
    assert bar.proto.text == "Building the model set \u2026 90%"


def test_a_running_run_tells_the_time_left_and_reads_in_progress_everywhere(
        session, team, open_page, text_of):
    """35 % done after a minute: about 2 minutes to go at that pace. The run's state is the
    same words in the status line, the run picker and the history."""
    run = running_run(session, team, 0.35, "Searching models", seconds=60)
    app = open_page("pages/runs.py", team.analyst, team.client)
    assert not app.exception
    [bar] = app.get("progress")
    assert bar.proto.text == "Searching models \u2026 35% \u00b7 about 2 min left"
    assert f"**Run #{run.number}** \u00b7 in progress \u00b7 Kiri \u00b7 1 min" in text_of(app)
    assert app.selectbox(key="run_pick").format_func(run.id).endswith(" \u00b7 in progress")
    assert app.dataframe[-1].value["Status"].tolist() == ["in progress"]


def test_a_run_failed_on_its_data_says_what_to_do_instead_of_retry(session, team, open_page,
                                                                    text_of):
    """A run that failed on its data (failure kind "input") says what to do, for viewers too,
    and Retry, which would fail the same way, is not offered; a run whose worker died keeps
    Retry."""
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 3)
    on_data, died = (ModelRun(client_id=team.client.id, dataset_id=dataset.id,
                              status="failed", config=runs.default_config(dataset),
                              created_by_id=team.analyst.id, error=error, failure_kind=kind)
                     for kind, error in (
        ("input", "The data has no column \u201ctv_grp\u201d, which the run's settings use. "
                  "Start a new run and pick the columns again."),
        ("unexpected", "The worker stopped responding (no heartbeat for over 60 s); it was "
                       "probably stopped or crashed. Retry the run.")))
    session.add_all([on_data, died])
    session.commit()
    for user in (team.analyst, team.viewer):
        app = open_page("pages/runs.py", user, team.client, run_id=on_data.id)
        assert not app.exception
        assert [e.value for e in app.error] == [on_data.error]
        assert "Retry run" not in [b.label for b in app.button]
    assert [i.value for i in app.info] == []  # the viewer: no Retry, and no reason to give
    app = open_page("pages/runs.py", team.analyst, team.client, run_id=on_data.id)
    assert [i.value for i in app.info] == [
        "Retry is not offered: it would run the same settings on the same data and fail the "
        "same way."]
    app.selectbox(key="run_pick").set_value(died.id).run()
    assert "Retry run" in [b.label for b in app.button] and not app.info
    assert [e.value for e in app.error] == [died.error]


def test_the_selected_run_shows_the_client_s_model_once_one_is_chosen(session, team, open_page,
                                                                     text_of):
    """After an analyst chose another model on the Results page, the run's first results
    show that model, as the run history and the home page do."""
    run = finished_run(session, team.analyst, team.client.id)
    result = runs.load_result(session, team.analyst, run.id)
    other = next(m for m in result["models"] if not m["recommended"])
    runs.choose_model(session, team.analyst, run.id, other["model_id"])
    app = open_page("pages/runs.py", team.viewer, team.client)
    assert not app.exception
    assert f"**Model {other['model_id']} · alternative model chosen by the analyst**" in [
        m.value for m in app.markdown]
    assert f"instead of the recommended model {result['model_id']}" in text_of(app)
    fit = {label: value for label, value, _ in
           content.fit_metrics(result, other["model_id"], team.client.currency)}
    assert {m.label: m.value for m in app.metric}["R²"] == fit["R²"] != content.fit_metrics(
        result, result["model_id"], team.client.currency)[0][1]
    rows = content.channel_rows(result, other["model_id"], team.client.currency)
    spend_table, return_table = (app.dataframe[0].value, app.dataframe[1].value)
    shown = return_table.join(spend_table.drop(columns="Channel"))
    assert shown[list(content.channel_columns(result))].values.tolist() == rows


def test_a_run_on_a_deleted_version_offers_no_retry_and_says_why(session, team, open_page,
                                                                 text_of):
    """Retry on a run whose dataset was deleted could only fail: the page says why instead,
    and the run picker marks the version deleted, as the history does."""
    kept = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 1)
    gone = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 2)
    on_kept, on_gone = (ModelRun(client_id=team.client.id, dataset_id=d.id, status="failed",
                                 config=runs.default_config(d), created_by_id=team.analyst.id,
                                 error="The model did not converge.") for d in (kept, gone))
    session.add_all([on_kept, on_gone])
    session.commit()
    datasets.delete_dataset(session, team.analyst, gone.id)
    app = open_page("pages/runs.py", team.analyst, team.client, run_id=on_gone.id)
    assert not app.exception
    assert "Retry run" not in [b.label for b in app.button]
    assert [i.value for i in app.info] == [
        "Its dataset v2 was deleted, so it cannot run again; start a new run on another "
        "version."]
    picker = app.selectbox(key="run_pick")
    assert picker.format_func(on_gone.id).startswith(f"Run #{on_gone.number} · dataset v2 "
                                                     "(deleted) · ")
    assert picker.format_func(on_gone.id).endswith(" · failed")
    assert picker.format_func(on_kept.id).startswith(f"Run #{on_kept.number} · dataset v1 · ")
    assert app.dataframe[-1].value.set_index("Run").loc[f"#{on_gone.number}", "Dataset"] \
        == "v2 (deleted)"
    picker.set_value(on_kept.id).run()
    assert "Retry run" in [b.label for b in app.button] and not app.info
    assert "was deleted" not in text_of(app)


def test_cancel_and_retry_each_say_what_they_did_in_place_of_the_notice_before(
        session, team, open_page, text_of):
    """Cancel says which run it cancelled, Retry which new run it started and of which run;
    each notice replaces the one kept before ("Run #1 was started" does not stay)."""
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 60, 3)
    queued = ModelRun(client_id=team.client.id, dataset_id=dataset.id, status="queued",
                      config=runs.default_config(dataset, "quick"),
                      created_by_id=team.analyst.id)
    session.add(queued)
    session.commit()
    app = open_page("pages/runs.py", team.analyst, team.client, run_id=queued.id)
    next(b for b in app.button if b.label == "Cancel run").click().run()
    assert not app.exception
    assert [m.value for m in app.success] == [f"Run #{queued.number} was cancelled."]
    next(b for b in app.button if b.label == "Retry run").click().run()
    retry = session.get(ModelRun, app.session_state["run_id"], populate_existing=True)
    try:
        assert retry.id != queued.id
        assert [m.value for m in app.success] == [
            f"Run #{retry.number} was started as a retry of run #{queued.number}: follow it "
            "under Selected run."]
        next(b for b in app.button if b.label == "Cancel run").click().run()
        assert [m.value for m in app.success] == [f"Run #{retry.number} was cancelled."]
    finally:  # the retry is cancelled, also when the test failed before its Cancel
        if session.get(ModelRun, retry.id, populate_existing=True).status in ("queued",
                                                                              "running"):
            runs.cancel_run(session, team.analyst, retry.id)
        wait_until_finished(session, retry.id, timeout=60)
