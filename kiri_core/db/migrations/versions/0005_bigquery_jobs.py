"""BigQuery imports run as jobs: where the job runs and its heartbeat.

Revision ID: 0005_bigquery_jobs
Revises: 0004_engines
Create Date: 2026-11-26 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_bigquery_jobs"
down_revision = "0004_engines"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bigquery_imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("job_id", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("bigquery_imports", schema=None) as batch_op:
        batch_op.drop_column("job_id")
        batch_op.drop_column("pid")
        batch_op.drop_column("heartbeat_at")
