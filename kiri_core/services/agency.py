"""The agency's own settings: its name, on the cover of every PDF ("Prepared by <name>").

The name an administrator saved in the app wins; else ``KIRI_AGENCY_NAME``; else "Kiri"
(:func:`kiri_core.config.agency_name` gives the last two).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.base import utcnow
from kiri_core.db.models import AgencySettings, User
from kiri_core.services import audit
from kiri_core.services.access import current_actor, require_admin
from kiri_core.services.errors import ValidationError

SETTINGS_ID = 1  # the one row
MAX_NAME_LENGTH = 80
EMPTY_NAME = "Please give the agency a name: it is printed on the cover of every PDF report."


def _settings(session: Session) -> AgencySettings | None:
    return session.get(AgencySettings, SETTINGS_ID)


def agency_name(session: Session) -> str:
    """The agency's name: the one saved in the app, else ``KIRI_AGENCY_NAME``, else "Kiri"."""
    saved = _settings(session)
    return saved.name if saved is not None else config.agency_name()


def name_changed_at(session: Session) -> datetime | None:
    """When the name was last saved in the app (UTC), or None if it never was."""
    saved = _settings(session)
    return saved.updated_at if saved is not None else None


def set_agency_name(session: Session, actor: User, name: str) -> str:
    """Save the agency's name (admins only; spaces at the ends and runs of spaces dropped)
    and return it. Saving the name it already has changes nothing (nor is it audited)."""
    admin = require_admin(current_actor(session, actor))
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(EMPTY_NAME)
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(f"The agency's name can be at most {MAX_NAME_LENGTH} characters "
                              f"long; this one has {len(name)}.")
    previous = agency_name(session)
    if name == previous:
        return name
    saved = _settings(session)
    if saved is None:
        saved = AgencySettings(id=SETTINGS_ID)
        session.add(saved)
    saved.name, saved.updated_at, saved.updated_by_id = name, utcnow(), admin.id
    audit.record(session, admin, "agency.name", details={"name": name, "previous": previous})
    session.commit()
    return name
