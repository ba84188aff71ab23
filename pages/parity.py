"""Engine parity: Kiri's Python engine and Robyn (R) on the same dataset, channel by channel."""

from __future__ import annotations

import streamlit as st

from kiri_core import charts
from kiri_core.robyn_r.availability import robyn_availability, unavailable_note
from kiri_core.robyn_r.parity import engine_parity
from kiri_core.services import runs
from ui import workspace
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.db import db
from ui.links import page_link
from ui.tables import parity_frame, run_label

st.title("Engine parity")
st.caption("The recommended models of a Kiri (Python) run and a Robyn (R) run on the same "
           "dataset, channel by channel.")
with db() as session:
    user = signed_in_user(session)
    client, _ = selected_client(session, user)
    zone = viewer_zone()
    done = runs.finished_runs(session, user, client.id)
    robyn_runs = {r.id: r for r in done if r.engine == "robyn-r"}
    if not robyn_runs:
        availability = robyn_availability(session)
        if availability.available:
            st.info("This client has no finished Robyn (R) run yet.")
            page_link("pages/runs.py", "Start one on the Runs page")
        else:
            st.info("This client has no finished Robyn (R) run yet. "
                    + unavailable_note(availability, user.is_admin))
        st.stop()
    robyn_id = st.selectbox("Robyn (R) run", list(robyn_runs),
                            format_func=lambda i: run_label(robyn_runs[i], client.currency, zone))
    dataset_id = robyn_runs[robyn_id].dataset_id
    kiri_runs = {r.id: r for r in done if r.engine == "kiri" and r.dataset_id == dataset_id}
    if not kiri_runs:
        st.info("No finished Kiri (Python) run on the same dataset yet.")
        page_link("pages/runs.py", "Start one on the Runs page")
        st.stop()
    kiri_id = st.selectbox("Kiri (Python) run", list(kiri_runs),
                           format_func=lambda i: run_label(kiri_runs[i], client.currency, zone))
    results = {"Robyn": workspace.result_of(session, user, robyn_id),  # the reference first
               "Kiri": workspace.result_of(session, user, kiri_id)}
parity = engine_parity(results["Kiri"], results["Robyn"])
for warning in parity.warnings:
    st.warning(warning)
st.dataframe(parity_frame(parity.table, client.currency), width="stretch")
left, right = st.columns(2)
with left:
    workspace.chart(charts.compare_runs(results, client.currency, "roas"))
with right:
    workspace.chart(charts.compare_runs(results, client.currency, "contribution"))
