"""Tables of datasets and runs shared by the home, data and runs pages; times are shown on
the clock of ``zone``, the viewer's IANA time zone (:func:`ui.context.viewer_zone`)."""

from __future__ import annotations

import pandas as pd

from kiri_core.db.models import Dataset, ModelRun
from kiri_core.formatting import duration, fit, timestamp


def datasets_frame(datasets: list[Dataset], zone: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Version": f"v{d.version}", "Name": d.name, "Source": d.source, "Rows": d.row_count,
          "Period": f"{d.start_date} – {d.end_date}",
          "Known truth": "yes" if d.ground_truth else "",
          "Saved": timestamp(d.created_at, zone)} for d in datasets],
        columns=["Version", "Name", "Source", "Rows", "Period", "Known truth", "Saved"],
    )


def run_label(run: ModelRun, zone: str, *, status: bool = False) -> str:
    """The one label of a run in every run picker: ``"Run #6 · dataset v2 · 2026-11-30
    14:05"``, the run, its dataset and when it was started (on the clock of ``zone``); with
    ``status`` its state too (``"... · failed"``), where runs of every state are listed."""
    label = (f"Run #{run.id} · dataset v{run.dataset.version} · "
             f"{timestamp(run.created_at, zone)}")
    return f"{label} · {run.status}" if status else label


def runs_frame(runs: list[ModelRun], currency: str, zone: str) -> pd.DataFrame:
    """The run history; R² written the client's way, "–" until a run has one."""
    return pd.DataFrame(
        [{"Run": f"#{r.id}", "Status": r.status,
          "Engine": r.engine, "Dataset": f"v{r.dataset.version}",
          "Iterations × trials": f"{r.config.get('iterations')} × {r.config.get('trials')}",
          "Started by": r.created_by.name if r.created_by else "–",
          "Created": timestamp(r.created_at, zone),
          "Duration": duration(r.duration_seconds),
          "R²": fit((r.metrics or {}).get("rsq"), currency)} for r in runs],
        columns=["Run", "Status", "Engine", "Dataset", "Iterations × trials", "Started by",
                 "Created", "Duration", "R²"],
    )
