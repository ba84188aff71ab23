"""Who may see and do what: admins everything, others per client by role.

Roles are ordered: ``viewer`` (results and PDF) < ``analyst`` (upload, run, optimize, export).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core.db.models import Client, User, UserClientAccess
from kiri_core.services.errors import AccessDenied, NotFound

ROLE_RANK = {"viewer": 1, "analyst": 2}


def require_active(actor: User | None) -> User:
    if actor is None:
        raise AccessDenied("Please log in.")
    if not actor.is_active:
        raise AccessDenied("Your account has been deactivated. Ask an administrator.")
    return actor


def current_actor(session: Session, actor: User | None) -> User:
    """The actor as stored now (a user deactivated meanwhile is refused at once)."""
    require_active(actor)
    stored = session.get(User, actor.id, populate_existing=True)
    return require_active(stored)


def require_admin(actor: User | None) -> User:
    actor = require_active(actor)
    if not actor.is_admin:
        raise AccessDenied("Only administrators can do this.")
    return actor


def client_role(session: Session, actor: User, client_id: int) -> str | None:
    """The actor's role on a client (``analyst`` for admins), or None without access."""
    if actor.is_admin:
        return "analyst"
    return session.scalar(
        select(UserClientAccess.role).where(
            UserClientAccess.user_id == actor.id, UserClientAccess.client_id == client_id
        )
    )


def require_client_role(
    session: Session, actor: User | None, client_id: int, role: str = "viewer"
) -> Client:
    """Return the client if the actor holds at least ``role`` on it, else raise.

    Raises
    ------
    AccessDenied
        Not logged in, deactivated, no access to the client, or a lower role.
    NotFound
        No such client.
    """
    if role not in ROLE_RANK:
        raise ValueError(f"Unknown role {role!r}")
    actor = current_actor(session, actor)
    client = session.get(Client, client_id)
    if client is None:
        raise NotFound(f"Client #{client_id} does not exist.")
    held = client_role(session, actor, client_id)
    if held is None:
        raise AccessDenied(f"You have no access to client #{client_id}.")
    if ROLE_RANK[held] < ROLE_RANK[role]:
        raise AccessDenied(
            f"This needs the {role} role on {client.name}; you are a {held}."
        )
    return client


def accessible_clients(
    session: Session, actor: User, include_archived: bool = False
) -> list[Client]:
    """Clients the actor can see, by name."""
    require_active(actor)
    query = select(Client).order_by(Client.name)
    if not actor.is_admin:
        query = query.join(UserClientAccess, UserClientAccess.client_id == Client.id).where(
            UserClientAccess.user_id == actor.id
        )
    if not include_archived:
        query = query.where(Client.archived_at.is_(None))
    return list(session.scalars(query))
