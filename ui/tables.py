"""Tables shared by the pages: datasets and runs (home, data and runs pages; times on the
clock of ``zone``, the viewer's IANA time zone, :func:`ui.context.viewer_zone`), the engine
parity table and the first rows of incoming data (CSV upload and BigQuery preview)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core import formatting
from kiri_core.db.models import Dataset, ModelRun
from kiri_core.formatting import (
    duration,
    engine_name,
    fit,
    number,
    timestamp,
    weeks_period,
)
from kiri_core.results import is_conversion

PREVIEW_ROWS = 20
# The engine parity table: shown column, column of the parity table, how it is written.
PARITY_COLUMNS = {
    "Spend": ("spend", formatting.money),
    "ROAS · Kiri": ("roas_kiri", formatting.roas),
    "ROAS · Robyn": ("roas_robyn", formatting.roas),
    "Difference": ("roas_difference", formatting.signed_percent),
    "Contribution · Kiri": ("contribution_kiri", formatting.money),
    "Contribution · Robyn": ("contribution_robyn", formatting.money),
    "Effect share · Kiri": ("effect_share_kiri", formatting.percent),
    "Effect share · Robyn": ("effect_share_robyn", formatting.percent),
}


#: Widths of the datasets table's columns of free text (px; the others are as wide as they
#: are written, about 385 px): 341 px, so the table fits :data:`ui.layout.PAGE_AT_1024` with
#: a few px to spare and a name as long as "v2 · Test data, seed 7, steady spend" reads whole
#: there. A wider window shares its room among all five.
DATASET_WIDTHS = {"Dataset": 254, "Source": 87}
#: The datasets table's column help (a tooltip on the header).
DATASET_HELP = {"Source": "Where the version came from: the uploaded file's name, BigQuery, "
                          "or Generated: test data with known truth (the true ROAS and "
                          "contribution of each channel, shown beside a model's estimates)."}


def datasets_frame(datasets: list[Dataset], currency: str, zone: str) -> pd.DataFrame:
    """The dataset versions: version and name ("v2 · Orders"), source, weeks, period and when
    each was saved, dates written the client's way."""
    return pd.DataFrame(
        [{"Dataset": f"v{d.version} · {d.name}", "Source": source_label(d),
          "Weeks": d.row_count, "Period": weeks_period(d.start_date, d.end_date, currency),
          "Saved": timestamp(d.created_at, zone, currency)} for d in datasets],
        columns=["Dataset", "Source", "Weeks", "Period", "Saved"],
    )


def datasets_table(datasets: list[Dataset], currency: str, zone: str) -> None:
    """:func:`datasets_frame` full width; in a narrow window a long name or file name is cut
    (its column can be dragged wider) rather than pushing the period and the save time out
    of sight."""
    st.dataframe(datasets_frame(datasets, currency, zone), hide_index=True, width="stretch",
                 column_config={
                     name: st.column_config.TextColumn(width=width, help=DATASET_HELP.get(name))
                     for name, width in DATASET_WIDTHS.items()})


def source_label(dataset: Dataset) -> str:
    """Where a version came from, for people: the uploaded file's name, "BigQuery", or
    "Generated" (with known truth, :data:`DATASET_HELP`)."""
    kind, _, detail = dataset.source.partition(":")
    if kind == "upload":
        return detail or "Upload"
    return {"bigquery": "BigQuery", "generated": "Generated"}.get(kind, dataset.source)


def run_label(run: ModelRun, currency: str, zone: str, *, status: bool = False) -> str:
    """The one label of a run in every run picker: ``"Run #6 · dataset v2 · 2026-11-30
    14:05"``, the run (its number of the client's), its dataset (``"v2 (deleted)"`` once
    deleted, as in the history, and with :func:`conversion_mark`) and when it was started
    (on the clock of ``zone``, its day written the client's way); with ``status`` its state
    too (``ModelRun.state``: ``"... · failed"``), where runs of every state are listed."""
    deleted = " (deleted)" if run.dataset.deleted_at else ""
    label = (f"Run #{run.number} · dataset v{run.dataset.version}{deleted}"
             f"{conversion_mark(run)} · {timestamp(run.created_at, zone, currency)}")
    if not status:
        return label
    return f"{label} · {run.state}"


def conversion_mark(run: ModelRun) -> str:
    """``" · conversions"`` after a conversion model's dataset, so it is told apart from a
    revenue model of the same data (which has no mark)."""
    return " · conversions" if is_conversion(run.config) else ""


def runs_frame(runs: list[ModelRun], currency: str, zone: str) -> pd.DataFrame:
    """The run history, runs by their number of the client's ("#3"); R² written the
    client's way, "–" until a run has one."""
    return pd.DataFrame(
        [{"Run": f"#{r.number}", "Status": r.state,
          "Dataset": f"v{r.dataset.version}{' (deleted)' if r.dataset.deleted_at else ''}"
                     f"{conversion_mark(r)}",
          "Search": f"{engine_name(r.engine)} · {r.config.get('iterations')} × "
                    f"{r.config.get('trials')}",
          "Started by": r.created_by.name if r.created_by else "–",
          "Created": timestamp(r.created_at, zone, currency),
          "Duration": duration(r.duration_seconds),
          "R²": fit((r.metrics or {}).get("rsq"), currency)} for r in runs],
        columns=["Run", "Status", "Dataset", "Search", "Started by", "Created", "Duration",
                 "R²"],
    )


def runs_table(runs: list[ModelRun], currency: str, zone: str) -> None:
    st.dataframe(runs_frame(runs, currency, zone), hide_index=True, width="stretch")


def parity_frame(table: pd.DataFrame, currency: str) -> pd.DataFrame:
    """The engines' side-by-side table (:func:`kiri_core.robyn_r.parity.engine_parity`), one
    row per channel, in the client's number style."""
    return pd.DataFrame(
        {label: [style(v, currency) for v in table[column]]
         for label, (column, style) in PARITY_COLUMNS.items()},
        index=[formatting.channel_name(c) for c in table["channel"]],
    )


def preview_frame(frame: pd.DataFrame, currency: str, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """The first ``rows`` of incoming data as the client reads numbers: ``1416294.63``
    becomes ``1 416 294,63`` for a SEK client. Number columns with only whole numbers
    (flags, counts) get no decimals, others two; a cell that is not a number (a date, a
    typo the validation names) is shown as it was written, an empty cell stays empty."""
    head = frame.head(rows)
    return pd.DataFrame({name: _preview_column(head[name], currency) for name in head.columns},
                        columns=head.columns)


def preview_columns(frame: pd.DataFrame) -> dict:
    """``st.dataframe`` column settings for :func:`preview_frame`: numbers to the right."""
    return {name: st.column_config.TextColumn(alignment="right") for name in frame.columns
            if pd.to_numeric(frame[name].head(PREVIEW_ROWS), errors="coerce").notna().any()}


def _preview_column(column: pd.Series, currency: str) -> pd.Series:
    text = column.astype(object).where(column.notna(), "")
    if pd.api.types.is_bool_dtype(column):
        return text
    numbers = pd.to_numeric(column, errors="coerce")
    present = numbers.dropna()
    decimals = 0 if (present == present.round()).all() else 2
    return text.where(numbers.isna(), numbers.map(lambda v: number(v, currency, decimals)))
