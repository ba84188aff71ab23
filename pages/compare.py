"""Compare two runs of a client side by side: fit, channel ROAS and contribution."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core import charts
from kiri_core import formatting as fmt
from ui import workspace
from ui.context import selected_client, signed_in_user
from ui.db import db


def metrics_frame(results: dict[str, dict], currency: str) -> pd.DataFrame:
    return pd.DataFrame(
        {label: [fmt.number(r["metrics"][key], currency, 3) for _, key in workspace.FIT_METRICS]
         for label, r in results.items()},
        index=[label for label, _ in workspace.FIT_METRICS])


def channels_frame(results: dict[str, dict], currency: str) -> pd.DataFrame:
    columns = list(dict.fromkeys(c for r in results.values() for c in r["spend_columns"]))
    data = {}
    for label, result in results.items():
        channels = result["channels"]
        data[f"ROAS · {label}"] = [fmt.roas(channels[c]["roas"], currency) if c in channels
                                   else "–" for c in columns]
        data[f"Contribution · {label}"] = [fmt.money(channels[c]["contribution"], currency)
                                           if c in channels else "–" for c in columns]
    return pd.DataFrame(data, index=[fmt.channel_name(c) for c in columns])


st.title("Compare runs")
with db() as session:
    user = signed_in_user(session)
    client, _ = selected_client(session, user)
    left, right = st.columns(2)
    with left:
        first = workspace.finished_run(session, user, client, key="compare_a")
    with right:
        second = workspace.finished_run(session, user, client, key="compare_b", default=1)
    if first.id == second.id:
        st.info("Pick two different runs to compare.")
        st.stop()
    results = {f"Run #{run.id}": workspace.result_of(session, user, run.id)
               for run in (first, second)}
    st.subheader("Fit of the recommended models")
    st.dataframe(metrics_frame(results, client.currency), width="stretch")
    st.subheader("Channels")
    st.dataframe(channels_frame(results, client.currency), width="stretch")
    left, right = st.columns(2)
    with left:
        workspace.chart(charts.compare_runs(results, client.currency, "roas"))
    with right:
        workspace.chart(charts.compare_runs(results, client.currency, "contribution"))
