"""Platform fixtures: a migrated database (SQLite file or the real PostgreSQL), storage in a
temporary folder, and a few users and a client to act with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from migrated import migrated_sqlite
from sqlalchemy.orm import Session

from kiri_core import generator
from kiri_core.db.session import get_engine, session_factory, upgrade_database
from kiri_core.services import auth, clients, users

PASSWORD = "correct horse 1"


def _truncate_all(url: str) -> None:
    """Empty every table of the session's database. Ids keep counting from test to test:
    a job process an earlier test left finishing (an RQ work horse lives in a session of its
    own) then cannot write into this test's run of the same number. Restarting the ids let
    one mark this test's run #1 succeeded with its result in the earlier test's storage."""
    engine = get_engine(url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path: Path, monkeypatch) -> str:
    """A migrated, empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        url = migrated_sqlite(tmp_path / "kiri.db")
    else:
        url = request.getfixturevalue("postgres_url")
        upgrade_database(url)
        _truncate_all(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture
def platform_env(database_url: str, tmp_path: Path, monkeypatch) -> str:
    """Environment of the embedded default: no Redis, storage and logs under tmp_path."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("KIRI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIRI_STORAGE_URL", str(tmp_path / "artifacts"))
    monkeypatch.setenv("KIRI_ALLOWED_SIGNUP_DOMAINS", "agency.se")
    monkeypatch.setenv("KIRI_BCRYPT_ROUNDS", "4")  # fast hashes; the cost is not under test
    return database_url


@pytest.fixture
def session(platform_env: str) -> Iterator[Session]:
    with session_factory(platform_env)() as session:
        yield session


@dataclass
class Team:
    admin: object
    analyst: object
    viewer: object
    outsider: object
    client: object
    other_client: object


@pytest.fixture
def team(session: Session) -> Team:
    """An admin, an analyst and a viewer of client Acme, and an outsider with no access."""
    admin = auth.register_user(session, "boss@agency.se", "Boss", PASSWORD)
    analyst = auth.register_user(session, "ann@agency.se", "Ann", PASSWORD)
    viewer = auth.register_user(session, "vic@agency.se", "Vic", PASSWORD)
    outsider = auth.register_user(session, "otto@agency.se", "Otto", PASSWORD)
    acme = clients.create_client(session, admin, "Acme AB", "Retail", "SEK")
    other = clients.create_client(session, admin, "Other AB", "Travel", "EUR")
    users.grant_access(session, admin, analyst.id, acme.id, "analyst")
    users.grant_access(session, admin, viewer.id, acme.id, "viewer")
    users.grant_access(session, admin, outsider.id, other.id, "analyst")
    return Team(admin, analyst, viewer, outsider, acme, other)


@pytest.fixture(scope="session")
def good_frame() -> pd.DataFrame:
    """A valid weekly data set (the generator's, 104 weeks) as text, like an upload."""
    frame, _truth = generator.generate(104, 11)
    return frame.astype(str)
