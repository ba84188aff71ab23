"""Budget plans on a page: a plan's table, the saved plans compared, the pick among them, and
the planner form kept while the user is on other pages."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core import charts, planner
from kiri_core import formatting as fmt
from kiri_core.report import content
from ui.workspace import chart


def text_table(rows: list[list[str]], columns: list[str]) -> None:
    """A table whose columns share the page width (none is cut off at 1024 px), with every
    amount kept whole on its line."""
    whole = [[fmt.unbreakable_numbers(cell) for cell in row] for row in rows]
    st.table(pd.DataFrame(whole, columns=columns), hide_index=True)


def plan_table(plan: dict, currency: str, limits: bool = False) -> None:
    """A plan's channels, current against planned spend, and its total, with its two returns
    (:func:`kiri_core.report.content.plan_columns`); under it, the one explanation of both
    that the PDF gives too (:func:`kiri_core.report.content.plan_note`).

    ``limits`` (the planner's view; the client's has none) adds the Min and Max that applied
    after the planned spend when they moved with the budget
    (:func:`kiri_core.planner.applied_limits`), and marks a channel held at such a limit
    "at Max" ("at Min"): only there can the reader see the limit that holds it.
    """
    rows = content.plan_rows(plan, currency, moved=limits)
    columns = content.plan_columns(plan)
    applied = planner.applied_limits(plan, currency) if limits else None
    if applied:
        at = columns.index(content.PLANNED) + 1
        columns = [*columns[:at], planner.LIMITS_APPLIED, *columns[at:]]
        rows = [[*row[:at], cell, *row[at:]] for row, cell in zip(rows, [*applied, ""],
                                                                  strict=True)]
    text_table(rows, columns)
    st.caption(fmt.unbreakable_numbers(content.plan_note(plan, moved=limits)))


#: The Presentation's pick among the saved plans of a run's model (its widget key, kept
#: across pages), which the plan marked on the Results page's curves starts at
PRESENTED_PLAN = "presented_plan_{run_id}_{model_id}"


def pick_scenario(scenarios: list[dict], key: str, currency: str) -> dict:
    """The saved plan to show: with several, they are compared under "Budget plans" (a table
    of their totals and :func:`kiri_core.charts.plans_compared`) and picked with a row of
    buttons (one always chosen, the first at first, kept for the browser session)."""
    if len(scenarios) == 1:
        return scenarios[0]
    st.subheader("Budget plans")
    text_table(content.scenario_rows(scenarios, currency), content.scenario_columns(scenarios))
    if note := content.net_note(scenarios):
        st.caption(note)
    chart(charts.plans_compared(scenarios, currency))
    names = [s["name"] for s in scenarios]
    if st.session_state.get(key) not in names:  # a plan deleted since: start at the first
        st.session_state.pop(key, None)
    chosen = st.segmented_control("Show the plan", names, default=names[0], required=True,
                                  key=key, persist_state="session")
    return next((s for s in scenarios if s["name"] == chosen), scenarios[0])


#: The planner form's widget keys, or how they start ("plan_weeks" also starts the key of the
#: horizon the page took, pages/planner.py HORIZON_USED, kept with the box's)
FORM_KEYS = ("plan_weeks", "plan_limits", "plan_goal", "plan_target", "plan_budget_", "min_",
             "max_", "lock_")
KEPT_FORM = "plan_form_{run_id}"
FORM_RUN = "plan_form_run"


def _form_keys() -> list[str]:
    return [key for key in st.session_state if str(key).startswith(FORM_KEYS)]


def restore_form(run_id: int) -> None:
    """Put the run's planner form back as the user left it (before its widgets are drawn).

    Streamlit forgets a page's widget values when the user opens another page, while the
    run's plan stays on show: without this the form would come back at its defaults under a
    plan made with other inputs. A switch of run sets the form to that run's values.
    """
    kept = st.session_state.get(KEPT_FORM.format(run_id=run_id), {})
    if st.session_state.get(FORM_RUN) != run_id:
        for key in _form_keys():
            del st.session_state[key]
        st.session_state[FORM_RUN] = run_id
    for key, value in kept.items():
        st.session_state.setdefault(key, value)


def keep_form(run_id: int) -> None:
    """Keep the planner form's values of the run (after its widgets are drawn) under a key
    Streamlit does not forget, for :func:`restore_form`."""
    st.session_state[KEPT_FORM.format(run_id=run_id)] = {
        key: st.session_state[key] for key in _form_keys()}
