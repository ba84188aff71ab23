"""Robyn's demo data as a client's dataset with one finished run per engine (for page tests).

The Kiri run is a real quick fit; the Robyn (R) run holds Robyn 3.12's real output from
../shared/data/robyn_r_outputs. Both are stored with the worker's own code. The two result
documents depend only on the files, so they are made once per test process (a copy each).
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import pandas as pd
from sqlalchemy.orm import Session

from kiri_core.db.models import ModelRun, User
from kiri_core.engine.fit import fit_model
from kiri_core.jobs import _store_result
from kiri_core.robyn_r.parse import parse_robyn_outputs
from kiri_core.services import datasets

MAPPING = {"date": "DATE", "revenue": "revenue",
           "spend": ["tv_S", "ooh_S", "print_S", "facebook_S", "search_S"],
           "context": ["competitor_sales_B", "events"], "organic": ["newsletter"]}
CONFIG = {"date_column": "DATE", "revenue_column": "revenue", "spend_columns": MAPPING["spend"],
          "context_columns": MAPPING["context"], "organic_columns": MAPPING["organic"],
          "prophet_vars": ["trend", "season", "holiday"], "prophet_country": "DE",
          "window_start": "2016-01-01", "window_end": "2018-12-31", "adstock": "geometric",
          "iterations": 300, "trials": 1, "seed": 123}


def seed_demo_runs(session: Session, analyst: User, client_id: int, demo_csv: Path,
                   robyn_outputs: Path) -> dict[str, int]:
    """Save the demo data for ``client_id`` and a finished run of each engine on it;
    returns ``{engine: run id}``."""
    frame = pd.read_csv(demo_csv)
    dataset = datasets.save_dataset(session, analyst, client_id, frame, MAPPING,
                                    name="Robyn demo", source="upload")
    ids = {}
    for engine, result in copy.deepcopy(demo_results(demo_csv, robyn_outputs)).items():
        run = ModelRun(client_id=client_id, dataset_id=dataset.id, engine=engine,
                       config=CONFIG, status="running", created_by_id=analyst.id)
        session.add(run)
        session.commit()
        _store_result(run.id, result)  # what the worker does with a finished fit
        ids[engine] = run.id
    return ids


@functools.cache
def demo_results(demo_csv: Path, robyn_outputs: Path) -> dict[str, dict]:
    """``{engine: result document}`` of the demo: a quick Kiri fit and Robyn's own output."""
    return {"kiri": fit_model(pd.read_csv(demo_csv), CONFIG, workers=1),
            "robyn-r": parse_robyn_outputs(robyn_outputs, CONFIG)}
