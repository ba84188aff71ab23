"""Saved budget scenarios: named allocator plans kept per model run.

A scenario stores the planner's inputs (``settings``) and the allocator's plan
(docs/result-format.md, plan format) so it can be shown again, compared and put in the PDF
without re-optimizing. Viewers can read a run's scenarios; saving and deleting need the
analyst role. A change to the scenarios drops the run's stored PDF, so the next download
includes them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import JSON, DateTime, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from kiri_core.db.base import Base, utcnow
from kiri_core.db.models import ModelRun, RunArtifact, User
from kiri_core.services import audit
from kiri_core.services.access import require_client_role
from kiri_core.services.errors import NotFound, ValidationError

NAME_MAX = 120
PLAN_KEYS = ("model_id", "scenario", "weeks", "total_budget", "channels", "totals")
REPORT_KIND = "report"


class BudgetScenario(Base):
    """One named plan of a run."""

    __tablename__ = "budget_scenarios"
    __table_args__ = (UniqueConstraint("run_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("model_runs.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    model_id: Mapped[str] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    def as_report_scenario(self) -> dict[str, Any]:
        """The ``{"name", "plan"}`` form the PDF report takes."""
        return {"name": self.name, "plan": self.plan}


def _run(session: Session, actor: User, run_id: int, role: str) -> ModelRun:
    run = session.get(ModelRun, run_id)
    if run is None:
        raise NotFound(f"Run #{run_id} does not exist.")
    require_client_role(session, actor, run.client_id, role)
    return run


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the scenario a name.")
    if len(name) > NAME_MAX:
        raise ValidationError(f"The scenario name is {len(name)} characters; at most "
                              f"{NAME_MAX} are allowed.")
    return name


def _check_plan(plan: dict[str, Any]) -> None:
    missing = [key for key in PLAN_KEYS if key not in plan]
    if missing:
        raise ValidationError(f"The plan is incomplete: it lacks {', '.join(missing)}.")


def save_scenario(session: Session, actor: User, run_id: int, name: str, plan: dict[str, Any],
                  settings: dict[str, Any] | None = None) -> BudgetScenario:
    """Save ``plan`` as the run's scenario ``name`` (analyst role; names are unique per run)."""
    run = _run(session, actor, run_id, "analyst")
    name = _clean_name(name)
    _check_plan(plan)
    taken = session.scalar(select(BudgetScenario.id).where(BudgetScenario.run_id == run_id,
                                                           BudgetScenario.name == name))
    if taken is not None:
        raise ValidationError(f"Run #{run_id} already has a scenario named \u201c{name}\u201d; "
                              "choose another name or delete the old one first.")
    scenario = BudgetScenario(run_id=run_id, client_id=run.client_id, name=name,
                              model_id=str(plan["model_id"]), settings=settings or {},
                              plan=plan, created_by_id=actor.id)
    session.add(scenario)
    session.flush()
    _drop_stale_report(session, run_id)
    audit.record(session, actor, "scenario.save", client_id=run.client_id,
                 target=("scenario", scenario.id), details={"run_id": run_id, "name": name})
    session.commit()
    return scenario


def list_scenarios(session: Session, actor: User, run_id: int) -> list[BudgetScenario]:
    """The run's saved scenarios, oldest first (viewer role)."""
    _run(session, actor, run_id, "viewer")
    query = select(BudgetScenario).where(BudgetScenario.run_id == run_id).order_by(
        BudgetScenario.created_at, BudgetScenario.id)
    return list(session.scalars(query))


def delete_scenario(session: Session, actor: User, scenario_id: int) -> None:
    """Delete a saved scenario (analyst role on its client)."""
    scenario = session.get(BudgetScenario, scenario_id)
    if scenario is None:
        raise NotFound(f"Scenario #{scenario_id} does not exist.")
    _run(session, actor, scenario.run_id, "analyst")
    session.delete(scenario)
    _drop_stale_report(session, scenario.run_id)
    audit.record(session, actor, "scenario.delete", client_id=scenario.client_id,
                 target=("scenario", scenario_id), details={"name": scenario.name})
    session.commit()


def _drop_stale_report(session: Session, run_id: int) -> None:
    """Forget the run's stored PDF (it no longer shows the current scenarios)."""
    session.execute(delete(RunArtifact).where(RunArtifact.run_id == run_id,
                                              RunArtifact.kind == REPORT_KIND))


def recent_spend(frame: pd.DataFrame, spend_columns: list[str], weeks: int) -> float:
    """Total spend of ``spend_columns`` over the last ``weeks`` rows of the data set.

    The planner's default budget for a horizon of ``weeks``: "spend as much as lately".
    """
    if weeks < 1:
        raise ValidationError(f"The horizon must be at least one week, got {weeks}.")
    present = [c for c in spend_columns if c in frame.columns]
    return float(frame[present].tail(weeks).to_numpy(dtype=float).sum())
