"""The preview of an uploaded CSV beside its problems: the cells the validation names are
marked, and when the first of them lies past the first rows, the rows around it are shown;
under it a chart of the outcome and spend over time, when there is anything to draw."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from kiri_core import charts
from kiri_core.data.validation import FIRST_DATA_ROW, Problem, parse_dates
from ui import workspace
from ui.tables import PREVIEW_ROWS, preview_columns, preview_frame

# a soft red behind the design's text colour (#111111): marked, and still easy to read
PROBLEM_CELL = "background-color: #FDE2E1; color: #111111"
ROWS_BEFORE = 5  # rows shown above the first problem when the preview moves to it
ROWS_LISTED = 10  # rows with a problem below the preview named in its caption, at most
NO_CHART = "No chart: no row has both a readable date and a number to draw."


def problem_cells(problems: Sequence[Problem]) -> set[tuple[int, str]]:
    """``(position in the frame, column)`` of every problem that names one cell."""
    return {(p.row - FIRST_DATA_ROW, p.column) for p in problems
            if p.row is not None and p.column is not None}


def preview_window(length: int, cells: set[tuple[int, str]]) -> range:
    """The positions shown: the first rows, or rows around the first problem cell when it
    lies past them (a few rows above it, as many as fit below)."""
    first = min((position for position, _ in cells), default=0)
    start = 0 if first < PREVIEW_ROWS else max(0, min(first - ROWS_BEFORE,
                                                      length - PREVIEW_ROWS))
    return range(start, min(start + PREVIEW_ROWS, length))


def marked_preview(frame: pd.DataFrame, cells: set[tuple[int, str]], rows: range,
                   currency: str) -> Styler:
    """:func:`ui.tables.preview_frame` of ``rows``, indexed by their rows in the file, with
    the ``cells`` among them marked."""
    shown = preview_frame(frame.iloc[rows.start:rows.stop], currency)
    shown.index = pd.Index([position + FIRST_DATA_ROW for position in rows], name="Row")
    marks = pd.DataFrame("", index=shown.index, columns=shown.columns)
    for position, column in cells:
        if position in rows and column in marks.columns:
            marks.loc[position + FIRST_DATA_ROW, column] = PROBLEM_CELL
    return shown.style.apply(lambda _: marks, axis=None)


def window_caption(cells: set[tuple[int, str]], rows: range) -> str:
    """Which rows the preview shows and where the problems are that it does not show."""
    first, last = rows.start + FIRST_DATA_ROW, rows.stop - 1 + FIRST_DATA_ROW
    caption = f"Rows {first}–{last} of the file"
    if rows.start:
        first_problem = min(position for position, _ in cells) + FIRST_DATA_ROW
        caption += f", around row {first_problem}, the first with a problem"
    caption += ": the cells with a problem are marked."
    hidden = sorted({p + FIRST_DATA_ROW for p, _ in cells if p not in rows})
    if hidden:
        listed = ", ".join(map(str, hidden[:ROWS_LISTED]))
        more = f" and {len(hidden) - ROWS_LISTED} more" if len(hidden) > ROWS_LISTED else ""
        caption += f" Rows with a problem below these: {listed}{more}."
    return caption


def show_preview(frame: pd.DataFrame, problems: Sequence[Problem], currency: str) -> None:
    """The preview (numbers to the right) with its problem cells marked and, when it marks
    any, which rows it shows and their numbers (left out otherwise: the width they take
    hides a last column at 1024 px)."""
    cells = problem_cells(problems)
    rows = preview_window(len(frame), cells)
    if cells:
        st.caption(window_caption(cells, rows))
    st.dataframe(marked_preview(frame, cells, rows, currency), width="stretch",
                 hide_index=not cells,
                 column_config=preview_columns(frame.iloc[rows.start:rows.stop]))


def has_points(frame: pd.DataFrame, mapping: dict) -> bool:
    """Whether any row has a readable date and a number in the outcome or a spend column:
    a point of :func:`kiri_core.charts.data_preview`."""
    values = frame[[mapping["revenue"], *mapping["spend"]]].apply(pd.to_numeric,
                                                                   errors="coerce")
    return bool((parse_dates(frame[mapping["date"]]).notna() & values.notna().any(axis=1)).any())


def show_chart(frame: pd.DataFrame, mapping: dict, currency: str) -> None:
    """The outcome and spend over time once the date and outcome columns are chosen, or a
    short note when there is nothing to draw (an empty chart frame looked broken)."""
    if not (mapping["date"] and mapping["revenue"]):
        return
    if has_points(frame, mapping):
        workspace.chart(charts.data_preview(frame, mapping, currency))
    else:
        st.caption(NO_CHART)
