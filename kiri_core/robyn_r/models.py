"""Which optional engines the workers can run, as last checked by a starting worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kiri_core.db.base import Base, utcnow


class EngineAvailability(Base):
    """One row per optional engine (``"robyn-r"``), rewritten at every worker start."""

    __tablename__ = "engine_availability"

    engine: Mapped[str] = mapped_column(String(20), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)
    version: Mapped[str | None] = mapped_column(String(40))
    host: Mapped[str] = mapped_column(String(255))
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
