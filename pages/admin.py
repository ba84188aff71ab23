"""Admin: users (activate, admin rights, unlock), client access by role, and the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core.db.models import ROLES
from kiri_core.services import audit, users
from kiri_core.services.access import accessible_clients, require_admin
from kiri_core.services.errors import AccessDenied
from ui.context import signed_in_user
from ui.db import db
from ui.errors import show_error, user_errors


def users_section(session, admin) -> list:
    everyone = users.list_users(session, admin)
    st.dataframe(pd.DataFrame([
        {"E-mail": u.email, "Name": u.name, "Admin": u.is_admin, "Active": u.is_active,
         "Locked until": u.locked_until, "Last login": u.last_login_at} for u in everyone
    ]), hide_index=True, width="stretch")
    by_id = {u.id: u for u in everyone}
    emails = {u.id: u.email for u in everyone}
    chosen = by_id[st.selectbox("User", list(by_id), format_func=emails.get, key="admin_user")]
    cols = st.columns(3)
    if cols[0].button("Deactivate" if chosen.is_active else "Activate", key="toggle_active"):
        with user_errors():
            users.set_active(session, admin, chosen.id, not chosen.is_active)
            st.rerun()
    if cols[1].button("Remove admin" if chosen.is_admin else "Make admin", key="toggle_admin"):
        with user_errors():
            users.set_admin(session, admin, chosen.id, not chosen.is_admin)
            st.rerun()
    if chosen.locked_until and cols[2].button("Unlock", key="unlock"):
        with user_errors():
            users.unlock(session, admin, chosen.id)
            st.rerun()
    return everyone


def access_section(session, admin, everyone: list) -> None:
    clients = {c.id: c for c in accessible_clients(session, admin, include_archived=True)}
    people = {u.id: u for u in everyone if not u.is_admin}
    grants = users.access_list(session, admin)
    st.dataframe(pd.DataFrame([
        {"User": g.user.email, "Client": g.client.name, "Role": g.role} for g in grants
    ], columns=["User", "Client", "Role"]), hide_index=True, width="stretch")
    if not clients or not people:
        st.caption("Access is given to non-admin users on existing clients.")
        return
    with st.form("grant"):
        user_id = st.selectbox("User", list(people),
                               format_func={i: u.email for i, u in people.items()}.get)
        client_id = st.selectbox("Client", list(clients),
                                 format_func={i: c.name for i, c in clients.items()}.get)
        role = st.radio("Role", ROLES, horizontal=True,
                        help="analyst: upload, run, optimize, export · viewer: results and PDF")
        grant, revoke = st.columns(2)
        if grant.form_submit_button("Grant access", type="primary"):
            with user_errors():
                users.grant_access(session, admin, user_id, client_id, role)
                st.rerun()
        if revoke.form_submit_button("Revoke access"):
            with user_errors():
                users.revoke_access(session, admin, user_id, client_id)
                st.rerun()


with db() as session:
    user = signed_in_user(session)
    try:
        require_admin(user)
    except AccessDenied as error:
        show_error(error)
        st.stop()
    st.title("Admin")
    st.subheader("Users")
    everyone = users_section(session, user)
    st.subheader("Client access")
    access_section(session, user, everyone)
    st.subheader("Audit log")
    emails = {u.id: u.email for u in everyone}
    st.dataframe(pd.DataFrame([
        {"When": e.at, "Who": emails.get(e.actor_id, "system"), "Action": e.action,
         "Client": e.client_id,
         "Target": f"{e.target_type} {e.target_id}" if e.target_type else "",
         "Details": e.details} for e in audit.recent_entries(session, user)
    ]), hide_index=True, width="stretch")
