"""Login gate: log in / register forms over the users table, cookie via streamlit-authenticator;
the signed-in user's own password change.

streamlit-authenticator sets, reads and deletes the re-authentication cookie (a JWT signed with
``SECRET_KEY``); passwords, lockout, allowed sign-up domains, deactivation and log-out
(sessions signed in and cookies issued before it stop working; a new password does the
same) are checked by :mod:`kiri_core.services.auth`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.orm import Session
from streamlit.runtime.pages_manager import PagesManager

from kiri_core import config
from kiri_core.db.base import utcnow
from kiri_core.db.models import User
from kiri_core.services import auth
from kiri_core.services.errors import AuthenticationError, KiriError
from ui import notices, state
from ui.errors import show_error

COOKIE_NAME = "kiri_session"
COOKIE_DAYS = 7
NOTICE = "auth_notice"
COOKIE_TO_DELETE = "auth_cookie_to_delete"
COOKIE_DELETED = "delete"  # the answer of streamlit-authenticator's cookie-deleting component
LOGGED_OUT = "auth_logged_out"  # this browser session logged out and has not logged in since
SIGNED_IN_AT = "auth_signed_in_at"  # when this browser session signed in (UTC)
HELD_FOR_OWN_PASSWORD = "auth_held"  # this session shows only My account (an admin's password)
OWN_PASSWORD = "auth_own_password"  # this session's user has a password of their own
ACCOUNT_ADDRESS = "account"  # My account's URL path (app.py), where it says a change itself
PASSWORD_FIELDS = ("current_password", "new_password", "new_password_repeat")
FORGOT_HINT = ("Forgot your password, or locked out? Ask an administrator to set a new one "
               "for you; once logged in, change it under **My account**.")
PASSWORD_CHANGED_NOTICE = ("Your password has been changed. Any other tab or device signed in "
                           "as you has been logged out.")
TEMPORARY_PASSWORD_NOTE = ("An administrator set your current password: choose one of your "
                           "own below, one that only you know. The rest of the app opens once "
                           "you have.")
#: Why a session, or a login cookie, ended at its next page load, by what ended it.
SESSION_ENDED = {
    "user.deactivate": "Your account has been deactivated. Ask an administrator.",
    "user.logout": "You logged out in another tab or on another device, which ends every "
                   "session. Log in again to go on.",
    "user.password.change": "Your password was changed in another tab or on another device, "
                            "which ends every other session. Log in with the new password.",
    "user.password.reset": "An administrator has set a new password for your account, which "
                           "ends every session. Log in with the password they give you.",
}
# What the login page itself needs after a log-out: streamlit-authenticator's own keys
# ("logout" stops the old cookie from signing the user in again), the widget keys of its
# cookie component and the log-out's own two flags. Everything else in st.session_state
# belongs to the user.
LOGIN_PAGE_KEYS = frozenset({"logout", "name", "username", "authentication_status", "email",
                             "roles", "init", "set", COOKIE_DELETED, NOTICE, COOKIE_TO_DELETE,
                             LOGGED_OUT})


def authenticator() -> stauth.Authenticate:
    """streamlit-authenticator's cookie handling, signed with ``SECRET_KEY``.

    It holds no credentials: passwords live in the users table (:mod:`kiri_core.services.auth`).
    """
    return stauth.Authenticate({"usernames": {}}, COOKIE_NAME, config.secret_key(),
                               COOKIE_DAYS, auto_hash=False, login_sleep_time=0)


def _sign_in(user: User) -> None:
    for done_with in (LOGGED_OUT, NOTICE, COOKIE_TO_DELETE):
        st.session_state.pop(done_with, None)
    state.set_user_id(user.id)
    st.session_state[SIGNED_IN_AT] = utcnow()
    st.session_state.update(username=user.email, name=user.name, email=user.email,
                            authentication_status=True, logout=None)


def remember(authenticator_: stauth.Authenticate) -> None:
    """Set the signed re-authentication cookie (render outside containers that get cleared)."""
    authenticator_.cookie_controller.set_cookie()


def _signed_in(session: Session, authenticator_: stauth.Authenticate,
               ) -> tuple[User | None, datetime | None]:
    """Whom this browser session is signed in as and since when: by the session itself, else
    by a valid signed cookie (not expired) and when that was issued."""
    if (user_id := state.user_id()) is not None:
        return auth.user_as_stored(session, user_id), st.session_state.get(SIGNED_IN_AT)
    token = authenticator_.cookie_controller.get_cookie()
    if not token:
        return None, None
    issued = datetime.fromtimestamp(token["exp_date"], UTC).replace(tzinfo=None) - timedelta(
        days=COOKIE_DAYS)
    return auth.cookie_owner(session, token["username"]), issued


def log_out(session: Session, authenticator_: stauth.Authenticate) -> None:
    """The user's own log-out: every cookie issued so far stops working, and every other
    signed-in tab or device is signed out at its next page load."""
    if state.user_id() is not None:
        auth.log_out_everywhere(session, state.user_id())
    sign_out(authenticator_, delete_cookie_now=False)
    st.session_state[LOGGED_OUT] = True


def logged_out_here() -> bool:
    """Whether the user logged out in this browser session (and nobody has logged in since):
    its login form belongs at the app's root."""
    return bool(st.session_state.get(LOGGED_OUT))


def sign_out(authenticator_: stauth.Authenticate, notice: str | None = None, *,
             delete_cookie_now: bool = True) -> None:
    """Forget the user in this browser session and ask the browser to delete its cookie;
    ``notice`` says on the login page why, until the next login in this session.

    Every per-user key of the session goes (client, run, plans, model choices, typed
    entries), so the next person to log in in this tab starts afresh. The session reads no
    cookie again (the one the browser sent when it connected stays the same until a reload).
    A log-out, which moves to the app's root, leaves the cookie's deletion to the root's run,
    so the answer of the component that deletes it cannot bring the browser back to the page
    it left (see :func:`delete_pending_cookie`). Should the browser keep the cookie all the
    same, the server refuses it: a log-out invalidates every cookie issued before it.
    """
    authenticator_.authentication_controller.logout()
    for key in [key for key in st.session_state if key not in LOGIN_PAGE_KEYS]:
        del st.session_state[key]
    st.session_state[COOKIE_TO_DELETE] = True
    if delete_cookie_now:
        delete_pending_cookie(authenticator_)
    if notice:
        st.session_state[NOTICE] = notice


def delete_pending_cookie(authenticator_: stauth.Authenticate) -> None:
    """Ask the browser to delete the cookie of a session signed out, run after run until the
    cookie component answers that it has: a rerun (the component reading the cookies, say)
    can take the request off the page before the browser has loaded it, and a cookie left
    behind would say why the session ended again at the next reload."""
    if not st.session_state.get(COOKIE_TO_DELETE):
        return
    if st.session_state.get(COOKIE_DELETED):
        del st.session_state[COOKIE_TO_DELETE]
    else:
        authenticator_.cookie_controller.delete_cookie()


def current_user(session: Session, authenticator_: stauth.Authenticate) -> User | None:
    """The signed-in, still active user, by this browser session or its login cookie. A
    session or cookie that no longer lasts (deactivated, or every session of the user ended
    after it signed in) is signed out right here, and the login page says why: the cookie,
    signed by the server, proves whose browser this was."""
    user, signed_in_at = _signed_in(session, authenticator_)
    if user is None:
        return None
    if reason := auth.why_session_ended(session, user, signed_in_at):
        sign_out(authenticator_, SESSION_ENDED[reason])
        return None
    if state.user_id() is None:  # signed in by its cookie
        _sign_in(user)
    return user


def _login_form(session: Session) -> User | None:
    with st.form("login"):
        email = st.text_input("E-mail", key="login_email")
        password = st.text_input("Password", type="password", key="login_password")
        if not st.form_submit_button("Log in", type="primary"):
            return None
    try:
        user = auth.authenticate(session, email, password)
    except KiriError as error:
        show_error(error)
        return None
    _sign_in(user)
    return user


def _register_form(session: Session) -> User | None:
    with st.form("register"):
        name = st.text_input("Name", key="register_name")
        email = st.text_input("E-mail", key="register_email")
        password = st.text_input("Password", type="password", key="register_password",
                                 help=auth.PASSWORD_HELP)
        repeat = st.text_input("Repeat password", type="password", key="register_repeat")
        if not st.form_submit_button("Create account", type="primary"):
            return None
    try:
        auth.check_new_password(password, repeat)
        user = auth.register_user(session, email, name, password)
    except KiriError as error:
        show_error(error)
        return None
    _sign_in(user)
    return user


def keep_this_session(user: User) -> None:
    """After a password change that ended every other session of the user, this one stays
    signed in (its cookie is set anew by the next run's :func:`remember`)."""
    st.session_state[SIGNED_IN_AT] = max(utcnow(), user.sessions_revoked_at
                                          + timedelta(microseconds=1))


def change_password_form(session: Session, user: User) -> None:
    """Current password, new password and its repeat, with what the user is told, in a
    column of a readable width; on success this session stays signed in, every other one of
    the user ends, and the page says so after its rerun."""
    with st.container(width=520):
        _change_password(session, user)


def _change_password(session: Session, user: User) -> None:
    notices.show(ACCOUNT_ADDRESS)
    if auth.password_set_by_admin(session, user):
        st.info(TEMPORARY_PASSWORD_NOTE)
    with st.form("change_password", clear_on_submit=True):  # typed passwords do not stay
        current = st.text_input("Current password", type="password", key=PASSWORD_FIELDS[0])
        new = st.text_input("New password", type="password", key=PASSWORD_FIELDS[1],
                            help=auth.PASSWORD_HELP)
        repeat = st.text_input("Repeat new password", type="password", key=PASSWORD_FIELDS[2])
        if not st.form_submit_button("Change password", type="primary"):
            return
    try:
        auth.change_password(session, user, current, new, repeat)
    except KiriError as error:
        show_error(error)
        if isinstance(error, AuthenticationError):  # the current password is wrong: the way on
            st.caption(FORGOT_HINT)
        return
    keep_this_session(user)
    notices.keep(PASSWORD_CHANGED_NOTICE)  # said after the rerun, and the cookie's after it
    st.rerun()


def must_choose_own_password(session: Session, user: User) -> bool:
    """Whether the user signed in with a password an administrator set: until they choose
    their own, the app shows only My account. Asked once per sign-in, since an
    administrator's new password ends every session of the user."""
    if st.session_state.get(OWN_PASSWORD):
        return False
    held = auth.password_set_by_admin(session, user)
    st.session_state[HELD_FOR_OWN_PASSWORD if held else OWN_PASSWORD] = True
    return held


def own_password_just_chosen() -> bool:
    """Whether this session showed only My account until the run before, when the user
    chose their own password: the app then opens on their first page and says so there
    (:func:`ui.notices.show`)."""
    return st.session_state.pop(HELD_FOR_OWN_PASSWORD, False)


def pass_through_app() -> None:
    """Rerun a page file Streamlit ran on its own through app.py and its login form.

    Until app.py has called ``st.navigation`` once in a server process, Streamlit treats
    ``pages/`` as a pages folder and runs a linked page's file directly (the first visitor
    after a restart who opens /results). Turning that mode off makes the rerun start at
    app.py, which shows the login form at the same address.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def login_gate(session: Session) -> None:
    """Log-in and register tabs, in a column of a readable width; once the user is signed
    in, the app runs again and opens the page at this address."""
    with st.columns([1, 1.2, 1])[1]:
        user = _login_tabs(session)
    if user is not None:
        st.rerun()


def _login_tabs(session: Session) -> User | None:
    st.title("Kiri")
    st.caption("Marketing mix modeling for your clients.")
    if notice := st.session_state.get(NOTICE):  # every run of this login page, until a login
        st.warning(notice)
    if auth.user_count(session) == 0:
        st.info("No accounts yet: the first account becomes the administrator.")
        return _register_form(session)
    login_tab, register_tab = st.tabs(["Log in", "Create account"])
    with login_tab:
        user = _login_form(session)
        st.caption(FORGOT_HINT)  # below a refusal, which then reads first
    with register_tab:
        user = _register_form(session) or user
    return user
