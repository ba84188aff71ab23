"""Every run has a number of its client's ("Run #3": the client's third run), unique per
client; the database id had shown a client's first run as "Run #57". The runs already made
are numbered 1, 2, ... per client in the order they were made (by id).

Revision ID: 0012_run_number
Revises: 0011_agency_settings
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_run_number"
down_revision = "0011_agency_settings"
branch_labels = None
depends_on = None

UNIQUE = "uq_model_runs_client_id"  # the naming convention's name of (client_id, number)


def number_existing_runs() -> None:
    """Each run's number: how many runs of its client have an id up to its own."""
    runs = sa.table("model_runs", sa.column("id", sa.Integer()),
                    sa.column("client_id", sa.Integer()), sa.column("number", sa.Integer()))
    earlier = runs.alias("earlier")
    op.execute(runs.update().values(number=(
        sa.select(sa.func.count())
        .where(earlier.c.client_id == runs.c.client_id, earlier.c.id <= runs.c.id)
        .scalar_subquery())))


def upgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=True))
    number_existing_runs()
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint(UNIQUE, ["client_id", "number"])


def downgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.drop_constraint(UNIQUE, type_="unique")
        batch_op.drop_column("number")
