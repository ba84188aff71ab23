"""The first results view of a run (fit metrics, channel tables, actual vs fitted chart) and
the Results page's sections."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy.orm import Session

from kiri_core import charts, formatting, planner
from kiri_core.db.models import ModelRun, User
from kiri_core.report import content
from kiri_core.results import is_conversion, model_by_id
from ui import plans, workspace


def truth_table(channels: dict[str, dict[str, Any]], truth: dict[str, Any],
                currency: str) -> pd.DataFrame:
    """Estimated vs true ROAS (with the estimate's 90 % interval and whether it holds the
    truth) and contribution, for data generated with known truth."""
    rows = []
    for name, c in _with_truth(channels, truth):
        true = truth["channels"][name]
        rows.append({
            "Channel": formatting.channel_name(name),
            "ROAS": formatting.roas(c["roas"], currency),
            "True ROAS": formatting.roas(true["roas"], currency),
            formatting.interval_name(currency): content.interval(c.get("roas_ci"), False, currency),
            "Truth inside": "yes" if _holds_truth(c, true) else "no",
            "Contribution": formatting.money(c["contribution"], currency),
            "True contribution": formatting.money(true["contribution"], currency),
        })
    return pd.DataFrame(rows)


def truth_note(channels: dict[str, dict[str, Any]], truth: dict[str, Any],
               currency: str = "SEK") -> str:
    """How many intervals hold the true ROAS, and what more misses than one in ten mean."""
    known = list(_with_truth(channels, truth))
    held = sum(_holds_truth(c, truth["channels"][name]) for name, c in known)
    return (f"The {formatting.interval_name(currency)} holds the true ROAS for {held} of "
            f"{len(known)} channels. It should miss about one channel in ten; more misses "
            "mean the data cannot tell these channels apart well enough, so check such "
            "figures against a lift test before moving budget.")


def truth_section(channels: dict[str, dict[str, Any]], truth: dict[str, Any],
                  currency: str) -> None:
    """:func:`truth_table` with :func:`truth_note` under it."""
    st.dataframe(truth_table(channels, truth, currency), hide_index=True, width="stretch")
    st.caption(truth_note(channels, truth, currency))


def _with_truth(channels: dict[str, dict[str, Any]], truth: dict[str, Any]
                ) -> Iterator[tuple[str, dict[str, Any]]]:
    """The (column, channel) pairs the truth knows."""
    return ((name, c) for name, c in channels.items() if name in truth["channels"])


def _holds_truth(channel: dict[str, Any], true: dict[str, Any]) -> bool:
    low, high = channel.get("roas_ci") or (float("nan"), float("nan"))
    return bool(low <= true["roas"] <= high)


def channel_section(result: dict[str, Any], model_id: str, currency: str) -> None:
    """The channel tables and why their marginal ROAS (CPA) can rank the channels otherwise
    than a budget plan (:func:`kiri_core.report.content.marginal_basis_note`)."""
    workspace.channel_tables(result, model_id, currency)
    st.caption(content.marginal_basis_note(is_conversion(result)))


def curves_section(session: Session, user: User, run: ModelRun, result: dict[str, Any],
                   model_id: str, currency: str) -> None:
    """The response curves with the carry-over (:func:`content.analyst_curves_text`), marking
    the spend of a saved plan of the model (:func:`_marked_plan`), or of none when none is
    saved (never the planner's unsaved last try)."""
    scenarios = planner.model_scenarios(session, user, run.id, result, model_id, currency)
    shown = _marked_plan(scenarios, run.id, model_id)
    title, caption = content.analyst_curves_text(result, shown["name"] if shown else None)
    st.markdown(f"**{title}**")
    workspace.chart(charts.response_curves(result, model_id, currency,
                                           shown["plan"] if shown else None))
    st.caption(caption)


#: The Results page's pick of the saved plan its curves mark
MARKED_PLAN = "marked_plan_{run_id}_{model_id}"


def _marked_plan(scenarios: list[dict], run_id: int, model_id: str) -> dict | None:
    """The saved plan the curves mark: the only one; with several, the one picked in a
    select, which starts at the plan the Presentation shows (picked there in this browser
    session, else the first)."""
    if len(scenarios) < 2:
        return scenarios[0] if scenarios else None
    names = [s["name"] for s in scenarios]
    key = MARKED_PLAN.format(run_id=run_id, model_id=model_id)
    if st.session_state.get(key) not in names:  # first drawn, or its plan deleted since
        presented = st.session_state.get(
            plans.PRESENTED_PLAN.format(run_id=run_id, model_id=model_id))
        st.session_state[key] = presented if presented in names else names[0]
    chosen = st.selectbox("Plan marked on the curves", names, key=key, width=360)
    return scenarios[names.index(chosen)]


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
    channel_section(result, model_id, currency)
    workspace.chart(charts.actual_vs_predicted(result, model_id, currency))
    if truth:
        st.markdown("**Estimated vs true** (this dataset was generated with known truth)")
        truth_section(model_by_id(result, model_id)["channels"], truth, currency)
