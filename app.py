"""Kiri MMM — the Streamlit entry: login gate, client picker and page navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from kiri_core import config
from kiri_core.services import runs
from kiri_core.services.access import client_role
from ui import auth
from ui.context import client_picker
from ui.db import db, ensure_database

ROOT = Path(__file__).resolve().parent
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
)
LOGOUT_KEY = "kiri_logout"
ADMIN_PAGE = ("pages/admin.py", "Admin", ":material/admin_panel_settings:", "Agency")


PRESENTATION_PAGE = "pages/presentation.py"


def navigation(is_admin: bool, default: str = "pages/home.py") -> dict[str, list[st.Page]]:
    """Pages by section; ``default`` opens first (presentation mode for viewers)."""
    sections: dict[str, list[st.Page]] = {}
    for path, title, icon, section in (*PAGES, *([ADMIN_PAGE] if is_admin else [])):
        if (ROOT / path).exists():
            page = st.Page(path, title=title, icon=icon, default=path == default)
            sections.setdefault(section, []).append(page)
    return sections


def main() -> None:
    st.set_page_config(page_title="Kiri MMM", page_icon=":material/insights:", layout="wide")
    try:
        config.secret_key()
    except config.ConfigurationError as error:
        st.error(str(error))
        st.stop()
    ensure_database()
    with db() as session:
        authenticator = auth.authenticator()
        if st.session_state.get(LOGOUT_KEY):  # clicked in the previous run's sidebar
            auth.log_out(session, authenticator)
        user = auth.current_user(session, authenticator)
        if user is None:
            gate = st.empty()
            with gate.container():
                user = auth.login_gate(session)
            if user is None:
                st.navigation([st.Page(lambda: None, title="Log in")], position="hidden")
                return
            gate.empty()
        auth.remember(authenticator)  # every run: a rerun may unmount it before it has set
        client = client_picker(session, user)
        with st.sidebar:
            st.markdown(f"**{user.name}**  \n{user.email}")
            st.button("Log out", key=LOGOUT_KEY)
        is_viewer = client is not None and client_role(session, user, client.id) == "viewer"
        is_admin = user.is_admin
        runs.reap_stale_runs(session)  # without Redis no worker does it: every page load does
    default = PRESENTATION_PAGE if is_viewer else "pages/home.py"
    page = st.navigation(navigation(is_admin, default))
    page.run()


main()
