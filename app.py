"""Kiri MMM — the Streamlit entry: login gate, client picker and page navigation."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import streamlit as st
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.models import User
from kiri_core.jobs import check_engines_in_background
from kiri_core.services import runs
from kiri_core.services.access import client_role
from ui import auth, notices
from ui.context import client_picker
from ui.db import db, ensure_database
from ui.layout import style_the_app
from ui.links import page_link

ROOT = Path(__file__).resolve().parent
FAVICON = ROOT / "static" / "favicon.png"  # served by the app itself, no font CDN request
#: Not in the sidebar's list of pages: the link at the sidebar's foot leads there.
ACCOUNT_PAGE = (f"pages/{auth.ACCOUNT_ADDRESS}.py", "My account", ":material/manage_accounts:",
                "Agency")
# (file, title, icon, section); pages of other parts appear once their file exists.
PAGES = (
    ("pages/home.py", "Home", ":material/home:", "Client"),
    ("pages/data.py", "Data", ":material/table_chart:", "Client"),
    ("pages/sources.py", "BigQuery sources", ":material/cloud_sync:", "Client"),
    ("pages/runs.py", "Runs", ":material/play_circle:", "Client"),
    ("pages/results.py", "Results", ":material/insights:", "Results"),
    ("pages/planner.py", "Budget planner", ":material/tune:", "Results"),
    ("pages/presentation.py", "Presentation", ":material/slideshow:", "Results"),
    ("pages/compare.py", "Compare runs", ":material/compare_arrows:", "Results"),
    ("pages/parity.py", "Engine parity", ":material/balance:", "Results"),
    ("pages/clients.py", "Clients", ":material/business:", "Agency"),
    ACCOUNT_PAGE,
)
LOGOUT_KEY = "kiri_logout"
#: URL paths of the pages that show a kept notice (:mod:`ui.notices`) in a place of their own:
#: My account in its column, Runs under its title; app.py shows it above any other page.
OWN_NOTICE_PAGES = (auth.ACCOUNT_ADDRESS, "runs")
ADMIN_PAGE = ("pages/admin.py", "Admin", ":material/admin_panel_settings:", "Agency")
HOME_PAGE = "pages/home.py"
PRESENTATION_PAGE = "pages/presentation.py"
#: The pages a viewer of the selected client uses, read-only; the analysts' other pages are
#: hidden from them, a stand-in at each address (:func:`for_analysts`).
VIEWER_PAGES = (HOME_PAGE, "pages/results.py", "pages/planner.py", PRESENTATION_PAGE,
                ACCOUNT_PAGE[0])


def app_pages(is_admin: bool) -> list[tuple[str, str, str, str]]:
    """(file, title, icon, section) of the pages whose file exists; Admin for admins only."""
    return [page for page in (*PAGES, *([ADMIN_PAGE] if is_admin else []))
            if (ROOT / page[0]).exists()]


def address(path: str) -> str:
    """A page's URL path, the same logged in and out: pages/results.py opens at /results."""
    return Path(path).stem


def navigation(is_admin: bool, default: str = HOME_PAGE,
               viewer_of: str | None = None) -> dict[str, list[st.Page]]:
    """Pages by section; ``default`` opens first (presentation mode for viewers). For a
    viewer of the client named ``viewer_of`` only :data:`VIEWER_PAGES` are listed: a typed
    address of another page shows :func:`for_analysts` in its place."""
    sections: dict[str, list[st.Page]] = {}
    for path, title, icon, section in app_pages(is_admin):
        analysts_only = viewer_of is not None and path not in VIEWER_PAGES
        page = st.Page(partial(for_analysts, title, viewer_of) if analysts_only else path,
                       title=title, icon=icon, url_path=address(path), default=path == default,
                       visibility="hidden" if analysts_only or path == ACCOUNT_PAGE[0]
                       else "visible")
        sections.setdefault(section, []).append(page)
    return sections


def for_analysts(title: str, client_name: str) -> None:
    """In place of an analyst's page for a viewer of the client: whose page it is, and a
    way on to the viewer's own first page."""
    st.title(title)
    st.info(f"{title} is a page for the analysts of {client_name}. As a viewer you see its "
            "results on the pages in the sidebar.")
    page_link(PRESENTATION_PAGE, "Open the Presentation")


def stand_ins(stand_in: str | Callable[[], None]) -> list[st.Page]:
    """At every page's address, ``stand_in`` in place of that page: a link to /results
    opens neither "Page not found" nor Results."""
    return [st.Page(stand_in, title=title, icon=icon, url_path=address(path))
            for path, title, icon, _ in app_pages(is_admin=True)]


def login_pages(login_form: Callable[[], None]) -> list[st.Page]:
    """While logged out, the app's root and every page's address show the login form (no
    page file runs), so a link to /results still opens Results once the user has logged in;
    the root opens the user's own first page."""
    login = st.Page(login_form, title="Log in", url_path="login", default=True)
    return [login, *stand_ins(login_form)]


def only_page(pages: list[st.Page], move_there: bool) -> st.Page:
    """The page at the address asked for, in a navigation of ``pages`` that shows no list
    of pages; with ``move_there`` always the first of them."""
    page = st.navigation(pages, position="hidden")
    if move_there and page.url_path != pages[0].url_path:
        st.switch_page(pages[0])
    return page


def user_page_list() -> None:
    """Let ``st.navigation`` list the user's pages in the sidebar. The config turns
    Streamlit's sidebar list off, so a fresh server's first visitor does not see the files
    of pages/ listed while app.py loads; with it off, Streamlit 1.67 would hide this list
    too. The option is the process's: set again on every run, it is on by the time a
    logged-in user's pages are drawn."""
    st.set_option("client.showSidebarNavigation", True)


def show_login(session: Session) -> None:
    """The login form at the address asked for; after a log-out at the app's root, so the
    next person to log in starts on their own first page (also when a rerun the browser
    asked for before the log-out arrives for the page it left)."""
    pages = login_pages(partial(auth.login_gate, session))
    only_page(pages, move_there=auth.logged_out_here()).run()


def my_account_only() -> st.Page:
    """My account, whatever address was asked for (a typed /results or /account too): a
    user with a password an administrator set chooses their own before anything else. It
    is served at the root, which still reserves its own path name, so that name is not
    /account (whose stand-in leads to the root)."""
    path, title, icon, _ = ACCOUNT_PAGE
    account = st.Page(path, title=title, icon=icon, url_path="own-password", default=True)
    return only_page([account, *stand_ins(path)], move_there=True)  # /account too


def open_app(session: Session, user: User) -> st.Page:
    """The client box and the user's pages in the sidebar; the page at this address, or
    their first page once they have chosen their own password in place of an
    administrator's."""
    client = client_picker(session, user)
    is_viewer = client is not None and client_role(session, user, client.id) == "viewer"
    default = PRESENTATION_PAGE if is_viewer else HOME_PAGE
    user_page_list()
    page = st.navigation(navigation(user.is_admin, default, client.name if is_viewer else None))
    if auth.own_password_just_chosen():
        st.switch_page(default)
    return page


def user_corner(user: User, link_to_account: bool = True) -> None:
    """The sidebar's foot: My account and Log out on one line, then who is signed in. Below
    an administrator's pages and the client box it starts about 90 px above the bottom of
    a 1024 x 768 window, so those two come first, and Log out is a plain-text button to
    fit beside My account in the 240 px sidebar."""
    path, title, icon, _ = ACCOUNT_PAGE
    with st.sidebar.container(gap="xxsmall"):
        with st.container(horizontal=True, vertical_alignment="center", gap="xsmall"):
            if link_to_account:
                st.page_link(path, label=title, icon=icon)
            st.button("Log out", key=LOGOUT_KEY, type="tertiary")
        st.caption(f"**{user.name}**  \n{user.email}")


@st.cache_resource(show_spinner=False)
def check_engines_once(database_url: str) -> None:
    """Without a worker (no ``REDIS_URL``) the app checks, once per process and database,
    whether Robyn (R) runs here, so the run form can offer it."""
    check_engines_in_background()


def main() -> None:
    st.set_page_config(page_title="Kiri MMM", page_icon=str(FAVICON), layout="wide")
    style_the_app()
    try:
        config.secret_key()
        config.time_zone()
    except config.ConfigurationError as error:
        st.error(str(error))
        st.stop()
    ensure_database()
    if not config.redis_url():
        check_engines_once(config.database_url())
    with db() as session:
        authenticator = auth.authenticator()
        if st.session_state.get(LOGOUT_KEY):  # clicked in the last run
            auth.log_out(session, authenticator)
        else:
            auth.delete_pending_cookie(authenticator)
        user = auth.current_user(session, authenticator)
        if user is None:
            show_login(session)
            return
        auth.remember(authenticator)  # every run: a rerun may unmount it before it has set
        held = auth.must_choose_own_password(session, user)
        page = my_account_only() if held else open_app(session, user)
        user_corner(user, link_to_account=not held)  # after st.navigation: it links a page
        runs.reap_stale_runs(session)  # without Redis no worker does it: every page load does
    if page.url_path not in OWN_NOTICE_PAGES:
        notices.show(page.url_path)
    page.run()


main()
