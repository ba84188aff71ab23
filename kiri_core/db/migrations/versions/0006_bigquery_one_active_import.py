"""At most one queued or running BigQuery import per source, enforced by a partial unique index.

Two "Import now" clicks at once could both queue an import on SQLite (which has no row
locks). Before the index is created, all but the newest queued or running import of each
source are ended as failed, so a database with such twins still migrates.

Revision ID: 0006_bigquery_one_active_import
Revises: 0005_bigquery_jobs
Create Date: 2026-11-27 09:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0006_bigquery_one_active_import"
down_revision = "0005_bigquery_jobs"
branch_labels = None
depends_on = None

INDEX = "uq_bigquery_imports_one_active"
ACTIVE_STATUSES = ("queued", "running")
ACTIVE = "status IN ('queued', 'running')"
TWIN_ERROR = ("Another import of this source was started at the same time; only the newest "
              "was kept. Start the import again if it is still needed.")


def imports_table() -> sa.TableClause:
    return sa.table(
        "bigquery_imports",
        sa.column("id", sa.Integer()),
        sa.column("source_id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("error_kind", sa.String()),
        sa.column("error", sa.Text()),
        sa.column("finished_at", sa.DateTime()),
    )


def fail_older_twins() -> None:
    """End every queued or running import that is not its source's newest one as failed."""
    imports, newer = imports_table(), imports_table().alias("newer")
    newest = (sa.select(sa.func.max(newer.c.id))
              .where(newer.c.status.in_(ACTIVE_STATUSES))
              .group_by(newer.c.source_id))
    op.execute(
        imports.update()
        .where(imports.c.status.in_(ACTIVE_STATUSES), imports.c.id.not_in(newest))
        .values(status="failed", error_kind="stopped", error=TWIN_ERROR,
                finished_at=datetime.now(UTC).replace(tzinfo=None))
    )


def upgrade() -> None:
    fail_older_twins()
    with op.batch_alter_table("bigquery_imports", schema=None) as batch_op:
        batch_op.create_index(INDEX, ["source_id"], unique=True,
                              postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))


def downgrade() -> None:
    with op.batch_alter_table("bigquery_imports", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
