"""BigQuery sources and their import history.

Revision ID: 0002_bigquery
Revises: 0001_core
Create Date: 2026-11-25 09:36:14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_bigquery"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def foreign_key(column: str, table: str, referred: str) -> sa.ForeignKeyConstraint:
    name = f"fk_{table}_{column}_{referred.split('.')[0]}"
    return sa.ForeignKeyConstraint([column], [referred], name=op.f(name))


def upgrade() -> None:
    op.create_table(
        "bigquery_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project", sa.String(length=200), nullable=False),
        sa.Column("table_ref", sa.String(length=500), nullable=True),
        sa.Column("query", sa.Text(), nullable=True),
        sa.Column("column_mapping", sa.JSON(), nullable=False),
        sa.Column("credentials_encrypted", sa.LargeBinary(), nullable=True),
        sa.Column("credentials_email", sa.String(length=254), nullable=True),
        sa.Column("schedule_cron", sa.String(length=100), nullable=True),
        sa.Column("schedule_timezone", sa.String(length=64), nullable=False),
        sa.Column("schedule_token", sa.String(length=40), nullable=True),
        sa.Column("schedule_owner_id", sa.Integer(), nullable=True),
        sa.Column("next_refresh_at", sa.DateTime(), nullable=True),
        sa.Column("rerun_on_new_weeks", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        foreign_key("client_id", "bigquery_sources", "clients.id"),
        foreign_key("created_by_id", "bigquery_sources", "users.id"),
        foreign_key("schedule_owner_id", "bigquery_sources", "users.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bigquery_sources")),
    )
    with op.batch_alter_table("bigquery_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bigquery_sources_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "bigquery_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("new_weeks", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("dataset_id", sa.Integer(), nullable=True),
        sa.Column("rerun_id", sa.Integer(), nullable=True),
        sa.Column("error_kind", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        foreign_key("actor_id", "bigquery_imports", "users.id"),
        foreign_key("dataset_id", "bigquery_imports", "datasets.id"),
        foreign_key("rerun_id", "bigquery_imports", "model_runs.id"),
        foreign_key("source_id", "bigquery_imports", "bigquery_sources.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bigquery_imports")),
    )
    with op.batch_alter_table("bigquery_imports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bigquery_imports_source_id"), ["source_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("bigquery_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bigquery_imports_source_id"))
    op.drop_table("bigquery_imports")
    with op.batch_alter_table("bigquery_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bigquery_sources_client_id"))
    op.drop_table("bigquery_sources")
