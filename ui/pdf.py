"""The PDF report of a run's model on a page: prepared by the worker, then downloaded."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from kiri_core.db.models import Client, ModelRun, User
from kiri_core.report import artifact
from ui.context import signed_in_user
from ui.db import db
from ui.errors import user_errors

PDF_POLL_SECONDS = 2


def report_file_name(client: Client, run: ModelRun) -> str:
    """``"Acme AB – Marketing mix report – run 3.pdf"``: the client's file, without the
    model's internal id (the report names its model in words)."""
    return f"{client.name} \u2013 Marketing mix report \u2013 run {run.number}.pdf"


def report_download(session: Session, user: User, run: ModelRun, client: Client,
                 model_id: str) -> None:
    """The PDF of the run's model: a download button when stored, else a button to prepare
    it."""
    requested = f"pdf_requested_{run.id}_{model_id}"
    with user_errors():
        data = artifact.report_pdf(session, user, run.id, model_id)
        if data is not None:
            st.download_button("Download PDF report", data, type="primary",
                               file_name=report_file_name(client, run),
                               mime="application/pdf", key=f"download_pdf_{run.id}_{model_id}")
        elif st.session_state.get(requested) and artifact.report_in_progress(run.id, model_id):
            _pdf_pending(run.id, model_id)
        elif st.button("Prepare PDF report", key=f"prepare_pdf_{run.id}_{model_id}"):
            st.session_state[requested] = True
            artifact.request_report(session, user, run.id, model_id)
            st.rerun()


@st.fragment(run_every=PDF_POLL_SECONDS)
def _pdf_pending(run_id: int, model_id: str) -> None:
    """Waits for the worker to store the PDF, then reruns the page to offer it; reruns it
    too when no build is waiting any more (it failed, or saving a scenario dropped the
    PDF), so the page offers to prepare it again."""
    with db() as session:
        ready = artifact.report_pdf(session, signed_in_user(session), run_id,
                                    model_id) is not None
    if ready or not artifact.report_in_progress(run_id, model_id):
        st.rerun(scope="app")
    st.caption("Preparing the PDF report ...")
