"""The first results view of a run: fit metrics, channel table, actual vs fitted chart."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from kiri_core import charts, formatting
from kiri_core.results import recommendation_reason

CHANNEL_COLUMNS = ("Channel", "Spend", "Contribution", "ROAS", "Marginal ROAS", "Effect share",
                   "Spend share")


def channel_table(channels: dict[str, dict[str, Any]], currency: str) -> pd.DataFrame:
    """One row per paid channel, formatted in the client's currency."""
    rows = [
        {
            "Channel": formatting.channel_name(name),
            "Spend": formatting.money(c["spend"], currency),
            "Contribution": formatting.money(c["contribution"], currency),
            "ROAS": formatting.roas(c["roas"], currency),
            "Marginal ROAS": formatting.roas(c.get("mroas"), currency),
            "Effect share": formatting.percent(c["effect_share"], currency),
            "Spend share": formatting.percent(c["spend_share"], currency),
        }
        for name, c in channels.items()
    ]
    return pd.DataFrame(rows, columns=list(CHANNEL_COLUMNS))


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


def fit_metrics(metrics: dict[str, Any], currency: str) -> None:
    cols = st.columns(3)
    for col, (label, key) in zip(cols, (("R²", "rsq"), ("NRMSE", "nrmse"),
                                        ("DECOMP.RSSD", "decomp_rssd")), strict=True):
        col.metric(label, formatting.fit(metrics[key], currency))


def first_results(result: dict[str, Any], currency: str, truth: dict[str, Any] | None) -> None:
    """Recommended model: metrics, channel table, actual vs fitted, and truth if known."""
    st.markdown(f"**Recommended model** `{result['model_id']}`")
    if reason := recommendation_reason(result, currency):
        st.caption(reason)
    fit_metrics(result["metrics"], currency)
    st.dataframe(channel_table(result["channels"], currency), hide_index=True,
                 width="stretch")
    st.altair_chart(charts.actual_vs_predicted(result, result["model_id"], currency),
                    width="stretch")
    if truth:
        st.markdown("**Estimated vs true** (this dataset was generated with known truth)")
        st.dataframe(truth_table(result["channels"], truth, currency), hide_index=True,
                     width="stretch")
