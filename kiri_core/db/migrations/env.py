"""Alembic environment: the core models plus every add-on model module that is importable."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import create_engine

from kiri_core.db.base import Base

MODEL_MODULES = (
    "kiri_core.db.models",
    "kiri_core.bigquery.models",
    "kiri_core.planner",
    "kiri_core.robyn_r.models",
)


def import_model_modules() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise


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
