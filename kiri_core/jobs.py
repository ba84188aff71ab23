"""Job functions the worker runs; they take ids, open their own database session.

``python -m kiri_core.jobs run <run_id>`` runs one model run in this process, and
``python -m kiri_core.jobs import <import_id>`` one BigQuery import (the embedded runner the
app starts when ``REDIS_URL`` is unset).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.base import utcnow
from kiri_core.db.models import ACTIVE_RUN_STATUSES, ModelRun, RunArtifact
from kiri_core.db.session import session_scope
from kiri_core.results import channel_summary
from kiri_core.services import datasets, runs
from kiri_core.storage import default_storage

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL_S = 1.0
ROBYN_TIMEOUT_S = 4 * 3600


class RunCancelled(Exception):
    """Raised from the progress callback when the run was asked to stop."""


def heartbeat_interval_seconds() -> float:
    """Beat at least three times per reaper timeout (at most every 5 s)."""
    return min(5.0, config.heartbeat_timeout_seconds() / 3)


class Heartbeat:
    """Calls ``beat()`` every ``interval()`` seconds (default:
    :func:`heartbeat_interval_seconds`) from a thread until stopped.

    A job whose beats stop (its worker died) is failed by a reaper that compares the last
    beat with ``KIRI_HEARTBEAT_TIMEOUT``. Usable as a context manager.
    """

    def __init__(self, beat: Callable[[], None], name: str,
                 interval: Callable[[], float] = heartbeat_interval_seconds) -> None:
        self._beat_once = beat
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"heartbeat-{name}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=heartbeat_interval_seconds() * 2)

    def __enter__(self) -> Heartbeat:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _beat(self) -> None:
        while not self._stopped.wait(self._interval()):
            try:
                self._beat_once()
            except Exception:  # a missed beat is retried; the reaper tolerates several
                log.exception("%s failed", self._thread.name)


@dataclass(frozen=True)
class Progress:
    """How far a run is (0 to 1) and what it is doing."""

    fraction: float = 0.0
    stage: str | None = None


class RunMonitor:
    """Keeps a run's row up to date from a thread: progress and stage, and heartbeats.

    The engine reports through :meth:`progress` and :meth:`stage` as often as it likes; the
    thread writes the latest report at most every :data:`PROGRESS_WRITE_INTERVAL_S` (only
    when it changed) and a heartbeat at least every :func:`heartbeat_interval_seconds`, and
    :meth:`stop` writes the last report, so the end of the search is never lost. A run whose
    heartbeat stops (the worker died) is failed by
    :func:`kiri_core.services.runs.reap_stale_runs`.
    """

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.cancelled = threading.Event()
        self._lock = threading.Lock()
        self._reported = self._written = Progress()
        self._last_beat = time.monotonic()
        self._stopped = False
        self._heartbeat = Heartbeat(self._tick, f"run-{run_id}",
                                    interval=lambda: PROGRESS_WRITE_INTERVAL_S)

    def start(self) -> None:
        self._heartbeat.start()

    def stop(self) -> None:
        """Stop the thread and write what was reported since its last write (once: a second
        call does nothing)."""
        if self._stopped:
            return
        self._stopped = True
        self._heartbeat.stop()
        self._tick()

    def should_cancel(self) -> bool:
        return self.cancelled.is_set()

    def progress(self, fraction: float) -> None:
        """Progress callback handed to the engine; raises RunCancelled when asked to stop."""
        if self.cancelled.is_set():
            raise RunCancelled()
        with self._lock:
            last = self._reported
            self._reported = Progress(max(last.fraction, float(fraction)), last.stage)

    def stage(self, name: str) -> None:
        """Stage callback handed to the engine: the run starts the step ``name``."""
        with self._lock:
            self._reported = Progress(self._reported.fraction, name)

    def _tick(self) -> None:
        """Write the latest report when it changed, else a heartbeat when one is due."""
        with self._lock:
            reported = self._reported
        beat_due = time.monotonic() - self._last_beat >= heartbeat_interval_seconds()
        if reported != self._written or beat_due:
            self._write(reported)

    def _write(self, reported: Progress) -> None:
        with session_scope() as session:
            run = session.get(ModelRun, self.run_id)
            run.heartbeat_at = utcnow()
            run.progress = max(run.progress, min(reported.fraction, 0.99))
            run.stage = reported.stage or run.stage
            if run.cancel_requested_at is not None or run.status != "running":
                self.cancelled.set()  # asked to stop, or already ended by the reaper
        self._written, self._last_beat = reported, time.monotonic()


def _locked_run(session: Session, run_id: int) -> ModelRun | None:
    """The run's row, locked until the end of the transaction (its eager joins are not)."""
    return session.get(ModelRun, run_id, with_for_update={"of": ModelRun})


def _claim(run_id: int) -> ModelRun | None:
    """Mark a queued run as running; None if it was cancelled (or taken) meanwhile."""
    with session_scope() as session:
        run = _locked_run(session, run_id)
        if run is None or run.status != "queued":
            return None
        run.status, run.stage = "running", "Loading the data"
        run.started_at = run.heartbeat_at = utcnow()
        run.pid = os.getpid()
        return run


def _load_data(run: ModelRun) -> pd.DataFrame:
    with session_scope() as session:
        return datasets.stored_frame(session.get(ModelRun, run.id).dataset)


def _fit(run: ModelRun, data: pd.DataFrame, monitor: RunMonitor) -> dict[str, Any]:
    if run.engine == "robyn-r":
        from kiri_core.robyn_r.adapter import run_robyn

        monitor.stage("Fitting models with Robyn in R")
        with tempfile.TemporaryDirectory(prefix=f"kiri-run-{run.id}-") as workdir:
            return run_robyn(data, run.config, workdir, monitor.progress, monitor.should_cancel,
                             ROBYN_TIMEOUT_S, lambda line: log.info("run %s: %s", run.id, line))
    from kiri_core.engine.features import PROPHET_FITS
    from kiri_core.engine.fit import fit_model

    PROPHET_FITS.keep_on_disk(config.prophet_cache_dir())  # shared by every run's process
    return fit_model(data, run.config, monitor.progress, stage=monitor.stage)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    raise TypeError(f"Cannot store {type(value).__name__} in result.json")


def _store_result(run_id: int, result: dict[str, Any]) -> str:
    """Store the result of a run that is still running and return its final status; a run
    already ended meanwhile (failed by the reaper, cancelled) keeps its end."""
    data = json.dumps(result, default=_json_default).encode("utf-8")
    with session_scope() as session:
        run = _locked_run(session, run_id)
        if run.status != "running":
            log.warning("run %s ended as %s before its result came; result not stored",
                        run_id, run.status)
            return run.status
        stored = default_storage().put_bytes(
            f"clients/{run.client_id}/runs/{run_id}/result.json", data
        )
        session.add(RunArtifact(run_id=run_id, kind="result", storage_key=stored.key,
                                checksum=stored.checksum, size_bytes=stored.size_bytes))
        run.metrics, run.channels = result["metrics"], channel_summary(result)
        run.model_id = result.get("model_id")
        run.status, run.progress, run.finished_at = "succeeded", 1.0, utcnow()
        return run.status


def _finish(run_id: int, status: str, error: str | None, failure_kind: str | None = None) -> str:
    """End a run that is still active as ``status`` (a failed one with its ``failure_kind``,
    :data:`~kiri_core.db.models.FAILURE_KINDS`); returns the run's final status."""
    with session_scope() as session:
        run = _locked_run(session, run_id)
        if run.status in ACTIVE_RUN_STATUSES:
            run.status, run.error, run.finished_at = status, error, utcnow()
            run.failure_kind = failure_kind
        return run.status


def execute_run(run_id: int) -> str:
    """Run one model run end to end and return its final status.

    Loads the dataset, fits with the run's engine, stores the result JSON as a run artifact
    and its summary on the row. Cancellation is cooperative (through the progress callback);
    any error leaves the run failed with its kind and the error in the user's words
    (:func:`kiri_core.services.runs.failure_kind`, :func:`~kiri_core.services.runs.failure_text`).
    """
    run = _claim(run_id)
    if run is None:
        return "skipped"
    monitor = RunMonitor(run_id)
    monitor.start()
    try:
        result = _fit(run, _load_data(run), monitor)
        monitor.stop()  # before the result: a progress write racing it would undo its 100 %
        if monitor.should_cancel():
            raise RunCancelled()
        return _store_result(run_id, result)
    except Exception as exc:
        if monitor.should_cancel():  # RunCancelled, or an engine's own stop on should_cancel
            return _finish(run_id, "cancelled", "Cancelled on request.")
        log.exception("run %s failed", run_id)  # with the error's class, for engineers
        kind = runs.failure_kind(type(exc).__name__)
        return _finish(run_id, "failed", runs.failure_text(kind, str(exc)), kind)
    finally:
        monitor.stop()


def record_engine_availability() -> None:
    """Check once whether Robyn (R) can run on this machine and record it for the run form
    (a worker at its start; without a worker, the app in a thread of its own)."""
    from kiri_core.robyn_r.availability import refresh_robyn_availability

    try:
        with session_scope() as session:
            found = refresh_robyn_availability(session)
        log.info("Robyn (R): %s", found.detail)
    except Exception:
        log.exception("checking Robyn (R) availability failed")


def check_engines_in_background() -> threading.Thread:
    """:func:`record_engine_availability` in a thread of its own: the embedded set-up (no
    worker) checks this machine when the app starts, without holding up its first page."""
    thread = threading.Thread(target=record_engine_availability, name="kiri-engine-check",
                              daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiri_core.jobs")
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run", help="execute one model run in this process")
    run_parser.add_argument("run_id", type=int)
    import_parser = sub.add_parser("import", help="execute one BigQuery import in this process")
    import_parser.add_argument("import_id", type=int)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.command == "import":
        from kiri_core.bigquery.background import execute_import

        status = execute_import(args.import_id)
        return 0 if status in ("succeeded", "unchanged", "skipped") else 1
    status = execute_run(args.run_id)
    return 0 if status in ("succeeded", "cancelled", "skipped") else 1


if __name__ == "__main__":
    raise SystemExit(main())
