"""Admin page: only admins; users are deactivated and given client roles here."""

from __future__ import annotations

import re

from kiri_core.db.models import UserClientAccess
from kiri_core.services import auth
from tests.fitted import PASSWORD
from ui.layout import PAGE_AT_1024


def test_non_admins_are_turned_away(session, team, open_page):
    app = open_page("pages/admin.py", team.analyst)
    assert app.error[0].value == "Only administrators can do this."
    assert not app.dataframe


def test_admin_deactivates_a_user(session, team, open_page):
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="admin_user").set_value(team.viewer.id).run()
    next(b for b in app.button if b.label == "Deactivate").click().run()
    assert not app.exception
    assert auth.active_user(session, team.viewer.id) is None


def test_admin_grants_a_role_on_a_client_viewer_unless_told_otherwise(session, team,
                                                                      open_page):
    app = open_page("pages/admin.py", team.admin)
    form_user, form_client = app.selectbox[1], app.selectbox[2]
    form_user.set_value(team.outsider.id)
    form_client.set_value(team.client.id).run()  # the role follows the picks
    assert app.radio[0].value == "viewer"  # the least access is the default
    next(b for b in app.button if b.label == "Grant access").click().run()
    assert not app.exception and not app.error
    grant = session.get(UserClientAccess, (team.outsider.id, team.client.id))
    assert grant is not None and grant.role == "viewer"
    assert "Gave client access" in list(app.dataframe[-1].value["Action"])
    assert [m.value for m in app.success] == ["Gave outsider@agency.se viewer access to "
                                              "Acme AB."]


def test_the_role_starts_at_the_users_current_one_and_a_change_is_told(session, team,
                                                                        open_page):
    """The audit: the role always started at viewer, so one click on "Grant access" made an
    analyst a viewer without a word. It starts at the user's role on the client now, and the
    notice says when the role changes."""
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="grant_user").set_value(team.analyst.id).run()
    app.selectbox(key="grant_client").set_value(team.client.id).run()
    assert app.radio[0].value == "analyst"
    next(b for b in app.button if b.label == "Grant access").click().run()
    assert not app.exception and not app.error
    assert session.get(UserClientAccess, (team.analyst.id, team.client.id)).role == "analyst"
    assert [m.value for m in app.success] == ["analyst@agency.se already had analyst access "
                                              "to Acme AB; nothing changed."]
    app.radio[0].set_value("viewer")
    next(b for b in app.button if b.label == "Grant access").click().run()
    session.expire_all()
    assert session.get(UserClientAccess, (team.analyst.id, team.client.id)).role == "viewer"
    assert [m.value for m in app.success] == ["analyst@agency.se was analyst on Acme AB and "
                                              "is now viewer."]
    assert app.radio[0].value == "viewer"


def test_last_login_is_shown_once_the_user_has_logged_in(session, team, open_page):
    """Registering is not a login: "Last login" showed the sign-up time of users who had
    never logged in."""
    auth.authenticate(session, "viewer@agency.se", PASSWORD)
    people = open_page("pages/admin.py", team.admin).dataframe[0].value.set_index("E-mail")
    assert people.loc["analyst@agency.se", "Last login"] == "–"
    logged_in = people.loc["viewer@agency.se", "Last login"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", logged_in)


def test_admin_revokes_a_role_and_is_told_whose(session, team, open_page):
    app = open_page("pages/admin.py", team.admin)
    app.selectbox[1].set_value(team.viewer.id)
    app.selectbox[2].set_value(team.client.id)
    next(b for b in app.button if b.label == "Revoke access").click().run()
    assert not app.exception and not app.error
    assert session.get(UserClientAccess, (team.viewer.id, team.client.id)) is None
    assert [m.value for m in app.success] == ["Removed viewer@agency.se's viewer access to "
                                              "Acme AB."]
    app.run()  # said once, not again on the next rerun
    assert not app.success


def test_the_access_form_starts_on_the_sidebar_s_client(session, team, open_page):
    """The audit: it started on the first client by name, not the one just created and
    chosen in the sidebar."""
    app = open_page("pages/admin.py", team.admin, team.other_client)
    assert app.selectbox(key="grant_client").value == team.other_client.id
    assert open_page("pages/admin.py", team.admin).selectbox(key="grant_client").value == (
        team.client.id)  # no client in the sidebar: the first by name


def test_the_access_form_follows_a_new_sidebar_client_and_keeps_its_own_pick(session, team,
                                                                            open_page):
    """The audit: the box took the sidebar's client only when the page opened, so picking
    another client in the sidebar while on Admin left it on the old one."""
    app = open_page("pages/admin.py", team.admin, team.client)
    app.session_state["client_id"] = team.other_client.id  # picked in the sidebar
    app.run()
    assert app.selectbox(key="grant_client").value == team.other_client.id
    app.selectbox(key="grant_client").set_value(team.client.id).run()  # picked in the box
    app.selectbox(key="grant_user").set_value(team.outsider.id).run()  # the page reruns
    assert app.selectbox(key="grant_client").value == team.client.id
    assert app.session_state["client_id"] == team.other_client.id  # the sidebar stays
    app.session_state["client_id"] = team.client.id
    app.run()
    app.session_state["client_id"] = team.other_client.id
    app.run()
    assert app.selectbox(key="grant_client").value == team.other_client.id


def test_revoke_is_off_when_the_user_has_no_access_to_revoke(session, team, open_page):
    """The audit: "Revoke access" could be clicked only to be told there was nothing to
    revoke."""
    app = open_page("pages/admin.py", team.admin, team.client)
    app.selectbox(key="grant_user").set_value(team.outsider.id).run()
    revoke = next(b for b in app.button if b.label == "Revoke access")
    assert revoke.disabled
    assert revoke.help == "This user has no access to Acme AB to revoke."
    app.selectbox(key="grant_user").set_value(team.viewer.id).run()
    revoke = next(b for b in app.button if b.label == "Revoke access")
    assert not revoke.disabled and not revoke.help


def test_users_and_audit_log_read_in_plain_words(session, team, open_page):
    app = open_page("pages/admin.py", team.admin)
    people, log = app.dataframe[0].value, app.dataframe[-1].value
    assert set(people["Locked until"]) == {"–"}
    assert set(people["Last login"]) == {"–"}  # registering is not a login
    assert list(log.columns) == ["When", "Who", "Action", "Client", "Details"]
    grant = log[log["Action"] == "Gave client access"].iloc[-1]  # the target leads the details
    assert (grant["Who"], grant["Client"], grant["Details"]) == (
        "admin@agency.se", "Acme AB", "analyst@agency.se · role: analyst")
    first = log.iloc[-1]  # its target is who did it, named once
    assert (first["Who"], first["Action"], first["Client"], first["Details"]) == (
        "admin@agency.se", "Created an account", "–", "administrator: yes")
    created = log[log["Action"] == "Created a client"].iloc[-1]  # the client, named once
    assert (created["Client"], created["Details"]) == ("Acme AB", "name: Acme AB")
    assert "None" not in log.to_string() and "None" not in people.to_string()


def test_admin_cannot_deactivate_or_demote_themselves(session, team, open_page, text_of):
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="admin_user").set_value(team.admin.id).run()
    buttons = {b.label: b for b in app.button}
    assert buttons["Deactivate"].disabled and buttons["Remove admin"].disabled
    assert "This is your own account" in text_of(app)
    app.selectbox(key="admin_user").set_value(team.viewer.id).run()
    assert not any(b.disabled for b in app.button if b.label in ("Deactivate", "Make admin"))


def test_the_audit_log_fits_a_1024_px_window(session, team, open_page, table_width):
    """It scrolled sideways there: six columns, the details 200 px wide."""
    app = open_page("pages/admin.py", team.admin)
    assert table_width(app.dataframe[-1]) <= PAGE_AT_1024
