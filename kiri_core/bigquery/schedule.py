"""Scheduled refresh of BigQuery sources through RQ's scheduler, in the existing workers.

A schedule is a cron expression read in a time zone ("weekly, Monday 06:00 Europe/Stockholm"
is ``0 6 * * 1``). Saving it puts one job in RQ's scheduled-job registry with
``Queue.enqueue_at`` for the next time; the scheduler that ``rq worker --with-scheduler``
runs moves it onto the ``kiri-default`` queue when due, and a worker runs
:func:`refresh_source`. That job plans the following refresh first, then imports. A token on
the source ties jobs to the current schedule: after a change or removal, older jobs are
deleted from Redis and, should one still run, it does nothing.
"""

from __future__ import annotations

import contextlib
import secrets
from datetime import UTC, datetime

from croniter import croniter
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy.orm import Session

from kiri_core import config, queue
from kiri_core.bigquery import importer
from kiri_core.bigquery.models import BigQueryImport, BigQuerySource
from kiri_core.bigquery.sources import get_source
from kiri_core.db.base import utcnow
from kiri_core.db.models import User
from kiri_core.db.session import session_scope
from kiri_core.formatting import is_time_zone, local_time, timestamp
from kiri_core.services import audit
from kiri_core.services.errors import KiriError, ValidationError

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
REFRESH_QUEUE = queue.DEFAULT_QUEUE
REFRESH_JOB_TIMEOUT_S = 30 * 60
UNAVAILABLE = ("Weekly refresh is not turned on on this server; an administrator can turn it "
               "on.")


def weekly_cron(weekday: int, hour: int, minute: int = 0) -> str:
    """Cron expression for every week on ``weekday`` (0 = Monday) at ``hour:minute``."""
    return f"{minute} {hour} * * {(weekday + 1) % 7}"


def next_refresh_at(cron: str, timezone: str, after: datetime) -> datetime:
    """The first time after ``after`` that ``cron`` matches on the clock of ``timezone``.

    Times are naive UTC in and out. Monday 06:00 in Europe/Stockholm is 05:00 UTC in winter
    and 04:00 UTC in summer.
    """
    local = local_time(after, timezone)
    upcoming = croniter(cron, local).get_next(datetime)
    return upcoming.astimezone(UTC).replace(tzinfo=None)


def weekly_parts(cron: str | None) -> tuple[int, int, int] | None:
    """``(weekday, hour, minute)`` (0 = Monday) of a :func:`weekly_cron`, else None."""
    fields = (cron or "").split()
    if len(fields) != 5 or fields[2:4] != ["*", "*"]:
        return None
    minute, hour, weekday = fields[0], fields[1], fields[4]
    if not (minute.isdigit() and hour.isdigit() and weekday.isdigit()):
        return None
    return (int(weekday) - 1) % 7, int(hour), int(minute)


def available() -> bool:
    """Whether this server can refresh sources on a schedule (it has the RQ queue)."""
    return config.redis_url() is not None


def unavailable_text(user: User) -> str:
    """Why an analyst cannot schedule a refresh, in plain words; an administrator is told
    how to turn it on instead of whom to ask."""
    if user.is_admin:
        return ("Weekly refresh is not turned on on this server. To turn it on, set REDIS_URL "
                "to a Redis server and run the workers (python worker.py). Meanwhile use "
                "Import now.")
    return f"{UNAVAILABLE} Meanwhile use Import now."


def schedule_summary(source: BigQuerySource) -> str:
    """The schedule in words, the day written the client's way: "Refreshes Mondays at 06:00
    (Europe/Stockholm); next 2026-11-30 06:00."."""
    if source.schedule_cron is None or source.next_refresh_at is None:
        return "No scheduled refresh."
    weekly = weekly_parts(source.schedule_cron)
    when = (
        f"{WEEKDAYS[weekly[0]]}s at {weekly[1]:02d}:{weekly[2]:02d}"
        if weekly
        else f"on cron '{source.schedule_cron}'"
    )
    upcoming = timestamp(source.next_refresh_at, source.schedule_timezone,
                         source.client.currency)
    return f"Refreshes {when} ({source.schedule_timezone}); next {upcoming}."


def schedule_problems(cron: str, timezone: str, actor: User) -> list[str]:
    problems = []
    if not croniter.is_valid(cron):
        problems.append(f"'{cron}' is not a cron expression (e.g. 0 6 * * 1 for Mondays 06:00).")
    if not is_time_zone(timezone):
        problems.append(f"'{timezone}' is not a time zone (e.g. Europe/Stockholm).")
    if not available():
        problems.append(unavailable_text(actor))
    return problems


def set_schedule(
    session: Session, actor: User, source_id: int, cron: str, timezone: str
) -> BigQuerySource:
    """Refresh the source on ``cron`` in ``timezone`` from now on, as ``actor`` (an analyst).

    Raises
    ------
    ValidationError
        Not a cron expression or time zone, or no RQ queue configured (:func:`available`).
    """
    source = get_source(session, actor, source_id, "analyst")
    problems = schedule_problems(cron, timezone, actor)
    if problems:
        raise ValidationError("The schedule was not saved.", problems)
    lock_schedule(session, source)
    delete_scheduled_job(source)
    source.schedule_cron, source.schedule_timezone = cron, timezone
    source.schedule_owner_id = actor.id
    source.schedule_token = secrets.token_hex(8)
    plan_next_refresh(source, after=utcnow())
    audit.record(
        session, actor, "bigquery.schedule.set", client_id=source.client_id,
        target=("bigquery_source", source.id), details={"cron": cron, "timezone": timezone},
    )
    session.commit()
    return source


def clear_schedule(session: Session, actor: User, source_id: int) -> BigQuerySource:
    """Stop refreshing the source on a schedule."""
    source = get_source(session, actor, source_id, "analyst")
    lock_schedule(session, source)
    delete_scheduled_job(source)
    source.schedule_cron = source.schedule_token = source.next_refresh_at = None
    audit.record(
        session, actor, "bigquery.schedule.clear", client_id=source.client_id,
        target=("bigquery_source", source.id),
    )
    session.commit()
    return source


def lock_schedule(session: Session, source: BigQuerySource) -> None:
    """Lock the source's row and re-read it, so a refresh planning its successor right now
    finishes first and its job is the one replaced."""
    session.refresh(source, with_for_update=True)


def refresh_job_id(source: BigQuerySource) -> str:
    assert source.next_refresh_at is not None
    when = f"{source.next_refresh_at:%Y%m%dT%H%M%S}"
    return f"kiri-bigquery-{source.id}-{source.schedule_token}-{when}"


def plan_next_refresh(source: BigQuerySource, after: datetime) -> None:
    """Put the next refresh in RQ's scheduled-job registry and note its time on the source."""
    assert source.schedule_cron is not None
    source.next_refresh_at = next_refresh_at(source.schedule_cron, source.schedule_timezone, after)
    queue.get_queue(REFRESH_QUEUE).enqueue_at(
        source.next_refresh_at.replace(tzinfo=UTC),
        refresh_source,
        source.id,
        source.schedule_token,
        job_id=refresh_job_id(source),
        job_timeout=REFRESH_JOB_TIMEOUT_S,
        result_ttl=7 * 86400,
        description=f"BigQuery refresh of source {source.id}",
    )


def delete_scheduled_job(source: BigQuerySource) -> None:
    if source.next_refresh_at is None or not available():
        return
    with contextlib.suppress(NoSuchJobError):
        Job.fetch(refresh_job_id(source), connection=queue.redis_connection()).delete()


def refresh_source(source_id: int, token: str) -> str:
    """RQ job: plan the next refresh, then import the source as the schedule's owner,
    unless an import of it ("Import now") is still queued or running.

    Returns a one-line summary (kept as the RQ job's result).
    """
    with session_scope() as session:
        source = session.get(BigQuerySource, source_id, with_for_update=True)
        if source is None or source.schedule_token != token:
            return "skipped: the schedule was changed or removed"
        plan_next_refresh(source, after=utcnow())
        session.commit()
        owner = session.get(User, source.schedule_owner_id) if source.schedule_owner_id else None
        try:
            record = importer.import_source(session, owner, source_id, trigger="schedule")
        except importer.ImportBusy as busy:  # the database's answer, also to a race
            return f"skipped: {busy}"
        except KiriError as exc:
            record = record_refused(session, source, exc)
        return f"{record.status}: {importer.describe(record)}"


def record_refused(session: Session, source: BigQuerySource, exc: KiriError) -> BigQueryImport:
    """History entry for a refresh Kiri refused (the schedule's owner lost access)."""
    session.rollback()
    record = BigQueryImport(
        source_id=source.id, trigger="schedule", status="failed", error_kind="access",
        error=f"The schedule's owner may no longer import for this client ({exc}). An analyst "
        "of the client must save the schedule again.",
        finished_at=utcnow(),
    )
    session.add(record)
    session.commit()
    return record
