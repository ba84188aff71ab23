""""Import now" off the UI thread: queued, then run by a real ``rq worker`` on Redis or by the
embedded background process; failures keep what was saved; one import per source at a time;
an import whose process died is failed instead of blocking the source."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core.bigquery import background
from kiri_core.bigquery.background import (
    IMPORT_QUEUE,
    execute_import,
    queue_import,
    reap_stale_imports,
)
from kiri_core.bigquery.importer import describe, import_source
from kiri_core.bigquery.models import BigQueryImport
from kiri_core.bigquery.sources import import_history, save_source
from kiri_core.db.models import AuditLog, Dataset, User
from kiri_core.db.session import session_factory
from kiri_core.services import datasets, users
from kiri_core.services.errors import AccessDenied, ValidationError
from kiri_core.storage import default_storage

from .conftest import (
    Agency,
    make_agency,
    make_user,
    run_rq_worker,
    table_settings,
    wait_for_import,
)
from .fake_server import FakeBigQuery

QUEUED = "Queued: the import starts as soon as a worker is free."


def imports_of(session: Session, source_id: int) -> list[BigQueryImport]:
    query = select(BigQueryImport).where(BigQueryImport.source_id == source_id)
    return list(session.scalars(query.order_by(BigQueryImport.id)
                                .execution_options(populate_existing=True)))


def queued_job_ids(redis_url: str) -> list[str]:
    return Queue(IMPORT_QUEUE, connection=Redis.from_url(redis_url)).job_ids


def check_imported(session: Session, agency: Agency, record: BigQueryImport) -> Dataset:
    assert (record.status, record.rows, record.new_weeks) == ("succeeded", 104, 104)
    assert describe(record) == "Saved as dataset v1: 104 weeks (all new)."
    [dataset] = datasets.list_datasets(session, agency.analyst, agency.client.id)
    assert (dataset.id, dataset.source, dataset.row_count) == (record.dataset_id, "bigquery", 104)
    assert len(datasets.load_frame(session, agency.analyst, dataset.id)) == 104
    return dataset


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_import_now_is_queued_and_a_real_rq_worker_imports_it(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery,
    redis_url: str, monkeypatch, tmp_path: Path,
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    record = queue_import(session, agency.analyst, table_source_id)
    assert (record.status, record.trigger, record.pid) == ("queued", "manual", None)
    assert queued_job_ids(redis_url) == [record.job_id]
    assert describe(record) == QUEUED
    assert not warehouse.calls()  # nothing read yet: the page returned at once
    run_rq_worker(redis_url, tmp_path / "rq.log")
    done = wait_for_import(session, record.id, timeout=30)
    check_imported(session, agency, done)
    assert done.pid not in (None, os.getpid())  # RQ's work horse ran it
    assert done.heartbeat_at is not None and done.finished_at is not None
    assert Job.fetch(record.job_id, connection=Redis.from_url(redis_url)).return_value() == (
        "succeeded"
    )
    assert warehouse.calls("tabledata.list")


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_import_now_without_redis_runs_in_a_background_process(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery,
    tmp_path: Path,
):
    record = queue_import(session, agency.analyst, table_source_id)
    assert record.job_id is None and record.pid is not None
    done = wait_for_import(session, record.id)
    check_imported(session, agency, done)
    assert done.pid == record.pid  # the background process claimed it
    log = tmp_path / "data" / "logs" / f"import-{record.id}.log"
    assert log.exists()


@pytest.fixture
def sqlite_session(sqlite_url: str):
    with session_factory(sqlite_url)() as session:
        yield session


@pytest.mark.timeout(120)
def test_import_now_runs_in_the_background_on_sqlite_too(
    sqlite_session: Session, warehouse: FakeBigQuery
):
    agency = make_agency(sqlite_session)
    source = save_source(sqlite_session, agency.analyst, agency.client.id, table_settings())
    record = queue_import(sqlite_session, agency.analyst, source.id)
    check_imported(sqlite_session, agency, wait_for_import(sqlite_session, record.id))


FAILURES = {
    "403": (lambda f: f.fail(403, "accessDenied", "Access Denied: Table"), "auth",
            "Access denied: BigQuery denied access to table marketing.weekly"),
    "500": (lambda f: f.fail(500, "internalError", "Internal error"), "server",
            "BigQuery error: BigQuery had an internal error (HTTP 500)"),
}


@pytest.mark.postgres
@pytest.mark.timeout(120)
@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_failed_background_import_keeps_what_was_saved(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery, failure
):
    first = import_source(session, agency.analyst, table_source_id)
    before = datasets.load_frame(session, agency.analyst, first.dataset_id)
    saved = session.get(Dataset, first.dataset_id)
    arm, kind, status_line = FAILURES[failure]
    arm(warehouse)
    record = queue_import(session, agency.analyst, table_source_id)
    done = wait_for_import(session, record.id)
    assert (done.status, done.error_kind, done.dataset_id) == ("failed", kind, None)
    assert describe(done).startswith(status_line)
    [dataset] = datasets.list_datasets(session, agency.analyst, agency.client.id)
    assert dataset.id == first.dataset_id
    assert default_storage().get_bytes(saved.storage_key, saved.checksum)  # file unchanged
    assert datasets.load_frame(session, agency.analyst, dataset.id).equals(before)
    latest, previous = import_history(session, agency.viewer, table_source_id)
    assert (latest.id, previous.id, previous.status) == (record.id, first.id, "succeeded")


@pytest.mark.redis
def test_a_second_import_now_is_refused_while_one_is_queued(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)  # no worker: the first stays queued
    first = queue_import(session, agency.analyst, table_source_id)
    with pytest.raises(ValidationError, match="already queued") as refused:
        queue_import(session, agency.admin, table_source_id)
    assert "Wait for it to finish before importing again." in str(refused.value)
    assert [r.id for r in imports_of(session, table_source_id)] == [first.id]
    assert queued_job_ids(redis_url) == [first.job_id]


def click_import_now_at_once(url: str, user_ids: list[int], source_id: int, monkeypatch):
    """Each user clicks "Import now" in a session of their own; all calls pass the check
    for stale imports together, then race to queue. Returns each import id or refusal."""
    barrier = threading.Barrier(len(user_ids), timeout=30)
    reap = background.reap_stale_imports

    def reap_then_wait(session: Session, source_id: int | None = None) -> list[int]:
        reaped = reap(session, source_id)
        barrier.wait()
        return reaped

    def click(user_id: int) -> int | ValidationError:
        with session_factory(url)() as session:
            try:
                return queue_import(session, session.get(User, user_id), source_id).id
            except ValidationError as refused:
                return refused

    monkeypatch.setattr(background, "reap_stale_imports", reap_then_wait)
    with ThreadPoolExecutor(len(user_ids)) as pool:
        return list(pool.map(click, user_ids))


@pytest.mark.redis
@pytest.mark.timeout(120)
def test_two_import_now_clicks_at_once_queue_one_import(
    database_url: str, redis_url: str, monkeypatch
):
    """Two browser tabs: the database's unique index lets one click queue, on SQLite too."""
    monkeypatch.setenv("REDIS_URL", redis_url)  # no worker: the winner stays queued
    with session_factory(database_url)() as session:
        agency = make_agency(session)
        source = save_source(session, agency.analyst, agency.client.id, table_settings())
    outcomes = click_import_now_at_once(
        database_url, [agency.analyst.id, agency.admin.id], source.id, monkeypatch
    )
    [queued] = [o for o in outcomes if isinstance(o, int)]
    [refused] = [o for o in outcomes if isinstance(o, ValidationError)]
    assert str(refused).startswith("An import of 'Weekly marketing' is already queued")
    with session_factory(database_url)() as session:
        records = imports_of(session, source.id)
        actions = session.scalars(select(AuditLog.action).where(
            AuditLog.action.like("bigquery.import%"), AuditLog.client_id == agency.client.id
        )).all()
    assert [(r.id, r.status) for r in records] == [(queued, "queued")]
    assert queued_job_ids(redis_url) == [records[0].job_id]
    assert actions == ["bigquery.import.queue"]  # the refused click left no trace


def test_viewers_and_outsiders_cannot_import_now(
    session: Session, agency: Agency, table_source_id: int
):
    outsider = make_user(session, "outsider")
    with pytest.raises(AccessDenied, match="analyst role"):
        queue_import(session, agency.viewer, table_source_id)
    with pytest.raises(AccessDenied):
        queue_import(session, outsider, table_source_id)
    assert imports_of(session, table_source_id) == []


@pytest.mark.redis
def test_an_analyst_who_lost_access_before_the_job_ran_imports_nothing(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    record = queue_import(session, agency.analyst, table_source_id)
    users.revoke_access(session, agency.admin, agency.analyst.id, agency.client.id)
    assert execute_import(record.id) == "failed"  # what the worker calls
    done = wait_for_import(session, record.id, timeout=1)
    assert (done.status, done.error_kind) == ("failed", "access")
    assert describe(done).startswith("No access in Kiri: Kiri refused the import:")
    assert datasets.list_datasets(session, agency.admin, agency.client.id) == []
    assert execute_import(record.id) == "skipped"  # a job run twice does nothing more


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_an_import_whose_process_died_is_failed_and_does_not_block_the_source(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery,
    monkeypatch,
):
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "3")  # beats every second
    monkeypatch.setenv("KIRI_BIGQUERY_TIMEOUT", "60")
    monkeypatch.setenv("KIRI_BIGQUERY_RETRY_DEADLINE", "60")
    warehouse.slow(60, endpoints=["tables.get"], times=1)  # BigQuery takes its time
    record = queue_import(session, agency.analyst, table_source_id)
    wait_for_import(session, record.id, lambda r: r.status == "running")
    time.sleep(4)  # longer than the timeout: only the heartbeat keeps it alive
    assert reap_stale_imports(session, table_source_id) == []
    assert wait_for_import(session, record.id, lambda r: True).status == "running"
    with pytest.raises(ValidationError, match="already running"):
        queue_import(session, agency.analyst, table_source_id)
    os.killpg(record.pid, signal.SIGKILL)  # the process dies mid-import
    time.sleep(4)
    assert reap_stale_imports(session, table_source_id) == [record.id]
    dead = wait_for_import(session, record.id, timeout=1)
    assert (dead.status, dead.error_kind, dead.finished_at is not None) == (
        "failed", "stopped", True
    )
    assert describe(dead) == (
        "Import stopped: The worker stopped responding (no heartbeat for over 3 s); it was "
        "probably stopped or crashed. Start the import again."
    )
    again = queue_import(session, agency.analyst, table_source_id)  # not blocked
    check_imported(session, agency, wait_for_import(session, again.id))


@pytest.mark.redis
def test_a_queued_import_whose_job_left_the_queue_is_failed(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "1")
    other_source_id = make_other_source(session, agency)
    lost = queue_import(session, agency.analyst, table_source_id)
    waiting = queue_import(session, agency.admin, other_source_id)
    Job.fetch(lost.job_id, connection=Redis.from_url(redis_url)).delete()  # Redis lost it
    time.sleep(1.5)
    assert reap_stale_imports(session, table_source_id) == [lost.id]
    assert reap_stale_imports(session, other_source_id) == []  # still on the queue: waits
    assert wait_for_import(session, waiting.id, lambda r: True).status == "queued"
    assert describe(wait_for_import(session, lost.id, timeout=1)) == (
        "Import stopped: The import was queued but never started (its job left the queue, "
        "or its process ended). Start the import again."
    )
    assert queue_import(session, agency.analyst, table_source_id).status == "queued"


def make_other_source(session: Session, agency: Agency) -> int:
    values = table_settings(name="Second source")
    return save_source(session, agency.analyst, agency.client.id, values).id
