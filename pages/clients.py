"""Clients: the agency's client list; admins create and archive, analysts edit."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core.services.access import accessible_clients, client_role
from ui.client_forms import archive_control, edit_form, new_client_form, pick_client_to_edit
from ui.context import NO_ACCESS, signed_in_user
from ui.db import db

with db() as session:
    user = signed_in_user(session)
    st.title("Clients")
    listed = accessible_clients(session, user, include_archived=user.is_admin)
    if listed:
        st.dataframe(pd.DataFrame([
            {"Client": c.name, "Industry": c.industry, "Currency": c.currency,
             "Status": "archived" if c.archived_at else "active",
             "Your role": "administrator" if user.is_admin else client_role(session, user, c.id)}
            for c in listed
        ]), hide_index=True, width="stretch")
    elif user.is_admin:
        st.info("There are no clients yet: create the first one below.")
    else:
        st.info(NO_ACCESS)

    if user.is_admin:
        new_client_form(session, user, listed)

    editable = [c for c in listed if client_role(session, user, c.id) == "analyst"]
    if editable:
        st.subheader("Edit a client")
        chosen = pick_client_to_edit(editable)
        edit_form(session, user, chosen)
        if user.is_admin:
            archive_control(session, user, chosen)
