"""BigQuery sources of a client and the history of their imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from kiri_core.db.base import Base, utcnow
from kiri_core.db.models import Client, Dataset, ModelRun

ACTIVE_STATUSES = ("queued", "running")
ACTIVE_PREDICATE = "status IN ('queued', 'running')"  # ACTIVE_STATUSES, as SQL
ONE_ACTIVE_IMPORT_INDEX = "uq_bigquery_imports_one_active"


class BigQuerySource(Base):
    """Where a client's weekly data lives in BigQuery and how its columns map onto Kiri's.

    Exactly one of ``table_ref`` (``project.dataset.table`` or ``dataset.table``) and ``query``
    is set. ``column_mapping`` is ``ColumnMapping.to_json()``. An uploaded service-account key
    is kept only as Fernet ciphertext (``credentials_encrypted``); ``credentials_email`` names
    the account so the page can say which key is stored without showing it.
    """

    __tablename__ = "bigquery_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    project: Mapped[str] = mapped_column(String(200))
    table_ref: Mapped[str | None] = mapped_column(String(500))
    query: Mapped[str | None] = mapped_column(Text)
    column_mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    credentials_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    credentials_email: Mapped[str | None] = mapped_column(String(254))
    schedule_cron: Mapped[str | None] = mapped_column(String(100))
    schedule_timezone: Mapped[str] = mapped_column(String(64), default="Europe/Stockholm")
    schedule_token: Mapped[str | None] = mapped_column(String(40))
    schedule_owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    next_refresh_at: Mapped[datetime | None] = mapped_column(DateTime)
    rerun_on_new_weeks: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    client: Mapped[Client] = relationship()


class BigQueryImport(Base):
    """One import attempt of a source: when, what came in, and how it ended.

    ``trigger`` is ``manual`` or ``schedule``; ``status`` is ``queued`` (Import now, waiting
    for its job; ``started_at`` is when it was asked for), ``running``, then ``succeeded``
    (``dataset_id`` set), ``unchanged`` (same rows as before; nothing saved) or ``failed``
    (``error_kind``, a key of ``errors.FAILURE_TITLES``, and ``error`` in plain words).
    A running import beats ``heartbeat_at``; ``job_id`` (RQ) or ``pid`` (background
    process) say where a queued import runs (see :mod:`kiri_core.bigquery.background`).
    A source has at most one queued or running import: a partial unique index refuses a
    second one on PostgreSQL and SQLite alike, however many clicks or workers race.
    """

    __tablename__ = "bigquery_imports"
    __table_args__ = (
        Index(ONE_ACTIVE_IMPORT_INDEX, "source_id", unique=True,
              postgresql_where=text(ACTIVE_PREDICATE), sqlite_where=text(ACTIVE_PREDICATE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("bigquery_sources.id"), index=True)
    trigger: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    rows: Mapped[int | None] = mapped_column(Integer)
    new_weeks: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    dataset_id: Mapped[int | None] = mapped_column(ForeignKey("datasets.id"))
    dataset: Mapped[Dataset | None] = relationship()  # the version it saved, if any
    rerun_id: Mapped[int | None] = mapped_column(ForeignKey("model_runs.id"))
    rerun: Mapped[ModelRun | None] = relationship()  # the run it started, if any
    error_kind: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)
    pid: Mapped[int | None] = mapped_column(Integer)
    job_id: Mapped[str | None] = mapped_column(String(100))
