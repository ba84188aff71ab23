"""A dataset version can be deleted: it leaves the client's versions and no new run may use
it, while the runs already made on it keep their data and results.

Revision ID: 0010_dataset_deleted
Revises: 0009_dataset_source_length
Create Date: 2026-11-30 17:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_dataset_deleted"
down_revision = "0009_dataset_source_length"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("datasets", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
