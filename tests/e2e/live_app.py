"""A real `streamlit run app.py` and the browser steps on it, shared by the end-to-end tests
and the what-if benchmark (``bench/whatif.py``): start the app on a temporary folder, put an
analyst with a fitted run in its database, log in, read a metric."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from kiri_core.db.models import Client, User
from kiri_core.db.session import session_factory, upgrade_database
from kiri_core.services import auth, clients, runs, users
from tests.fitted import PASSWORD, finished_run
from ui.auth import COOKIE_NAME

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
# what the services in this process need to work on the app's database and storage
SETTINGS = ("DATABASE_URL", "KIRI_DATA_DIR", "KIRI_STORAGE_URL", "KIRI_ALLOWED_SIGNUP_DOMAINS")


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


class AppNotHealthy(RuntimeError):
    """`streamlit run app.py` exited or did not answer its health check in time."""


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
                log = (self.folder / "app.log").read_text()[-2000:]
                raise AppNotHealthy(f"streamlit exited: {log}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise AppNotHealthy("streamlit did not become healthy")

    def stop(self) -> None:
        _stop(self.worker)
        _stop(self.app)

    def restart(self) -> AppServer:
        """Stop app (and worker) and start them again on the same data."""
        self.stop()
        return self.start()


def base_env(folder: Path) -> dict[str, str]:
    """The app's environment: SQLite, data and artifacts in ``folder``, the embedded runner."""
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


@dataclass(frozen=True)
class FinishedRun:
    email: str
    client: str
    result: dict


def acme_team(session: Session, admin_name: str = "Boss") -> tuple[User, User, Client]:
    """The administrator boss@agency.se, the first account, and the analyst ann@agency.se
    of the client "Acme AB" (SEK), both with the password ``PASSWORD``."""
    admin = auth.register_user(session, "boss@agency.se", admin_name, PASSWORD)
    analyst = auth.register_user(session, "ann@agency.se", "Ann", PASSWORD)
    client = clients.create_client(session, admin, "Acme AB", "Retail", "SEK")
    users.grant_access(session, admin, analyst.id, client.id, "analyst")
    return admin, analyst, client


def seed_finished_run(database_url: str) -> FinishedRun:
    """Migrate the app's database and add an analyst of "Acme AB" with a run fitted by the
    job code. The environment must name the app's storage (see ``SETTINGS``)."""
    upgrade_database(database_url)
    with session_factory(database_url)() as session:
        _, analyst, client = acme_team(session)
        run = finished_run(session, analyst, client.id)
        result = runs.load_result(session, analyst, run.id)
    return FinishedRun(email="ann@agency.se", client="Acme AB", result=result)


def fill_steadily(box, value: str, tries: int = 5) -> None:
    """Fill a text box; a rerun of the page while typing can empty it, so fill it again."""
    for _ in range(tries):
        box.fill(value)
        box.page.wait_for_timeout(300)
        if box.input_value() == value:
            return
    expect(box).to_have_value(value)


def settle(page) -> None:
    """Wait until the login page's script run is over (the cookie component's first value
    reruns it)."""
    page.locator("iframe[title*='cookie_manager']").first.wait_for(state="attached")
    page.wait_for_timeout(1500)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


SMALL_WINDOW = {"width": 1024, "height": 768}


def log_in_small(page, url: str, email: str) -> None:
    """Open the app at ``url`` in a 1024 x 768 window and log in as ``email``."""
    page.set_viewport_size(SMALL_WINDOW)
    page.goto(url)
    log_in(page, email)


def log_in(page, email: str, attempts: int = 3) -> None:
    """Log in; on a busy machine a submit can land while the login page is still being
    drawn, so it is tried again when the app has not opened after a while. Logged in means
    a new re-authentication cookie is set too: a session that reconnects before that (seen
    once under load, right after a restart) is back on the login page, and a cookie left
    from before a log-out (which the server refuses) does not count."""
    log_out_button = page.get_by_role("button", name="Log out")
    for _ in range(attempts):
        page.get_by_role("button", name="Log in").or_(log_out_button).first.wait_for()
        stale = session_cookie(page)
        if log_out_button.is_visible() and has_session_cookie(page, within=1):
            return  # the cookie came late: the reload found the user logged in
        settle(page)
        fields = {page.get_by_label("E-mail").filter(visible=True): email,
                  page.get_by_label("Password", exact=True).filter(visible=True): PASSWORD}
        for box, value in fields.items():
            fill_steadily(box, value)
        page.get_by_role("button", name="Log in").click()
        try:
            log_out_button.wait_for(timeout=30_000)
            if has_session_cookie(page, within=15, other_than=stale):
                return
        except PlaywrightTimeout:
            pass
        page.reload()
    raise AssertionError(f"could not log in as {email}")


def register(page, name: str, email: str, attempts: int = 3) -> None:
    """Create an account on the login page (its "Create account" tab when there is one)
    and wait for the app to open as that user. A submit lost in a rerun under load is
    tried again; a second try of one that did land fails on "already registered"."""
    for _ in range(attempts):
        settle(page)
        tab = page.get_by_role("tab", name="Create account")
        if tab.count():
            tab.click()
        fields = {page.get_by_label("Name"): name, page.get_by_label("E-mail"): email,
                  page.get_by_label("Password", exact=True): PASSWORD,
                  page.get_by_label("Repeat password"): PASSWORD}
        for box, value in fields.items():
            fill_steadily(box.filter(visible=True), value)
        page.get_by_role("button", name="Create account").filter(visible=True).click()
        try:
            page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
        except PlaywrightTimeout:
            page.reload()
            continue
        page.get_by_test_id("stSidebar").get_by_text(email).wait_for()
        return
    raise AssertionError(f"could not register {email}")


def session_cookie(page) -> str | None:
    """The value of the app's re-authentication cookie in the browser, if any."""
    return next((c["value"] for c in page.context.cookies() if c["name"] == COOKIE_NAME),
                None)


def has_session_cookie(page, within: float, other_than: str | None = None) -> bool:
    """Whether the browser holds a re-authentication cookie (other than ``other_than``)
    within ``within`` s."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if session_cookie(page) not in (None, other_than):
            return True
        page.wait_for_timeout(250)
    return False


def click_until(page, target, done, what: str, attempts: int = 3) -> None:
    """Click ``target`` until ``done()`` holds (:func:`act_until`)."""
    act_until(page, target.click, done, what, attempts)


def act_until(page, act, done, what: str, attempts: int = 3) -> None:
    """Do ``act()`` (a click, a key on a slider) until ``done()`` holds. A script run still
    in flight (after logging in, say) can swallow it, or let it land on a widget drawn anew,
    so it is done again when nothing happened after a while; ``done`` is checked first, so a
    slow but successful act is not repeated."""
    for _ in range(attempts):
        page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
        if done():
            return
        act()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if done():
                return
            page.wait_for_timeout(250)
    raise AssertionError(f"{what} did not happen after {attempts} tries")


def open_page(page, title: str, path: str | None = None) -> None:
    """Open a page from the sidebar and wait for its address (``path``, default the title in
    lower case)."""
    address = f"/{path or title.lower()}"
    click_until(page, page.get_by_role("link", name=title, exact=True),
                lambda: page.url.split("?")[0].rstrip("/").endswith(address),
                f"opening {title!r} from the sidebar")


def log_out(page) -> None:
    """Click "Log out" and wait for the login form."""
    click_until(page, page.get_by_role("button", name="Log out"),
                lambda: page.get_by_role("button", name="Log in").first.is_visible(),
                "logging out")


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    return metric.get_by_test_id("stMetricValue").inner_text()


def wait_for_metric(page, label: str, changed_from: str | None = None,
                    equal_to: str | None = None) -> None:
    page.wait_for_function(
        """([label, old, wanted]) => {
             const m = [...document.querySelectorAll('[data-testid=stMetric]')]
               .find(e => e.innerText.includes(label));
             if (!m) return false;
             const v = m.querySelector('[data-testid=stMetricValue]').innerText;
             return wanted !== null ? v === wanted : v !== old;
           }""", arg=[label, changed_from, equal_to])
