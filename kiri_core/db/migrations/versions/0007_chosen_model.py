"""The model chosen for a run, shared by everyone on the client: which one, by whom, when.

Revision ID: 0007_chosen_model
Revises: 0006_bigquery_one_active_import
Create Date: 2026-11-30 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_chosen_model"
down_revision = "0006_bigquery_one_active_import"
branch_labels = None
depends_on = None

CHOSEN_BY_FK = "fk_model_runs_chosen_by_id_users"


def upgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chosen_model_id", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("chosen_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("chosen_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f(CHOSEN_BY_FK), "users", ["chosen_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(CHOSEN_BY_FK), type_="foreignkey")
        batch_op.drop_column("chosen_at")
        batch_op.drop_column("chosen_by_id")
        batch_op.drop_column("chosen_model_id")
