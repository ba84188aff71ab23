"""Saved budget scenarios: access per role, clear messages, and the migration's table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fitted import (
    Workspace,
    fitted_run,
    workspace_fixture,  # noqa: F401  (the "workspace" fixture)
)

from kiri_core import planner
from kiri_core.db.base import Base
from kiri_core.db.models import RunArtifact
from kiri_core.db.session import get_engine
from kiri_core.services.errors import AccessDenied, NotFound, ValidationError


@pytest.fixture
def ws(workspace: Workspace, session) -> Workspace:
    """The workspace bound to the test's session."""
    return workspace.bound(session)


@pytest.fixture
def plan() -> dict:
    return fitted_run().plan


@pytest.fixture
def session(workspace: Workspace):
    with workspace.session() as session:
        yield session
        session.rollback()
        for scenario in session.scalars(sa.select(planner.BudgetScenario)):
            session.delete(scenario)
        session.commit()


def test_an_analyst_saves_and_everyone_with_access_lists(session, ws, plan) -> None:
    run_id = ws.run.id
    saved = planner.save_scenario(session, ws.analyst, run_id, "  Spring   plan ", plan,
                                  {"goal": "max_response"})
    assert saved.name == "Spring plan"
    assert saved.client_id == ws.client.id
    for actor in (ws.analyst, ws.viewer, ws.admin):
        listed = planner.list_scenarios(session, actor, run_id)
        assert [s.name for s in listed] == ["Spring plan"]
        assert listed[0].plan["totals"] == plan["totals"]
        assert listed[0].as_report_scenario() == {"name": "Spring plan", "plan": plan}


def test_a_viewer_cannot_save_or_delete(session, ws, plan) -> None:
    with pytest.raises(AccessDenied, match="needs the analyst role"):
        planner.save_scenario(session, ws.viewer, ws.run.id, "Mine", plan)
    saved = planner.save_scenario(session, ws.analyst, ws.run.id, "Kept", plan)
    with pytest.raises(AccessDenied, match="needs the analyst role"):
        planner.delete_scenario(session, ws.viewer, saved.id)
    assert [s.name for s in planner.list_scenarios(session, ws.viewer,
                                                   ws.run.id)] == ["Kept"]


def test_an_outsider_reaches_no_scenario(session, ws, plan) -> None:
    saved = planner.save_scenario(session, ws.analyst, ws.run.id, "Secret", plan)
    with pytest.raises(AccessDenied, match="no access"):
        planner.list_scenarios(session, ws.outsider, ws.run.id)
    with pytest.raises(AccessDenied, match="no access"):
        planner.delete_scenario(session, ws.outsider, saved.id)


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Give the scenario a name"), ("x" * 121, "at most 120 are allowed")],
)
def test_bad_names_are_refused_and_nothing_is_saved(session, ws, plan, name,
                                                    message) -> None:
    with pytest.raises(ValidationError, match=message):
        planner.save_scenario(session, ws.analyst, ws.run.id, name, plan)
    assert planner.list_scenarios(session, ws.analyst, ws.run.id) == []


def test_a_duplicate_name_or_an_incomplete_plan_is_refused(session, ws, plan) -> None:
    planner.save_scenario(session, ws.analyst, ws.run.id, "Twice", plan)
    with pytest.raises(ValidationError, match="already has a scenario named"):
        planner.save_scenario(session, ws.analyst, ws.run.id, "Twice", plan)
    with pytest.raises(ValidationError, match="lacks totals"):
        planner.save_scenario(session, ws.analyst, ws.run.id, "Half",
                              {k: v for k, v in plan.items() if k != "totals"})
    assert len(planner.list_scenarios(session, ws.analyst, ws.run.id)) == 1


def test_unknown_run_or_scenario_is_not_found(session, ws) -> None:
    with pytest.raises(NotFound, match="Run #999999 does not exist"):
        planner.list_scenarios(session, ws.analyst, 999_999)
    with pytest.raises(NotFound, match="Scenario #999999 does not exist"):
        planner.delete_scenario(session, ws.analyst, 999_999)


def test_changing_scenarios_drops_the_stored_pdf(session, ws, plan) -> None:
    run_id = ws.run.id
    session.add(RunArtifact(run_id=run_id, kind=planner.REPORT_KIND, storage_key="x.pdf",
                            checksum="0" * 64, size_bytes=1, content_type="application/pdf"))
    session.commit()
    saved = planner.save_scenario(session, ws.analyst, run_id, "New", plan)
    assert _report_artifacts(session, run_id) == 0
    planner.delete_scenario(session, ws.analyst, saved.id)
    assert planner.list_scenarios(session, ws.analyst, run_id) == []


def _report_artifacts(session, run_id: int) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(RunArtifact).where(
        RunArtifact.run_id == run_id, RunArtifact.kind == planner.REPORT_KIND))


@pytest.mark.parametrize(("weeks", "rows"), [(1, slice(-1, None)), (4, slice(-4, None))])
def test_recent_spend_sums_the_last_weeks(weeks, rows) -> None:
    data = fitted_run().data
    columns = [c for c in data.columns if c.startswith("spend_")]
    assert planner.recent_spend(data, columns, weeks) == pytest.approx(
        data[columns].iloc[rows].to_numpy().sum())


def test_recent_spend_needs_a_week() -> None:
    with pytest.raises(ValidationError, match="at least one week"):
        planner.recent_spend(fitted_run().data, ["spend_meta"], 0)


def test_the_migration_creates_the_models_table(workspace) -> None:
    with get_engine(workspace.url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "budget_scenarios" in repr(d)] == []
    with get_engine(workspace.url).connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("budget_scenarios")}
    assert {"run_id", "client_id", "name", "model_id", "settings", "plan"} <= columns
