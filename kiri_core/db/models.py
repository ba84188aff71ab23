"""Core tables: users, clients, access, datasets, model runs, run artifacts, audit log, and
the agency's settings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from kiri_core.db.base import Base, utcnow

ROLES = ("analyst", "viewer")
ACTIVE_RUN_STATUSES = ("queued", "running")
ENGINES = ("kiri", "robyn-r")
#: Why a failed run failed (``ModelRun.failure_kind``): its data or settings (``"input"``: the
#: same run fails the same way again, so it is not retried), Robyn's own worded error
#: (``"engine"``), or anything else a retry may cure (``"unexpected"``: an error the job did
#: not expect, a worker that stopped, a queue that did not take the run).
FAILURE_KINDS = ("input", "engine", "unexpected")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(100))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    sessions_revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)


class Client(Base):
    __tablename__ = "clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    industry: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3), default="SEK")
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class UserClientAccess(Base):
    __tablename__ = "user_client_access"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
    client: Mapped[Client] = relationship()


class Dataset(Base):
    """One immutable dataset version of a client; a new upload is a new row."""

    __tablename__ = "datasets"
    __table_args__ = (UniqueConstraint("client_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(300))
    storage_key: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    row_count: Mapped[int] = mapped_column(Integer)
    start_date: Mapped[str] = mapped_column(String(10))
    end_date: Mapped[str] = mapped_column(String(10))
    column_mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    ground_truth: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)  # kept for its runs

    client: Mapped[Client] = relationship()

    @property
    def label(self) -> str:
        """``"v3 (Spring export)"``, how messages name the version."""
        return f"v{self.version} ({self.name})"


class ModelRun(Base):
    """One model run of a client. People know it by its ``number`` ("Run #3": the client's
    third run), given when it is added (:func:`number_new_runs`); the ``id`` stays for
    keys, jobs and links."""

    __tablename__ = "model_runs"
    __table_args__ = (UniqueConstraint("client_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per client, never given twice
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    engine: Mapped[str] = mapped_column(String(20), default="kiri")
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str | None] = mapped_column(String(60))  # what a running run is doing
    cancel_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(Text)
    failure_kind: Mapped[str | None] = mapped_column(String(20))  # FAILURE_KINDS; failed only
    pid: Mapped[int | None] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(100))
    retry_of_id: Mapped[int | None] = mapped_column(ForeignKey("model_runs.id"))
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    channels: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    model_id: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the client's model for everyone; None: the recommended one (model_id of the result)
    chosen_model_id: Mapped[str | None] = mapped_column(String(100))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime | None] = mapped_column(DateTime)

    # joined: pages label runs by dataset and author after their session has closed
    dataset: Mapped[Dataset] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[created_by_id])
    chosen_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[chosen_by_id])

    @property
    def state(self) -> str:
        """The run's state in the same words on every page and in every refusal: "in
        progress" while queued or running (true until the page shows its end, also where it
        is not polled), else its status."""
        return "in progress" if self.status in ACTIVE_RUN_STATUSES else self.status

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None:
            return None
        end = self.finished_at or utcnow()
        return (end - self.started_at).total_seconds()


def next_run_number(session: Session, client_id: int) -> int:
    """One more than the client's highest run number: 1 for its first run. Runs are never
    deleted, so a number is never given twice."""
    highest = session.scalar(select(func.max(ModelRun.number))
                             .where(ModelRun.client_id == client_id))
    return (highest or 0) + 1


@event.listens_for(Session, "before_flush")
def number_new_runs(session: Session, _context: object, _instances: object) -> None:
    """Every new run without a number gets its client's next ones, in the order added.
    Two sessions adding a run for one client at once would count the same number: the
    unique constraint refuses the later, and :func:`kiri_core.services.runs.start_run` has
    starts for one client take turns."""
    new = [r for r in session.new if isinstance(r, ModelRun)]
    for run in [r for r in new if r.number is None]:
        pending = [r.number for r in new if r.client_id == run.client_id and r.number]
        run.number = max([next_run_number(session, run.client_id), *(n + 1 for n in pending)])


class RunArtifact(Base):
    __tablename__ = "run_artifacts"
    __table_args__ = (UniqueConstraint("run_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("model_runs.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    storage_key: Mapped[str] = mapped_column(String(500))
    checksum: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(100), default="application/json")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditLog(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class AgencySettings(Base):
    """The agency's own settings an administrator changes in the app: one row (id 1), absent
    until first saved."""

    __tablename__ = "agency_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))  # on PDF covers: "Prepared by <name>"
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
