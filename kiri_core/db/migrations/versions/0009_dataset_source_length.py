"""A dataset's source holds the uploaded file's name: 40 characters cut off names longer than
33 (PostgreSQL refused the upload); 300 hold any name a browser sends.

Revision ID: 0009_dataset_source_length
Revises: 0008_run_stage
Create Date: 2026-11-30 15:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_dataset_source_length"
down_revision = "0008_run_stage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.alter_column("source", existing_type=sa.String(length=40),
                              type_=sa.String(length=300), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.alter_column("source", existing_type=sa.String(length=300),
                              type_=sa.String(length=40), existing_nullable=False)
