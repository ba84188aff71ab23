"""Alembic environment: the core models plus every add-on model module that is importable."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from kiri_core.db.base import Base
from kiri_core.db.registry import import_model_modules


def run_migrations() -> None:
    import_model_modules()
    url = context.config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=Base.metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
