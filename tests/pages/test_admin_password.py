"""Admin page: an administrator sets a new password for another user (it unlocks too)."""

from __future__ import annotations

import pytest

from kiri_core.services import auth, users
from kiri_core.services.errors import AuthenticationError

PASSWORD = "correct horse 1"
TEMPORARY = "temporary pass 9"


def set_password(app, user, password: str, repeat: str | None = None):
    app.text_input(key=f"admin_new_password_{user.id}").set_value(password)
    app.text_input(key=f"admin_new_password_repeat_{user.id}").set_value(
        password if repeat is None else repeat)
    return next(b for b in app.button if b.label == "Set password").click().run()


def test_admin_sets_a_new_password_that_unlocks_the_account(session, team, open_page):
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            auth.authenticate(session, "viewer@agency.se", "wrong password")
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="admin_user").set_value(team.viewer.id).run()
    assert app.expander[0].label == "Set a new password"
    set_password(app, team.viewer, TEMPORARY)
    assert not app.exception and not app.error
    assert [m.value for m in app.success] == [
        "Set a new password for viewer@agency.se and unlocked the account. They have been "
        "logged out everywhere."]
    session.expire_all()
    assert auth.authenticate(session, "viewer@agency.se", TEMPORARY).id == team.viewer.id
    assert "Set a new password for a user" in list(app.dataframe[-1].value["Action"])
    assert set(app.dataframe[0].value["Locked until"]) == {"–"}


def test_two_different_passwords_are_refused(session, team, open_page):
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="admin_user").set_value(team.analyst.id).run()
    set_password(app, team.analyst, TEMPORARY, "something else")
    assert [m.value for m in app.error] == [auth.PASSWORDS_DIFFER] and not app.success
    session.expire_all()
    assert auth.authenticate(session, "analyst@agency.se", PASSWORD).id == team.analyst.id


def test_an_admin_changes_their_own_password_under_my_account(session, team, open_page,
                                                              text_of):
    app = open_page("pages/admin.py", team.admin)
    app.selectbox(key="admin_user").set_value(team.admin.id).run()
    assert not [box for box in app.text_input if box.key.startswith("admin_new_password")]
    assert users.OWN_PASSWORD_RESET in text_of(app)
