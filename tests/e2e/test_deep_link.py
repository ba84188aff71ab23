"""A link to a page opened logged out, in a real browser against a real ``streamlit run``:
the login form (no "Page not found"), then the linked page; log-out removes the cookie."""

from __future__ import annotations

import time

import pytest

from tests.e2e.live_app import (
    COOKIE_NAME,
    SETTINGS,
    has_session_cookie,
    log_in,
    log_out,
    seed_finished_run,
)

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]


@pytest.fixture
def analyst(app_server, monkeypatch) -> str:
    """The e-mail of an analyst of "Acme AB" with a finished run in the app's database."""
    for name in SETTINGS:
        monkeypatch.setenv(name, app_server.env[name])
    monkeypatch.delenv("REDIS_URL", raising=False)
    return seed_finished_run(app_server.env["DATABASE_URL"]).email


def open_logged_out(page, url: str) -> None:
    """Open ``url`` and wait for the login form and the end of the script run."""
    page.goto(url)
    page.get_by_role("button", name="Log in").first.wait_for()
    page.wait_for_timeout(1500)  # a "Page not found" dialog comes with the page list
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


def cookie_gone(page, within: float) -> bool:
    """Whether the browser has dropped the login cookie within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return True
        page.wait_for_timeout(250)
    return False


def assert_login_form_only(page) -> None:
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Please log in").count() == 0
    assert page.get_by_role("heading", name="Results", exact=True).count() == 0


def test_a_link_opened_logged_out_leads_to_its_page_after_login(analyst, app_server,
                                                                browser_page):
    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 1000})
    open_logged_out(page, f"{app_server.url}/results")  # the server's first page load
    assert_login_form_only(page)
    page.shot("01-results-link-logged-out-1440")
    log_in(page, analyst)
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    assert page.url.endswith("/results")
    page.shot("02-results-after-login-1440")

    page.reload()  # logged in again from the cookie, on the same page
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    log_out(page)
    assert cookie_gone(page, within=15)
    assert not has_session_cookie(page, within=3)  # and it does not come back
    assert page.url.rstrip("/") == app_server.url  # a log-out starts again at the root

    page.set_viewport_size({"width": 1024, "height": 1000})
    open_logged_out(page, f"{app_server.url}/planner")  # the app has run: the usual case
    assert_login_form_only(page)
    page.shot("03-planner-link-logged-out-1024")
    log_in(page, analyst)
    page.get_by_role("heading", name="Budget planner", exact=True).wait_for()
    assert page.url.endswith("/planner")
    page.shot("04-planner-after-login-1024")
