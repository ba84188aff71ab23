"""Alembic migrations create exactly the core tables the models describe (SQLite, PostgreSQL)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiri_core.db.base import Base
from kiri_core.db.registry import import_model_modules
from kiri_core.db.session import get_engine

CORE_TABLES = {"users", "clients", "user_client_access", "datasets", "model_runs",
               "run_artifacts", "audit_log"}


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


def test_migrated_schema_matches_the_core_models(database_url):
    assert "kiri_core.db.models" in import_model_modules()
    with get_engine(database_url).connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(conn.dialect.get_table_names(conn))
    assert tables >= CORE_TABLES
    assert [d for d in diffs if table_of(d) in CORE_TABLES] == []
