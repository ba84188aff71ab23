"""The signed-in user's corner of the sidebar and a password an administrator set, in a real
browser at 1024 x 768: My account and Log out show without scrolling beside an
administrator's full list of pages, and a page's title starts near the window's top; a
temporary password opens nothing but My account, not even at a typed address, until the
user has chosen their own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from kiri_core.db.models import User
from kiri_core.db.session import session_factory
from kiri_core.services import auth, users
from tests.e2e.live_app import acme_team, fill_steadily, log_in, log_in_small, log_out, settle
from tests.fitted import PASSWORD
from ui.auth import PASSWORD_CHANGED_NOTICE, TEMPORARY_PASSWORD_NOTE

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]

OWN = "my very own 3"
#: Where a page's title may start at the latest (px from the window's top): Streamlit's own
#: 6rem top padding put it at 123 px, below an empty band.
TITLE_TOP_PX = 80


@pytest.fixture
def agency(app_database: str) -> str:
    """An administrator and an analyst of "Acme AB" whose password the administrator has
    just set (to ``PASSWORD``); the app's database URL."""
    with session_factory(app_database)() as session:
        admin, analyst, _ = acme_team(session, admin_name="Boss Bossdottir")
        users.set_password(session, admin, analyst.id, PASSWORD, PASSWORD)
    return app_database


def in_view(page, locator) -> bool:
    """Whether ``locator`` shows whole inside the window, without scrolling."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] <= page.viewport_size["height"] - box["height"]


def test_the_account_corner_and_a_temporary_password(agency, app_server, browser_page):
    page = browser_page
    log_in_small(page, app_server.url, "boss@agency.se")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_role("link", name="Engine parity").wait_for()  # the admin's whole list
    account = sidebar.get_by_role("link", name="My account")
    corner = [account, sidebar.get_by_role("button", name="Log out"),
              sidebar.get_by_text("Boss Bossdottir"), sidebar.get_by_text("boss@agency.se")]
    assert [in_view(page, part) for part in corner] == [True] * len(corner)
    page.shot("01-admin")
    account.click()
    page.get_by_role("heading", name="Change my password").wait_for()
    assert page.url.split("?")[0].endswith("/account")
    title = page.get_by_role("heading", name="My account", exact=True).bounding_box()
    assert title["y"] <= TITLE_TOP_PX, title  # no empty band above the page's title
    log_out(page)

    log_in(page, "ann@agency.se")  # with the password the administrator set
    page.get_by_text(TEMPORARY_PASSWORD_NOTE).wait_for()
    assert page.get_by_test_id("stSidebarNav").count() == 0  # no page but this one
    assert sidebar.get_by_role("link", name="My account").count() == 0
    assert sidebar.get_by_role("button", name="Log out").is_visible()
    page.shot("02-only-my-account")
    page.goto(f"{app_server.url}/results")  # typed: a new page load, signed in by cookie
    page.get_by_text(TEMPORARY_PASSWORD_NOTE).wait_for()
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    assert page.get_by_role("heading", name="Results", exact=True).count() == 0
    assert not page.url.split("?")[0].endswith("/results")
    page.goto(f"{app_server.url}/account")  # the held page's own address: no "Page not found"
    page.get_by_text(TEMPORARY_PASSWORD_NOTE).wait_for()
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    assert page.get_by_text("Page not found").count() == 0

    for label, value in (("Current password", PASSWORD), ("New password", OWN),
                         ("Repeat new password", OWN)):
        fill_steadily(page.get_by_label(label, exact=True), value)
    page.get_by_role("button", name="Change password").click()
    page.get_by_role("heading", name="Acme AB").first.wait_for()  # the first page
    settle(page)  # the cookie component's rerun, which used to take a toast with it
    assert page.get_by_text(PASSWORD_CHANGED_NOTICE).is_visible()
    sidebar.get_by_role("link", name="Results").wait_for()
    page.shot("03-own-password")
    with session_factory(agency)() as session:
        ann = session.scalar(select(User).where(User.email == "ann@agency.se"))
        assert not auth.password_set_by_admin(session, ann)
