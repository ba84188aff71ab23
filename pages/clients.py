"""Clients: the agency's client list; admins create and archive, analysts edit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core import formatting as fmt
from kiri_core.services import clients
from kiri_core.services.access import accessible_clients, client_role
from ui import state
from ui.context import NO_ACCESS, signed_in_user
from ui.db import db
from ui.errors import user_errors

CREATED = "client_created"  # the notice shown in the run after a client is created


def client_form(key: str, name: str = "", industry: str = "", currency: str = "SEK") -> dict:
    industries = list(clients.INDUSTRIES)
    return {
        "name": st.text_input("Name", value=name, key=f"{key}_name"),
        "industry": st.selectbox(
            "Industry", industries, key=f"{key}_industry",
            index=industries.index(industry) if industry in industries else len(industries) - 1,
        ),
        "currency": st.selectbox("Currency", fmt.CURRENCIES, key=f"{key}_currency",
                                 index=fmt.CURRENCIES.index(currency)),
    }


with db() as session:
    user = signed_in_user(session)
    st.title("Clients")
    listed = accessible_clients(session, user, include_archived=user.is_admin)
    if listed:
        st.dataframe(pd.DataFrame([
            {"Client": c.name, "Industry": c.industry, "Currency": c.currency,
             "Status": "archived" if c.archived_at else "active",
             "Your role": client_role(session, user, c.id)} for c in listed
        ]), hide_index=True, width="stretch")
    elif user.is_admin:
        st.info("There are no clients yet: create the first one below.")
    else:
        st.info(NO_ACCESS)

    if user.is_admin:
        with st.expander("New client", expanded=not listed), st.form("new_client"):
            fields = client_form("new")
            if st.form_submit_button("Create client", type="primary"):
                with user_errors():
                    created = clients.create_client(session, user, **fields)
                    state.set_client_id(created.id)
                    st.session_state[CREATED] = (
                        f"Created {created.name}: it is now the chosen client in the sidebar. "
                        "Load its data on the Data page.")
                    st.rerun()
    if notice := st.session_state.pop(CREATED, None):
        st.success(notice)

    editable = [c for c in listed if client_role(session, user, c.id) == "analyst"]
    if editable:
        st.subheader("Edit a client")
        by_id = {c.id: c for c in editable}
        current = state.client_id() if state.client_id() in by_id else editable[0].id
        chosen = by_id[st.selectbox("Client", list(by_id), index=list(by_id).index(current),
                                    format_func={c.id: c.name for c in editable}.get,
                                    key="edit_pick")]
        with st.form("edit_client"):
            fields = client_form(f"edit{chosen.id}", chosen.name, chosen.industry,
                                 chosen.currency)
            if st.form_submit_button("Save changes"):
                with user_errors():
                    clients.update_client(session, user, chosen.id, **fields)
                    st.success("Saved.")
        if user.is_admin:
            archived = chosen.archived_at is not None
            if st.button("Restore client" if archived else "Archive client"):
                with user_errors():
                    clients.set_archived(session, user, chosen.id, not archived)
                    if not archived and state.client_id() == chosen.id:
                        state.set_client_id(None)  # archived here, on purpose: no warning
                    st.rerun()
