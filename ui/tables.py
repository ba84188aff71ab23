"""Tables of datasets and runs shared by the home, data and runs pages."""

from __future__ import annotations

import pandas as pd

from kiri_core.db.models import Dataset, ModelRun
from kiri_core.formatting import duration


def datasets_frame(datasets: list[Dataset]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Version": f"v{d.version}", "Name": d.name, "Source": d.source, "Rows": d.row_count,
          "Period": f"{d.start_date} – {d.end_date}",
          "Known truth": "yes" if d.ground_truth else "",
          "Saved": d.created_at.strftime("%Y-%m-%d %H:%M")} for d in datasets],
        columns=["Version", "Name", "Source", "Rows", "Period", "Known truth", "Saved"],
    )


def run_label(run: ModelRun) -> str:
    return (f"Run #{run.id} · dataset v{run.dataset.version} · "
            f"{run.created_at.strftime('%Y-%m-%d %H:%M')}")


def runs_frame(runs: list[ModelRun]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"Run": f"#{r.id}", "Status": r.status,
          "Engine": r.engine, "Dataset": f"v{r.dataset.version}",
          "Iterations × trials": f"{r.config.get('iterations')} × {r.config.get('trials')}",
          "Started by": r.created_by.name if r.created_by else "–",
          "Created": r.created_at.strftime("%Y-%m-%d %H:%M"),
          "Duration": duration(r.duration_seconds),
          "R²": round(r.metrics["rsq"], 3) if r.metrics else None} for r in runs],
        columns=["Run", "Status", "Engine", "Dataset", "Iterations × trials", "Started by",
                 "Created", "Duration", "R²"],
    )
