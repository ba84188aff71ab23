"""The PDF of a run as a stored run artifact: built in the worker, downloaded many times.

``request_report`` (service: checks access) queues ``store_run_report`` (job: takes the run
id and the model id) on RQ's default queue, or builds it at once when no Redis is
configured. Each model of a run has its own PDF (the model is part of the artifact kind):
the recommended one, or an alternative the analyst chose on the results page. A PDF is
stored once; every download returns the same bytes until the scenarios change (saving or
deleting a scenario drops the run's PDFs, see :mod:`kiri_core.planner`; so does a new name
or currency of the client, :func:`kiri_core.services.clients.update_client`), the report's
layout does (a PDF stored before :data:`REPORT_LAYOUT` is built again when next asked for) or
the agency's name on its cover does (a PDF begun before the name was saved on the Admin page,
:func:`kiri_core.services.agency.name_changed_at`, is built again too).
"""

from __future__ import annotations

import json
from datetime import date, datetime

from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core import config
from kiri_core.db.base import utcnow
from kiri_core.db.models import Client, ModelRun, RunArtifact, User
from kiri_core.db.session import session_scope
from kiri_core.planner import REPORT_KIND, BudgetScenario
from kiri_core.queue import DEFAULT_QUEUE, get_queue, redis_connection
from kiri_core.report import build_report
from kiri_core.results import model_by_id
from kiri_core.services import agency
from kiri_core.services.errors import NotFound
from kiri_core.services.runs import get_run, known_truth, load_artifact, load_result
from kiri_core.storage import default_storage

PDF = "application/pdf"
MAX_BUILDS = 5
WAITING = (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED, JobStatus.SCHEDULED)
#: When what a PDF shows last changed (UTC): move it on with such a change, so the PDFs
#: stored before it are built again (here: the interval's percent written the client's way,
#: "90% interval" for a euro client, and a plan's sentence on why it raises a channel whose
#: return over the period is lower than one it cuts; the same day as earlier layout changes,
#: so with the time of day).
REPORT_LAYOUT = datetime(2026, 12, 1, 22, 0)


def report_kind(model_id: str) -> str:
    """The artifact kind of the PDF of one model of a run (the cache key holds the model)."""
    return f"{REPORT_KIND}:{model_id}"


def report_key(run: ModelRun, model_id: str) -> str:
    return f"clients/{run.client_id}/runs/{run.id}/report-{model_id}.pdf"


def report_job_id(run_id: int, model_id: str) -> str:
    return f"kiri-report-{run_id}-{model_id}"


def report_in_progress(run_id: int, model_id: str) -> bool:
    """True while a build of the PDF of the run's model is queued or running on RQ.

    Never without Redis (the PDF is built at once there). False once the job has ended,
    failed or left the queue: a page waiting for the PDF then offers to prepare it again.
    """
    if not config.redis_url():
        return False
    try:
        job = Job.fetch(report_job_id(run_id, model_id), connection=redis_connection())
    except NoSuchJobError:
        return False
    return job.get_status() in WAITING


def _artifact(session: Session, run_id: int, kind: str) -> RunArtifact | None:
    return session.scalar(select(RunArtifact).where(RunArtifact.run_id == run_id,
                                                    RunArtifact.kind == kind))


def _current_report(session: Session, run_id: int, model_id: str) -> RunArtifact | None:
    """The stored PDF of the run's model, unless it was built before :data:`REPORT_LAYOUT` or
    before the agency's name on its cover was last changed."""
    stored = _artifact(session, run_id, report_kind(model_id))
    if stored is None or stored.created_at < REPORT_LAYOUT:
        return None
    renamed = agency.name_changed_at(session)
    return stored if renamed is None or stored.created_at >= renamed else None


def run_report_bytes(session: Session, run: ModelRun, model_id: str,
                     report_date: date | None = None) -> bytes:
    """Build the PDF of the run's model ``model_id`` from its stored result, client, the
    scenarios saved for that model (their figures counted from the model) and known truth."""
    stored = _artifact(session, run.id, "result")
    if stored is None:
        raise NotFound(f"Run #{run.number} has no result to report.")
    result = json.loads(default_storage().get_bytes(stored.storage_key, stored.checksum))
    client = session.get(Client, run.client_id)
    scenarios = session.scalars(select(BudgetScenario).where(
        BudgetScenario.run_id == run.id, BudgetScenario.model_id == model_id)
        .order_by(BudgetScenario.created_at, BudgetScenario.id))
    return build_report(result, client.name, client.currency,
                        [s.as_report_scenario(result, client.currency) for s in scenarios],
                        known_truth(run), agency.agency_name(session), report_date, model_id)


def _scenario_ids(session: Session, run_id: int, model_id: str) -> list[int]:
    """The ids of the scenarios saved for the run's model."""
    return list(session.scalars(select(BudgetScenario.id).where(
        BudgetScenario.run_id == run_id, BudgetScenario.model_id == model_id)
        .order_by(BudgetScenario.id)))


def store_run_report(run_id: int, model_id: str) -> str:
    """Job: build the PDF of model ``model_id`` of run ``run_id`` and store it.

    A scenario saved or deleted while the PDF was being built would leave a PDF without it
    (the save found no PDF to drop yet), so the PDF is built again until the scenarios it
    read are still the saved ones (at most :data:`MAX_BUILDS` times: plans saved faster than
    a PDF builds get the last build).
    """
    with session_scope() as session:
        run = session.get(ModelRun, run_id)
        if run is None or run.status != "succeeded":
            return "skipped"
        for _ in range(MAX_BUILDS):
            session.commit()  # each read starts a new transaction: it sees the latest saves
            shown = _scenario_ids(session, run_id, model_id)
            # stored as built at the start: a name saved while it builds makes it stale
            began = utcnow()
            data = run_report_bytes(session, run, model_id)
            session.commit()
            if _scenario_ids(session, run_id, model_id) == shown:
                break
        stored = default_storage().put_bytes(report_key(run, model_id), data)
        kind = report_kind(model_id)
        artifact = _artifact(session, run_id, kind) or RunArtifact(run_id=run_id, kind=kind)
        artifact.storage_key, artifact.checksum = stored.key, stored.checksum
        artifact.size_bytes, artifact.content_type = stored.size_bytes, PDF
        artifact.created_at = began
        session.add(artifact)
        session.commit()
    return "stored"


def request_report(session: Session, actor: User, run_id: int, model_id: str) -> bool:
    """Make sure the PDF of the run's model ``model_id`` gets built; True when it is ready to
    download now.

    With Redis the build is queued for the worker (False until it is stored); without, it
    is built right away.
    """
    run = get_run(session, actor, run_id)
    if run.status != "succeeded":
        raise NotFound(f"Run #{run.number} has no result to report: it is {run.status}.")
    if _current_report(session, run_id, model_id) is not None:
        return True
    try:
        model_by_id(load_result(session, actor, run_id), model_id)
    except KeyError as exc:
        raise NotFound(f"Run #{run.number} has no model {model_id}.") from exc
    if config.redis_url():
        get_queue(DEFAULT_QUEUE).enqueue(
            "kiri_core.report.artifact.store_run_report", run_id, model_id,
            job_id=report_job_id(run_id, model_id), result_ttl=600,
            description=f"PDF report of run {run_id}, model {model_id}")
        return False
    store_run_report(run_id, model_id)
    session.expire_all()
    return True


def report_pdf(session: Session, actor: User, run_id: int, model_id: str) -> bytes | None:
    """The stored PDF of the run's model, or None while it is not built yet (access checked)."""
    get_run(session, actor, run_id)
    if _current_report(session, run_id, model_id) is None:
        return None
    return load_artifact(session, actor, run_id, report_kind(model_id))
