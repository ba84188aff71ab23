"""Runs: start a model run, watch it live, cancel or retry it, history and first results."""

from __future__ import annotations

import streamlit as st

from kiri_core import formatting
from kiri_core.db.models import ACTIVE_RUN_STATUSES, Dataset, ModelRun
from kiri_core.robyn_r.availability import engine_choices
from kiri_core.services import datasets, runs
from ui import notices, state, workspace
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.db import db
from ui.errors import user_errors
from ui.links import page_link
from ui.results import first_results
from ui.tables import run_label, runs_table

POLL_SECONDS = 2
ADDRESS = "runs"  # this page's URL path (app.py), where it shows a kept notice itself
RUN_PICK = "run_pick"
FORM_OPEN, STARTED = "start_form_open", "run_started"
MODES = {name: f"{name.capitalize()} ({formatting.search_size(**preset)})"
         for name, preset in runs.PRESETS.items()}
SEARCH_HELP = ("Full searches as many models as Robyn does by default: the search to compare "
               "and plan with (check its figures against a lift test before moving budget). "
               "Quick searches fewer, a first look that can be far off.")
OUTCOME_HELP = ("Revenue: money taken in; results show ROAS (revenue per unit of spend). "
                "Conversions: a count such as orders, leads or sign-ups; results show CPA "
                "(cost per conversion).")


def outcome_choice(dataset: Dataset) -> str:
    """What the model explains, guessed from the outcome column's name; keyed per dataset, so
    picking another dataset guesses again."""
    column = dataset.column_mapping["revenue"]
    return st.radio(f"Outcome column \u201c{column}\u201d holds", list(runs.OUTCOME_LABELS),
                    format_func=runs.OUTCOME_LABELS.get,
                    index=list(runs.OUTCOME_LABELS).index(runs.outcome_guess(column)),
                    horizontal=True, key=f"outcome_{dataset.id}", help=OUTCOME_HELP)


def start_form(session, user, client) -> None:
    versions = datasets.list_datasets(session, user, client.id)
    if not versions:
        st.info("This client has no data yet: upload or generate it on the Data page.")
        page_link("pages/data.py", "Load data")
        return
    by_id = {d.id: d for d in versions}
    labels = {d.id: f"v{d.version} · {d.name}" for d in versions}
    dataset = by_id[st.selectbox("Dataset", list(by_id), key="run_dataset",
                                 format_func=labels.get)]
    mapping = dataset.column_mapping
    candidates = [c for c in mapping["columns"] if c not in (mapping["date"], mapping["revenue"])]
    outcome = outcome_choice(dataset)
    if warning := runs.outcome_warning(dataset, outcome, client.currency):
        st.warning(warning)
    with st.form("start_run"):
        spend = st.multiselect("Spend columns", candidates, default=mapping["spend"],
                               key=f"spend_{dataset.id}")
        context = st.multiselect("Context columns", candidates, default=mapping["context"],
                                 key=f"context_{dataset.id}")
        left, right = st.columns(2)
        adstock = left.selectbox("Adstock", runs.ADSTOCKS, key="run_adstock",
                                 format_func=runs.ADSTOCK_LABELS.get)
        mode = right.radio("Search", list(MODES), format_func=MODES.get, key="run_mode",
                           index=list(MODES).index(runs.DEFAULT_PRESET), help=SEARCH_HELP)
        seed = left.number_input("Seed", min_value=0, value=1, step=1, key="run_seed")
        engines, robyn_note = engine_choices(session, user.is_admin)
        engine = right.selectbox("Engine", list(engines), format_func=engines.get,
                                 key="run_engine")
        if robyn_note:
            st.caption(robyn_note)
        if st.form_submit_button("Start run", type="primary"):
            config = {**runs.default_config(dataset, mode), "dep_var_type": outcome,
                      "spend_columns": spend, "context_columns": context, "adstock": adstock,
                      "seed": int(seed)}
            with user_errors():
                run = runs.start_run(session, user, client.id, dataset.id, config, engine)
                state.set_run_id(run.id)
                st.session_state[STARTED] = True
                notices.keep(f"Run #{run.number} was started: follow it under Selected run.")
                st.rerun()


def run_controls(session, user, run, role: str) -> None:
    if role != "analyst":
        return
    if run.status in ACTIVE_RUN_STATUSES:
        if st.button("Cancel run", key=f"cancel_{run.id}"):
            with user_errors():
                runs.cancel_run(session, user, run.id)
                notices.keep(f"Run #{run.number} was cancelled.")
                st.rerun()
    elif run.status in ("failed", "cancelled"):
        if reason := runs.retry_refusal(run):  # no button that could only fail
            st.info(reason)
        elif st.button("Retry run", key=f"retry_{run.id}"):
            with user_errors():
                retry = runs.retry_run(session, user, run.id)
                state.set_run_id(retry.id)
                notices.keep(f"Run #{retry.number} was started as a retry of run #{run.number}: "
                             "follow it under Selected run.")
                st.rerun()


def progress_text(run) -> str:
    """What an active run is doing and how far it is: "Searching models … 35% · about 2 min
    left" (the time left once it can be told, :func:`formatting.time_left`)."""
    if run.status == "queued":
        return f"Waiting for a worker \u2026 {run.progress:.0%}"
    left = formatting.time_left(run.progress, run.duration_seconds)
    return f"{run.stage or 'Starting'} \u2026 {run.progress:.0%}{f' · {left}' if left else ''}"


def run_status(run) -> None:
    st.markdown(f"**Run #{run.number}** · {run.state} · "
                f"{formatting.engine_name(run.engine)} · "
                f"{formatting.duration(run.duration_seconds)}")
    if run.status in ACTIVE_RUN_STATUSES:
        st.progress(min(max(run.progress, 0.0), 1.0), text=progress_text(run))
    if run.error and run.status != "succeeded":
        (st.warning if run.status == "cancelled" else st.error)(run.error)


@st.fragment(run_every=POLL_SECONDS)
def live_run(run_id: int) -> None:
    """Polls an active run; reruns the whole page once it has finished."""
    with db() as session:
        runs.reap_stale_runs(session)
        user = signed_in_user(session)
        run = runs.get_run(session, user, run_id)
        run_status(run)
        if run.status not in ACTIVE_RUN_STATUSES:
            st.rerun(scope="app")


def pick_run(history: list[ModelRun], currency: str) -> ModelRun:
    """The run dropdown; it follows ``state.run_id``, so a run just started or retried shows."""
    by_id = {r.id: r for r in history}
    if state.run_id() not in by_id:
        state.set_run_id(history[0].id)
    zone = viewer_zone()
    labels = {r.id: run_label(r, currency, zone, status=True) for r in history}
    st.session_state[RUN_PICK] = state.run_id()
    chosen = st.selectbox("Run", list(by_id), format_func=labels.get, key=RUN_PICK,
                          on_change=state.keep_widget_value,
                          args=(RUN_PICK, state.set_run_id))
    return by_id[chosen]


@st.fragment(run_every=POLL_SECONDS)
def live_history(client_id: int, currency: str) -> None:
    """Polls the history while a run is queued or running; reruns the page once none is."""
    with db() as session:
        runs.reap_stale_runs(session)
        user = signed_in_user(session)
        history = runs.list_runs(session, user, client_id)
        runs_table(history, currency, viewer_zone())
        if not any(r.status in ACTIVE_RUN_STATUSES for r in history):
            st.rerun(scope="app")


def run_view(session, user, client, role: str, history: list[ModelRun]) -> None:
    run = pick_run(history, client.currency)
    if run.status in ACTIVE_RUN_STATUSES:
        live_run(run.id)
    else:
        run_status(run)
    run_controls(session, user, run, role)
    if run.status == "succeeded":
        with user_errors():
            result = runs.load_result(session, user, run.id)
            first_results(result, workspace.selected_model(result, run), client.currency,
                          runs.known_truth(run))


with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    runs.reap_stale_runs(session)
    st.title(f"Runs · {client.name}")
    notices.show(f"{ADDRESS}?client={client.id}")  # "Run #3 was started": this client's only
    history = runs.list_runs(session, user, client.id)
    if st.session_state.pop(STARTED, False):
        st.session_state[FORM_OPEN] = False  # the form closes; the new run shows below it
    if role == "analyst":
        with st.expander("Start a new run", expanded=not history, key=FORM_OPEN,
                         on_change="rerun"):
            start_form(session, user, client)
    if not history:
        st.caption("No runs yet.")
        st.stop()
    st.subheader("Selected run")
    run_view(session, user, client, role, history)
    st.subheader("History")
    if any(r.status in ACTIVE_RUN_STATUSES for r in history):
        live_history(client.id, client.currency)
    else:
        runs_table(history, client.currency, viewer_zone())
