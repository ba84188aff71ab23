"""Migrated, empty SQLite databases for tests, without running Alembic for each.

Alembic takes about a second to build the schema of a new SQLite file; the page and
platform tests start hundreds of them. Each test process migrates one template file and
copies it (SQLite's backup API) for every test. The migrations themselves are tested in
tests/platform/test_migrations.py.
"""

from __future__ import annotations

import functools
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

from kiri_core.db.session import upgrade_database


@functools.cache
def _template() -> Path:
    """This process's SQLite file with every migration applied."""
    path = Path(tempfile.mkdtemp(prefix="kiri-migrated-")) / "kiri.db"
    upgrade_database(f"sqlite:///{path}")
    return path


def migrated_sqlite(path: Path) -> str:
    """The URL of a new SQLite file at ``path`` holding the migrated, empty schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(_template())) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    return f"sqlite:///{path}"
