"""Can this machine run Robyn in R? Checked once at worker start (without a worker, at the
app's start: :func:`kiri_core.jobs.check_engines_in_background`) and recorded in the database.

The check runs the template itself (``Rscript r/run_robyn.R --check``): ``Rscript`` must
start, the Robyn and jsonlite packages must load and reticulate must find nevergrad, the same
test a run makes before it starts. The run form reads the recorded answer through
:func:`robyn_availability` and offers "Robyn (R)" only when it is available.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.base import utcnow
from kiri_core.robyn_r.models import EngineAvailability
from kiri_core.robyn_r.runner import (
    ENGINE,
    HOW_TO_ENABLE,
    RUN_ROBYN_R,
    RobynError,
    run_r_script,
)

CHECK_TIMEOUT_S = 120.0
ENGINE_LABELS = {"kiri": "Kiri (Python)", ENGINE: "Robyn (R)"}
NOT_CHECKED = (
    "No worker has checked for Robyn (R) yet: start a worker (python worker.py) on a machine "
    f"with R. {HOW_TO_ENABLE}"
)
# the embedded set-up (no Redis, no worker): the app checks this machine when it starts
CHECKING = (
    "The app is checking whether Robyn (R) runs on this machine; reload the page in a "
    "minute. To enable it, install R, the Robyn package and its Python dependency nevergrad "
    "here, then restart the app."
)
# what everyone but an administrator reads: set-up instructions are of no use to them
NOT_SET_UP = "Robyn (R) is not set up here yet; an administrator can enable it."


@dataclass(frozen=True)
class Availability:
    """Whether Robyn (R) runs can start, why (``detail``) and Robyn's version if so."""

    available: bool
    detail: str
    version: str | None = None


def check_robyn_available(timeout_s: float = CHECK_TIMEOUT_S) -> Availability:
    """Run ``Rscript r/run_robyn.R --check`` and report what it says."""
    lines: list[str] = []
    try:
        run_r_script(RUN_ROBYN_R, ["--check"], lambda _fraction: None, lambda: False,
                     timeout_s, lines.append)
    except RobynError as exc:
        return Availability(False, str(exc).splitlines()[0])
    version = next((line.split()[1] for line in lines
                    if line.startswith("KIRI_ROBYN_VERSION ")), None)
    return Availability(True, f"Robyn {version} loads in R; Robyn (R) runs are enabled.", version)


def record_robyn_availability(session: Session, availability: Availability) -> None:
    """Store ``availability`` as this host's latest check (one row per engine)."""
    row = session.get(EngineAvailability, ENGINE) or EngineAvailability(engine=ENGINE)
    row.available, row.detail, row.version = (
        availability.available, availability.detail, availability.version
    )
    row.host, row.checked_at = socket.gethostname(), utcnow()
    session.add(row)


def refresh_robyn_availability(session: Session) -> Availability:
    """Check this machine and record the answer: what a worker does once at start."""
    availability = check_robyn_available()
    record_robyn_availability(session, availability)
    return availability


def robyn_availability(session: Session) -> Availability:
    """The recorded answer, for the run form: offer "Robyn (R)" only if ``available``."""
    row = session.get(EngineAvailability, ENGINE)
    if row is None:
        return Availability(False, NOT_CHECKED if config.redis_url() else CHECKING)
    detail = row.detail if row.available else f"{row.detail} (checked on {row.host})"
    return Availability(row.available, detail, row.version)


def unavailable_note(availability: Availability, for_admin: bool) -> str:
    """Why Robyn (R) runs cannot start: for an administrator what the check found (each
    answer names Robyn (R) and says how to enable it), plain words for everyone else."""
    return availability.detail if for_admin else NOT_SET_UP


def engine_choices(session: Session, for_admin: bool = True
                   ) -> tuple[dict[str, str], str | None]:
    """What the run form offers: ``{engine: label}``, and why Robyn (R) is missing, if it is.

    "Robyn (R)" is offered only when a worker found it installed; otherwise the note says
    why (see :func:`unavailable_note`).
    """
    robyn = robyn_availability(session)
    if robyn.available:
        return {**ENGINE_LABELS, ENGINE: f"Robyn (R) {robyn.version}"}, None
    labels = {engine: label for engine, label in ENGINE_LABELS.items() if engine != ENGINE}
    return labels, unavailable_note(robyn, for_admin)
