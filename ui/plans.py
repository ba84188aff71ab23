"""Budget plans on a page: a plan's table, the saved plans compared, and the pick among them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core import formatting as fmt
from kiri_core.report import content


def text_table(rows: list[list[str]], columns: list[str]) -> None:
    """A table whose columns share the page width (none is cut off at 1024 px), with every
    amount kept whole on its line."""
    whole = [[fmt.unbreakable_numbers(cell) for cell in row] for row in rows]
    st.table(pd.DataFrame(whole, columns=columns), hide_index=True)


def plan_table(plan: dict, currency: str) -> None:
    """A plan's channels, current against recommended spend, and its total."""
    text_table(content.plan_rows(plan, currency), content.plan_columns(plan))


def pick_scenario(scenarios: list[dict], key: str, currency: str) -> dict:
    """The saved plan to show: with several, they are compared under "Budget plans" and
    picked with a row of buttons (one always chosen, the first at first)."""
    if len(scenarios) == 1:
        return scenarios[0]
    st.subheader("Budget plans")
    text_table(content.scenario_rows(scenarios, currency), content.scenario_columns(scenarios))
    names = [s["name"] for s in scenarios]
    if st.session_state.get(key) not in names:  # a plan deleted since: start at the first
        st.session_state.pop(key, None)
    chosen = st.segmented_control("Show the plan", names, default=names[0], required=True,
                                  key=key)
    return next((s for s in scenarios if s["name"] == chosen), scenarios[0])
