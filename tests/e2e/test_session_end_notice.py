"""A browser that comes back through its login cookie (a reload, a new tab, a restart) after
its user's sessions were ended elsewhere: the login page says why, once, and the cookie is
gone; a signed cookie that names nobody gets no word."""

from __future__ import annotations

import time

import jwt
import pytest

from kiri_core.db.session import session_factory
from kiri_core.services import auth, users
from tests.e2e.live_app import acme_team, log_in, log_in_small, log_out, session_cookie, settle
from tests.fitted import PASSWORD
from ui.auth import COOKIE_NAME, SESSION_ENDED

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]


@pytest.fixture
def agency(app_database: str) -> str:
    """The administrator boss@agency.se, the analyst ann@agency.se and cid@agency.se; the
    app's database URL."""
    with session_factory(app_database)() as session:
        acme_team(session)
        auth.register_user(session, "cid@agency.se", "Cid", PASSWORD)
    return app_database


def by_admin(url: str, email: str, action: str) -> None:
    """The administrator sets ``email``'s password anew (to ``PASSWORD``) or deactivates it."""
    with session_factory(url)() as session:
        boss, user = (auth.user_by_email(session, who) for who in ("boss@agency.se", email))
        if action == "reset":
            users.set_password(session, boss, user.id, PASSWORD, PASSWORD)
        else:
            users.set_active(session, boss, user.id, False)


def login_page(page) -> None:
    """Wait for the login page and until its script runs are over (the cookie components'
    answers rerun it)."""
    page.get_by_role("button", name="Log in").first.wait_for()
    settle(page)


def wait_for_no_cookie(page, within: float = 15) -> None:
    deadline = time.monotonic() + within
    while session_cookie(page) is not None:
        assert time.monotonic() < deadline, "the refused cookie stayed in the browser"
        page.wait_for_timeout(250)


def test_the_login_page_says_once_why_a_cookie_no_longer_signs_in(agency, app_server,
                                                                  browser_page):
    page = browser_page
    log_in_small(page, app_server.url, "ann@agency.se")
    by_admin(agency, "ann@agency.se", "reset")
    page.reload()  # a new browser session, signed in by the cookie no more
    reset = page.get_by_text(SESSION_ENDED["user.password.reset"])
    reset.wait_for()
    login_page(page)
    assert reset.is_visible()  # still, after the reruns
    page.shot("01-reset-1024")
    wait_for_no_cookie(page)
    page.reload()
    login_page(page)
    assert reset.count() == 0  # said once
    log_in(page, "ann@agency.se")  # the password the administrator gave
    log_out(page)
    login_page(page)
    assert page.get_by_test_id("stAlert").count() == 0

    page.set_viewport_size({"width": 1440, "height": 900})
    log_in(page, "cid@agency.se")
    by_admin(agency, "cid@agency.se", "deactivate")
    page.goto(app_server.url)  # as a new tab would
    deactivated = page.get_by_text(SESSION_ENDED["user.deactivate"])
    deactivated.wait_for()
    login_page(page)
    assert deactivated.is_visible()
    page.shot("02-deactivated-1440")
    wait_for_no_cookie(page)

    token = jwt.encode({"username": "nobody@agency.se", "exp_date": time.time() + 3600},
                       app_server.env["SECRET_KEY"], algorithm="HS256")
    page.context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": app_server.url}])
    page.reload()
    login_page(page)
    assert page.get_by_test_id("stAlert").count() == 0
