"""Every module that defines tables on :class:`kiri_core.db.base.Base`.

Add-on modules (BigQuery, planner, Robyn-in-R) are optional: a module that does not exist is
skipped, so migrations run on any checkout.
"""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "kiri_core.db.models",
    "kiri_core.bigquery.models",
    "kiri_core.planner",
    "kiri_core.robyn_r.models",
)


def import_model_modules() -> list[str]:
    """Import the model modules that exist; return their names."""
    imported = []
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise
            continue
        imported.append(name)
    return imported
