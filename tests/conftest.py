"""Shared fixtures: the real PostgreSQL and Redis of this machine, and ../shared data."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import kiri_core  # noqa: F401  (before numpy: pins the numeric kernels, as in every entry point)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
POSTGRES_ADMIN_URL = os.environ.get(
    "KIRI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("KIRI_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine; fail under CI=true, where nothing may be skipped."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: a missing prerequisite is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout: Robyn's demo data and Robyn 3.12's R outputs."""
    if not (SHARED_DATA / "robyn_dt_simulated_weekly.csv").exists():
        skip_or_fail(f"Robyn demo data not found at {SHARED_DATA} (only beside the project)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def robyn_demo_csv(shared_data: Path) -> Path:
    return shared_data / "robyn_dt_simulated_weekly.csv"


@pytest.fixture(scope="session")
def robyn_r_outputs(shared_data: Path) -> Path:
    path = shared_data / "robyn_r_outputs"
    if not (path / "pareto_aggregated.csv").exists():
        skip_or_fail(f"Robyn R outputs not found at {path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, dropped afterwards."""
    import sqlalchemy as sa

    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"kiri_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.orig}")
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ),
            {"n": name},
        )
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of its own (by test process), emptied before and after the test."""
    import redis

    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, ... under pytest -n
    number = int(worker[2:]) if worker.startswith("gw") else os.getpid()
    url = f"{REDIS_TEST_URL}/{1 + number % 15}"
    conn = redis.Redis.from_url(url)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError as exc:
        skip_or_fail(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    conn.flushdb()
    yield url
    conn.flushdb()
    conn.close()
