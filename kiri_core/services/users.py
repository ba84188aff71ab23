"""User administration: activation, admin flag, unlock, new passwords, per-client roles
(admins only)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core.db.models import ROLES, Client, User, UserClientAccess
from kiri_core.services import audit, auth
from kiri_core.services.access import current_actor, require_admin
from kiri_core.services.errors import NotFound, ValidationError

OWN_DEACTIVATION = "You cannot deactivate your own account."
OWN_ADMIN_REMOVAL = "You cannot remove your own admin rights."
OWN_PASSWORD_RESET = ("To change your own password, use My account (in the sidebar): it asks "
                      "for your current one.")


def _admin(session: Session, actor: User | None) -> User:
    return require_admin(current_actor(session, actor))


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"User #{user_id} does not exist.")
    return user


def list_users(session: Session, actor: User) -> list[User]:
    _admin(session, actor)
    return list(session.scalars(select(User).order_by(User.email)))


def set_active(session: Session, actor: User, user_id: int, active: bool) -> User:
    """Activate or deactivate an account; a deactivated user is out at the next page load."""
    admin = _admin(session, actor)
    if user_id == admin.id and not active:
        raise ValidationError(OWN_DEACTIVATION)
    user = _user(session, user_id)
    user.is_active = active
    audit.record(session, admin, "user.activate" if active else "user.deactivate",
                 target=("user", user_id))
    session.commit()
    return user


def set_admin(session: Session, actor: User, user_id: int, is_admin: bool) -> User:
    admin = _admin(session, actor)
    if user_id == admin.id and not is_admin:
        raise ValidationError(OWN_ADMIN_REMOVAL)
    user = _user(session, user_id)
    user.is_admin = is_admin
    audit.record(session, admin, "user.admin", target=("user", user_id),
                 details={"is_admin": is_admin})
    session.commit()
    return user


def unlock(session: Session, actor: User, user_id: int) -> User:
    admin = _admin(session, actor)
    user = _user(session, user_id)
    user.locked_until = None
    user.failed_logins = 0
    audit.record(session, admin, "user.unlock", target=("user", user_id))
    session.commit()
    return user


def set_password(session: Session, actor: User, user_id: int, password: str,
                 repeat: str) -> User:
    """An administrator's new (temporary) password for another user, typed twice; it keeps
    the registration rules, unlocks the account and ends the user's sessions. Not for the
    admin's own account, which changes its password under My account (with the current one)."""
    admin = _admin(session, actor)
    if user_id == admin.id:
        raise ValidationError(OWN_PASSWORD_RESET)
    user = _user(session, user_id)
    auth.check_new_password(password, repeat)
    was_locked = auth.is_locked(user)
    auth.replace_password(user, password)
    user.locked_until = None
    user.failed_logins = 0
    audit.record(session, admin, "user.password.reset", target=("user", user_id),
                 details={"unlocked": True} if was_locked else None)
    session.commit()
    return user


def grant_access(
    session: Session, actor: User, user_id: int, client_id: int, role: str
) -> UserClientAccess:
    """Give a user a role (analyst or viewer) on a client, replacing any earlier role."""
    admin = _admin(session, actor)
    if role not in ROLES:
        raise ValidationError(f"Unknown role '{role}'; choose one of {', '.join(ROLES)}.")
    _user(session, user_id)
    if session.get(Client, client_id) is None:
        raise NotFound(f"Client #{client_id} does not exist.")
    access = session.get(UserClientAccess, (user_id, client_id))
    if access is None:
        access = UserClientAccess(user_id=user_id, client_id=client_id, role=role)
        session.add(access)
    access.role = role
    audit.record(session, admin, "access.grant", client_id=client_id,
                 target=("user", user_id), details={"role": role})
    session.commit()
    return access


def revoke_access(session: Session, actor: User, user_id: int, client_id: int) -> None:
    admin = _admin(session, actor)
    access = session.get(UserClientAccess, (user_id, client_id))
    if access is None:
        raise NotFound("That user has no access to this client.")
    session.delete(access)
    audit.record(session, admin, "access.revoke", client_id=client_id, target=("user", user_id))
    session.commit()


def access_list(session: Session, actor: User) -> list[UserClientAccess]:
    """Every (user, client, role) grant, for the admin page."""
    _admin(session, actor)
    query = select(UserClientAccess).order_by(UserClientAccess.user_id,
                                              UserClientAccess.client_id)
    return list(session.scalars(query))
