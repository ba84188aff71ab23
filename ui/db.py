"""The database for pages: a session per block, migrations applied once per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.session import session_factory, upgrade_database


@st.cache_resource(show_spinner="Preparing the database ...")
def _migrated(url: str) -> bool:
    upgrade_database(url)
    return True


def ensure_database() -> None:
    """Apply Alembic migrations to the configured database (once per app process)."""
    _migrated(config.database_url())


@contextmanager
def db() -> Iterator[Session]:
    """A session for one page run; services commit their own changes.

    On an error the session is rolled back; on Streamlit's rerun/stop (BaseException) it is
    only closed, so objects already loaded stay readable by widgets' format functions.
    """
    ensure_database()
    session = session_factory()()
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
