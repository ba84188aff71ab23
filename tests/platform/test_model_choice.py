"""The model chosen for a run is stored for everyone on the client: analysts and admins choose
it or go back to the recommended one, viewers and outsiders may not, an unknown model changes
nothing, and the audit log says who chose what (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fitted import (
    Workspace,
    workspace_fixture,  # noqa: F401  (the "workspace" fixture)
)
from sqlalchemy.orm import Session

from kiri_core.db.models import AuditLog, ModelRun
from kiri_core.results import model_by_id
from kiri_core.services import audit, clients, runs
from kiri_core.services.errors import AccessDenied, ValidationError


@pytest.fixture
def ws(workspace: Workspace) -> Iterator[tuple[Workspace, Session]]:
    """The workspace bound to a session; each test starts with no model chosen."""
    with workspace.session() as session:
        bound = workspace.bound(session)
        yield bound, session
        result = runs.load_result(session, bound.admin, bound.run.id)
        runs.choose_model(session, bound.admin, bound.run.id, result["model_id"])
        session.execute(sa.update(ModelRun).values(chosen_model_id=None, chosen_by_id=None,
                                                   chosen_at=None))
        session.commit()


@pytest.fixture
def models(ws) -> tuple[str, str]:
    """(the recommended model, an alternative) of the workspace's run."""
    w, session = ws
    result = runs.load_result(session, w.analyst, w.run.id)
    return result["model_id"], next(m["model_id"] for m in result["models"]
                                    if not m["recommended"])


def stored_choice(w: Workspace) -> tuple[str | None, str | None]:
    """The run's chosen model and who chose it, read in a session of its own."""
    with w.session() as session:
        run = session.get(ModelRun, w.run.id)
        return run.chosen_model_id, run.chosen_by.name if run.chosen_by else None


def audit_count(session: Session) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(AuditLog))


def test_an_analyst_s_choice_is_stored_for_everyone_and_logged(ws, models):
    w, session = ws
    _, other = models
    run = runs.choose_model(session, w.analyst, w.run.id, other)
    assert (run.chosen_model_id, run.chosen_by.name) == (other, "Ann")
    assert run.chosen_at is not None
    assert stored_choice(w) == (other, "Ann")
    assert runs.get_run(session, w.viewer, w.run.id).chosen_model_id == other
    latest = audit.readable_entries(session, w.admin, limit=1)[0]
    assert (latest.who, latest.action, latest.client, latest.target, latest.details) == (
        "ann@agency.se", "Chose the model of a run", "Acme AB", f"run #{w.run.number}",
        f"model: {other}")


def test_an_admin_goes_back_to_the_recommended_model(ws, models):
    w, session = ws
    recommended, other = models
    runs.choose_model(session, w.analyst, w.run.id, other)
    run = runs.choose_model(session, w.admin, w.run.id, recommended)
    assert (run.chosen_model_id, run.chosen_by.name) == (None, "Boss")
    assert stored_choice(w) == (None, "Boss")
    latest = audit.readable_entries(session, w.admin, limit=1)[0]
    assert (latest.who, latest.action, latest.details) == (
        "boss@agency.se", "Went back to the recommended model of a run",
        f"model: {recommended}")


def test_the_client_home_shows_the_chosen_model(ws, models):
    """Home's headline and the run lists read the run's row: it follows the choice, as the
    Results, Planner and Presentation pages do."""
    w, session = ws
    recommended, other = models
    result = runs.load_result(session, w.analyst, w.run.id)

    def home_shows(model_id: str) -> bool:
        model = model_by_id(result, model_id)
        headline = clients.client_overview(session, w.viewer, w.client.id).headline
        contribution = sum(c["contribution"] for c in model["channels"].values())
        return (headline["rsq"], headline["contribution"]) == (
            model["metrics"]["rsq"], pytest.approx(contribution))

    assert home_shows(recommended) and not home_shows(other)
    runs.choose_model(session, w.analyst, w.run.id, other)
    assert home_shows(other) and not home_shows(recommended)
    runs.choose_model(session, w.analyst, w.run.id, recommended)
    assert home_shows(recommended)


@pytest.mark.parametrize("who", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_choose(ws, models, who):
    w, session = ws
    _, other = models
    logged = audit_count(session)
    with pytest.raises(AccessDenied):
        runs.choose_model(session, getattr(w, who), w.run.id, other)
    session.rollback()
    assert stored_choice(w) == (None, None)
    assert audit_count(session) == logged


def test_an_unknown_model_is_refused_and_the_choice_stays(ws, models):
    w, session = ws
    _, other = models
    runs.choose_model(session, w.analyst, w.run.id, other)
    logged = audit_count(session)
    with pytest.raises(ValidationError, match=f"Run #{w.run.number} has no model \u201cnope\u201d"):
        runs.choose_model(session, w.admin, w.run.id, "nope")
    session.rollback()
    assert stored_choice(w) == (other, "Ann")
    assert audit_count(session) == logged
