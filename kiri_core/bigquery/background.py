""""Import now" off the UI thread: queue the import, run it as a job, fail imports whose job died.

:func:`queue_import` (a service: analysts only) records a ``queued`` import and hands
:func:`execute_import` to :func:`kiri_core.queue.enqueue_job`, like a model run: RQ's
``kiri-default`` queue (the scheduled refresh's) when ``REDIS_URL`` is set, else a background
process (``python -m kiri_core.jobs import <id>``). The job claims the import (``running``)
and imports exactly as :func:`kiri_core.bigquery.importer.import_source` does, heartbeat
included. A source has one import at a time: the database refuses another while one is
queued or running (:func:`kiri_core.bigquery.importer.add_active_import`).
:func:`reap_stale_imports` applies the model runs' rule (``KIRI_HEARTBEAT_TIMEOUT``),
so an import whose worker or process died ends ``failed`` instead of blocking the source.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core import config, queue
from kiri_core.bigquery import importer
from kiri_core.bigquery.models import ACTIVE_STATUSES, BigQueryImport, BigQuerySource
from kiri_core.bigquery.sources import get_source
from kiri_core.db.base import utcnow
from kiri_core.db.models import User
from kiri_core.db.session import session_scope
from kiri_core.services import audit
from kiri_core.services.errors import KiriError

IMPORT_QUEUE = queue.DEFAULT_QUEUE
IMPORT_JOB_TIMEOUT_S = 30 * 60
JOB_FUNCTION = "kiri_core.bigquery.background.execute_import"


def queue_import(session: Session, actor: User, source_id: int) -> BigQueryImport:
    """Record an "Import now" of the source as ``queued`` and start its job; returns at once.

    Raises
    ------
    AccessDenied, NotFound
        The actor is not an analyst of the source's client, or there is no such source.
    ImportBusy
        A ValidationError: an import of the source is already queued or running (maybe
        queued a moment ago by another click); nothing was added.
    """
    source = get_source(session, actor, source_id, "analyst")
    reap_stale_imports(session, source.id)
    record = BigQueryImport(source_id=source.id, trigger="manual", actor_id=actor.id,
                            status="queued")
    importer.add_active_import(session, source, record)
    audit.record(session, actor, "bigquery.import.queue", client_id=source.client_id,
                 target=("bigquery_source", source.id), details={"import_id": record.id})
    session.commit()
    try:
        handle = queue.enqueue_job(
            JOB_FUNCTION, record.id, command="import", queue_name=IMPORT_QUEUE,
            job_timeout=IMPORT_JOB_TIMEOUT_S,
            description=f"BigQuery import {record.id} of source {source.id}",
        )
    except Exception as exc:  # Redis down, or no process could be started: not left queued
        importer.finish_as_internal_error(session, record, exc)
        raise
    record.job_id, record.pid = handle.job_id, handle.pid
    session.commit()
    return record


def execute_import(import_id: int) -> str:
    """Job: carry out the queued import ``import_id``; returns its final status.

    The import runs as the analyst who asked for it, whose access is checked again now.
    """
    with session_scope() as session:
        record = claim(session, import_id)
        if record is None:
            return "skipped"
        actor = session.get(User, record.actor_id) if record.actor_id is not None else None
        try:
            source = get_source(session, actor, record.source_id, "analyst")
        except KiriError as exc:
            importer.mark_failed(record, "access", f"Kiri refused the import: {exc}")
            session.commit()
            return record.status
        return importer.run_import(session, actor, source, record).status


def claim(session: Session, import_id: int) -> BigQueryImport | None:
    """Mark a queued import as running; None if it is gone or no longer queued (reaped)."""
    record = session.get(BigQueryImport, import_id, with_for_update=True)
    if record is None or record.status != "queued":
        return None
    record.status, record.heartbeat_at, record.pid = "running", utcnow(), os.getpid()
    session.commit()
    return record


def stale_reason(record: BigQueryImport, deadline: datetime, timeout: timedelta) -> str | None:
    """Why an active import will never finish, or None while it may."""
    if record.status == "running" and (record.heartbeat_at or record.started_at) < deadline:
        return (f"The worker stopped responding (no heartbeat for over "
                f"{timeout.total_seconds():.0f} s); it was probably stopped or crashed. "
                "Start the import again.")
    if record.status == "queued" and queue.never_starts(queue.JobHandle(record.job_id,
                                                                        record.pid)):
        return ("The import was queued but never started (its job left the queue, or its "
                "process ended). Start the import again.")
    return None


def reap_stale_imports(session: Session, source_id: int | None = None) -> list[int]:
    """Fail imports queued or running for over ``KIRI_HEARTBEAT_TIMEOUT`` s that are dead.

    Dead: running without a heartbeat for that long, or queued with a job that will never
    start. Safe to run anywhere, any number of times (the sources page runs it as it polls);
    returns the ids of the imports it failed.
    """
    timeout = timedelta(seconds=config.heartbeat_timeout_seconds())
    deadline = utcnow() - timeout
    query = select(BigQueryImport).where(BigQueryImport.status.in_(ACTIVE_STATUSES),
                                         BigQueryImport.started_at < deadline)
    if source_id is not None:
        query = query.where(BigQueryImport.source_id == source_id)
    failed = []
    for record in session.scalars(query.execution_options(populate_existing=True)).all():
        reason = stale_reason(record, deadline, timeout)
        if reason is None:
            continue
        importer.mark_failed(record, "stopped", reason)
        source = session.get(BigQuerySource, record.source_id)
        audit.record(session, None, "bigquery.import.reaped", client_id=source.client_id,
                     target=("bigquery_source", source.id), details={"import_id": record.id})
        failed.append(record.id)
    session.commit()
    return failed
