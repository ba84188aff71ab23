"""Scheduled refresh: next times in the client's time zone, RQ's scheduled-job registry, and
a refresh fired by the scheduler of the app's real worker (``python worker.py``)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from redis import Redis
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core.bigquery import importer
from kiri_core.bigquery.background import queue_import
from kiri_core.bigquery.models import BigQueryImport, BigQuerySource
from kiri_core.bigquery.schedule import (
    REFRESH_QUEUE,
    clear_schedule,
    next_refresh_at,
    refresh_source,
    schedule_summary,
    set_schedule,
    weekly_cron,
    weekly_parts,
)
from kiri_core.bigquery.sources import save_source
from kiri_core.db.models import Client, User
from kiri_core.db.session import session_factory
from kiri_core.services import users
from kiri_core.services.errors import ValidationError

from .conftest import Agency, make_agency, table_settings
from .fake_server import FakeBigQuery

REPO_ROOT = Path(__file__).resolve().parents[2]
MONDAY_6 = weekly_cron(0, 6)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (datetime(2026, 11, 25, 9, 0), datetime(2026, 11, 30, 5, 0)),  # CET: UTC+1
        (datetime(2026, 3, 25, 9, 0), datetime(2026, 3, 30, 4, 0)),  # CEST since Mar 29
        (datetime(2026, 11, 30, 4, 59), datetime(2026, 11, 30, 5, 0)),  # the same morning
        (datetime(2026, 11, 30, 5, 0), datetime(2026, 12, 7, 5, 0)),  # just fired: next week
    ],
)
def test_monday_six_is_read_on_stockholms_clock(after: datetime, expected: datetime):
    assert MONDAY_6 == "0 6 * * 1"
    assert next_refresh_at(MONDAY_6, "Europe/Stockholm", after) == expected


@pytest.mark.parametrize(
    ("cron", "parts"),
    [(MONDAY_6, (0, 6, 0)), (weekly_cron(6, 23, 45), (6, 23, 45)), ("0 6 1 * *", None),
     ("* * * * * */2", None), (None, None)],
)
def test_weekly_schedules_are_read_back_for_the_form(cron, parts):
    assert weekly_parts(cron) == parts


def test_the_same_cron_in_another_zone_is_another_utc_time():
    after = datetime(2026, 11, 25, 9, 0)
    assert next_refresh_at(MONDAY_6, "America/New_York", after) == datetime(2026, 11, 30, 11, 0)


def scheduled_jobs(redis_url: str) -> dict[str, float]:
    registry = ScheduledJobRegistry(REFRESH_QUEUE, connection=Redis.from_url(redis_url))
    return {job_id: registry.get_scheduled_time(job_id).timestamp()
            for job_id in registry.get_job_ids()}


@pytest.mark.redis
def test_a_weekly_schedule_waits_in_rqs_registry_until_monday_six(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    source = set_schedule(session, agency.analyst, table_source_id, MONDAY_6, "Europe/Stockholm")
    local = source.next_refresh_at.replace(tzinfo=UTC).astimezone(ZoneInfo("Europe/Stockholm"))
    assert (local.weekday(), local.hour, local.minute) == (0, 6, 0)
    assert timedelta(0) < source.next_refresh_at - datetime.now(UTC).replace(tzinfo=None) <= (
        timedelta(days=7)
    )
    assert schedule_summary(source) == (
        f"Refreshes Mondays at 06:00 (Europe/Stockholm); next {local:%Y-%m-%d} 06:00."
    )
    [(job_id, when)] = scheduled_jobs(redis_url).items()
    assert when == source.next_refresh_at.replace(tzinfo=UTC).timestamp()
    assert job_id.startswith(f"kiri-bigquery-{table_source_id}-")
    set_schedule(session, agency.analyst, table_source_id, weekly_cron(2, 7), "Europe/Stockholm")
    [(new_job_id, _)] = scheduled_jobs(redis_url).items()  # the old one is gone
    assert new_job_id != job_id
    clear_schedule(session, agency.analyst, table_source_id)
    assert scheduled_jobs(redis_url) == {}


def test_a_schedule_needs_a_cron_a_zone_and_the_queue(
    session: Session, agency: Agency, table_source_id: int
):
    with pytest.raises(ValidationError) as caught:
        set_schedule(session, agency.analyst, table_source_id, "every monday", "Mars/Olympus")
    assert caught.value.problems == [
        "'every monday' is not a cron expression (e.g. 0 6 * * 1 for Mondays 06:00).",
        "'Mars/Olympus' is not a time zone (e.g. Europe/Stockholm).",
        "Weekly refresh is not turned on on this server; an administrator can turn it on. "
        "Meanwhile use Import now.",
    ]
    assert session.get(BigQuerySource, table_source_id).schedule_cron is None


def test_without_the_queue_an_administrator_is_told_how_to_turn_weekly_refresh_on(
    session: Session, agency: Agency, table_source_id: int
):
    with pytest.raises(ValidationError) as caught:
        set_schedule(session, agency.admin, table_source_id, MONDAY_6, "Europe/Stockholm")
    assert caught.value.problems == [
        "Weekly refresh is not turned on on this server. To turn it on, set REDIS_URL to a "
        "Redis server and run the workers (python worker.py). Meanwhile use Import now.",
    ]


def test_the_next_refresh_is_written_the_clients_way():
    """A EUR client reads "30 Nov 2026", as on its Data page."""
    source = BigQuerySource(schedule_cron=MONDAY_6, schedule_timezone="Europe/Stockholm",
                            next_refresh_at=datetime(2026, 11, 30, 5, 0),
                            client=Client(name="Euro", currency="EUR"))
    assert schedule_summary(source) == (
        "Refreshes Mondays at 06:00 (Europe/Stockholm); next 30 Nov 2026 06:00."
    )


@pytest.mark.redis
def test_a_refresh_of_a_replaced_schedule_does_nothing(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    source = set_schedule(session, agency.analyst, table_source_id, MONDAY_6, "Europe/Stockholm")
    old_token = source.schedule_token
    set_schedule(session, agency.analyst, table_source_id, MONDAY_6, "Europe/Stockholm")
    assert refresh_source(table_source_id, old_token) == (
        "skipped: the schedule was changed or removed"
    )
    assert imports(session, table_source_id) == []


@pytest.mark.redis
def test_a_refresh_whose_owner_lost_access_is_a_failure_in_the_history(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    source = set_schedule(session, agency.analyst, table_source_id, MONDAY_6, "Europe/Stockholm")
    users.revoke_access(session, agency.admin, agency.analyst.id, agency.client.id)
    summary = refresh_source(table_source_id, source.schedule_token)
    [record] = imports(session, table_source_id)
    assert (record.status, record.error_kind, record.trigger) == ("failed", "access", "schedule")
    assert "The schedule's owner may no longer import for this client" in record.error
    assert summary.startswith("failed: No access in Kiri:")


def imports(session: Session, source_id: int) -> list[BigQueryImport]:
    session.expire_all()
    query = select(BigQueryImport).where(BigQueryImport.source_id == source_id)
    return list(session.scalars(query.order_by(BigQueryImport.id)))


def wait_for_imports(session: Session, source_id: int, count: int, timeout: float):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [r for r in imports(session, source_id) if r.finished_at is not None]
        if len(done) >= count:
            return done
        time.sleep(0.5)
    pytest.fail(f"fewer than {count} scheduled imports within {timeout} s")


@pytest.fixture
def worker(redis_url: str, app_env: str, monkeypatch, tmp_path: Path):
    """The app's worker (``python worker.py``: RQ worker with its scheduler) as a process."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "worker.py"], cwd=REPO_ROOT, env={**os.environ}, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True,
    )
    yield process
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    log.close()


@pytest.fixture
def quick_heartbeat(monkeypatch) -> None:
    """Imports count as dead after 2 s without a heartbeat (set before the worker starts)."""
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "2")


@pytest.mark.redis
def test_a_refresh_waits_for_an_import_now_still_queued(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)  # no worker: "Import now" stays queued
    source = set_schedule(session, agency.analyst, table_source_id, MONDAY_6, "Europe/Stockholm")
    manual = queue_import(session, agency.analyst, table_source_id)
    summary = refresh_source(table_source_id, source.schedule_token)
    assert re.fullmatch(r"skipped: An import of 'Weekly marketing' is already queued \(asked for "
                        r"\d+ s ago\)\. Wait for it to finish before importing again\.", summary)
    assert [r.id for r in imports(session, table_source_id)] == [manual.id]
    assert len(scheduled_jobs(redis_url)) == 1  # the following refresh is still planned


def insert_imports_at_once(monkeypatch) -> None:
    """Make the next two import insertions wait for each other, then race."""
    barrier = threading.Barrier(2, timeout=30)
    add = importer.add_active_import

    def add_at_once(*args) -> None:
        barrier.wait()
        add(*args)

    monkeypatch.setattr(importer, "add_active_import", add_at_once)


@pytest.mark.redis
@pytest.mark.timeout(120)
def test_a_refresh_racing_an_import_now_ends_cleanly(
    database_url: str, warehouse: FakeBigQuery, redis_url: str, monkeypatch
):
    """The refresh and the click add their import at the same moment: the database keeps
    one; the refresh is skipped or the click refused, and nothing crashes."""
    monkeypatch.setenv("REDIS_URL", redis_url)  # no worker: an "Import now" stays queued
    with session_factory(database_url)() as session:
        agency = make_agency(session)
        source = save_source(session, agency.analyst, agency.client.id, table_settings())
        token = set_schedule(session, agency.analyst, source.id, MONDAY_6,
                             "Europe/Stockholm").schedule_token

    def click() -> str:
        with session_factory(database_url)() as session:
            try:
                return queue_import(session, session.get(User, agency.analyst.id), source.id).status
            except ValidationError as refused:
                return str(refused)

    insert_imports_at_once(monkeypatch)
    with ThreadPoolExecutor(2) as pool:
        refreshed, clicked = pool.submit(refresh_source, source.id, token), pool.submit(click)
        summary, clicked = refreshed.result(), clicked.result()
    with session_factory(database_url)() as session:
        [record] = imports(session, source.id)
    if record.trigger == "manual":
        assert (record.status, clicked) == ("queued", "queued")
        assert summary.startswith("skipped: An import of 'Weekly marketing' is already queued")
    else:
        assert (record.status, summary) == (
            "succeeded", "succeeded: Saved as dataset v1: 104 weeks (all new)."
        )
        assert clicked.startswith("An import of 'Weekly marketing' is already running")


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_the_worker_fails_an_import_whose_process_died(
    session: Session, agency: Agency, table_source_id: int, quick_heartbeat: None,
    worker: subprocess.Popen,
):
    long_ago = datetime.now(UTC).replace(tzinfo=None) - timedelta(hours=1)
    dead = BigQueryImport(source_id=table_source_id, trigger="manual", status="running",
                          actor_id=agency.analyst.id, started_at=long_ago, heartbeat_at=long_ago)
    session.add(dead)
    session.commit()
    deadline = time.monotonic() + 60
    while (record := imports(session, table_source_id)[0]).status == "running":
        assert time.monotonic() < deadline, "the worker did not reap the dead import"
        time.sleep(0.5)
    assert (record.status, record.error_kind) == ("failed", "stopped")
    assert "The worker stopped responding" in record.error
    assert worker.poll() is None


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_the_workers_scheduler_fires_the_refresh(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery,
    worker: subprocess.Popen, redis_url: str,
):
    every_two_seconds = "* * * * * */2"  # croniter's sixth field: seconds
    set_schedule(session, agency.analyst, table_source_id, every_two_seconds, "Europe/Stockholm")
    first, second = wait_for_imports(session, table_source_id, 2, timeout=60)[:2]
    assert (first.trigger, first.status, first.rows) == ("schedule", "succeeded", 104)
    assert first.actor_id == agency.analyst.id
    assert (second.trigger, second.status) == ("schedule", "unchanged")
    assert warehouse.calls("tabledata.list")  # the worker read the fake BigQuery
    assert worker.poll() is None
    clear_schedule(session, agency.analyst, table_source_id)
    assert scheduled_jobs(redis_url) == {}
