"""Alembic migrations create exactly the core and BigQuery tables the models describe, and
upgrade a database with data in it (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.orm import Session

from kiri_core.bigquery.models import ONE_ACTIVE_IMPORT_INDEX, BigQueryImport, BigQuerySource
from kiri_core.db.base import Base
from kiri_core.db.registry import import_model_modules
from kiri_core.db.session import alembic_config, get_engine

CORE_TABLES = {"users", "clients", "user_client_access", "datasets", "model_runs",
               "run_artifacts", "audit_log"}
BIGQUERY_TABLES = {"bigquery_sources", "bigquery_imports"}
BEFORE_ONE_ACTIVE_IMPORT = "0005_bigquery_jobs"


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
