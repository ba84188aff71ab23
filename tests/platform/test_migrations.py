"""Alembic migrations create exactly the core and BigQuery tables the models describe, and
upgrade a database with data in it (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from kiri_core.bigquery.models import ONE_ACTIVE_IMPORT_INDEX, BigQueryImport, BigQuerySource
from kiri_core.db.base import Base
from kiri_core.db.models import Dataset
from kiri_core.db.registry import import_model_modules
from kiri_core.db.session import alembic_config, get_engine

CORE_TABLES = {"users", "clients", "user_client_access", "datasets", "model_runs",
               "run_artifacts", "audit_log", "agency_settings"}
BIGQUERY_TABLES = {"bigquery_sources", "bigquery_imports"}
BEFORE_ONE_ACTIVE_IMPORT = "0005_bigquery_jobs"
BEFORE_RUN_NUMBERS = "0011_agency_settings"


def table_of(diff) -> str:
    """The table a compare_metadata difference is about."""
    if isinstance(diff, list):  # column modifications come as lists of tuples
        return diff[0][2]
    op, target = diff[0], diff[1]
    if op.endswith("_table"):
        return target.name
    if op.endswith("_column"):
        return diff[2]
    return target.table.name  # indexes and constraints


def test_migrated_schema_matches_the_core_and_bigquery_models(database_url):
    assert {"kiri_core.db.models", "kiri_core.bigquery.models"} <= set(import_model_modules())
    with get_engine(database_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(conn.dialect.get_table_names(conn))
        indexes = {i["name"]: i for i in sa.inspect(conn).get_indexes("bigquery_imports")}
    assert tables >= CORE_TABLES | BIGQUERY_TABLES
    assert [d for d in diffs if table_of(d) in CORE_TABLES | BIGQUERY_TABLES] == []
    assert indexes[ONE_ACTIVE_IMPORT_INDEX]["unique"]


def add_import(session: Session, source: BigQuerySource, status: str) -> int:
    record = BigQueryImport(source_id=source.id, trigger="manual", status=status)
    session.add(record)
    session.commit()  # no transaction left open while Alembic changes the table
    return record.id


def import_states(session: Session, ids: list[int]) -> list[tuple[str, str | None]]:
    session.expire_all()
    states = [(r.status, r.error_kind) for r in (session.get(BigQueryImport, i) for i in ids)]
    session.commit()
    return states


def import_indexes(url: str) -> set[str]:
    with get_engine(url).connect() as conn:
        return {i["name"] for i in sa.inspect(conn).get_indexes("bigquery_imports")}


def test_upgrading_keeps_the_newest_of_active_twins_and_then_refuses_them(
    database_url, session, team
):
    """0006 fails all but the newest queued or running import of each source before its
    unique index refuses a second one; downgrading drops the index."""
    config = alembic_config(database_url)
    command.downgrade(config, BEFORE_ONE_ACTIVE_IMPORT)
    first, second = (BigQuerySource(client_id=team.client.id, name=name, project="p",
                                    table_ref="d.t", column_mapping={}) for name in "AB")
    session.add_all([first, second])
    session.commit()
    ids = [add_import(session, first, s) for s in ("succeeded", "running", "queued", "queued")]
    ids.append(add_import(session, second, "running"))
    command.upgrade(config, "head")
    assert import_states(session, ids) == [
        ("succeeded", None), ("failed", "stopped"), ("failed", "stopped"), ("queued", None),
        ("running", None),
    ]
    with pytest.raises(sa.exc.IntegrityError):
        add_import(session, second, "queued")
    session.rollback()
    add_import(session, second, "failed")  # only queued and running imports are limited
    command.downgrade(config, BEFORE_ONE_ACTIVE_IMPORT)
    assert ONE_ACTIVE_IMPORT_INDEX not in import_indexes(database_url)
    command.upgrade(config, "head")
    assert ONE_ACTIVE_IMPORT_INDEX in import_indexes(database_url)


def add_old_run(url: str, dataset: Dataset, **values: object) -> int:
    """A run row as an earlier schema holds it: the columns every version has, and
    ``values`` (no column added later)."""
    row = {"client_id": dataset.client_id, "dataset_id": dataset.id, "engine": "kiri",
           "config": {}, "progress": 0.0, "created_at": datetime(2026, 1, 5), **values}
    runs = sa.table("model_runs", sa.column("id", sa.Integer()),
                    *(sa.column(name, sa.JSON() if name == "config" else None) for name in row))
    with get_engine(url).begin() as conn:
        return conn.execute(runs.insert().values(**row).returning(runs.c.id)).scalar_one()


def run_numbers(url: str) -> dict[int, tuple[int, int]]:
    """Each run's (client, number), by run id."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT id, client_id, number FROM model_runs"))
        return {run_id: (client_id, number) for run_id, client_id, number in rows}


def model_run_columns(url: str) -> set[str]:
    with get_engine(url).connect() as conn:
        return {c["name"] for c in sa.inspect(conn).get_columns("model_runs")}


def test_upgrading_numbers_each_client_s_runs_in_the_order_they_were_made(
    database_url, session, team
):
    """0012 numbers the runs already made 1, 2, ... per client by id, whichever client's
    runs came in between; the number is then required and unique per client; downgrading
    drops it."""
    config = alembic_config(database_url)
    command.downgrade(config, BEFORE_RUN_NUMBERS)
    acme, other = (Dataset(client_id=client.id, version=1, name="v", source="upload",
                           storage_key="k", checksum="c", size_bytes=1, row_count=1,
                           start_date="2026-01-05", end_date="2026-01-05", column_mapping={})
                   for client in (team.client, team.other_client))
    session.add_all([acme, other])
    session.commit()
    ids = [add_old_run(database_url, d, status="succeeded", progress=1.0)
           for d in (other, acme, other, acme, acme)]
    command.upgrade(config, "head")
    a, o = team.client.id, team.other_client.id
    assert run_numbers(database_url) == dict(zip(ids, [(o, 1), (a, 1), (o, 2), (a, 2), (a, 3)],
                                                 strict=True))
    with get_engine(database_url).connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text("UPDATE model_runs SET number = 1 WHERE id = :id"),
                     {"id": ids[4]})
    with get_engine(database_url).connect() as conn, pytest.raises(sa.exc.IntegrityError):
        conn.execute(sa.text("UPDATE model_runs SET number = NULL WHERE id = :id"),
                     {"id": ids[4]})
    command.downgrade(config, BEFORE_RUN_NUMBERS)
    assert "number" not in model_run_columns(database_url)
    command.upgrade(config, "head")
    assert run_numbers(database_url)[ids[4]] == (a, 3)


BEFORE_FAILURE_KINDS = "0012_run_number"
# (status, error as stored before 0013) -> (failure_kind, error after it)
STORED_FAILURES = {
    ("failed", "FitInputError: column(s) not found in the data: tv_grp, radio_grp"): (
        "input", "The data has no columns \u201ctv_grp\u201d, \u201cradio_grp\u201d, which the "
                 "run's settings use. Start a new run and pick the columns again."),
    ("failed", "FitInputError: at least 2 spend columns are needed"): (
        "input", "At least 2 spend columns are needed. Start a new run with other settings, or "
                 "correct the data on the Data page."),
    ("failed", "KeyError: 'rsq'"): (
        "unexpected", "The run stopped on an unexpected error: 'rsq'. Retry it; if it fails "
                      "again, an administrator can find the details in the worker's log."),
    ("failed", "RobynTimeout: Robyn (R) took longer than 4 h and was stopped."): (
        "engine", "Robyn (R) took longer than 4 h and was stopped."),
    ("failed", "The data has no column \u201ctv\u201d, which the run's settings use. Start a "
               "new run and pick the columns again."): (
        "input", "The data has no column \u201ctv\u201d, which the run's settings use. Start a "
                 "new run and pick the columns again."),
    ("failed", "Robyn (R) refused the run settings: no paid media."): (
        "engine", "Robyn (R) refused the run settings: no paid media."),
    ("failed", "The worker stopped responding (no heartbeat for over 60 s); it was probably "
               "stopped or crashed. Retry the run."): (
        "unexpected", "The worker stopped responding (no heartbeat for over 60 s); it was "
                      "probably stopped or crashed. Retry the run."),
    ("cancelled", "Cancelled on request."): (None, "Cancelled on request."),
    ("succeeded", None): (None, None),
}


def failures(url: str) -> dict[int, tuple[str | None, str | None]]:
    """Each run's (failure_kind, error), by run id."""
    with get_engine(url).connect() as conn:
        rows = conn.execute(sa.text("SELECT id, failure_kind, error FROM model_runs"))
        return {run_id: (kind, error) for run_id, kind, error in rows}


def test_upgrading_gives_each_failed_run_its_kind_and_its_error_in_words(
    database_url, session, team
):
    """0013 gives the failed runs already made a failure kind by their error's wording, the
    way the Runs page told a failure of the data or settings until then; an error stored with
    its class name is put in words. Cancelled and succeeded runs get no kind; downgrading
    drops the column."""
    config = alembic_config(database_url)
    command.downgrade(config, BEFORE_FAILURE_KINDS)
    dataset = Dataset(client_id=team.client.id, version=1, name="v", source="upload",
                      storage_key="k", checksum="c", size_bytes=1, row_count=1,
                      start_date="2026-01-05", end_date="2026-01-05", column_mapping={})
    session.add(dataset)
    session.commit()
    ids = [add_old_run(database_url, dataset, number=number, status=status, error=error)
           for number, (status, error) in enumerate(STORED_FAILURES, start=1)]
    command.upgrade(config, "head")
    assert failures(database_url) == dict(zip(ids, STORED_FAILURES.values(), strict=True))
    command.downgrade(config, BEFORE_FAILURE_KINDS)
    assert "failure_kind" not in model_run_columns(database_url)
    command.upgrade(config, "head")
    assert "failure_kind" in model_run_columns(database_url)
