"""Registration, login and password changes against the users table (bcrypt hashes).

The first account becomes admin; later sign-ups need an allowed e-mail domain and start with
no client access. Repeated failed logins lock the account for a while; an administrator can
unlock it or set a new password (:func:`kiri_core.services.users.set_password`). A refused
login does not tell whether the e-mail has an account. A new password ends the user's other
sessions, as a log-out does.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from functools import cache

import bcrypt
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.base import utcnow
from kiri_core.db.models import AuditLog, User
from kiri_core.services import audit
from kiri_core.services.access import current_actor
from kiri_core.services.errors import AuthenticationError, ValidationError

MAX_PASSWORD_BYTES = 72  # bcrypt ignores everything after 72 bytes
MIN_PASSWORD_LENGTH = 8
MAX_FAILED_LOGINS = 5
LOCKOUT_MINUTES = 15
LOCKOUT = timedelta(minutes=LOCKOUT_MINUTES)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PASSWORD_HELP = f"At least {MIN_PASSWORD_LENGTH} characters, at most {MAX_PASSWORD_BYTES} bytes."
PASSWORDS_DIFFER = "The two passwords differ."
WRONG_CURRENT_PASSWORD = "The current password is wrong; your password has not been changed."
SAME_PASSWORD = "The new password is the same as the current one; choose another."
LOCKED_HINT = ("Wait, or ask an administrator to set a new password for you (that also "
               "unlocks the account).")
#: Every refused login of an unknown e-mail, a wrong password or a locked account reads the
#: same, so nobody can tell from it which e-mail addresses have an account.
LOGIN_REFUSED = (
    "Wrong e-mail or password, or the account is locked: after "
    f"{MAX_FAILED_LOGINS} failed logins in a row an account is locked for "
    f"{LOCKOUT_MINUTES} minutes. " + LOCKED_HINT
)
DEACTIVATED = "This account has been deactivated. Ask an administrator."
#: What ends every session of a user (:func:`sessions_end_reason`).
SESSION_ENDING_ACTIONS = ("user.logout", "user.password.change", "user.password.reset")


def check_password_rules(password: str) -> None:
    """Raise ValidationError for a password that is too short or over bcrypt's 72 bytes."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    size = len(password.encode("utf-8"))
    if size > MAX_PASSWORD_BYTES:
        raise ValidationError(
            f"The password is {size} bytes long; the limit is {MAX_PASSWORD_BYTES} bytes "
            "(letters such as å, ä, ö count as two). Please choose a shorter one."
        )


def check_new_password(password: str, repeat: str) -> None:
    """A new password typed twice: the two must match and keep :func:`check_password_rules`."""
    if password != repeat:
        raise ValidationError(PASSWORDS_DIFFER)
    check_password_rules(password)


def hash_password(password: str) -> str:
    check_password_rules(password)
    salt = bcrypt.gensalt(config.bcrypt_rounds())
    return bcrypt.hashpw(password.encode("utf-8"), salt).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    return bcrypt.checkpw(encoded, password_hash.encode("ascii"))


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if not email:
        raise ValidationError("Enter your e-mail address.")
    if not EMAIL_PATTERN.match(email):
        raise ValidationError(f"'{email}' is not a valid e-mail address.")
    return email


def signup_domains(session: Session) -> list[str]:
    """The e-mail domains that may register: ``KIRI_ALLOWED_SIGNUP_DOMAINS``, else the first
    administrator's (the agency's own colleagues)."""
    if configured := config.allowed_signup_domains():
        return configured
    first_admin = session.scalar(select(User).where(User.is_admin).order_by(User.id).limit(1))
    return [first_admin.email.rsplit("@", 1)[1]] if first_admin else []


def _check_signup_domain(session: Session, email: str) -> None:
    domains = signup_domains(session)
    domain = email.rsplit("@", 1)[1]
    if domain not in domains:
        allowed = ", ".join(domains) if domains else "none configured"
        raise ValidationError(
            f"Sign-up is limited to e-mail addresses at allowed domains ({allowed}); "
            f"'{domain}' is not one of them. Ask an administrator."
        )


def register_user(session: Session, email: str, name: str, password: str) -> User:
    """Create an account, signed in right away; the very first is admin. Its last login
    stays empty until it logs in with its password (:func:`authenticate`)."""
    email = normalize_email(email)
    if not name.strip():
        raise ValidationError("Please enter your name.")
    check_password_rules(password)
    first = user_count(session) == 0
    if not first:
        _check_signup_domain(session, email)
    if session.scalar(select(User).where(User.email == email)) is not None:
        raise ValidationError(f"An account for {email} already exists. Please log in.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password),
                is_admin=first)
    session.add(user)
    session.flush()
    audit.record(session, user, "user.register", target=("user", user.id),
                 details={"admin": first})
    session.commit()
    return user


def is_locked(user: User) -> bool:
    """Whether too many failed logins keep the account locked right now."""
    return user.locked_until is not None and user.locked_until > utcnow()


def _record_failure(session: Session, user: User) -> None:
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = utcnow() + LOCKOUT
        user.failed_logins = 0
        audit.record(session, user, "user.locked", target=("user", user.id))
    session.commit()


@cache
def _dummy_hash(rounds: int) -> str:
    """A hash of a random secret at the cost new hashes get, for the bcrypt work of a login
    whose password is not checked (see :func:`authenticate`)."""
    salt = bcrypt.gensalt(rounds)
    return bcrypt.hashpw(secrets.token_hex(16).encode("ascii"), salt).decode("ascii")


def _spend_bcrypt_work(password: str) -> None:
    """As long as checking a password takes, without checking one."""
    password_matches(password, _dummy_hash(config.bcrypt_rounds()))


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the user for a correct e-mail and password, or raise AuthenticationError.

    An unknown e-mail, a wrong password and a locked account get the same message
    (:data:`LOGIN_REFUSED`) after the same bcrypt work: while locked, the password is not
    checked at all. Only the right password of a deactivated account is told so.
    """
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        raise AuthenticationError(
            f"Passwords are at most {MAX_PASSWORD_BYTES} bytes; the one entered is longer."
        )
    user = user_by_email(session, email)
    if user is None or is_locked(user):
        _spend_bcrypt_work(password)
        raise AuthenticationError(LOGIN_REFUSED)
    if not password_matches(password, user.password_hash):
        _record_failure(session, user)
        raise AuthenticationError(LOGIN_REFUSED)
    if not user.is_active:
        raise AuthenticationError(DEACTIVATED)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()
    audit.record(session, user, "user.login", target=("user", user.id))
    session.commit()
    return user


def log_out_everywhere(session: Session, user_id: int) -> None:
    """Invalidate every login cookie issued to the user until now (explicit log-out)."""
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_revoked_at = utcnow()
        audit.record(session, user, "user.logout", target=("user", user_id))
        session.commit()


def change_password(session: Session, actor: User, current: str, new: str,
                    repeat: str) -> User:
    """The user's own new password, given the current one; nothing changes unless all is
    right. Every other session of the user ends (their cookies and signed-in tabs stop
    working, as after a log-out): the caller keeps its own session signed in."""
    user = current_actor(session, actor)
    if not password_matches(current, user.password_hash):
        raise AuthenticationError(WRONG_CURRENT_PASSWORD)
    check_new_password(new, repeat)
    if password_matches(new, user.password_hash):
        raise ValidationError(SAME_PASSWORD)
    replace_password(user, new)
    audit.record(session, user, "user.password.change", target=("user", user.id))
    session.commit()
    return user


def replace_password(user: User, password: str) -> None:
    """Store a new password (it must keep the rules) and end every session signed in with
    the old one."""
    user.password_hash = hash_password(password)
    user.sessions_revoked_at = utcnow()


def sessions_end_reason(session: Session, user: User) -> str:
    """What last ended every session of the user: ``"user.logout"``,
    ``"user.password.change"`` or ``"user.password.reset"`` (an administrator's)."""
    return _last_action(session, user, SESSION_ENDING_ACTIONS) or "user.logout"


def password_set_by_admin(session: Session, user: User) -> bool:
    """Whether the user's password is one an administrator set (not changed since)."""
    changes = ("user.password.change", "user.password.reset")
    return _last_action(session, user, changes) == "user.password.reset"


def _last_action(session: Session, user: User, actions: tuple[str, ...]) -> str | None:
    """The latest of ``actions`` recorded on the user in the audit log, if any."""
    query = (select(AuditLog.action)
             .where(AuditLog.target_type == "user", AuditLog.target_id == str(user.id),
                    AuditLog.action.in_(actions))
             .order_by(AuditLog.id.desc()).limit(1))
    return session.scalar(query)


def cookie_owner(session: Session, email: str | None) -> User | None:
    """The account a signed login cookie names, active or not; None for a cookie that names
    nobody (one emptied by a log-out in the browser carries no e-mail)."""
    return user_by_email(session, email) if email else None


def why_session_ended(session: Session, user: User, signed_in_at: datetime | None) -> str | None:
    """Why a session of ``user`` signed in at ``signed_in_at`` (or a login cookie issued
    then) no longer lasts: ``"user.deactivate"``, or what ended every session of the user
    since (:func:`sessions_end_reason`); None while it lasts."""
    if not user.is_active:
        return "user.deactivate"
    if signed_in_at is not None and logged_out_since(user, signed_in_at):
        return sessions_end_reason(session, user)
    return None


def logged_out_since(user: User, signed_in_at: datetime) -> bool:
    """Whether the user logged out (anywhere) after a session signed in at ``signed_in_at``:
    a log-out ends every session, not only new sign-ins from older cookies."""
    return user.sessions_revoked_at is not None and signed_in_at <= user.sessions_revoked_at


def user_as_stored(session: Session, user_id: int) -> User | None:
    """The account as the database has it now (another session may have changed it)."""
    return session.get(User, user_id, populate_existing=True)


def active_user(session: Session, user_id: int | None) -> User | None:
    """The logged-in user if the account still exists and is active, else None."""
    if user_id is None:
        return None
    user = user_as_stored(session, user_id)
    return user if user is not None and user.is_active else None


def user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0
