"""The Clients page's forms: create a client, edit one (its currency asked first when it has
runs), archive and restore; each change told in the run after it."""

from __future__ import annotations

import streamlit as st

from kiri_core import formatting as fmt
from kiri_core.db.models import Client
from kiri_core.services import clients
from kiri_core.services.access import accessible_clients
from ui import state
from ui.context import follow_sidebar_client
from ui.errors import user_errors
from ui.inputs import confirmed_action
from ui.links import page_link

# The notice of a change, (where, text), shown in the run after it ("new" or "edit" form)
NOTICE = "clients_notice"
CLEAR_NEW = "clear_new_client"  # a client was created: the next run empties the form
EDIT_PICK = "edit_pick"
EDIT_FOLLOWS = f"{EDIT_PICK}_follows"  # the sidebar's client the edit picker last took over
PENDING = "currency_change"  # (client id, fields, warning) of a currency change to confirm
NEW_DEFAULTS = {"name": "", "industry": clients.INDUSTRIES[-1], "currency": "SEK"}


def client_form(key: str, name: str = "", industry: str = "", currency: str = "SEK") -> dict:
    """Name, industry and currency boxes; the values given fill boxes the session does not
    hold yet (set through the state, so a form can be emptied or reset the same way)."""
    industries = list(clients.INDUSTRIES)
    starts = {"name": name, "currency": currency,
              "industry": industry if industry in industries else industries[-1]}
    for field, value in starts.items():
        st.session_state.setdefault(f"{key}_{field}", value)
    return {
        "name": st.text_input("Name", key=f"{key}_name"),
        "industry": st.selectbox("Industry", industries, key=f"{key}_industry"),
        "currency": st.selectbox("Currency", fmt.CURRENCIES, key=f"{key}_currency"),
    }


def notice(where: str) -> bool:
    """Show the notice of a change made in the ``where`` form, if any; whether it was shown."""
    if (shown := st.session_state.get(NOTICE)) and shown[0] == where:
        st.success(st.session_state.pop(NOTICE)[1])
        return True
    return False


def new_client_form(session, user, listed: list) -> None:
    """Create a client. A created one empties the form (the next one starts at SEK again);
    a refused one keeps what was typed, to correct."""
    if st.session_state.pop(CLEAR_NEW, False):
        for field, value in NEW_DEFAULTS.items():
            st.session_state[f"new_{field}"] = value
    with st.expander("New client", expanded=not listed), st.form("new_client"):
        fields = client_form("new", **NEW_DEFAULTS)
        if st.form_submit_button("Create client", type="primary"):
            with user_errors():
                created = clients.create_client(session, user, **fields)
                state.set_client_id(created.id)
                st.session_state[CLEAR_NEW] = True
                st.session_state[NOTICE] = ("new", (
                    f"Created {created.name} ({created.currency}): it is now the chosen "
                    "client in the sidebar. Load its data on the Data page. Only "
                    "administrators see it until you give someone access on the Admin page."))
                st.rerun()
    if notice("new"):  # only administrators create clients, so the Admin page is theirs
        page_link("pages/admin.py", "Give access on the Admin page")


def pick_client_to_edit(editable: list[Client]) -> Client:
    """The edit picker starts on, and follows, the sidebar's client; picking an active client
    here picks it in the sidebar too (an archived one is not there to pick)."""
    by_id = {c.id: c for c in editable}
    follow_sidebar_client(EDIT_PICK, list(by_id))

    def follow(client_id: int) -> None:
        if by_id[client_id].archived_at is None:
            state.set_client_id(client_id)

    names = {c.id: f"{c.name}{' (archived)' if c.archived_at else ''}" for c in editable}
    return by_id[st.selectbox("Client", list(by_id), format_func=names.get, key=EDIT_PICK,
                              on_change=state.keep_widget_value, args=(EDIT_PICK, follow))]


def save(session, user, client_id: int, fields: dict) -> None:
    with user_errors():
        saved = clients.update_client(session, user, client_id, **fields)
        st.session_state[NOTICE] = ("edit", f"Saved {saved.name} ({saved.industry}, "
                                    f"{saved.currency}).")
        st.rerun()


def edit_form(session, user, chosen) -> None:
    """Save a client's changes; a new currency of a client with runs is asked first."""
    key = f"edit{chosen.id}"
    with st.form("edit_client"):
        fields = client_form(key, chosen.name, chosen.industry, chosen.currency)
        if st.form_submit_button("Save changes"):
            st.session_state.pop(PENDING, None)
            warning = clients.currency_change_warning(session, user, chosen.id,
                                                      fields["currency"])
            if warning:
                st.session_state[PENDING] = (chosen.id, fields, warning)
            else:
                save(session, user, chosen.id, fields)
    pending = st.session_state.get(PENDING)
    if pending and pending[0] != chosen.id:  # asked about a client no longer picked
        st.session_state.pop(PENDING)
    elif pending:
        _, fields, warning = pending
        st.warning(warning)

        def keep_currency() -> None:
            st.session_state.pop(PENDING, None)
            st.session_state[f"{key}_currency"] = chosen.currency

        with st.container(horizontal=True):
            confirmed = st.button(f"Yes, change to {fields['currency']}", type="primary",
                                  key=f"{key}_confirm")
            st.button(f"Keep {chosen.currency}", key=f"{key}_keep", on_click=keep_currency)
        if confirmed:
            st.session_state.pop(PENDING, None)
            save(session, user, chosen.id, fields)
    notice("edit")


def archive_control(session, user, chosen) -> None:
    """Restore at once; archive after a confirmation (it leaves every client picker)."""
    if chosen.archived_at is not None:
        if st.button("Restore client", key=f"restore_{chosen.id}"):
            with user_errors():
                clients.set_archived(session, user, chosen.id, False)
                st.session_state[NOTICE] = ("edit", f"Restored {chosen.name}: it is back in "
                                            "the client pickers.")
                st.rerun()
        return

    def archive() -> None:
        clients.set_archived(session, user, chosen.id, True)
        said = (f"Archived {chosen.name}: it no longer shows in the client pickers. "
                "Restore it here any time.")
        if state.client_id() == chosen.id:  # the sidebar takes the first client left, as a
            left = accessible_clients(session, user)  # new session would, and no "no longer
            state.set_client_id(left[0].id if left else None)  # open" warning
            st.session_state[EDIT_FOLLOWS] = state.client_id()  # this picker stays here
            said += f" The sidebar now shows {left[0].name}." if left else ""
        st.session_state[NOTICE] = ("edit", said)

    confirmed_action("Archive client", f"Archive {chosen.name}? It leaves the client pickers "
                     "for everyone. Its data, runs and access are kept, and you can restore it "
                     "here.", archive, key=f"archive_{chosen.id}",
                     yes=f"Yes, archive {chosen.name}")
