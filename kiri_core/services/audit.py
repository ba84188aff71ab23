"""The audit log: who did what, to which client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.models import AuditLog, Client, Dataset, ModelRun, User
from kiri_core.formatting import timestamp
from kiri_core.services.access import require_admin

ACTIONS: dict[str, str] = {
    "user.register": "Created an account",
    "user.login": "Logged in",
    "user.logout": "Logged out",
    "user.locked": "Locked out after failed logins",
    "user.activate": "Activated a user",
    "user.deactivate": "Deactivated a user",
    "user.admin": "Changed admin rights",
    "user.unlock": "Unlocked a user",
    "user.password.change": "Changed their password",
    "user.password.reset": "Set a new password for a user",
    "access.grant": "Gave client access",
    "access.revoke": "Took away client access",
    "client.create": "Created a client",
    "client.update": "Edited a client",
    "client.archive": "Archived a client",
    "client.restore": "Restored a client",
    "dataset.create": "Saved a dataset",
    "dataset.delete": "Deleted a dataset",
    "run.start": "Started a run",
    "run.cancel": "Cancelled a run",
    "run.retry": "Retried a run",
    "run.reaped": "Failed a run whose worker stopped",
    "run.model.choose": "Chose the model of a run",
    "run.model.recommended": "Went back to the recommended model of a run",
    "scenario.save": "Saved a budget scenario",
    "scenario.delete": "Deleted a budget scenario",
    "bigquery.source.save": "Saved a BigQuery source",
    "bigquery.schedule.set": "Scheduled BigQuery refreshes",
    "bigquery.schedule.clear": "Stopped scheduled BigQuery refreshes",
    "bigquery.import.queue": "Asked for a BigQuery import",
    "bigquery.import": "Imported from BigQuery",
    "bigquery.import.reaped": "Failed a BigQuery import whose worker stopped",
    "agency.name": "Renamed the agency",
}
TARGET_NOUNS = {"bigquery_source": "BigQuery source"}
NAMED: dict[str, tuple[type, Callable[[Any], str]]] = {
    "user": (User, lambda user: user.email), "client": (Client, lambda client: client.name),
    "dataset": (Dataset, lambda dataset: f"dataset v{dataset.version}"),
    "run": (ModelRun, lambda run: f"run #{run.number}")}
DETAIL_NAMES = {"admin": "administrator", "is_admin": "administrator", "cron": "schedule",
                "timezone": "time zone", "new_key": "new key", "forget_key": "key removed"}
REFERENCES = {"dataset_id": "dataset", "run_id": "run", "retry_of": "retry of run",
              "import_id": "import"}


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


@dataclass(frozen=True)
class ReadableEntry:
    """An audit entry in plain words: names instead of ids, "–" where there is nothing."""

    when: str
    who: str
    action: str
    client: str
    target: str
    details: str


def readable_entries(session: Session, actor: User, limit: int = 200,
                     zone: str | None = None) -> list[ReadableEntry]:
    """The latest audit entries as an admin reads them (admins only), times on the clock of
    ``zone`` (default: the agency's, :func:`kiri_core.config.time_zone`)."""
    zone = zone or config.time_zone()
    return [
        ReadableEntry(
            when=timestamp(e.at, zone),
            who=_name(session, "user", e.actor_id) if e.actor_id else "system",
            action=ACTIONS.get(e.action, e.action),
            client=_name(session, "client", e.client_id) if e.client_id else "–",
            target=_name(session, e.target_type, e.target_id) if e.target_type else "–",
            details=_details(session, e.details or {}),
        )
        for e in recent_entries(session, actor, limit)
    ]


def _name(session: Session, kind: str, key: object) -> str:
    """A user's e-mail, a client's name, "dataset v2", "run #6"."""
    if kind in NAMED and str(key).isdigit():
        model, name = NAMED[kind]
        found = session.get(model, int(str(key)))
        if found is not None:
            return name(found)
    return f"{TARGET_NOUNS.get(kind, kind)} #{key}"


def _details(session: Session, details: dict[str, Any]) -> str:
    """``{"dataset_id": 2, "engine": "kiri"}`` as "dataset v2 · engine: kiri"."""
    parts = [_detail(session, key, value) for key, value in details.items()]
    return " · ".join(p for p in parts if p) or "–"


def _detail(session: Session, key: str, value: object) -> str | None:
    """One detail; a reference to a record that does not exist (``None``) is left out."""
    if key not in REFERENCES:
        return f"{DETAIL_NAMES.get(key, key)}: {_value(value)}"
    return None if value is None else _name(session, REFERENCES[key], value)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "–" if value is None else str(value)
