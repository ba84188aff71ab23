"""Availability of optional engines (Robyn in R), recorded by each starting worker.

Revision ID: 0004_engines
Revises: 0003_scenarios
Create Date: 2026-11-25 10:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_engines"
down_revision = "0003_scenarios"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "engine_availability",
        sa.Column("engine", sa.String(length=20), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("engine", name=op.f("pk_engine_availability")),
    )


def downgrade() -> None:
    op.drop_table("engine_availability")
