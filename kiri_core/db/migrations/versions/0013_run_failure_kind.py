"""A failed run stores what kind of failure it was (``failure_kind``, one of
``kiri_core.db.models.FAILURE_KINDS``) instead of the Runs page reading it off the error's
wording. The failed runs already made get theirs by that wording; an error stored with its
class name, as before errors were stored in words ("FitInputError: column(s) not found in
the data: tv_grp"), is put in words as the job words it now.

Revision ID: 0013_run_failure_kind
Revises: 0012_run_number
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0013_run_failure_kind"
down_revision = "0012_run_number"
branch_labels = None
depends_on = None

# An error stored before errors were stored in words: "FitInputError: column(s) not ..."
CLASS_PREFIX = re.compile(r"(?P<kind>[A-Z]\w*(?:Error|Exception|Failed|Timeout|NotInstalled)): "
                          r"(?P<message>.*)", re.DOTALL)
ROBYN_WORDS = ("Robyn (R)", "Rscript")  # how Robyn's worded errors begin (robyn_r.runner)


def kind_and_error(error: str | None) -> tuple[str, str | None]:
    """A failed run's kind and its error in words. A class name before the message tells
    the kind, and the message is worded as the job words it now; a worded error of the data
    or the settings ends with what to do next (``NEXT_STEPS``); Robyn's begin with its name;
    any other failure was unexpected."""
    from kiri_core.services import runs  # the job's own rules and words, not a copy of them

    if legacy := CLASS_PREFIX.fullmatch(error or ""):
        kind = runs.failure_kind(legacy["kind"])
        return kind, runs.failure_text(kind, legacy["message"])
    if (error or "").endswith(tuple(runs.NEXT_STEPS.values())):
        return "input", error
    return ("engine" if (error or "").startswith(ROBYN_WORDS) else "unexpected"), error


def backfill_failed_runs() -> None:
    """Each failed run's :func:`kind_and_error`; other runs keep no kind."""
    runs = sa.table("model_runs", sa.column("id", sa.Integer()),
                    sa.column("status", sa.String()), sa.column("error", sa.Text()),
                    sa.column("failure_kind", sa.String()))
    conn = op.get_bind()
    failed = conn.execute(sa.select(runs.c.id, runs.c.error).where(runs.c.status == "failed"))
    for run_id, error in failed.all():
        kind, worded = kind_and_error(error)
        conn.execute(runs.update().where(runs.c.id == run_id)
                     .values(failure_kind=kind, error=worded))


def upgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failure_kind", sa.String(length=20), nullable=True))
    backfill_failed_runs()


def downgrade() -> None:
    with op.batch_alter_table("model_runs", schema=None) as batch_op:
        batch_op.drop_column("failure_kind")
