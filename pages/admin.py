"""Admin: users (activate, admin rights, unlock, a new password), client access by role, the
agency's name on PDF covers, and the audit log."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from kiri_core.db.models import ROLES
from kiri_core.formatting import timestamp
from kiri_core.services import agency, audit, auth, users
from kiri_core.services.access import accessible_clients, require_admin
from kiri_core.services.errors import AccessDenied
from ui.context import follow_sidebar_client, signed_in_user, viewer_zone
from ui.db import db
from ui.errors import show_error, user_errors

NOTICE = "admin_notice"  # the confirmation of a change, shown after the page reruns
PASSWORD_NOTICE = "admin_password_notice"  # the same for a new password, beside its form
AGENCY_NOTICE = "admin_agency_notice"  # the same for the agency's name, below its form
GRANT_CLIENT = "grant_client"  # the access form's client box: follows the sidebar's client
LAST_LOGIN = st.column_config.TextColumn(
    help="When the user last logged in with their password; – if they never have.")
PASSWORD_NOTE = ("A new password also unlocks the account and logs the user out everywhere. "
                 "Give it to them in person or by phone; they can then choose their own "
                 "under My account.")


def users_section(session, admin) -> list:
    everyone, zone = users.list_users(session, admin), viewer_zone()
    st.dataframe(pd.DataFrame([
        {"E-mail": u.email, "Name": u.name, "Admin": u.is_admin, "Active": u.is_active,
         "Locked until": timestamp(u.locked_until if auth.is_locked(u) else None, zone),
         "Last login": timestamp(u.last_login_at, zone)} for u in everyone
    ]), hide_index=True, width="stretch", column_config={"Last login": LAST_LOGIN})
    by_id = {u.id: u for u in everyone}
    emails = {u.id: u.email for u in everyone}
    chosen = by_id[st.selectbox("User", list(by_id), format_func=emails.get, key="admin_user")]
    user_actions(session, admin, chosen)
    return everyone


def user_actions(session, admin, chosen) -> None:
    """(De)activate, admin rights and unlock; not the first two on the admin's own account."""
    own = chosen.id == admin.id
    if own:
        st.caption("This is your own account: another administrator can deactivate it or "
                   "remove its admin rights.")
    cols = st.columns(3)
    if cols[0].button("Deactivate" if chosen.is_active else "Activate", key="toggle_active",
                      disabled=own, help=users.OWN_DEACTIVATION if own else None):
        with user_errors():
            users.set_active(session, admin, chosen.id, not chosen.is_active)
            st.rerun()
    if cols[1].button("Remove admin" if chosen.is_admin else "Make admin", key="toggle_admin",
                      disabled=own, help=users.OWN_ADMIN_REMOVAL if own else None):
        with user_errors():
            users.set_admin(session, admin, chosen.id, not chosen.is_admin)
            st.rerun()
    if auth.is_locked(chosen) and cols[2].button("Unlock", key="unlock"):
        with user_errors():
            users.unlock(session, admin, chosen.id)
            st.rerun()
    password_form(session, admin, chosen)


def password_form(session, admin, chosen) -> None:
    """A new (temporary) password for another user, typed twice; the admin's own password
    is changed under My account, which asks for the current one."""
    if notice := st.session_state.pop(PASSWORD_NOTICE, None):
        st.success(notice)
    with st.expander("Set a new password", expanded=auth.is_locked(chosen)):
        if chosen.id == admin.id:
            st.caption(users.OWN_PASSWORD_RESET)
            return
        st.caption(PASSWORD_NOTE)
        with st.form(f"admin_password_{chosen.id}", clear_on_submit=True, width=480):
            password = st.text_input(f"New password for {chosen.email}", type="password",
                                     key=f"admin_new_password_{chosen.id}",
                                     help=auth.PASSWORD_HELP)
            repeat = st.text_input("Repeat the new password", type="password",
                                   key=f"admin_new_password_repeat_{chosen.id}")
            submitted = st.form_submit_button("Set password", type="primary")
        if submitted:
            was_locked = auth.is_locked(chosen)
            with user_errors():
                users.set_password(session, admin, chosen.id, password, repeat)
                st.session_state[PASSWORD_NOTICE] = (
                    f"Set a new password for {chosen.email}"
                    + (" and unlocked the account" if was_locked else "")
                    + ". They have been logged out everywhere.")
                st.rerun()


def grant_notice(email: str, name: str, had: str | None, role: str) -> str:
    """What "Grant access" did: gave a first role, changed the role, or left it as it was."""
    if had is None:
        return f"Gave {email} {role} access to {name}."
    if had == role:
        return f"{email} already had {role} access to {name}; nothing changed."
    return f"{email} was {had} on {name} and is now {role}."


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
    with st.container(border=True):
        user_id = st.selectbox("User", list(people), key="grant_user",
                               format_func={i: u.email for i, u in people.items()}.get)
        follow_sidebar_client(GRANT_CLIENT, list(clients))  # say, one just created
        client_id = st.selectbox("Client", list(clients), key=GRANT_CLIENT,
                                 format_func={i: c.name for i, c in clients.items()}.get)
        email, name = people[user_id].email, clients[client_id].name
        had = next((g.role for g in grants
                    if (g.user_id, g.client_id) == (user_id, client_id)), None)
        role = st.radio("Role", ROLES, index=ROLES.index(had or "viewer"), horizontal=True,
                        key=f"grant_role_{user_id}_{client_id}",
                        help="analyst: upload, run, optimize, export · viewer: results and PDF")
        st.caption(f"Current role on {name}: {had}." if had else f"No access to {name} yet.")
        grant, revoke = st.columns(2)
        if grant.button("Grant access", type="primary"):
            with user_errors():
                if role != had:
                    users.grant_access(session, admin, user_id, client_id, role)
                st.session_state[NOTICE] = grant_notice(email, name, had, role)
                st.rerun()
        if revoke.button("Revoke access", disabled=had is None,
                         help=f"This user has no access to {name} to revoke." if had is None
                         else None):
            with user_errors():
                users.revoke_access(session, admin, user_id, client_id)
                st.session_state[NOTICE] = f"Removed {email}'s {had} access to {name}."
                st.rerun()
    if notice := st.session_state.pop(NOTICE, None):
        st.success(notice)


def agency_section(session, admin) -> None:
    """The agency's name on the cover of every PDF report ("Prepared by <name>")."""
    current = agency.agency_name(session)
    with st.form("agency_name", width=480):
        typed = st.text_input(
            "Agency name", value=current, key="agency_name_input",
            help=f"Printed on the cover of every PDF report as \"Prepared by {current}\". "
                 f"At most {agency.MAX_NAME_LENGTH} characters.")
        submitted = st.form_submit_button("Save", type="primary")
    if submitted:
        with user_errors():
            saved = agency.set_agency_name(session, admin, typed)
            st.session_state[AGENCY_NOTICE] = (
                f"\"{saved}\" is already the agency's name." if saved == current else
                f"The agency's name is now \"{saved}\": every PDF report carries it from now "
                "on.")
            st.rerun()
    if notice := st.session_state.pop(AGENCY_NOTICE, None):
        st.success(notice)


#: The audit log's columns and their widths in px (the time takes the 137-140 px it is
#: written in, by its digits): at most 735 px in all, so the log fits
#: :data:`ui.layout.PAGE_AT_1024` (736) with "outsider@agency.se",
#: "Saved a budget scenario" and "Nordic Shoes AB" whole. A longer e-mail, action or client
#: name is cut short, as are details in a narrow window (a column can be dragged wider).
AUDIT_WIDTHS = {"When": None, "Who": 160, "Action": 182, "Client": 128, "Details": 124}
#: The column a wider window widens: Streamlit shares the room left over among the columns
#: that are not pinned, so the others are (and stay in view should the log scroll sideways).
AUDIT_GROWS = "Details"


def entry_details(entry: audit.ReadableEntry) -> str:
    """What an entry was about: its target (unless the row names it already, as who or
    client), then its details; ``"–"`` when neither."""
    target = "–" if entry.target in (entry.who, entry.client) else entry.target
    return " · ".join(part for part in (target, entry.details) if part != "–") or "–"


def audit_section(session, admin) -> None:
    st.dataframe(pd.DataFrame([
        {"When": e.when, "Who": e.who, "Action": e.action, "Client": e.client,
         "Details": entry_details(e)}
        for e in audit.readable_entries(session, admin, zone=viewer_zone())
    ], columns=list(AUDIT_WIDTHS)), hide_index=True, width="stretch",
        column_config={name: st.column_config.TextColumn(width=width,
                                                         pinned=name != AUDIT_GROWS)
                       for name, width in AUDIT_WIDTHS.items()})


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
    st.subheader("Agency")
    agency_section(session, user)
    st.subheader("Audit log")
    audit_section(session, user)
