"""Saved budget scenarios per model run.

Revision ID: 0003_scenarios
Revises: 0002_bigquery
Create Date: 2026-11-25 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scenarios"
down_revision = "0002_bigquery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("model_id", sa.String(length=100), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["model_runs.id"],
                                name=op.f("fk_budget_scenarios_run_id_model_runs")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_budget_scenarios_client_id_clients")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_budget_scenarios_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_scenarios")),
        sa.UniqueConstraint("run_id", "name", name=op.f("uq_budget_scenarios_run_id")),
    )
    with op.batch_alter_table("budget_scenarios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_budget_scenarios_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_budget_scenarios_client_id"), ["client_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("budget_scenarios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_budget_scenarios_client_id"))
        batch_op.drop_index(batch_op.f("ix_budget_scenarios_run_id"))
    op.drop_table("budget_scenarios")
