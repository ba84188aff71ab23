"""A link to a page opened logged out, in a real browser against a real ``streamlit run``:
the login form (no "Page not found"), then the linked page; a log-out starts again at the root."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiri_core.db.models import Client, User
from kiri_core.db.session import session_factory
from kiri_core.services import auth, clients, users
from tests.e2e.live_app import FinishedRun, log_in, log_out
from tests.fitted import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]


#: Before each page load: note the text of any list of pages the sidebar ever holds (a
#: screenshot every so often could miss one shown for a moment).
WATCH_PAGE_LIST = """
if (!window.pageListsSeen) {
  window.pageListsSeen = [];
  new MutationObserver(() => {
    const nav = document.querySelector('[data-testid=stSidebarNav]');
    if (nav) window.pageListsSeen.push(nav.innerText);
  }).observe(document, {subtree: true, childList: true});
}
"""


def open_logged_out(page, url: str) -> None:
    """Open ``url`` and wait for the login form and the end of the script run."""
    page.goto(url)
    page.get_by_role("button", name="Log in").first.wait_for()
    page.wait_for_timeout(1500)  # a "Page not found" dialog comes with the page list
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")


def follow_link_logged_out(page, server_url: str, path: str, title: str, email: str,
                           width: int) -> None:
    """Open ``/path`` logged out: the login form alone, no "Page not found" nor the page,
    and at no moment a list of pages; log in: the page titled ``title`` at the same
    address, listed in the sidebar."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.context.add_init_script(WATCH_PAGE_LIST)
    open_logged_out(page, f"{server_url}/{path}")
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Please log in").count() == 0
    assert page.get_by_role("heading", name=title, exact=True).count() == 0
    assert page.evaluate("window.pageListsSeen") == []  # nor the pages folder's list
    page.shot(f"{path}-link-logged-out-{width}")
    log_in(page, email)
    page.get_by_role("heading", name=title, exact=True).wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).wait_for()
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


def add_viewer(database_url: str, email: str, client: str) -> None:
    """A user of ``email`` who is a viewer of the client named ``client``."""
    with session_factory(database_url)() as session:
        admin = session.scalar(select(User).where(User.is_admin))
        viewer = auth.register_user(session, email, "Vic", PASSWORD)
        acme = session.scalar(select(Client).where(Client.name == client))
        users.grant_access(session, admin, viewer.id, acme.id, "viewer")


def listed_pages(page) -> list[str]:
    """The titles of the pages in the sidebar's list (each link's text ends with it, after
    its icon's name)."""
    nav = page.get_by_test_id("stSidebarNav")
    nav.wait_for()
    return [link.inner_text().splitlines()[-1]
            for link in nav.get_by_role("link").all()]


def test_a_viewer_lists_the_viewer_s_pages_and_a_typed_analysts_page_says_whose_it_is(
    finished: FinishedRun, app_server, browser_page
) -> None:
    """The audit: a viewer's sidebar listed Data, Runs and the other analysts' pages. Now
    only the viewer's; a typed /data says it is the analysts' (not "Page not found"), and a
    client the same user is analyst of brings the pages back."""
    page, url = browser_page, app_server.env["DATABASE_URL"]
    add_viewer(url, "vic@agency.se", finished.client)
    second_client(url, "vic@agency.se", "Zeta AB")
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(app_server.url)
    log_in(page, "vic@agency.se")
    page.get_by_role("button", name="Present").wait_for()  # the viewer's first page
    assert listed_pages(page) == ["Home", "Results", "Budget planner", "Presentation"]
    assert page.get_by_text("Before you present").count() == 0
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.shot(f"viewer-presentation-{width}")
    page.goto(f"{app_server.url}/data")  # typed: a new page load, signed in by cookie
    page.get_by_role("heading", name="Data", exact=True).wait_for()
    page.wait_for_timeout(1500)  # a "Page not found" dialog comes with the page list
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    assert page.get_by_text("Page not found").count() == 0
    assert page.get_by_text("Data is a page for the analysts of Acme AB").is_visible()
    assert page.get_by_test_id("stFileUploader").count() == 0  # not the Data page itself
    page.shot("viewer-typed-data-1440")
    pick_client(page, "Zeta AB")  # analyst there: the analysts' pages come back
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Runs", exact=True).wait_for()
    page.get_by_test_id("stFileUploader").wait_for()  # the Data page itself has run
    assert "Data" in listed_pages(page)
    assert page.get_by_text("is a page for the analysts").count() == 0
    for width in (1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        page.shot(f"analyst-of-another-client-data-{width}")
