"""app.py: the login gate (register, log in, lockout, deactivation) in front of navigation."""

from __future__ import annotations

import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from kiri_core.db.base import utcnow
from kiri_core.robyn_r.models import EngineAvailability
from kiri_core.services import auth, users
from tests.pages.conftest import REPO_ROOT
from ui import auth as ui_auth

PASSWORD = "correct horse 1"
NEW = "battery staple 2"


def register(app, name: str, email: str, password: str, repeat: str | None = None):
    app.text_input(key="register_name").set_value(name)
    app.text_input(key="register_email").set_value(email)
    app.text_input(key="register_password").set_value(password)
    app.text_input(key="register_repeat").set_value(repeat or password)
    return next(b for b in app.button if b.label == "Create account").click().run()


def log_in(app, email: str, password: str):
    app.text_input(key="login_email").set_value(email)
    app.text_input(key="login_password").set_value(password)
    return next(b for b in app.button if b.label == "Log in").click().run()


def test_first_account_becomes_admin_and_enters_the_app(session, open_page, text_of):
    app = open_page("app.py")
    assert "the first account becomes the administrator" in text_of(app)
    register(app, "Owner", "owner@anywhere.com", PASSWORD)
    assert not app.exception and not app.error
    owner = auth.user_by_email(session, "owner@anywhere.com")
    assert owner.is_admin and app.session_state["user_id"] == owner.id
    assert "owner@anywhere.com" in text_of(app)


def test_sign_up_rules_are_explained(session, team, open_page):
    app = open_page("app.py")
    register(app, "Eve", "eve@elsewhere.com", PASSWORD)
    assert "'elsewhere.com' is not one of them" in app.error[0].value
    register(app, "Ann", "ann2@agency.se", "å" * 37)
    assert "74 bytes long; the limit is 72 bytes" in app.error[0].value
    register(app, "Ann", "ann2@agency.se", PASSWORD, "other password")
    assert app.error[0].value == "The two passwords differ."
    assert auth.user_by_email(session, "ann2@agency.se") is None


def errors(app) -> list[str]:
    return [message.value for message in app.error]


def test_wrong_passwords_lock_the_account(session, team, open_page):
    app = open_page("app.py")
    for _ in range(auth.MAX_FAILED_LOGINS):
        log_in(app, "analyst@agency.se", "not the password")
    assert errors(app) == [auth.LOGIN_REFUSED]
    assert auth.is_locked(auth.user_by_email(session, "analyst@agency.se"))
    log_in(app, "analyst@agency.se", PASSWORD)  # the right one, while locked
    assert errors(app) == [auth.LOGIN_REFUSED] and "user_id" not in app.session_state


def test_the_login_form_tells_nobody_which_e_mails_have_an_account(session, team,
                                                                   open_page):
    """An outsider trying e-mails sees one message for a wrong password whether the account
    exists or not, is locked or is deactivated; only its right password tells a
    deactivated user so."""
    users.set_active(session, team.admin, team.viewer.id, False)
    app = open_page("app.py")
    for _ in range(auth.MAX_FAILED_LOGINS):
        log_in(app, "outsider@agency.se", "not the password")
    assert auth.is_locked(auth.user_by_email(session, "outsider@agency.se"))
    shown = {email: errors(log_in(open_page("app.py"), email, "not the password"))
             for email in ("nobody@agency.se", "analyst@agency.se", "viewer@agency.se",
                           "outsider@agency.se")}
    assert set(map(tuple, shown.values())) == {(auth.LOGIN_REFUSED,)}
    deactivated = log_in(open_page("app.py"), "viewer@agency.se", PASSWORD)
    assert errors(deactivated) == [auth.DEACTIVATED]
    assert "user_id" not in deactivated.session_state


def test_login_then_deactivation_signs_the_user_out(session, team, open_page, text_of):
    app = open_page("app.py")
    log_in(app, "analyst@agency.se", PASSWORD)
    assert app.session_state["user_id"] == team.analyst.id
    assert "analyst@agency.se" in text_of(app)
    users.set_active(session, team.admin, team.analyst.id, False)
    app = open_page("app.py", team.analyst)  # the same browser session, next page load
    assert "user_id" not in app.session_state
    assert "Your account has been deactivated" in text_of(app)
    assert "analyst@agency.se" not in text_of(app)


def test_a_log_out_elsewhere_ends_this_session_too(session, team, open_page, text_of):
    """Signed in on two devices: logging out on one signs the other out at its next page
    load; a session that signed in after that log-out stays."""
    app = open_page("app.py")
    log_in(app, "analyst@agency.se", PASSWORD)
    signed_in_at = app.session_state[ui_auth.SIGNED_IN_AT]
    auth.log_out_everywhere(session, team.analyst.id)  # the log-out on the other device
    app = open_page("app.py", team.analyst, **{ui_auth.SIGNED_IN_AT: signed_in_at})
    assert "user_id" not in app.session_state
    assert "You logged out in another tab or on another device" in text_of(app)
    later = open_page("app.py", team.analyst, **{ui_auth.SIGNED_IN_AT: utcnow()})
    assert later.session_state["user_id"] == team.analyst.id
    assert "analyst@agency.se" in text_of(later)


def test_why_a_session_ended_stays_on_the_login_page_until_the_next_login(session, team,
                                                                          open_page, text_of):
    """An administrator's new password ends the analyst's session at its next page load: the
    login page says why on each of its runs (the cookie component's answers rerun it, so do
    refused logins), and no more once the analyst has logged in again."""
    app = open_page("app.py")
    log_in(app, "analyst@agency.se", PASSWORD)
    signed_in_at = app.session_state[ui_auth.SIGNED_IN_AT]
    users.set_password(session, team.admin, team.analyst.id, NEW, NEW)
    app = open_page("app.py", team.analyst, **{ui_auth.SIGNED_IN_AT: signed_in_at})
    said = ui_auth.SESSION_ENDED["user.password.reset"]
    assert [warning.value for warning in app.warning] == [said]
    log_in(app, "analyst@agency.se", PASSWORD)  # the old password
    assert errors(app) == [auth.LOGIN_REFUSED]
    assert [warning.value for warning in app.warning] == [said]
    log_in(app, "analyst@agency.se", NEW)
    assert not app.exception and app.session_state["user_id"] == team.analyst.id
    assert said not in text_of(app) and ui_auth.NOTICE not in app.session_state


def test_app_refuses_to_start_without_a_real_secret_key(session, open_page, monkeypatch,
                                                        text_of):
    monkeypatch.delenv("KIRI_DEV_MODE")
    monkeypatch.setenv("SECRET_KEY", "changeme")
    app = open_page("app.py")
    assert "SECRET_KEY is missing, a sample value" in app.error[0].value
    assert not app.text_input


def test_viewer_opens_on_presentation_mode_and_analyst_on_home(session, team, open_page,
                                                               text_of):
    viewer = open_page("app.py", team.viewer, team.client)
    analyst = open_page("app.py", team.analyst, team.client)
    assert not viewer.exception and not analyst.exception
    # presentation mode's first words on a client without a finished run
    assert "no finished run yet" in text_of(viewer)
    assert "no finished run yet" not in text_of(analyst)
    assert analyst.title[0].value.startswith("Acme AB")


VIEWER_PAGES = ("pages/home.py", "pages/results.py", "pages/planner.py",
                "pages/presentation.py", "pages/account.py")
ANALYST_PAGES = ("pages/data.py", "pages/sources.py", "pages/runs.py", "pages/compare.py",
                 "pages/parity.py", "pages/clients.py")


def test_a_viewer_has_only_the_viewer_s_pages_and_an_analyst_all(session, team, open_page,
                                                                   text_of):
    """The audit: a viewer's sidebar listed the analysts' pages (Data, Runs, ...), which
    opened read-only. The navigation follows the role on the client in the box: the same
    user, analyst of another client, has them all there. (A typed /data: the e2e test.)"""
    users.grant_access(session, team.admin, team.viewer.id, team.other_client.id, "analyst")
    app = open_page("app.py", team.viewer, team.client)
    assert not app.exception
    for page in VIEWER_PAGES:
        app.switch_page(page)
    for page in ANALYST_PAGES:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(page)  # no page file at its address: a stand-in
    app.selectbox(key="client_picker").select(team.other_client.id).run()
    app.switch_page("pages/data.py").run()
    assert not app.exception and app.title[0].value.startswith("Data")
    for user in (team.analyst, team.admin):
        app = open_page("app.py", user, team.client)
        for page in (*VIEWER_PAGES, *ANALYST_PAGES):
            app.switch_page(page)
    app.switch_page("pages/admin.py")


def test_log_out_leaves_nothing_of_the_user_for_the_next_one(session, team, open_page):
    """The analyst's unsaved plan, model choice and client stay out of the viewer's session
    after a log-out in the same tab."""
    per_user = {"run_id": 7, "plan_7": {"total": 2_000_000}, "plan_settings_7": {"weeks": 4},
                "model_box_7": "1_2_3", "plan_budget_4": "2 000 000"}
    app = open_page("app.py", team.analyst, team.client, **per_user)
    assert not app.exception and app.button(key="kiri_logout").label == "Log out"
    # AppTest reruns only the page after st.navigation: the click is the next page load
    app = open_page("app.py", team.analyst, team.client, kiri_logout=True, **per_user)
    assert not app.exception
    assert not [key for key in [*per_user, "client_id", "user_id"] if key in app.session_state]
    log_in(app, "viewer@agency.se", PASSWORD)
    assert not app.exception and app.session_state["user_id"] == team.viewer.id
    assert not [key for key in per_user if key in app.session_state]


def test_a_link_to_a_page_opens_the_login_form_first(session, team, text_of):
    """/results opened logged out as a server's first page load: Streamlit would run the
    Results file on its own (its pages-folder mode); the app's login form comes instead."""
    app = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60)
    app.switch_page("pages/results.py").run()
    assert not app.exception
    assert {"login_email", "login_password"} <= {box.key for box in app.text_input}
    assert "Please log in" not in text_of(app)
    assert "Results" not in [title.value for title in app.title]


def test_logging_in_at_the_root_opens_the_users_own_first_page(session, team, open_page,
                                                               text_of):
    """The root's login page is none of the app's pages: a viewer lands on presentation
    mode, as when already logged in."""
    app = open_page("app.py")
    log_in(app, "viewer@agency.se", PASSWORD)
    assert not app.exception and app.session_state["user_id"] == team.viewer.id
    assert "no finished run yet" in text_of(app)


def test_without_a_worker_the_app_checks_for_robyn_when_it_starts(session, team, open_page):
    """The embedded set-up has no worker to check whether Robyn (R) runs here, so the run
    form said "No worker has checked" for ever: the app's first page run checks."""
    st.cache_resource.clear()  # a new app process
    assert session.get(EngineAvailability, "robyn-r") is None
    open_page("app.py", team.admin)
    for _ in range(120):
        session.expire_all()
        if (found := session.get(EngineAvailability, "robyn-r")) is not None:
            break
        time.sleep(0.25)
    assert found is not None and found.detail  # what the check found, whichever way
