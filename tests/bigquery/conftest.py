"""BigQuery fixtures: the fake BigQuery REST server, a migrated PostgreSQL database (or a
SQLite file), and an agency with an analyst, a viewer and a client whose weekly data sits in
a BigQuery table."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from migrated import migrated_sqlite
from sqlalchemy.orm import Session

from kiri_core import generator
from kiri_core.bigquery.background import ACTIVE_STATUSES
from kiri_core.bigquery.mapping import SourceMapping
from kiri_core.bigquery.models import BigQueryImport
from kiri_core.bigquery.sources import SourceSettings, save_source
from kiri_core.db.models import Client, User
from kiri_core.db.session import session_factory, upgrade_database
from kiri_core.services import clients, users

from .fake_server import FakeBigQuery

PROJECT = "acme-warehouse"
TABLE = f"{PROJECT}.marketing.weekly"
SCHEMA = [
    ("week", "DATE"),
    ("total_revenue", "FLOAT"),
    ("meta_cost", "FLOAT"),
    ("google_cost", "FLOAT"),
    ("tiktok_cost", "FLOAT"),
    ("email_cost", "INTEGER"),
    ("promo", "BOOLEAN"),
    ("market", "STRING"),
]
MAPPING = SourceMapping(
    date="week",
    revenue="total_revenue",
    spend={
        "spend_meta": "meta_cost",
        "spend_google": "google_cost",
        "spend_tiktok": "tiktok_cost",
        "spend_email": "email_cost",
    },
    context={"promo_flag": "promo"},
)
SECRET = "bigquery-tests-secret-key-0123456789"
REPO_ROOT = Path(__file__).resolve().parents[2]


def warehouse_rows(weeks: int, seed: int = 7) -> list[tuple[Any, ...]]:
    """The generator's weekly data as a warehouse would hold it (typed, other names)."""
    frame, _truth = generator.generate(weeks, seed)
    return [
        (
            dt.date.fromisoformat(str(r.date)[:10]),
            float(r.revenue),
            float(r.spend_meta),
            float(r.spend_google),
            float(r.spend_tiktok),
            round(float(r.spend_email)),
            bool(r.promo_flag),
            "SE",
        )
        for r in frame.itertuples()
    ]


@pytest.fixture
def fake_bigquery(monkeypatch) -> Iterator[FakeBigQuery]:
    """A started fake server the app is pointed at, with short timeouts and retries."""
    fake = FakeBigQuery().start()
    monkeypatch.setenv("BIGQUERY_API_ENDPOINT", fake.url)
    monkeypatch.setenv("KIRI_BIGQUERY_TIMEOUT", "1")
    monkeypatch.setenv("KIRI_BIGQUERY_RETRY_DEADLINE", "2")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def migrated_postgres(postgres_url: str) -> str:
    upgrade_database(postgres_url)
    return postgres_url


@pytest.fixture
def app_env(migrated_postgres: str, tmp_path: Path, monkeypatch) -> str:
    """The app's environment: PostgreSQL, storage under tmp_path, a real SECRET_KEY."""
    monkeypatch.setenv("DATABASE_URL", migrated_postgres)
    monkeypatch.setenv("KIRI_STORAGE_URL", str(tmp_path / "artifacts"))
    monkeypatch.setenv("KIRI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SECRET_KEY", SECRET)
    monkeypatch.delenv("KIRI_DEV_MODE", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return migrated_postgres


@pytest.fixture
def sqlite_url(app_env: str, tmp_path: Path, monkeypatch) -> str:
    """The embedded default's database instead: a SQLite file (``make run``)."""
    url = migrated_sqlite(tmp_path / "kiri.db")
    monkeypatch.setenv("DATABASE_URL", url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """The app's database: a SQLite file, or the session's PostgreSQL database."""
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "app_env")


@pytest.fixture
def session(app_env: str) -> Iterator[Session]:
    with session_factory(app_env)() as session:
        yield session


@dataclass
class Agency:
    admin: User
    analyst: User
    viewer: User
    client: Client


def make_user(session: Session, role: str, *, admin: bool = False) -> User:
    user = User(
        email=f"{role}-{uuid.uuid4().hex[:8]}@agency.se",
        name=role.title(),
        password_hash="not-used-for-login",
        is_admin=admin,
    )
    session.add(user)
    session.commit()
    return user


@pytest.fixture
def agency(session: Session) -> Agency:
    """An admin, an analyst and a viewer of a new client."""
    return make_agency(session)


def make_agency(session: Session) -> Agency:
    admin = make_user(session, "admin", admin=True)
    analyst = make_user(session, "analyst")
    viewer = make_user(session, "viewer")
    client = clients.create_client(session, admin, f"Acme {uuid.uuid4().hex[:6]}")
    users.grant_access(session, admin, analyst.id, client.id, "analyst")
    users.grant_access(session, admin, viewer.id, client.id, "viewer")
    return Agency(admin, analyst, viewer, client)


@pytest.fixture
def warehouse(fake_bigquery: FakeBigQuery) -> FakeBigQuery:
    """The fake holding 104 weeks of the client's data in ``TABLE``."""
    fake_bigquery.add_table(TABLE, SCHEMA, warehouse_rows(104))
    return fake_bigquery


def table_settings(**changes: Any) -> SourceSettings:
    values: dict[str, Any] = {
        "name": "Weekly marketing",
        "project": PROJECT,
        "table_ref": "marketing.weekly",
        "query": None,
        "mapping": MAPPING,
    }
    return SourceSettings(**{**values, **changes})


@pytest.fixture
def table_source_id(session: Session, agency: Agency, warehouse: FakeBigQuery) -> int:
    """A saved source reading ``marketing.weekly`` with the app's (anonymous) credentials."""
    return save_source(session, agency.analyst, agency.client.id, table_settings()).id


def wait_for_import(
    session: Session, import_id: int, done=lambda r: r.status not in ACTIVE_STATUSES,
    timeout: float = 60.0,
) -> BigQueryImport:
    """Poll the import row until ``done(record)`` holds (a stuck import fails the test)."""
    deadline = time.monotonic() + timeout
    while True:
        record = session.get(BigQueryImport, import_id, populate_existing=True)
        session.commit()  # end the read transaction; the job writes meanwhile
        if done(record):
            return record
        if time.monotonic() > deadline:
            pytest.fail(f"import {import_id} stuck as {record.status}: {record.error}")
        time.sleep(0.2)


def run_rq_worker(redis_url: str, log: Path) -> subprocess.CompletedProcess:
    """A real ``rq worker`` on the ``kiri-default`` queue that works until it is empty."""
    with open(log, "wb") as out:
        return subprocess.run(
            [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", redis_url,
             "kiri-default"],
            cwd=REPO_ROOT, env=dict(os.environ), stdout=out, stderr=subprocess.STDOUT,
            timeout=120, check=True,
        )
