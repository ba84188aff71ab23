"""The first results view of a run: fit metrics, channel tables, actual vs fitted chart."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kiri_core import charts, formatting
from kiri_core.report import content
from kiri_core.results import model_by_id
from ui import workspace


def truth_table(channels: dict[str, dict[str, Any]], truth: dict[str, Any],
                currency: str) -> pd.DataFrame:
    """Estimated vs true ROAS and contribution, for data generated with known truth."""
    rows = []
    for name, c in channels.items():
        true = truth["channels"].get(name)
        if true is None:
            continue
        rows.append({
            "Channel": formatting.channel_name(name),
            "Estimated ROAS": formatting.roas(c["roas"], currency),
            "True ROAS": formatting.roas(true["roas"], currency),
            "Estimated contribution": formatting.money(c["contribution"], currency),
            "True contribution": formatting.money(true["contribution"], currency),
        })
    return pd.DataFrame(rows)


def first_results(result: dict[str, Any], model_id: str, currency: str,
                  truth: dict[str, Any] | None) -> None:
    """The run's model (the client's choice, else the recommended one): metrics, channel
    table, actual vs fitted, and truth if known."""
    st.markdown(f"**{content.model_statement(result, model_id)}**")
    for warning in content.cautions(result, model_id, currency):
        st.warning(warning)
    if note := content.quick_search_note(result):
        st.info(note)
    st.caption(content.selection_note(result, model_id, currency))
    with st.container(horizontal=True):
        workspace.fit_tiles(result, model_id, currency)
    workspace.channel_tables(result, model_id, currency)
    workspace.chart(charts.actual_vs_predicted(result, model_id, currency))
    if truth:
        st.markdown("**Estimated vs true** (this dataset was generated with known truth)")
        st.dataframe(truth_table(model_by_id(result, model_id)["channels"], truth, currency),
                     hide_index=True, width="stretch")
