"""Engines, sessions and applying migrations."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from kiri_core import config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL + busy timeout so the app and background runs can write at the same time."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL (default: ``config.database_url()``, read at each call)."""
    url = url or config.database_url()
    if url not in _ENGINES:
        _ENGINES[url] = _new_engine(url)
    return _ENGINES[url]


def _forget_inherited_connections() -> None:
    """In a forked child (an RQ work-horse): fresh pools, never the parent's.

    A pool lock held by another of the parent's threads at the fork (the worker's reaper or
    its Robyn check, using the database at that moment) stays held in the child for ever:
    its job hung before its first query, seen twice in the test suite. SQLAlchemy's rule for
    ``os.fork``: ``Engine.dispose(close=False)`` in the child.
    """
    for engine in _ENGINES.values():
        engine.dispose(close=False)


os.register_at_fork(after_in_child=_forget_inherited_connections)


def _new_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    return create_engine(url, pool_pre_ping=True)


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on error."""
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", (url or config.database_url()).replace("%", "%%"))
    return cfg


def upgrade_database(url: str | None = None) -> None:
    """Apply every Alembic migration up to head (run on app and worker start)."""
    get_engine(url)  # creates the SQLite folder when needed
    command.upgrade(alembic_config(url), "head")
