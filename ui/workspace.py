"""Shared pieces of the results workspace pages: run and model pickers, charts, PDF download."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from kiri_core import charts
from kiri_core import formatting as fmt
from kiri_core.db.models import Client, ModelRun, User
from kiri_core.report import artifact, content
from kiri_core.results import model_by_id
from kiri_core.services import runs
from ui import state
from ui.context import signed_in_user
from ui.db import db
from ui.errors import user_errors

RESULT_CACHE = "workspace_results"
RESULTS_KEPT = 3
PDF_POLL_SECONDS = 2
FIT_METRICS = (("R²", "rsq"), ("NRMSE", "nrmse"), ("DECOMP.RSSD", "decomp_rssd"))
MODEL_KEY = "workspace_model_{run_id}"


def finished_run(session: Session, user: User, client: Client, key: str = "run",
                 default: int = 0) -> ModelRun:
    """Select box of the client's succeeded runs; stops the page when there is none.

    The ``"run"`` picker starts at the session's run and sets it; others start at the
    ``default``-th newest run.
    """
    done = [r for r in runs.list_runs(session, user, client.id) if r.status == "succeeded"]
    if not done:
        st.info("This client has no finished run yet: start one on the Runs page.")
        st.stop()
    by_id = {r.id: r for r in done}
    ids = list(by_id)
    current = state.run_id() if key == "run" else None
    index = ids.index(current) if current in by_id else min(default, len(ids) - 1)
    labels = {i: _run_label(r) for i, r in by_id.items()}  # no lazy loads after the session
    chosen = st.selectbox("Run", ids, index=index, key=key, format_func=labels.get)
    if key == "run":
        state.set_run_id(chosen)
    return by_id[chosen]


def _run_label(run: ModelRun) -> str:
    when = run.finished_at.strftime("%Y-%m-%d %H:%M") if run.finished_at else ""
    return f"Run #{run.id} · {run.engine} · dataset v{run.dataset.version} · {when}"


def result_of(session: Session, user: User, run_id: int) -> dict[str, Any]:
    """The run's result document, read once per browser session (access checked each time)."""
    runs.get_run(session, user, run_id)
    cache = st.session_state.setdefault(RESULT_CACHE, {})
    if run_id not in cache:
        if len(cache) >= RESULTS_KEPT:
            cache.pop(next(iter(cache)))
        cache[run_id] = runs.load_result(session, user, run_id)
    return cache[run_id]


def model_options(result: dict) -> list[str]:
    """Model ids, the recommended one first, then by fit error."""
    rest = sorted((m for m in result["models"] if m["model_id"] != result["model_id"]),
                  key=lambda m: m["metrics"]["nrmse"])
    return [result["model_id"], *(m["model_id"] for m in rest)]


def selected_model(result: dict, run_id: int) -> str:
    """The model chosen for this run in this session (default: the recommended one)."""
    chosen = st.session_state.get(MODEL_KEY.format(run_id=run_id))
    ids = {m["model_id"] for m in result["models"]}
    return chosen if chosen in ids else result["model_id"]


def model_picker(result: dict, run_id: int, currency: str) -> str:
    """The Pareto scatter (click a point) and a select box; returns the chosen model id.

    The choice is kept per run outside the widgets, so the planner and a page revisit find
    it again.
    """
    key, box, chart_key = (MODEL_KEY.format(run_id=run_id), f"model_box_{run_id}",
                           f"pareto_{run_id}")
    options = model_options(result)
    st.session_state.setdefault(key, result["model_id"])
    _take_pareto_click(chart_key, key, options)
    st.session_state[box] = st.session_state[key]
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(charts.pareto_front(result, st.session_state[key], currency),
                        theme=None, on_select="rerun", selection_mode="pick", key=chart_key)
    with right:
        model_id = st.selectbox(
            "Model", options, key=box, on_change=_keep_choice, args=(box, key),
            format_func=lambda m: f"{m} · recommended" if m == result["model_id"] else m)
        if model_id == result["model_id"]:  # one caption either way: a stable layout
            st.caption(f"Recommended: {result.get('recommendation_reason', '')}")
        else:
            st.caption(f"An alternative to the recommended model {result['model_id']}; "
                       "every view below shows this model.")
        metrics = model_by_id(result, model_id)["metrics"]
        for col, (label, name) in zip(st.columns(3), FIT_METRICS, strict=True):
            col.metric(label, fmt.number(metrics[name], currency, 3))
    return model_id


def _keep_choice(box: str, key: str) -> None:
    st.session_state[key] = st.session_state[box]


def _take_pareto_click(chart_key: str, key: str, options: list[str]) -> None:
    """A new click on a Pareto point chooses that model."""
    event = st.session_state.get(chart_key)
    picked = [p.get("model_id") for p in event.selection.get("pick", [])] if event else []
    seen = f"{chart_key}_seen"
    if picked and picked[0] in options and picked[0] != st.session_state.get(seen):
        st.session_state[key] = st.session_state[seen] = picked[0]


def channel_frame(result: dict, model_id: str, currency: str) -> pd.DataFrame:
    """The channel table (spend, contribution, ROAS, marginal ROAS, interval) as shown."""
    return pd.DataFrame(content.channel_rows(result, model_id, currency),
                        columns=list(content.CHANNEL_COLUMNS))


def chart(figure: Any) -> None:
    """An Altair chart from kiri_core.charts with its own theme, full width."""
    st.altair_chart(figure, theme=None, width="stretch")


def pdf_download(session: Session, user: User, run: ModelRun, client: Client) -> None:
    """The run's PDF: a download button when stored, else a button to prepare it."""
    requested = f"pdf_requested_{run.id}"
    with user_errors():
        data = artifact.report_pdf(session, user, run.id)
        if data is not None:
            st.download_button("Download PDF report", data, type="primary",
                               file_name=f"{client.name} - run {run.id}.pdf",
                               mime="application/pdf", key=f"download_pdf_{run.id}")
        elif st.session_state.get(requested):
            _pdf_pending(run.id)
        elif st.button("Prepare PDF report", key=f"prepare_pdf_{run.id}"):
            st.session_state[requested] = True
            artifact.request_report(session, user, run.id)
            st.rerun()


@st.fragment(run_every=PDF_POLL_SECONDS)
def _pdf_pending(run_id: int) -> None:
    """Waits for the worker to store the PDF, then reruns the page to offer it."""
    with db() as session:
        ready = artifact.report_pdf(session, signed_in_user(session), run_id) is not None
    if ready:
        st.rerun(scope="app")
    st.caption("Preparing the PDF report ...")
