"""What every page needs first: the signed-in user, the selected client and the viewer's
time zone."""

from __future__ import annotations

import streamlit as st
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.models import Client, User
from kiri_core.formatting import is_time_zone
from kiri_core.services import auth
from kiri_core.services.access import accessible_clients, client_role
from ui import state
from ui.auth import pass_through_app
from ui.links import page_link

CLIENT_PICKER = "client_picker"
CLIENT_PARAM = "client"  # the page address's query parameter holding the selected client
LOST_CLIENT = "lost_client"  # the name of a selected client that went out of reach
NO_ACCESS = "You have no access to a client yet. Ask an administrator to give you access."


def signed_in_user(session: Session) -> User:
    """The active user of this browser session, or stop the page with a message."""
    user = auth.active_user(session, state.user_id())
    if user is None:
        pass_through_app()
        st.warning("Please log in.")
        st.stop()
    return user


def viewer_zone() -> str:
    """The viewer's IANA time zone: the browser's (``st.context.timezone``), else the agency's
    (``KIRI_TIME_ZONE``)."""
    browser = st.context.timezone
    return browser if browser and is_time_zone(browser) else config.time_zone()


def client_picker(session: Session, user: User) -> Client | None:
    """Sidebar select box of the clients the user can see; keeps ``client_id`` in state."""
    clients = accessible_clients(session, user)
    if not clients:
        state.set_client_id(None)
        st.sidebar.caption("No clients yet." if user.is_admin else "No client is open to you yet.")
        return None
    by_id = {c.id: c for c in clients}
    if state.client_id() is None and LOST_CLIENT not in st.session_state:
        start_on_linked_client(by_id, default=clients[0].id)
    elif state.client_id() is not None and state.client_id() not in by_id:
        forget_lost_client(session, state.client_id())
    st.session_state[CLIENT_PICKER] = state.client_id()
    chosen = st.sidebar.selectbox(
        "Client", list(by_id), format_func={c.id: c.name for c in clients}.get,
        key=CLIENT_PICKER, on_change=state.keep_widget_value, index=None, required=True,
        placeholder="Pick a client", args=(CLIENT_PICKER, pick_client),
    )
    show_client_in_address(chosen)
    return by_id.get(chosen)


def start_on_linked_client(by_id: dict[int, Client], default: int) -> None:
    """A new session (a reload, a shared link) starts on the client in the page's address
    (``?client=7``), else on ``default``; a linked client the user cannot see selects none."""
    linked = st.query_params.get(CLIENT_PARAM, "")
    if not linked.isdigit():
        state.set_client_id(default)
    elif int(linked) in by_id:
        state.set_client_id(int(linked))
    else:  # not named: the user may never have had access to it
        state.set_client_id(None)
        st.session_state[LOST_CLIENT] = "The client in this link"


def show_client_in_address(client_id: int | None) -> None:
    """Keep the selected client in the page's address, so a reload or a copied link opens
    the same client."""
    if client_id is None:
        st.query_params.pop(CLIENT_PARAM, None)
    else:
        st.query_params[CLIENT_PARAM] = str(client_id)


def forget_lost_client(session: Session, client_id: int) -> None:
    """The session's client was archived or the user's access removed (in another tab, or
    by an administrator): no client is selected, rather than another one in its place, so
    nothing the page was about to do lands on a client the user did not pick."""
    lost = session.get(Client, client_id)
    state.set_client_id(None)
    st.session_state[LOST_CLIENT] = lost.name if lost else f"Client #{client_id}"


def follow_sidebar_client(key: str, client_ids: list[int]) -> None:
    """Set a page's client box for this run: on the sidebar's client when the box is new
    or the sidebar's client changed since the box last took it over, else on the user's own
    pick in the box.

    Parameters
    ----------
    key
        The box's widget key; ``f"{key}_follows"`` keeps the sidebar's client it last took
        over.
    client_ids
        The box's clients (ids); without the sidebar's client among them, a new box starts
        on the first.
    """
    sidebar, follows = state.client_id(), f"{key}_follows"
    if sidebar in client_ids and st.session_state.get(follows) != sidebar:
        st.session_state[key] = sidebar
    elif st.session_state.get(key) not in client_ids:
        st.session_state[key] = sidebar if sidebar in client_ids else client_ids[0]
    else:  # set anew, so the browser shows its label of this run (a client archived)
        st.session_state[key] = st.session_state[key]
    st.session_state[follows] = sidebar


def pick_client(client_id: int) -> None:
    st.session_state.pop(LOST_CLIENT, None)
    state.set_client_id(client_id)


def selected_client(session: Session, user: User) -> tuple[Client, str]:
    """The client picked in the sidebar and the user's role on it, or stop the page."""
    client_id = state.client_id()
    role = client_role(session, user, client_id) if client_id is not None else None
    client = session.get(Client, client_id) if role else None
    if client is None:
        no_client_hint(session, user)
        st.stop()
    return client, role


def no_client_hint(session: Session, user: User) -> None:
    """What to do without a client: pick one, create one (admins) or ask for access."""
    if lost := st.session_state.get(LOST_CLIENT):
        st.warning(f"{lost} is no longer open to you: it was archived, or your access was "
                   "removed. Nothing was done on it here. Pick a client in the sidebar.")
    elif accessible_clients(session, user):
        st.info("Pick a client in the sidebar.")
    elif user.is_admin:
        st.info("There are no clients yet. Create the first one on the Clients page.")
        page_link("pages/clients.py", "Create a client")
    else:
        st.info(NO_ACCESS)
