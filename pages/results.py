"""Results workspace: look at any model on the Pareto front in every view, and make one the
client's model."""

from __future__ import annotations

import streamlit as st

from kiri_core import charts
from kiri_core.export import robyn_csv_zip
from kiri_core.report import content
from kiri_core.results import model_by_id
from kiri_core.services import runs
from ui import pdf, workspace
from ui.context import selected_client, signed_in_user
from ui.db import db
from ui.results import channel_section, curves_section, truth_section

#: The tabs and the model's charts in each (the response curves' tab draws its own)
TAB_CHARTS = {
    "Contribution": ("waterfall", "decomposition_over_time"),
    "Fit": ("actual_vs_predicted", "fitted_vs_residual"),
    "Channels": ("spend_vs_effect", "roas_intervals"),
    "Response curves": (),
    "Carryover": ("immediate_vs_carryover", "adstock_decay"),
}

st.title("Results")
with db() as session:
    user = signed_in_user(session)
    client, role = selected_client(session, user)
    run = workspace.finished_run(session, user, client)
    result = workspace.result_of(session, user, run.id)
    currency = client.currency
    truth = runs.known_truth(run)

    model_id = workspace.model_picker(session, user, run, result, role, currency)
    st.caption(content.candidates_chart_note(result))
    model = model_by_id(result, model_id)
    analyst = role == "analyst"  # a viewer, who starts no run, is told in the client's words
    for warning in (content.cautions if analyst else content.client_cautions)(
            result, model_id, currency):
        st.warning(warning)
    if note := (content.quick_search_note if analyst else content.client_quick_search_note)(
            result):
        st.info(note)

    st.subheader("Channels")
    channel_section(result, model_id, currency)

    tabs = st.tabs([*TAB_CHARTS, *(["Estimated vs true"] if truth else [])])
    for tab, names in zip(tabs, TAB_CHARTS.values(), strict=False):
        with tab:
            for name in names:
                workspace.model_chart(result, name, model_id, currency)
    with tabs[3]:
        curves_section(session, user, run, result, model_id, currency)
    if truth:
        with tabs[5]:
            truth_section(model["channels"], truth, currency)
            workspace.chart(charts.estimated_vs_true(result, model_id, truth, currency, "roas"))
            workspace.chart(charts.estimated_vs_true(result, model_id, truth, currency,
                                                     "contribution"))

    st.subheader("Report")
    st.caption(workspace.report_note(result, run, model_id))  # the client's, also on preview
    pdf.report_download(session, user, run, client, workspace.selected_model(result, run))
    if role == "analyst":  # viewers read the results and the PDF; analysts export the models
        st.download_button("Robyn CSVs (zip)", lambda: robyn_csv_zip(result),
                           mime="application/zip", key=f"download_robyn_{run.id}",
                           file_name=f"{client.name} - run {run.number} - Robyn CSVs.zip")
