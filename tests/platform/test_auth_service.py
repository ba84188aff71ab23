"""Registration, login, lockout and deactivation against the users table."""

from __future__ import annotations

from datetime import timedelta

import bcrypt
import pytest
from sqlalchemy import select

from kiri_core.db.base import utcnow
from kiri_core.db.models import AuditLog
from kiri_core.services import auth, users
from kiri_core.services.errors import AuthenticationError, ValidationError

PASSWORD = "correct horse 1"


def test_first_account_is_admin_and_later_ones_need_an_allowed_domain(session):
    first = auth.register_user(session, "Owner@Example.com", "Owner", PASSWORD)
    assert first.is_admin and first.email == "owner@example.com"
    with pytest.raises(ValidationError, match="'example.com' is not one of them"):
        auth.register_user(session, "friend@example.com", "Friend", PASSWORD)
    second = auth.register_user(session, "ann@agency.se", "Ann", PASSWORD)
    assert not second.is_admin
    with pytest.raises(ValidationError, match="already exists"):
        auth.register_user(session, "ANN@agency.se", "Ann again", PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 8 characters"),
     ("å" * 40, "80 bytes long; the limit is 72 bytes"),
     ("x" * 73, "73 bytes long; the limit is 72 bytes")],
)
def test_bad_passwords_get_a_clear_message_and_no_account(session, password, message):
    with pytest.raises(ValidationError, match=message):
        auth.register_user(session, "owner@agency.se", "Owner", password)
    assert auth.user_count(session) == 0


@pytest.mark.parametrize(
    ("email", "message"),
    [("", "Enter your e-mail address."),
     ("   ", "Enter your e-mail address."),
     ("owner@", "'owner@' is not a valid e-mail address."),
     ("no-at-sign.se", "'no-at-sign.se' is not a valid e-mail address.")],
)
def test_bad_e_mail_addresses_get_a_clear_message_and_no_account(session, email, message):
    with pytest.raises(ValidationError) as refused:
        auth.register_user(session, email, "Owner", PASSWORD)
    assert str(refused.value) == message
    assert auth.user_count(session) == 0


def refusal(session, email: str, password: str) -> str:
    """What a failed login says."""
    with pytest.raises(AuthenticationError) as refused:
        auth.authenticate(session, email, password)
    return str(refused.value)


def test_login_checks_the_password_and_over_long_passwords_are_refused(session):
    registered = auth.register_user(session, "owner@agency.se", "Owner", PASSWORD)
    assert registered.last_login_at is None  # not a login: the Admin page says "–"
    assert auth.authenticate(session, " OWNER@agency.se", PASSWORD).last_login_at is not None
    assert refusal(session, "owner@agency.se", "wrong password") == auth.LOGIN_REFUSED
    with pytest.raises(AuthenticationError, match="at most 72 bytes"):
        auth.authenticate(session, "owner@agency.se", "p" * 100)
    assert refusal(session, "nobody@agency.se", PASSWORD) == auth.LOGIN_REFUSED


def test_the_refusal_says_what_may_be_wrong_and_what_to_do(session):
    assert auth.LOGIN_REFUSED == (
        "Wrong e-mail or password, or the account is locked: after 5 failed logins in a row "
        "an account is locked for 15 minutes. Wait, or ask an administrator to set a new "
        "password for you (that also unlocks the account).")


def test_repeated_failures_lock_the_account_even_for_the_right_password(session):
    owner = auth.register_user(session, "owner@agency.se", "Owner", PASSWORD)
    for _ in range(auth.MAX_FAILED_LOGINS):
        assert refusal(session, "owner@agency.se", "wrong password") == auth.LOGIN_REFUSED
    assert auth.is_locked(owner)
    locked_until = owner.locked_until
    assert refusal(session, "owner@agency.se", PASSWORD) == auth.LOGIN_REFUSED
    assert refusal(session, "owner@agency.se", "wrong password") == auth.LOGIN_REFUSED
    session.expire_all()
    assert (owner.locked_until, owner.failed_logins) == (locked_until, 0)  # not extended
    [locked] = session.scalars(select(AuditLog).where(AuditLog.action == "user.locked"))
    assert locked.target_id == str(owner.id)
    owner.locked_until = utcnow() - timedelta(seconds=1)  # the lockout is over
    session.commit()
    assert auth.authenticate(session, "owner@agency.se", PASSWORD).id == owner.id


def test_an_outsider_cannot_tell_which_e_mails_have_an_account(session, team):
    """A wrong password reads the same for an unknown e-mail and for an active, a locked
    and a deactivated account; a locked account refuses the right password alike, as its
    password is not checked while locked."""
    users.set_active(session, team.admin, team.viewer.id, False)
    for _ in range(auth.MAX_FAILED_LOGINS):
        refusal(session, "ann@agency.se", "wrong password")
    emails = ("nobody@agency.se", "boss@agency.se", "ann@agency.se", "vic@agency.se")
    assert {refusal(session, email, "wrong password") for email in emails} == {
        auth.LOGIN_REFUSED}
    assert refusal(session, "ann@agency.se", PASSWORD) == auth.LOGIN_REFUSED


def test_a_deactivated_account_says_so_only_for_the_right_password(session, team):
    assert auth.active_user(session, team.viewer.id) is not None
    users.set_active(session, team.admin, team.viewer.id, False)
    assert auth.active_user(session, team.viewer.id) is None
    assert refusal(session, "vic@agency.se", "wrong password") == auth.LOGIN_REFUSED
    assert refusal(session, "vic@agency.se", PASSWORD) == auth.DEACTIVATED
    with pytest.raises(ValidationError, match="your own account"):
        users.set_active(session, team.admin, team.admin.id, False)


def test_unknown_and_locked_accounts_cost_the_same_bcrypt_work(session, team, monkeypatch):
    """Each refusal runs bcrypt once at the cost of a stored hash, known e-mail or not, so
    the time a refusal takes does not tell either."""
    checked, real_checkpw = [], bcrypt.checkpw

    def counting_checkpw(password: bytes, hashed: bytes) -> bool:
        checked.append(hashed[:7])  # b"$2b$04$": the algorithm and its cost
        return real_checkpw(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting_checkpw)
    for _ in range(auth.MAX_FAILED_LOGINS):
        refusal(session, "ann@agency.se", "wrong password")
    checked.clear()
    refusal(session, "nobody@agency.se", PASSWORD)  # unknown
    refusal(session, "ann@agency.se", PASSWORD)  # locked, right password
    refusal(session, "boss@agency.se", "wrong password")  # known, wrong password
    assert checked == [b"$2b$04$"] * 3  # KIRI_BCRYPT_ROUNDS=4, as the stored hashes


def test_an_admin_can_unlock_a_locked_account(session, team):
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            auth.authenticate(session, "ann@agency.se", "wrong password")
    users.unlock(session, team.admin, team.analyst.id)
    assert auth.authenticate(session, "ann@agency.se", PASSWORD).id == team.analyst.id


def test_a_login_cookie_ends_with_a_log_out_or_a_deactivation_which_is_said(session, team):
    issued = utcnow() - timedelta(seconds=5)
    ann = auth.cookie_owner(session, "ann@agency.se")
    assert ann.id == team.analyst.id and auth.why_session_ended(session, ann, issued) is None
    auth.log_out_everywhere(session, team.analyst.id)
    assert auth.why_session_ended(session, ann, issued) == "user.logout"
    assert auth.why_session_ended(session, ann, utcnow()) is None  # a cookie issued since
    users.set_active(session, team.admin, team.analyst.id, False)
    vic = auth.cookie_owner(session, "VIC@agency.se")
    users.set_active(session, team.admin, vic.id, False)
    assert [auth.why_session_ended(session, user, when) for user, when in
            ((ann, issued), (ann, utcnow()), (vic, utcnow()), (vic, None))] == (
        ["user.deactivate"] * 4)  # the account's state first, whenever the cookie was issued


@pytest.mark.parametrize("email", [None, "", "nobody@agency.se"])
def test_a_login_cookie_that_names_nobody_logs_nobody_in(session, team, email):
    """Seen in a browser: after a log-out the cookie read back with no user name, and the
    login page failed on it. Nor is a reason given for the session of nobody."""
    assert auth.cookie_owner(session, email) is None


def test_without_configured_domains_colleagues_of_the_first_admin_may_register(session,
                                                                               monkeypatch):
    """With KIRI_ALLOWED_SIGNUP_DOMAINS unset (the embedded default) the agency's own domain
    is open, and no other."""
    monkeypatch.delenv("KIRI_ALLOWED_SIGNUP_DOMAINS")
    auth.register_user(session, "boss@nordicmedia.se", "Boss", PASSWORD)
    colleague = auth.register_user(session, "ann@nordicmedia.se", "Ann", PASSWORD)
    assert not colleague.is_admin
    with pytest.raises(ValidationError, match=r"allowed domains \(nordicmedia.se\); "
                                              "'agency.se' is not one of them"):
        auth.register_user(session, "eve@agency.se", "Eve", PASSWORD)
