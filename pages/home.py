"""Client home: latest headline numbers, datasets and runs of the selected client."""

from __future__ import annotations

import streamlit as st

from kiri_core import formatting
from kiri_core.services import clients
from ui.context import selected_client, signed_in_user
from ui.db import db
from ui.tables import datasets_frame, runs_frame

with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    overview = clients.client_overview(session, user, client.id)
    st.title(client.name)
    st.caption(f"{client.industry or 'No industry set'} · {client.currency} · you are {role}")
    if headline := overview.headline:
        st.subheader(f"Latest model (run #{overview.latest_run.id})")
        cols = st.columns(4)
        cols[0].metric("Media spend", formatting.money_compact(headline["spend"], client.currency))
        cols[1].metric("Media contribution",
                       formatting.money_compact(headline["contribution"], client.currency))
        cols[2].metric("Media ROAS", formatting.roas(headline["roas"], client.currency))
        cols[3].metric("Model fit (R²)", formatting.number(headline["rsq"], client.currency, 2))
    else:
        st.info("No finished model yet. Load data on the Data page, then start a run.")
    st.subheader("Datasets")
    if overview.datasets:
        st.dataframe(datasets_frame(overview.datasets), hide_index=True, width="stretch")
    else:
        st.caption("No datasets yet.")
    st.subheader("Runs")
    if overview.runs:
        st.dataframe(runs_frame(overview.runs), hide_index=True, width="stretch")
    else:
        st.caption("No runs yet.")
