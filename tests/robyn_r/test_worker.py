"""A "robyn-r" run through the real worker (`python worker.py`, RQ on Redis, PostgreSQL) on a
machine without the Robyn package ends failed at once, with the clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from kiri_core.db.models import ModelRun
from kiri_core.db.session import get_engine, session_factory, upgrade_database
from kiri_core.services import auth, clients, datasets, runs

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker_env(postgres_url: str, redis_url: str, tmp_path: Path, monkeypatch) -> dict[str, str]:
    """This process and the worker on the same empty PostgreSQL database, Redis and storage."""
    upgrade_database(postgres_url)
    with get_engine(postgres_url).begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    env = {"DATABASE_URL": postgres_url, "REDIS_URL": redis_url,
           "KIRI_DATA_DIR": str(tmp_path / "data"), "KIRI_STORAGE_URL": str(tmp_path / "store")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return {**os.environ, **env}


def test_a_robyn_r_run_without_robyn_fails_with_the_clear_message(
    worker_env: dict[str, str], rscript: str, postgres_url: str, tmp_path: Path
) -> None:
    with session_factory(postgres_url)() as session:
        admin = auth.register_user(session, "ada@agency.se", "Ada", "correct horse 1")
        client = clients.create_client(session, admin, "Robyn Test AB", "Retail", "SEK")
        dataset = datasets.generate_dataset(session, admin, client.id, 104, 3)
        run = runs.start_run(session, admin, client.id, dataset.id,
                             runs.default_config(dataset), engine="robyn-r")
        run_id = run.id
        assert run.status == "queued" and run.job_id

    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.run([sys.executable, "worker.py", "--burst"], cwd=REPO_ROOT,
                                env=worker_env, stdout=out, stderr=subprocess.STDOUT,
                                timeout=240)
    assert worker.returncode == 0, log.read_text()

    with session_factory(postgres_url)() as session:
        run = session.get(ModelRun, run_id)
        assert run.status == "failed", log.read_text()
        assert run.error.startswith("Robyn (R) cannot run on this worker: "
                                    "the R package 'Robyn' is not installed")
        assert run.finished_at is not None
        assert run.channels is None and run.metrics is None
    assert "KIRI_ERROR the R package 'Robyn' is not installed" in log.read_text()  # run log
