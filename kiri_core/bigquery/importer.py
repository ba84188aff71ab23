"""Import a BigQuery source as a new dataset version, exactly as a CSV upload is saved.

The mapped rows are written as the CSV a user would upload and go through the datasets
service's own reading and validation (:func:`kiri_core.services.datasets.read_upload` and
:func:`~kiri_core.services.datasets.save_dataset`), so a BigQuery import and a CSV upload
accept and refuse the same data. A failed or invalid import saves no dataset; every attempt
is kept in the source's import history with its result in plain words. While an import runs
it beats ``heartbeat_at``, so one whose worker died is failed by
:func:`kiri_core.bigquery.background.reap_stale_imports` instead of staying ``running``.
A source has one queued or running import at a time; the database refuses a second one
(:func:`add_active_import`).
"""

from __future__ import annotations

import hashlib
import os
from functools import partial

import pandas as pd
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiri_core import formatting
from kiri_core.bigquery.client import fetch_rows
from kiri_core.bigquery.credentials import google_credentials
from kiri_core.bigquery.errors import FAILURE_TITLES, BigQueryFailure
from kiri_core.bigquery.mapping import SourceMapping
from kiri_core.bigquery.models import ACTIVE_STATUSES, BigQueryImport, BigQuerySource
from kiri_core.bigquery.sources import get_source, source_spec, stored_key
from kiri_core.db.base import utcnow
from kiri_core.db.models import Dataset, ModelRun, User
from kiri_core.db.session import session_scope
from kiri_core.jobs import Heartbeat
from kiri_core.services import audit, datasets, runs
from kiri_core.services.errors import KiriError, ValidationError

ACTIVE_DURATIONS = {"queued": "waiting…", "running": "importing…"}
SHORT_OUTCOMES = {"queued": "Queued", "running": "Importing…", "unchanged": "No change"}


class ImportBusy(ValidationError):
    """The source had a queued or running import (``active``; None if it ended meanwhile).

    The message says how long ago it was asked for, which needs no time zone.
    """

    def __init__(self, source: BigQuerySource, active: BigQueryImport | None) -> None:
        asked = (utcnow() - active.started_at).total_seconds() if active else 0.0
        state = (f"is already {active.status} (asked for {formatting.duration(asked)} ago)"
                 if active else "was started at the same moment")
        super().__init__(f"An import of '{source.name}' {state}. Wait for it to finish "
                         "before importing again.")
        self.active = active


def active_import(session: Session, source_id: int) -> BigQueryImport | None:
    """The source's queued or running import, if any (no access check: callers have done it)."""
    query = (
        select(BigQueryImport)
        .where(BigQueryImport.source_id == source_id,
               BigQueryImport.status.in_(ACTIVE_STATUSES))
        .order_by(BigQueryImport.id.desc())
        .limit(1)
    )
    return session.scalar(query.execution_options(populate_existing=True))


def add_active_import(session: Session, source: BigQuerySource, record: BigQueryImport) -> None:
    """Add the queued or running ``record`` of ``source`` and flush it (the caller commits).

    The partial unique index ``uq_bigquery_imports_one_active`` lets the database refuse a
    second active import of a source, also when two callers race on SQLite (the only
    constraint such a row can break: sources and users are never deleted).

    Raises
    ------
    ImportBusy
        The source has an active import already; the session is rolled back.
    """
    session.add(record)
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise ImportBusy(source, active_import(session, source.id)) from None


def import_source(
    session: Session, actor: User | None, source_id: int, *, trigger: str = "manual"
) -> BigQueryImport:
    """Read, map, validate and save the source's data as a new dataset version, here and now.

    Returns the import record: ``succeeded`` (a new dataset, maybe a re-run), ``unchanged``
    (same rows as the last import; nothing saved) or ``failed`` (``error_kind`` and a
    plain-words ``error``; nothing saved). Needs the analyst role on the source's client.
    The scheduled refresh calls this inside its job; "Import now" queues a job instead
    (:func:`kiri_core.bigquery.background.queue_import`).

    Raises
    ------
    ImportBusy
        Another import of the source is queued or running; none was started.
    """
    source = get_source(session, actor, source_id, "analyst")
    assert actor is not None  # get_source refused anyone else
    record = BigQueryImport(source_id=source.id, trigger=trigger, actor_id=actor.id,
                            status="running", heartbeat_at=utcnow(), pid=os.getpid())
    add_active_import(session, source, record)
    session.commit()
    return run_import(session, actor, source, record)


def run_import(
    session: Session, actor: User, source: BigQuerySource, record: BigQueryImport
) -> BigQueryImport:
    """Carry out the ``running`` import ``record`` and finish it (see :func:`import_source`).

    Beats the record's heartbeat all along; a fault of Kiri's own (storage, database) fails
    the record as an internal error and is raised again.
    """
    with Heartbeat(partial(beat, record.id), f"bigquery-import-{record.id}"):
        try:
            save_rows(session, actor, source, record, read_mapped_rows(source))
        except BigQueryFailure as failure:
            record.status, record.error_kind = "failed", failure.kind
            record.error = failure_text(failure)
        except Exception as exc:  # not left "running"
            session.rollback()
            finish_as_internal_error(session, record, exc)
            raise
        record.finished_at = utcnow()
        audit.record(
            session, actor, "bigquery.import", client_id=source.client_id,
            target=("bigquery_source", source.id),
            details={"status": record.status, "rows": record.rows,
                     "dataset_id": record.dataset_id, "trigger": record.trigger},
        )
        session.commit()
    return record


def beat(import_id: int) -> None:
    """Note that the running import ``import_id`` is alive (from its heartbeat thread)."""
    with session_scope() as session:
        session.execute(
            update(BigQueryImport)
            .where(BigQueryImport.id == import_id, BigQueryImport.status == "running")
            .values(heartbeat_at=utcnow())
        )


def mark_failed(record: BigQueryImport, kind: str, error: str) -> None:
    """End ``record`` as failed now, with ``error`` in plain words (the caller commits)."""
    record.status, record.error_kind, record.error = "failed", kind, error
    record.finished_at = utcnow()


def finish_as_internal_error(session: Session, record: BigQueryImport, exc: Exception) -> None:
    mark_failed(record, "internal", f"Kiri could not finish the import ({type(exc).__name__}); "
                "the app's log has details.")
    session.commit()


def read_mapped_rows(source: BigQuerySource) -> pd.DataFrame:
    """All rows of the source, renamed into Kiri's columns.

    Raises
    ------
    BigQueryFailure
        BigQuery failed, or the mapping does not fit the data (``kind == "invalid"``).
    """
    mapping = SourceMapping.from_json(source.column_mapping)
    problems = mapping.problems()
    if problems:
        raise BigQueryFailure("invalid", "The column mapping is incomplete.", problems)
    fetched = fetch_rows(source_spec(source), google_credentials(stored_key(source)))
    missing = mapping.missing_columns(list(fetched.frame.columns))
    if missing:
        raise BigQueryFailure("invalid", "The BigQuery data lacks mapped columns.", missing)
    return mapping.apply(fetched.frame)


def save_rows(
    session: Session,
    actor: User,
    source: BigQuerySource,
    record: BigQueryImport,
    frame: pd.DataFrame,
) -> None:
    """Save the rows as a dataset version unless they equal the last import's."""
    upload = frame.to_csv(index=False).encode("utf-8")
    record.rows = len(frame)
    record.content_hash = hashlib.sha256(upload).hexdigest()
    if record.content_hash == last_content_hash(session, source.id, record.id):
        record.status, record.new_weeks = "unchanged", 0
        return
    mapping = SourceMapping.from_json(source.column_mapping).product_mapping()
    try:
        parsed = datasets.read_upload(upload)
        record.new_weeks = count_new_weeks(session, source.client_id, parsed[mapping["date"]])
        dataset = datasets.save_dataset(
            session, actor, source.client_id, parsed, mapping,
            name=f"BigQuery: {source.name}", source="bigquery", keep_duplicate=True,
        )
    except ValidationError as exc:
        raise BigQueryFailure(
            "invalid",
            f"The BigQuery data has {formatting.counted(len(exc.problems), 'problem')}; "
            "nothing was saved.",
            exc.problems,
        ) from exc
    record.status, record.dataset_id = "succeeded", dataset.id
    if source.rerun_on_new_weeks and record.new_weeks:
        rerun_last_configuration(session, actor, record, dataset)


def last_content_hash(session: Session, source_id: int, before_id: int) -> str | None:
    """Content hash of the source's last import that read data successfully; None when the
    version it saved has been deleted since (the same rows are then saved again)."""
    query = (
        select(BigQueryImport)
        .where(
            BigQueryImport.source_id == source_id,
            BigQueryImport.id < before_id,
            BigQueryImport.status.in_(("succeeded", "unchanged")),
        )
        .order_by(BigQueryImport.id.desc())
        .limit(1)
    )
    last = session.scalar(query)
    if last is None:
        return None
    saved = session.scalar(
        select(Dataset).join(BigQueryImport, BigQueryImport.dataset_id == Dataset.id)
        .where(BigQueryImport.source_id == source_id, BigQueryImport.id <= last.id,
               BigQueryImport.status == "succeeded")
        .order_by(BigQueryImport.id.desc()).limit(1))
    return None if saved is not None and saved.deleted_at is not None else last.content_hash


def count_new_weeks(session: Session, client_id: int, dates: pd.Series) -> int:
    """Weeks later than the end of the client's newest data (all weeks if it has none)."""
    latest_end = session.scalar(
        select(func.max(Dataset.end_date)).where(Dataset.client_id == client_id,
                                                 Dataset.deleted_at.is_(None))
    )
    parsed = pd.to_datetime(dates, format="ISO8601", errors="coerce")
    if latest_end is None:
        return int(parsed.notna().sum())
    return int((parsed > pd.Timestamp(latest_end)).sum())


def rerun_last_configuration(
    session: Session, actor: User, record: BigQueryImport, dataset: Dataset
) -> None:
    """Start the client's last succeeded run's configuration again on the new dataset."""
    last = session.scalar(
        select(ModelRun)
        .where(ModelRun.client_id == dataset.client_id, ModelRun.status == "succeeded")
        .order_by(ModelRun.id.desc())
        .limit(1)
    )
    if last is None:
        return
    try:
        run = runs.start_run(
            session, actor, dataset.client_id, dataset.id, last.config, engine=last.engine
        )
    except KiriError as exc:
        record.error = f"The last model configuration was not re-run: {exc}"
        return
    record.rerun = run


def failure_text(failure: BigQueryFailure) -> str:
    """The failure's message with every problem, one per line."""
    details = [p for p in failure.problems if p != str(failure)]
    return "\n".join([str(failure), *(f"- {p}" for p in details)])


def outcome(record: BigQueryImport) -> str:
    """The import's result in a few words, for the history table: "Table missing",
    "Saved as dataset v4"."""
    if record.status == "failed":
        return FAILURE_TITLES.get(record.error_kind or "", "Failed")
    if record.status == "succeeded":
        saved = f"Saved as dataset v{record.dataset.version}"
        return f"{saved}, re-run #{record.rerun.number}" if record.rerun_id else saved
    return SHORT_OUTCOMES[record.status]


def describe(record: BigQueryImport) -> str:
    """The import's result in full, for the source's status and the refresh job's result."""
    if record.status == "queued":
        return "Queued: the import starts as soon as a worker is free."
    if record.status == "running":
        return "Importing…"
    if record.status == "failed":
        return f"{outcome(record)}: {(record.error or '').splitlines()[0]}"
    if record.status == "unchanged":
        return f"No change: the same {record.rows} rows as the last import; nothing saved."
    later = ("all new" if record.new_weeks == record.rows
             else f"{record.new_weeks} later than the data you had")
    line = (f"Saved as dataset v{record.dataset.version}: "
            f"{formatting.counted(record.rows or 0, 'week')} ({later}).")
    if record.rerun_id:
        line += f" Re-run #{record.rerun.number} started with the last model configuration."
    if record.error:
        line += f" {record.error}"
    return line


def history_row(record: BigQueryImport, currency: str, zone: str) -> dict[str, str]:
    """One line of the import history as text, its time on the clock of ``zone`` written the
    client's way; what an import has not told yet reads "–". The result is a few words
    (:func:`outcome`); the whole message, if any, follows under "Details"."""
    return {
        "When": formatting.timestamp(record.started_at, zone, currency),
        "Trigger": record.trigger,
        "Rows": formatting.number(record.rows, currency),
        "New weeks": formatting.number(record.new_weeks, currency),
        "Took": took(record),
        "Result": outcome(record),
        "Details": " ".join((record.error or "–").splitlines()),
    }


def took(record: BigQueryImport) -> str:
    """From "Import now" (or the refresh) to the end; "waiting…"/"importing…" until then."""
    if record.status in ACTIVE_DURATIONS:
        return ACTIVE_DURATIONS[record.status]
    if record.finished_at is None:
        return formatting.duration(None)
    return formatting.duration((record.finished_at - record.started_at).total_seconds())
