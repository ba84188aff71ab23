"""Compare two runs of a client: what differs between them, their fit (better or worse),
channel ROAS (CPA) and contribution with each run's 90 % interval, whether each difference
lies inside both runs' intervals; a warning above them when the runs were fitted on different
data, which the note on differences inside both intervals then names as a cause."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core import charts
from kiri_core import formatting as fmt
from kiri_core.db.models import ModelRun
from kiri_core.report import comparison, content
from kiri_core.results import is_conversion, showing
from kiri_core.services import runs
from ui import workspace
from ui.context import selected_client, signed_in_user, viewer_zone
from ui.db import db
from ui.links import page_link

#: A run picker's width: its longest label ("Run #123 · dataset v12 · conversions ·
#: 2026-11-30 14:05") reads whole; two side by side when the page has room, else one a line.
PICKER_PX = 440


def table(rows: list[list[str]], columns: list[str], helps: dict[str, str]) -> None:
    """A comparison table; ``helps``: help texts by column (others are left out)."""
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True,
                 column_config={column: st.column_config.TextColumn(help=helps[column])
                                for column in columns if column in helps})


def run_name(run: ModelRun) -> str:
    return f"Run #{run.number}"


def baseline_default(done: list[ModelRun]) -> int:
    """Where the baseline picker starts in ``done`` (newest first): at the latest earlier run
    of the same kind (revenue or conversions) as the newest, where the compared picker
    starts; else at the second newest."""
    kinds = [is_conversion(run.config) for run in done]
    return next((i for i, kind in enumerate(kinds[1:], 1) if kind == kinds[0]), 1)


def fitted_on(run: ModelRun) -> str:
    """``"dataset v2 “Spring export”"``: the dataset version the run was fitted on."""
    deleted = " (deleted)" if run.dataset.deleted_at else ""
    return f"dataset v{run.dataset.version} \u201c{run.dataset.name}\u201d{deleted}"


st.title("Compare runs")
with db() as session:
    user = signed_in_user(session)
    client, _ = selected_client(session, user)
    currency, zone = client.currency, viewer_zone()
    done = runs.finished_runs(session, user, client.id)
    if len(done) == 1:
        st.info("Comparing needs a second finished run: this client has one. Start another "
                "run (another search, seed or dataset version) and compare the two here.")
        page_link("pages/runs.py", "Open the Runs page")
        st.stop()
    pickers = st.container(horizontal=True, gap="medium")
    left, right = pickers.container(width=PICKER_PX), pickers.container(width=PICKER_PX)
    with left:
        baseline = workspace.finished_run(session, user, client, key="compare_a",
                                          default=baseline_default(done),
                                          label="Baseline run")
        base_result = workspace.result_of(session, user, baseline.id)
        st.caption(workspace.model_caption(base_result, baseline, currency, zone))
    with right:
        compared = workspace.finished_run(session, user, client, key="compare_b",
                                          label="Compared run")
        compared_result = workspace.result_of(session, user, compared.id)
        st.caption(workspace.model_caption(compared_result, compared, currency, zone))
    if baseline.id == compared.id:
        st.info("Pick two different runs to compare.")
        st.stop()
    shown = {run_name(run): (fitted_on(run), showing(result, workspace.selected_model(result, run)))
             for run, result in ((baseline, base_result), (compared, compared_result))}
    st.markdown(comparison.what_differs(shown))
    if different := content.data_differ(shown, currency):
        st.warning(different)
    data_changed = different is not None
    results = {name: result for name, (_, result) in shown.items()}
    names, (first, second) = list(results), results.values()
    st.subheader("Fit of the client's models")
    table(comparison.fit_rows(first, second, currency), ["Measure", *names, "Difference"],
          {"Difference": comparison.FIT_HELP})
    if reason := content.kinds_differ(first, second):
        st.warning(reason)
        st.stop()
    for measure, title in content.comparison_measures(first):
        st.subheader(title)
        columns, rows = comparison.channel_table(results, measure, currency)
        table(rows, columns, {**workspace.channel_help(first, currency),
                              **comparison.column_helps(measure, currency, data_changed)})
        if note := comparison.within_note(rows, measure, first, currency, data_changed):
            st.caption(note)
        workspace.chart(charts.compare_runs(results, currency, measure))
        st.caption(f"Thin lines: each run's {fmt.interval_name(currency)}, where it has one.")
