"""Robyn (R) availability: checked with real Rscript, recorded in the database, read back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from migrated import migrated_sqlite
from sqlalchemy.orm import Session

from kiri_core.db.session import get_engine, session_factory, upgrade_database
from kiri_core.robyn_r.availability import (
    CHECKING,
    NOT_SET_UP,
    Availability,
    check_robyn_available,
    engine_choices,
    record_robyn_availability,
    refresh_robyn_availability,
    robyn_availability,
)
from kiri_core.robyn_r.models import EngineAvailability


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def session(request, tmp_path: Path) -> Iterator[Session]:
    """A session on a migrated database: the default SQLite file or the real PostgreSQL."""
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path / "kiri.db")
    else:
        url = request.getfixturevalue("postgres_url")
        upgrade_database(url)
    with get_engine(url).begin() as conn:
        conn.execute(sa.delete(EngineAvailability))
    with session_factory(url)() as session:
        yield session


def test_the_migration_creates_the_engine_table(session: Session) -> None:
    inspector = sa.inspect(session.get_bind())
    columns = {c["name"] for c in inspector.get_columns("engine_availability")}
    assert columns == {"engine", "available", "detail", "version", "host", "checked_at"}
    version = session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version >= "0004_engines"


def test_before_any_worker_check_the_form_says_how_to_enable(session: Session,
                                                             monkeypatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    availability = robyn_availability(session)
    assert availability == Availability(False, availability.detail)
    assert "No worker has checked" in availability.detail
    assert "python worker.py" in availability.detail


def test_without_a_worker_the_form_says_the_app_is_checking(session: Session,
                                                            monkeypatch) -> None:
    """The embedded set-up has no worker: telling an admin to start one (which refuses to
    start without Redis) was an instruction nobody could follow."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    detail = robyn_availability(session).detail
    assert detail == CHECKING and "worker" not in detail


def test_a_worker_start_records_that_robyn_is_missing(session: Session, rscript: str) -> None:
    checked = refresh_robyn_availability(session)
    session.commit()
    assert checked.available is False
    stored = robyn_availability(session)
    assert stored.available is False and stored.version is None
    assert stored.detail.startswith(checked.detail)
    assert "'Robyn' is not installed" in stored.detail


def test_the_latest_check_wins(session: Session) -> None:
    record_robyn_availability(session, Availability(False, "not yet"))
    session.commit()
    record_robyn_availability(session, Availability(True, "Robyn 3.12.1 loads", "3.12.1"))
    session.commit()
    assert robyn_availability(session) == Availability(True, "Robyn 3.12.1 loads", "3.12.1")
    assert session.scalar(sa.select(sa.func.count()).select_from(EngineAvailability)) == 1


def test_the_run_form_offers_robyn_only_when_a_worker_found_it(session: Session) -> None:
    missing = "Rscript was not found on this machine's PATH, so Robyn (R) cannot run."
    record_robyn_availability(session, Availability(False, missing))
    session.commit()
    labels, note = engine_choices(session)
    assert labels == {"kiri": "Kiri (Python)"}
    host = session.get(EngineAvailability, "robyn-r").host
    assert note == f"{missing} (checked on {host})"  # says Robyn (R) once
    # set-up details are for an administrator; others read plain words
    assert engine_choices(session, for_admin=False)[1] == NOT_SET_UP
    record_robyn_availability(session, Availability(True, "Robyn 3.12.1 loads", "3.12.1"))
    session.commit()
    assert engine_choices(session) == ({"kiri": "Kiri (Python)", "robyn-r": "Robyn (R) 3.12.1"},
                                       None)


def test_availability_check_says_why_robyn_is_unavailable(rscript: str) -> None:
    availability = check_robyn_available()
    assert availability.available is False
    assert availability.version is None
    assert "'Robyn' is not installed" in availability.detail
