"""New passwords: a user's own change (given the current one) and an administrator's reset
(which also unlocks the account); both keep the registration rules and end other sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from kiri_core.db.base import utcnow
from kiri_core.db.models import AuditLog
from kiri_core.services import audit, auth, users
from kiri_core.services.errors import AccessDenied, AuthenticationError, ValidationError

PASSWORD = "correct horse 1"
NEW = "battery staple 2"


def entries(session, action: str) -> list[AuditLog]:
    return list(session.scalars(select(AuditLog).where(AuditLog.action == action)))


def lock(session, email: str) -> None:
    for _ in range(auth.MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationError):
            auth.authenticate(session, email, "wrong password")


def test_a_user_changes_their_password_and_only_the_new_one_logs_in(session, team):
    auth.change_password(session, team.analyst, PASSWORD, NEW, NEW)
    assert auth.authenticate(session, "ann@agency.se", NEW).id == team.analyst.id
    with pytest.raises(AuthenticationError, match="Wrong e-mail or password"):
        auth.authenticate(session, "ann@agency.se", PASSWORD)
    [entry] = entries(session, "user.password.change")
    assert (entry.actor_id, entry.target_id) == (team.analyst.id, str(team.analyst.id))
    assert auth.sessions_end_reason(session, team.analyst) == "user.password.change"


def test_a_wrong_current_password_changes_nothing(session, team):
    before = team.analyst.password_hash
    with pytest.raises(AuthenticationError) as refused:
        auth.change_password(session, team.analyst, "not my password", NEW, NEW)
    assert str(refused.value) == auth.WRONG_CURRENT_PASSWORD
    session.expire_all()
    assert team.analyst.password_hash == before and team.analyst.sessions_revoked_at is None
    assert team.analyst.failed_logins == 0  # a signed-in user's typo locks nothing
    assert auth.authenticate(session, "ann@agency.se", PASSWORD).id == team.analyst.id
    assert not entries(session, "user.password.change")


@pytest.mark.parametrize(
    ("new", "repeat", "message"),
    [("short", "short", "at least 8 characters"),
     ("å" * 40, "å" * 40, "80 bytes long; the limit is 72 bytes"),
     (NEW, NEW + "x", "The two passwords differ."),
     (PASSWORD, PASSWORD, "the same as the current one")],
)
def test_a_new_password_keeps_the_registration_rules(session, team, new, repeat, message):
    with pytest.raises(ValidationError, match=message):
        auth.change_password(session, team.analyst, PASSWORD, new, repeat)
    session.expire_all()
    assert auth.authenticate(session, "ann@agency.se", PASSWORD).id == team.analyst.id
    assert not entries(session, "user.password.change")


def test_a_change_ends_the_other_sessions_and_cookies_of_the_user(session, team):
    signed_in = utcnow() - timedelta(seconds=5)
    auth.change_password(session, team.analyst, PASSWORD, NEW, NEW)
    assert auth.logged_out_since(team.analyst, signed_in)
    assert auth.why_session_ended(session, team.analyst, signed_in) == "user.password.change"
    assert auth.why_session_ended(session, team.analyst, utcnow()) is None
    assert not auth.logged_out_since(team.viewer, signed_in)  # nobody else's


def test_a_deactivated_user_cannot_change_a_password(session, team):
    users.set_active(session, team.admin, team.analyst.id, False)
    with pytest.raises(AccessDenied, match="deactivated"):
        auth.change_password(session, team.analyst, PASSWORD, NEW, NEW)


def test_an_admin_sets_a_new_password_which_unlocks_and_is_audited(session, team):
    lock(session, "ann@agency.se")
    signed_in = utcnow() - timedelta(seconds=5)
    users.set_password(session, team.admin, team.analyst.id, NEW, NEW)
    assert not auth.is_locked(team.analyst)
    assert auth.authenticate(session, "ann@agency.se", NEW).id == team.analyst.id
    with pytest.raises(AuthenticationError, match="Wrong e-mail or password"):
        auth.authenticate(session, "ann@agency.se", PASSWORD)
    assert auth.why_session_ended(session, team.analyst, signed_in) == "user.password.reset"
    [entry] = entries(session, "user.password.reset")
    assert (entry.actor_id, entry.target_id, entry.details) == (
        team.admin.id, str(team.analyst.id), {"unlocked": True})
    readable = next(e for e in audit.readable_entries(session, team.admin)
                    if e.action == "Set a new password for a user")
    assert (readable.who, readable.action, readable.target, readable.details) == (
        "boss@agency.se", "Set a new password for a user", "ann@agency.se", "unlocked: yes")
    assert auth.sessions_end_reason(session, team.analyst) == "user.password.reset"
    assert auth.password_set_by_admin(session, team.analyst)
    auth.change_password(session, team.analyst, NEW, "my very own 3", "my very own 3")
    assert not auth.password_set_by_admin(session, team.analyst)


def test_non_admins_cannot_set_passwords(session, team):
    with pytest.raises(AccessDenied, match="Only administrators"):
        users.set_password(session, team.analyst, team.viewer.id, NEW, NEW)
    assert auth.authenticate(session, "vic@agency.se", PASSWORD).id == team.viewer.id
    assert not entries(session, "user.password.reset")


def test_an_admin_reset_keeps_the_rules_and_not_for_their_own_account(session, team):
    with pytest.raises(ValidationError, match="The two passwords differ."):
        users.set_password(session, team.admin, team.viewer.id, NEW, "other password")
    with pytest.raises(ValidationError, match="at least 8 characters"):
        users.set_password(session, team.admin, team.viewer.id, "short", "short")
    with pytest.raises(ValidationError) as own:
        users.set_password(session, team.admin, team.admin.id, NEW, NEW)
    assert str(own.value) == users.OWN_PASSWORD_RESET and "My account" in str(own.value)
    session.expire_all()
    assert auth.authenticate(session, "boss@agency.se", PASSWORD).id == team.admin.id
    assert auth.authenticate(session, "vic@agency.se", PASSWORD).id == team.viewer.id
    assert not entries(session, "user.password.reset")


def test_the_lockout_message_says_what_to_do(session, team):
    lock(session, "ann@agency.se")
    with pytest.raises(AuthenticationError) as refused:
        auth.authenticate(session, "ann@agency.se", PASSWORD)
    assert str(refused.value) == auth.LOGIN_REFUSED
    assert "ask an administrator to set a new password" in auth.LOGIN_REFUSED
