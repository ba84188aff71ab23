"""End-to-end fixtures: a real `streamlit run app.py` (embedded runner on SQLite, or PostgreSQL
+ Redis + a real RQ worker) and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class AppServer:
    """A running `streamlit run app.py` (and its RQ worker in the production set-up)."""

    env: dict[str, str]
    folder: Path
    with_worker: bool
    port: int = field(default_factory=free_port)
    app: subprocess.Popen | None = None
    worker: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self.app = _spawn([sys.executable, "-m", "streamlit", "run", "app.py",
                           "--server.port", str(self.port), "--server.headless", "true",
                           "--server.fileWatcherType", "none"],
                          self.env, self.folder / "app.log")
        if self.with_worker:
            self.worker = _spawn([sys.executable, "worker.py"], self.env,
                                 self.folder / "worker.log")
        self._wait_healthy()
        return self

    def _wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.app.poll() is not None:
                pytest.fail(f"streamlit exited: {(self.folder / 'app.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        pytest.fail("streamlit did not become healthy")

    def stop(self) -> None:
        _stop(self.worker)
        _stop(self.app)

    def restart(self) -> AppServer:
        """Stop app (and worker) and start them again on the same data."""
        self.stop()
        return self.start()


def _base_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KIRI_DEV_MODE")}
    env.update(
        SECRET_KEY=secrets.token_hex(32),
        KIRI_DATA_DIR=str(folder / "data"),
        DATABASE_URL=f"sqlite:///{folder / 'data' / 'kiri.db'}",
        KIRI_STORAGE_URL=str(folder / "artifacts"),
        KIRI_ALLOWED_SIGNUP_DOMAINS="agency.se",
        KIRI_HEARTBEAT_TIMEOUT="30",
    )
    return env


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
    env = _base_env(tmp_path)
    if request.param == "rq":
        env["DATABASE_URL"] = request.getfixturevalue("empty_postgres_url")
        env["REDIS_URL"] = request.getfixturevalue("redis_url")
    server = AppServer(env, tmp_path, with_worker=request.param == "rq").start()
    yield server
    server.stop()


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
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        page.set_default_timeout(30_000)
        prefix = request.node.name.replace("[", "-").replace("]", "")

        def shot(name: str) -> Path:
            path = ARTIFACTS / f"{prefix}-{name}.png"
            page.screenshot(path=str(path), full_page=True)
            return path

        page.shot = shot
        yield page
        shot("zz-last")  # the state the test ended in, pass or fail
        browser.close()
