"""A link to a page opened logged out, in a real browser against a real ``streamlit run``:
the login form (no "Page not found"), then the linked page; a log-out starts again at the root."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiri_core.db.models import User
from kiri_core.db.session import session_factory
from kiri_core.services import clients, users
from tests.e2e.live_app import FinishedRun, log_in, log_out

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]


def open_logged_out(page, url: str) -> None:
    """Open ``url`` and wait for the login form and the end of the script run."""
    page.goto(url)
    page.get_by_role("button", name="Log in").first.wait_for()
    page.wait_for_timeout(1500)  # a "Page not found" dialog comes with the page list
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


def follow_link_logged_out(page, server_url: str, path: str, title: str, email: str,
                           width: int) -> None:
    """Open ``/path`` logged out: the login form alone, no "Page not found" nor the page;
    log in: the page titled ``title`` at the same address."""
    page.set_viewport_size({"width": width, "height": 1000})
    open_logged_out(page, f"{server_url}/{path}")
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Please log in").count() == 0
    assert page.get_by_role("heading", name=title, exact=True).count() == 0
    assert page.get_by_test_id("stSidebarNav").count() == 0  # nor the pages folder's list
    page.shot(f"{path}-link-logged-out-{width}")
    log_in(page, email)
    page.get_by_role("heading", name=title, exact=True).wait_for()
    assert page.url.split("?")[0].endswith(f"/{path}")
    page.shot(f"{path}-after-login-{width}")


def second_client(database_url: str, email: str, name: str) -> int:
    """A second client the user of ``email`` is an analyst of; its id."""
    with session_factory(database_url)() as session:
        admin = session.scalar(select(User).where(User.is_admin))
        user = session.scalar(select(User).where(User.email == email))
        client = clients.create_client(session, admin, name, "Retail", "SEK")
        users.grant_access(session, admin, user.id, client.id, "analyst")
        return client.id


def client_box(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox")


def pick_client(page, name: str) -> None:
    client_box(page).click()
    page.get_by_role("option", name=name).click()


def test_a_link_opened_logged_out_leads_to_its_page_after_login(
    finished: FinishedRun, app_server, browser_page
) -> None:
    page = browser_page
    # the server's first page load: Streamlit has not seen app.py's navigation yet
    follow_link_logged_out(page, app_server.url, "results", "Results", finished.email, 1440)

    # a reload logs in again from the cookie, on the same page and the same client
    other = second_client(app_server.env["DATABASE_URL"], finished.email, "Zeta AB")
    page.reload()
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    pick_client(page, "Zeta AB")
    page.wait_for_url(f"**/results?client={other}")
    page.reload()
    page.get_by_role("heading", name="Results", exact=True).wait_for()
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    assert client_box(page).locator("input").input_value() == "Zeta AB"
    assert client_box(page).get_by_label("Clear value").count() == 0  # it used to do nothing
    assert not client_box(page).get_by_text("(required)").is_visible()
    page.shot("results-reloaded-on-its-client-1440")
    log_out(page)
    # a log-out starts again at the root (the address follows the page's run)
    page.wait_for_url(lambda url: url.rstrip("/") == app_server.url, timeout=15_000)

    # the app has run: the usual case
    follow_link_logged_out(page, app_server.url, "planner", "Budget planner", finished.email,
                           1024)
