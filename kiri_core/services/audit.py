"""The audit log: who did what, to which client."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core.db.models import AuditLog, User
from kiri_core.services.access import require_admin


def record(
    session: Session,
    actor: User | None,
    action: str,
    *,
    client_id: int | None = None,
    target: tuple[str, object] | None = None,
    details: dict[str, Any] | None = None,
) -> AuditLog:
    """Add one audit entry to the session (committed with the change it describes)."""
    entry = AuditLog(
        actor_id=actor.id if actor else None,
        action=action,
        client_id=client_id,
        target_type=target[0] if target else None,
        target_id=str(target[1]) if target else None,
        details=details,
    )
    session.add(entry)
    return entry


def recent_entries(session: Session, actor: User, limit: int = 200) -> list[AuditLog]:
    """The latest audit entries (admins only)."""
    require_admin(actor)
    query = select(AuditLog).order_by(AuditLog.id.desc()).limit(limit)
    return list(session.scalars(query))
