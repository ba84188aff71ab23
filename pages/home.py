"""Client home: latest headline numbers, datasets and runs of the selected client."""

from __future__ import annotations

import streamlit as st

from kiri_core.report import content
from kiri_core.services import clients
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.db import db
from ui.layout import metric_row
from ui.links import page_link
from ui.tables import datasets_table, runs_table

ROLE_WORDS = {"analyst": "an analyst", "viewer": "a viewer"}


def next_step(overview, role: str) -> None:
    """Without a finished model: where to go next, with a link there."""
    if overview.runs:
        st.info("No finished model yet: no run of this client has succeeded so far.")
        if role == "analyst":  # a viewer has no Runs page: the runs are listed below
            page_link("pages/runs.py", "See the runs")
    elif role != "analyst":
        st.info("No finished model yet: an analyst of this client has not started a run.")
    elif not overview.datasets:
        st.info("No finished model yet. Start by loading this client's data.")
        page_link("pages/data.py", "Load data")
    else:
        st.info("No finished model yet. Start a run on this client's data.")
        page_link("pages/runs.py", "Start a run")


with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    overview = clients.client_overview(session, user, client.id)
    zone = viewer_zone()
    st.title(client.name)
    who = "an administrator" if user.is_admin else ROLE_WORDS[role]
    st.caption(f"{client.industry or 'No industry set'} · {client.currency} · you are {who}")
    if headline := overview.headline:
        st.subheader(f"Latest model (run #{overview.latest_run.number})")
        row = metric_row()
        for label, value in content.overview_headlines(headline, client.currency):
            row.metric(label, value, width="content")
    else:
        next_step(overview, role)
    st.subheader("Datasets")
    if overview.datasets:
        datasets_table(overview.datasets, client.currency, zone)
    else:
        st.caption("No datasets yet.")
    st.subheader("Runs")
    if overview.runs:
        runs_table(overview.runs, client.currency, zone)
    else:
        st.caption("No runs yet.")
