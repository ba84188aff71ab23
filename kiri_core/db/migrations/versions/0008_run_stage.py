"""What a running run is doing ("Searching models", "Building the model set"), for its page.

Revision ID: 0008_run_stage
Revises: 0007_chosen_model
Create Date: 2026-12-01 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_run_stage"
down_revision = "0007_chosen_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("stage", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.drop_column("stage")
