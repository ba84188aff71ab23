"""The agency's name on PDF covers: an administrator saves it (audited), others cannot; an
empty or too long name is refused and nothing changes; the saved name wins over
KIRI_AGENCY_NAME, which wins over "Kiri" (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from kiri_core.db.base import Base
from kiri_core.db.models import AgencySettings, AuditLog
from kiri_core.db.session import get_engine
from kiri_core.services import agency, audit
from kiri_core.services.errors import AccessDenied, ValidationError


def audited(session) -> list[AuditLog]:
    return list(session.scalars(sa.select(AuditLog).where(AuditLog.action == "agency.name")))


def test_the_migration_creates_the_table_the_model_describes(database_url):
    with get_engine(database_url).connect() as conn:
        assert "agency_settings" in sa.inspect(conn).get_table_names()
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "agency_settings" in repr(d)] == []


def test_without_a_saved_name_the_variable_then_kiri(session, monkeypatch):
    monkeypatch.delenv("KIRI_AGENCY_NAME", raising=False)
    assert agency.agency_name(session) == "Kiri"
    monkeypatch.setenv("KIRI_AGENCY_NAME", "  Env Media ")
    assert agency.agency_name(session) == "Env Media"
    assert agency.name_changed_at(session) is None


def test_an_admin_saves_the_name_which_wins_over_the_variable(session, team, monkeypatch):
    monkeypatch.setenv("KIRI_AGENCY_NAME", "Env Media")
    assert agency.set_agency_name(session, team.admin, "  Fjord   Media ") == "Fjord Media"
    assert agency.agency_name(session) == "Fjord Media"
    assert agency.name_changed_at(session) is not None
    [entry] = audited(session)
    assert entry.actor_id == team.admin.id
    assert entry.details == {"name": "Fjord Media", "previous": "Env Media"}
    readable = next(e for e in audit.readable_entries(session, team.admin)
                    if e.action == "Renamed the agency")
    assert readable.details == "name: Fjord Media · previous: Env Media"
    monkeypatch.delenv("KIRI_AGENCY_NAME")
    assert agency.agency_name(session) == "Fjord Media"


def test_saving_the_same_name_again_changes_nothing(session, team):
    agency.set_agency_name(session, team.admin, "Fjord Media")
    changed = agency.name_changed_at(session)
    assert agency.set_agency_name(session, team.admin, "Fjord  Media") == "Fjord Media"
    assert agency.name_changed_at(session) == changed
    assert len(audited(session)) == 1


@pytest.mark.parametrize("who", ["analyst", "viewer", "outsider"])
def test_only_an_admin_may_change_it(session, team, who, monkeypatch):
    monkeypatch.delenv("KIRI_AGENCY_NAME", raising=False)
    with pytest.raises(AccessDenied, match="Only administrators can do this."):
        agency.set_agency_name(session, getattr(team, who), "Sneaky AB")
    assert agency.agency_name(session) == "Kiri"
    assert session.scalar(sa.select(sa.func.count()).select_from(AgencySettings)) == 0


@pytest.mark.parametrize(("name", "message"), [
    ("", agency.EMPTY_NAME),
    ("   \t ", agency.EMPTY_NAME),
    ("x" * 81, "The agency's name can be at most 80 characters long; this one has 81."),
])
def test_an_empty_or_too_long_name_is_refused_and_nothing_changes(session, team, name,
                                                                   message):
    agency.set_agency_name(session, team.admin, "Fjord Media")
    changed = agency.name_changed_at(session)
    with pytest.raises(ValidationError) as refused:
        agency.set_agency_name(session, team.admin, name)
    assert str(refused.value) == message
    assert agency.agency_name(session) == "Fjord Media"
    assert agency.name_changed_at(session) == changed
    assert len(audited(session)) == 1


def test_eighty_characters_are_allowed(session, team):
    name = "Å" * 80  # characters, not bytes
    assert agency.set_agency_name(session, team.admin, name) == name
    session.expire_all()
    assert agency.agency_name(session) == name
