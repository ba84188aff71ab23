"""End-to-end fixtures: a real `streamlit run app.py` (embedded runner on SQLite, or PostgreSQL
+ Redis + a real RQ worker) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiri_core.db.session import upgrade_database
from tests.e2e.live_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    REPO_ROOT,
    SETTINGS,
    AppServer,
    FinishedRun,
    base_env,
    seed_finished_run,
)

ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"


@pytest.fixture
def empty_postgres_url(postgres_url: str) -> Iterator[str]:
    """A database of its own next to the session's one (the app migrates it from empty)."""
    import sqlalchemy as sa

    admin = sa.create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres",
                             isolation_level="AUTOCOMMIT")
    name = f"kiri_e2e_{secrets.token_hex(5)}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["embedded", pytest.param("rq", marks=[pytest.mark.postgres,
                                                                 pytest.mark.redis])])
def app_server(request, tmp_path: Path) -> Iterator[AppServer]:
    """The app on SQLite with the embedded runner, or on PostgreSQL + Redis + `worker.py`."""
    env = base_env(tmp_path)
    if request.param == "rq":
        env["DATABASE_URL"] = request.getfixturevalue("empty_postgres_url")
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    server = AppServer(env, tmp_path, with_worker=request.param == "rq").start()
    yield server
    server.stop()


@pytest.fixture
def app_database(app_server: AppServer, monkeypatch) -> str:
    """The running app's database, migrated, with this test process set to use it and the
    app's storage (no Redis: jobs seeded here run in the test): its URL."""
    for name in SETTINGS:
        monkeypatch.setenv(name, app_server.env[name])
    monkeypatch.delenv("REDIS_URL", raising=False)
    url = app_server.env["DATABASE_URL"]
    upgrade_database(url)
    return url


@pytest.fixture
def finished(app_database: str) -> FinishedRun:
    """The app's database with an analyst of "Acme AB" and a run fitted by the job code."""
    return seed_finished_run(app_database)


@pytest.fixture
def browser_page(request) -> Iterator:
    """A Chromium page, 1400 x 2000 (tall: Streamlit scrolls inside its own container).

    ``page.shot(name)`` saves a screenshot under test-artifacts/e2e/.
    """
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = with_shots(browser.new_page(viewport={"width": 1400, "height": 2000}), request)
        page.set_default_timeout(30_000)
        yield page
        page.shot("zz-last")  # the state the test ended in, pass or fail
        browser.close()


def with_shots(page, request):
    """``page`` with ``page.shot(name)``: a full-page screenshot under test-artifacts/e2e/,
    named after the test."""
    prefix = request.node.name.replace("[", "-").replace("]", "")

    def shot(name: str) -> Path:
        path = ARTIFACTS / f"{prefix}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    page.shot = shot
    return page
