"""The agency's settings an administrator changes in the app (its name on PDF covers): one
row, absent until first saved.

Revision ID: 0011_agency_settings
Revises: 0010_dataset_deleted
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_agency_settings"
down_revision = "0010_dataset_deleted"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agency_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_agency_settings_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agency_settings")),
    )


def downgrade() -> None:
    op.drop_table("agency_settings")
