"""My account: a signed-in user's own new password; other sessions end, this one stays."""

from __future__ import annotations

import pytest

from kiri_core.services import auth, users
from kiri_core.services.errors import AuthenticationError
from tests.pages.test_app_login import log_in
from ui import auth as ui_auth
from ui.notices import KEPT

PASSWORD = "correct horse 1"
NEW = "battery staple 2"


def change(app, current: str, new: str, repeat: str | None = None):
    app.text_input(key="current_password").set_value(current)
    app.text_input(key="new_password").set_value(new)
    app.text_input(key="new_password_repeat").set_value(new if repeat is None else repeat)
    return next(b for b in app.button if b.label == "Change password").click().run()


def notices(app) -> list[str]:
    return [m.value for m in app.success]


def test_a_user_changes_their_password_and_stays_signed_in(session, team, open_page,
                                                            text_of):
    app = open_page("pages/account.py", team.analyst)
    assert "analyst@agency.se" in text_of(app) and "Change my password" in text_of(app)
    change(app, PASSWORD, NEW)
    assert not app.exception and not app.error
    assert notices(app) == [ui_auth.PASSWORD_CHANGED_NOTICE]
    app.run()  # the cookie component's rerun right after: the notice stays
    assert notices(app) == [ui_auth.PASSWORD_CHANGED_NOTICE]
    session.expire_all()
    assert auth.authenticate(session, "analyst@agency.se", NEW).id == team.analyst.id
    with pytest.raises(AuthenticationError):
        auth.authenticate(session, "analyst@agency.se", PASSWORD)
    # this browser session's next page load: still signed in, not told to log in again
    signed_in_at = app.session_state[ui_auth.SIGNED_IN_AT]
    again = open_page("app.py", team.analyst, team.client,
                      **{ui_auth.SIGNED_IN_AT: signed_in_at})
    assert again.session_state["user_id"] == team.analyst.id
    assert "analyst@agency.se" in text_of(again)


@pytest.mark.parametrize(
    ("current", "new", "repeat", "message"),
    [("wrong password", NEW, NEW, auth.WRONG_CURRENT_PASSWORD),
     (PASSWORD, NEW, "something else", auth.PASSWORDS_DIFFER),
     (PASSWORD, "short", "short", "The password needs at least 8 characters.")],
)
def test_a_refused_change_says_why_and_changes_nothing(session, team, open_page, current,
                                                       new, repeat, message):
    app = open_page("pages/account.py", team.analyst)
    change(app, current, new, repeat)
    assert not app.exception and [m.value for m in app.error] == [message]
    assert not app.success
    # a wrong current password is told the way on, as on the login page
    hints = [c.value for c in app.caption if c.value == ui_auth.FORGOT_HINT]
    assert hints == ([ui_auth.FORGOT_HINT] if message == auth.WRONG_CURRENT_PASSWORD else [])
    session.expire_all()
    assert auth.authenticate(session, "analyst@agency.se", PASSWORD).id == team.analyst.id


def test_other_sessions_are_told_why_they_ended(session, team, open_page, text_of):
    """A tab signed in before the change is logged out at its next page load and told it
    was the password, not a log-out; so after an administrator's reset."""
    before = open_page("app.py")  # a session of its own, signed in now
    before.text_input(key="login_email").set_value("analyst@agency.se")
    before.text_input(key="login_password").set_value(PASSWORD)
    next(b for b in before.button if b.label == "Log in").click().run()
    signed_in_at = before.session_state[ui_auth.SIGNED_IN_AT]
    auth.change_password(session, team.analyst, PASSWORD, NEW, NEW)
    app = open_page("app.py", team.analyst, **{ui_auth.SIGNED_IN_AT: signed_in_at})
    assert "user_id" not in app.session_state
    assert ui_auth.SESSION_ENDED["user.password.change"] in text_of(app)
    users.set_password(session, team.admin, team.analyst.id, PASSWORD, PASSWORD)
    app = open_page("app.py", team.analyst, **{ui_auth.SIGNED_IN_AT: signed_in_at})
    assert "An administrator has set a new password for your account" in text_of(app)


def test_after_an_admins_reset_the_user_is_asked_to_choose_their_own(session, team,
                                                                     open_page, text_of):
    users.set_password(session, team.admin, team.analyst.id, NEW, NEW)
    app = open_page("pages/account.py", team.analyst)
    assert [m.value for m in app.info] == [ui_auth.TEMPORARY_PASSWORD_NOTE]
    change(app, NEW, "my very own 3")
    assert not app.error and not app.info  # their own now


def test_the_login_page_says_what_to_do_about_a_forgotten_password(session, team,
                                                                   open_page, text_of):
    app = open_page("app.py")
    assert "Ask an administrator to set a new one" in text_of(app)
    for _ in range(auth.MAX_FAILED_LOGINS):
        app.text_input(key="login_email").set_value("analyst@agency.se")
        app.text_input(key="login_password").set_value("not the password")
        next(b for b in app.button if b.label == "Log in").click().run()
    assert "ask an administrator to set a new password" in app.error[0].value


def next_page_load(app, open_page, user, client):
    """The app.py run after ``app``'s in the same browser session (AppTest reruns only the
    page file after st.navigation): the session's sign-in and password keys go along."""
    keys = (ui_auth.SIGNED_IN_AT, ui_auth.HELD_FOR_OWN_PASSWORD, ui_auth.OWN_PASSWORD,
            KEPT)
    return open_page("app.py", user, client,
                     **{key: app.session_state[key] for key in keys if key in app.session_state})


def test_with_an_admins_password_the_app_shows_only_my_account(session, team, open_page,
                                                               text_of):
    """Logged in with a password an administrator set, the user sees My account and why,
    no client box and no other page; Log out stays. (A typed /results: the e2e test.)"""
    users.set_password(session, team.admin, team.analyst.id, NEW, NEW)
    app = open_page("app.py")
    log_in(app, "analyst@agency.se", NEW)
    assert not app.exception and app.session_state["user_id"] == team.analyst.id
    assert [t.value for t in app.title] == ["My account"]
    assert [m.value for m in app.info] == [ui_auth.TEMPORARY_PASSWORD_NOTE]
    assert not app.selectbox and app.button(key="kiri_logout").label == "Log out"
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page("pages/results.py")  # the navigation holds no other page file
    again = next_page_load(app, open_page, team.analyst, team.client)
    assert [t.value for t in again.title] == ["My account"] and not again.selectbox


def test_choosing_their_own_password_opens_the_app_on_the_first_page(session, team,
                                                                     open_page, text_of):
    users.set_password(session, team.admin, team.analyst.id, NEW, NEW)
    app = open_page("app.py", team.analyst, team.client)
    change(app, NEW, NEW)  # the same again is refused; still only My account
    assert [m.value for m in app.error] == [auth.SAME_PASSWORD]
    app = next_page_load(app, open_page, team.analyst, team.client)
    assert [t.value for t in app.title] == ["My account"]
    change(app, NEW, "my very own 3")  # the change's rerun opens the whole app
    assert not app.exception and not app.error
    assert app.title[0].value.startswith("Acme AB")  # Home, the analyst's first page
    assert notices(app) == [ui_auth.PASSWORD_CHANGED_NOTICE]
    assert app.selectbox(key="client_picker").value == team.client.id
    home = next_page_load(app, open_page, team.analyst, team.client)
    assert notices(home) == [ui_auth.PASSWORD_CHANGED_NOTICE]  # the cookie's rerun: it stays
    home.switch_page("pages/account.py").run()  # My account, from the sidebar's link
    assert [t.value for t in home.title] == ["My account"]
    assert not home.success and not home.info  # no notice left from the change
    session.expire_all()
    assert auth.authenticate(session, "analyst@agency.se", "my very own 3").id == team.analyst.id


def test_a_users_own_password_opens_the_whole_app(session, team, open_page, text_of):
    app = open_page("app.py", team.analyst, team.client)
    assert app.title[0].value.startswith("Acme AB") and not notices(app)
    assert "analyst@agency.se" in text_of(app) and app.selectbox(key="client_picker")
    assert app.session_state[ui_auth.OWN_PASSWORD]  # not asked again in this session
