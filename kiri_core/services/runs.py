"""Model runs: start (queued to RQ or the embedded runner), cancel, retry, list, results.

A run's life: ``queued`` -> ``running`` -> ``succeeded`` | ``failed`` | ``cancelled``.
:func:`reap_stale_runs` fails runs that will never finish (no heartbeat from their worker,
or queued with a job that will not start) and finishes cancellations the job did not honour
in time; a run the queue does not take at all is failed at once.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kiri_core import config, formatting, queue
from kiri_core.data.fit_config import validate_fit_config
from kiri_core.data.validation import is_conversion_name, outcome_kind_warning
from kiri_core.db.base import utcnow
from kiri_core.db.models import (
    ACTIVE_RUN_STATUSES,
    ENGINES,
    Client,
    Dataset,
    ModelRun,
    RunArtifact,
    User,
)
from kiri_core.engine.hyperparameters import ADSTOCK_PARAMS
from kiri_core.results import channel_summary, is_conversion, model_by_id
from kiri_core.services import audit, datasets
from kiri_core.services.access import current_actor, require_client_role
from kiri_core.services.errors import NotFound, QueueUnavailable, ValidationError
from kiri_core.storage import StorageIntegrityError, default_storage

ADSTOCKS = tuple(ADSTOCK_PARAMS)
ADSTOCK_LABELS = {"geometric": "Geometric", "weibull_cdf": "Weibull CDF",
                  "weibull_pdf": "Weibull PDF"}
PRESETS = {"quick": {"iterations": 300, "trials": 1}, "full": {"iterations": 2000, "trials": 5}}
DEFAULT_PRESET = "full"  # the engine's and Robyn's search; "quick" is a first look
# What a model explains (the config's dep_var_type) and so what its results show
OUTCOME_LABELS = {"revenue": "Revenue (ROAS)", "conversion": "Conversions (CPA)"}
CANCEL_GRACE = timedelta(seconds=20)

log = logging.getLogger(__name__)


def outcome_guess(column: str | None) -> str:
    """The likely ``dep_var_type`` of an outcome column: ``"conversion"`` when its name says
    it counts conversions (``"conversions"``, ``"orders"``, ``"leads"``, ``"Ordrar"``;
    :func:`~kiri_core.data.validation.is_conversion_name`), else ``"revenue"``."""
    return "conversion" if is_conversion_name(column) else "revenue"


def outcome_warning(dataset: Dataset, dep_var_type: str, currency: str) -> str | None:
    """Whether the dataset's outcome column looks like the other kind than ``dep_var_type``
    (:func:`~kiri_core.data.validation.outcome_kind_warning`), told before a run starts."""
    mapping, frame = dataset.column_mapping, datasets.stored_frame(dataset)
    column = mapping["revenue"]
    return outcome_kind_warning(column, float(frame[column].sum()),
                                float(frame[list(mapping["spend"])].to_numpy().sum()),
                                dep_var_type == "conversion", currency)


def known_truth(run: ModelRun) -> dict | None:
    """The truth the run's data was generated with, to check its estimates against; None
    for data not generated, and for a conversion model (the generator's truth is revenue)."""
    return None if is_conversion(run.config) else run.dataset.ground_truth


def default_config(dataset: Dataset, preset: str = DEFAULT_PRESET) -> dict[str, Any]:
    """A fit config from a dataset's column mapping (the keys of ``python -m kiri_core fit``'s
    ``config.json``, docs/engine.md); its ``dep_var_type`` is the :func:`outcome_guess` of
    the outcome column."""
    mapping = dataset.column_mapping
    return {
        "date_column": mapping["date"],
        "revenue_column": mapping["revenue"],
        "dep_var_type": outcome_guess(mapping["revenue"]),
        "spend_columns": list(mapping["spend"]),
        "context_columns": list(mapping.get("context", [])),
        "organic_columns": list(mapping.get("organic", [])),
        "adstock": "geometric",
        **PRESETS[preset],
        "seed": 1,
    }


# The run form's names of the config keys its choices fill in
FORM_LABELS = {"'spend_columns'": "\u201cSpend columns\u201d",
               "'context_columns'": "\u201cContext columns\u201d"}


def _in_form_words(problem: str) -> str:
    """A config problem in the run form's words: "“Spend columns” must list ...", not
    "config: 'spend_columns' must list ..."."""
    for key, label in FORM_LABELS.items():
        problem = problem.replace(key, label)
    return problem.removeprefix("config: ")


def _check_config(dataset: Dataset, run_config: dict[str, Any], engine: str) -> None:
    problems = [_in_form_words(str(p)) for p in
                validate_fit_config(run_config, dataset.column_mapping["columns"])]
    if engine not in ENGINES:
        problems.append(f"Unknown engine '{engine}'; choose one of {', '.join(ENGINES)}.")
    if problems:
        raise ValidationError(
            f"The run settings have {formatting.counted(len(problems), 'problem')}.", problems)


def _dataset_of_client(session: Session, client_id: int, dataset_id: int) -> Dataset:
    """The client's dataset a new run is to use; a deleted one is refused, in plain words."""
    dataset = session.get(Dataset, dataset_id, populate_existing=True)
    if dataset is None or dataset.client_id != client_id:
        raise NotFound(f"Dataset #{dataset_id} does not exist for this client.")
    if dataset.deleted_at is not None:
        raise ValidationError(
            f"Dataset {dataset.label} was deleted on {dataset.deleted_at:%Y-%m-%d}, so no new "
            "run can use it; start the run on another version.")
    return dataset


def _enqueue(session: Session, run: ModelRun) -> ModelRun:
    """Hand the committed run to the queue; a run the queue did not take is failed, not left
    queued for ever."""
    try:
        handle = queue.enqueue_run(run.id)
    except (RedisError, OSError) as exc:
        log.exception("run %s could not be queued", run.id)
        run.status, run.finished_at, run.failure_kind = "failed", utcnow(), "unexpected"
        run.error = ("The run could not be queued: the job queue did not answer. "
                     "Retry it once the queue is back.")
        session.commit()
        raise QueueUnavailable(
            f"Run #{run.number} could not be queued: the job queue did not answer "
            f"({type(exc).__name__}). The run is marked failed; retry it once the queue "
            "is back.") from exc
    run.job_id, run.pid = handle.job_id, handle.pid
    session.commit()
    return run


def start_run(
    session: Session,
    actor: User,
    client_id: int,
    dataset_id: int,
    run_config: dict[str, Any],
    engine: str = "kiri",
) -> ModelRun:
    """Create a queued run (analysts only) and hand it to the queue."""
    require_client_role(session, actor, client_id, "analyst")
    dataset = _dataset_of_client(session, client_id, dataset_id)
    _check_config(dataset, run_config, engine)
    _take_turn(session, client_id)
    _refuse_twin(session, client_id, dataset_id, run_config, engine)
    run = _add_run(session, ModelRun(client_id=client_id, dataset_id=dataset_id, engine=engine,
                                     config=dict(run_config), status="queued",
                                     created_by_id=actor.id))
    audit.record(session, actor, "run.start", client_id=client_id, target=("run", run.id),
                 details={"dataset_id": dataset_id, "engine": engine})
    session.commit()
    return _enqueue(session, run)


def _take_turn(session: Session, client_id: int) -> None:
    """Starts of one client's runs take turns, each until it commits (PostgreSQL: a lock on
    the client's row that lets other rows refer to it meanwhile), so each sees the runs
    started before it: for its twin check and its number."""
    session.get(Client, client_id, with_for_update={"key_share": True})


def _add_run(session: Session, run: ModelRun) -> ModelRun:
    """Add a new run, numbered its client's next (:func:`~kiri_core.db.models.number_new_runs`);
    on SQLite, which has no row locks, a start of the client's in another session at the
    same moment may have taken the number: nothing is kept, and the analyst is told."""
    session.add(run)
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise ValidationError(
            "Nothing was started: another run of this client was started at the same moment "
            "and took its number. Start the run again.") from exc
    return run


def _refuse_twin(session: Session, client_id: int, dataset_id: int, run_config: dict[str, Any],
                 engine: str) -> None:
    """A second click on Start run: the same data, engine and settings as a run still queued
    or running would only give the same models again."""
    active = session.scalars(select(ModelRun).where(
        ModelRun.client_id == client_id, ModelRun.dataset_id == dataset_id,
        ModelRun.engine == engine, ModelRun.status.in_(ACTIVE_RUN_STATUSES),
    ).execution_options(populate_existing=True))
    for run in active:
        if run.config == dict(run_config):
            raise ValidationError(
                f"Run #{run.number} with the same data and settings is already "
                f"{run.state}; "
                "wait for it, or change a setting (the seed, for example) to start another.")


def get_run(session: Session, actor: User, run_id: int) -> ModelRun:
    """A run the actor may see (viewer or better on its client)."""
    run = session.get(ModelRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(f"The run with id {run_id} does not exist.")
    require_client_role(session, actor, run.client_id, "viewer")
    return run


def list_runs(session: Session, actor: User, client_id: int) -> list[ModelRun]:
    """The client's run history, newest first."""
    require_client_role(session, actor, client_id, "viewer")
    query = select(ModelRun).where(ModelRun.client_id == client_id).order_by(ModelRun.id.desc())
    return list(session.scalars(query.execution_options(populate_existing=True)))


def finished_runs(session: Session, actor: User, client_id: int) -> list[ModelRun]:
    """The client's succeeded runs, newest first."""
    return [run for run in list_runs(session, actor, client_id) if run.status == "succeeded"]


def cancel_run(session: Session, actor: User, run_id: int) -> ModelRun:
    """Cancel a queued run at once, or ask a running one to stop (it stops within seconds)."""
    run = get_run(session, actor, run_id)
    require_client_role(session, actor, run.client_id, "analyst")
    if run.status not in ACTIVE_RUN_STATUSES:
        raise ValidationError(f"Run #{run.number} ({run.state}) was not "
                              "cancelled: only a run in progress can be cancelled.")
    run.cancel_requested_at = utcnow()
    if run.status == "queued":
        run.status, run.finished_at, run.error = "cancelled", utcnow(), "Cancelled on request."
        queue.cancel_queued(queue.JobHandle(job_id=run.job_id))
    audit.record(session, actor, "run.cancel", client_id=run.client_id, target=("run", run_id))
    session.commit()
    return run


# Errors (by class name) from a run's data or settings: the same run fails the same way again
INPUT_ERRORS = frozenset({"FitInputError", "DatasetError", "ValidationError"})
# Errors (by class name) whose message is written for people (kiri_core.robyn_r.runner)
WORDED_ERRORS = frozenset({"RobynNotInstalled", "RobynFailed", "RobynTimeout"})
MISSING_COLUMNS = "column(s) not found in the data: "  # kiri_core.engine.features
# What to do after a run failed on its data or settings; each input failure ends with one
NEXT_STEPS = {"columns": "Start a new run and pick the columns again.",
              "settings": "Start a new run with other settings, or correct the data on the "
                          "Data page."}
SAME_FAILURE = "it would run the same settings on the same data and fail the same way"


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _input_failure(message: str) -> str:
    if message.startswith(MISSING_COLUMNS):
        names = message.removeprefix(MISSING_COLUMNS).split(", ")
        quoted = ", ".join(f"\u201c{name}\u201d" for name in names)
        which = "column" if len(names) == 1 else "columns"
        return (f"The data has no {which} {quoted}, which the run's settings use. "
                f"{NEXT_STEPS['columns']}")
    return f"{_sentence(message)} {NEXT_STEPS['settings']}"


def failure_kind(error_class: str) -> str:
    """The kind of failure (:data:`~kiri_core.db.models.FAILURE_KINDS`) of a run the job
    failed with an error of the class named ``error_class``: ``"input"`` for an error of the
    data or the settings (:data:`INPUT_ERRORS`), ``"engine"`` for Robyn's worded errors
    (:data:`WORDED_ERRORS`), else ``"unexpected"``."""
    if error_class in INPUT_ERRORS:
        return "input"
    return "engine" if error_class in WORDED_ERRORS else "unexpected"


def failure_text(kind: str, message: str) -> str:
    """Why a run failed, in the user's words, from its :func:`failure_kind` and the message
    of the error the job raised: no class name (the worker's log keeps it), and what to do
    next. An ``"input"`` failure says what to change in a new run (:data:`NEXT_STEPS`);
    any other says to retry."""
    if kind == "input":
        return _input_failure(message)
    if kind == "engine":
        return _sentence(message)
    detail = f": {message.strip().rstrip('.')}" if message.strip() else ""
    return (f"The run stopped on an unexpected error{detail}. Retry it; if it fails again, an "
            "administrator can find the details in the worker's log.")


def retry_refusal(run: ModelRun) -> str | None:
    """Why a failed or cancelled run cannot run again (its dataset was deleted, or it failed
    on its data or settings, which a retry keeps), in the words the Runs page shows instead
    of Retry; None when :func:`retry_run` can take it."""
    if run.dataset.deleted_at is not None:
        return (f"Its dataset v{run.dataset.version} was deleted, so it cannot run again; "
                "start a new run on another version.")
    if _fails_again(run):
        return f"Retry is not offered: {SAME_FAILURE}."
    return None


def _fails_again(run: ModelRun) -> bool:
    """Whether the run failed on its data or settings: its error then ends with what to do
    instead (:data:`NEXT_STEPS`)."""
    return run.status == "failed" and run.failure_kind == "input"


def retry_run(session: Session, actor: User, run_id: int) -> ModelRun:
    """Start a new run with the same dataset, engine and config as a failed/cancelled one."""
    old = get_run(session, actor, run_id)
    if old.status not in ("failed", "cancelled"):
        raise ValidationError(f"Run #{old.number} ({old.state}) was not "
                              "retried: only a failed or cancelled run can be retried.")
    require_client_role(session, actor, old.client_id, "analyst")
    _dataset_of_client(session, old.client_id, old.dataset_id)
    if _fails_again(old):
        raise ValidationError(f"Run #{old.number} was not retried: {SAME_FAILURE}. {old.error}")
    _take_turn(session, old.client_id)
    _refuse_twin(session, old.client_id, old.dataset_id, old.config, old.engine)
    run = _add_run(session, ModelRun(client_id=old.client_id, dataset_id=old.dataset_id,
                                     engine=old.engine, config=dict(old.config),
                                     status="queued", created_by_id=actor.id,
                                     retry_of_id=old.id))
    audit.record(session, actor, "run.retry", client_id=old.client_id, target=("run", run.id),
                 details={"retry_of": old.id})
    session.commit()
    return _enqueue(session, run)


def run_artifacts(session: Session, actor: User, run_id: int) -> list[RunArtifact]:
    get_run(session, actor, run_id)
    query = select(RunArtifact).where(RunArtifact.run_id == run_id).order_by(RunArtifact.kind)
    return list(session.scalars(query))


def load_artifact(session: Session, actor: User, run_id: int, kind: str) -> bytes:
    """The bytes of one run artifact, checked against its stored checksum."""
    run = get_run(session, actor, run_id)
    artifact = session.scalar(
        select(RunArtifact).where(RunArtifact.run_id == run_id, RunArtifact.kind == kind)
    )
    if artifact is None:
        raise NotFound(f"Run #{run.number} has no {kind} artifact.")
    try:
        return default_storage().get_bytes(artifact.storage_key, artifact.checksum)
    except StorageIntegrityError as exc:
        raise NotFound(f"The {kind} of run #{run.number} cannot be read: {exc}") from exc


def load_result(session: Session, actor: User, run_id: int) -> dict[str, Any]:
    """The run's result document (docs/result-format.md)."""
    run = get_run(session, actor, run_id)
    if run.status != "succeeded":
        raise NotFound(f"Run #{run.number} ({run.state}) has no result.")
    return json.loads(load_artifact(session, actor, run_id, "result"))


def choose_model(session: Session, actor: User, run_id: int, model_id: str) -> ModelRun:
    """Make one of the run's models the client's model for everyone (analysts and admins);
    the recommended model's id goes back to the recommendation. The run's row then keeps
    that model's figures, which the client home and the run lists show."""
    run = get_run(session, actor, run_id)
    require_client_role(session, actor, run.client_id, "analyst")
    result = load_result(session, actor, run_id)
    if model_id not in {m["model_id"] for m in result["models"]}:
        raise ValidationError(f"Run #{run.number} has no model \u201c{model_id}\u201d; pick one "
                              "of the models on its Pareto front.")
    recommended = model_id == result["model_id"]
    run.chosen_model_id = None if recommended else model_id
    model = model_by_id(result, model_id)  # the run's row shows the client's model
    run.metrics, run.channels = model["metrics"], channel_summary(model)
    run.chosen_by, run.chosen_at = current_actor(session, actor), utcnow()
    audit.record(session, actor, "run.model.recommended" if recommended else "run.model.choose",
                 client_id=run.client_id, target=("run", run_id), details={"model": model_id})
    session.commit()
    return run


def _fail_stale(session: Session, run: ModelRun, reason: str) -> None:
    run.status, run.finished_at, run.error = "failed", utcnow(), reason
    run.failure_kind = "unexpected"
    audit.record(session, None, "run.reaped", client_id=run.client_id, target=("run", run.id))


def _finish_unhonoured_cancel(run: ModelRun) -> None:
    queue.stop(queue.JobHandle(job_id=run.job_id, pid=run.pid))
    run.status, run.finished_at, run.error = "cancelled", utcnow(), "Cancelled on request."


def _stale_reason(run: ModelRun, now: datetime, timeout: timedelta) -> str | None:
    """Why an active run will never finish, or None while it may."""
    if run.status == "running" and (run.heartbeat_at or run.started_at) < now - timeout:
        return (f"The worker stopped responding (no heartbeat for over "
                f"{int(timeout.total_seconds())} s); it was probably stopped or crashed. "
                "Retry the run.")
    if run.status == "queued" and run.created_at < now - timeout \
            and queue.never_starts(queue.JobHandle(job_id=run.job_id, pid=run.pid)):
        return ("The run was queued but never started (its job left the queue, or its process "
                "ended). Retry the run.")
    return None


def reap_stale_runs(session: Session) -> list[int]:
    """Fail runs that will never finish; finish cancellations the job did not honour.

    Never finish: running without a heartbeat for ``KIRI_HEARTBEAT_TIMEOUT`` s, or queued
    that long with a job that will not start. Run by the worker every few seconds and by
    the app on every page load; safe to run anywhere, any number of times. Returns the ids
    of the runs it changed.
    """
    timeout = timedelta(seconds=config.heartbeat_timeout_seconds())
    now = utcnow()
    # a run whose result is being stored is locked by its job: left for the next round
    active = session.scalars(select(ModelRun).where(ModelRun.status.in_(ACTIVE_RUN_STATUSES))
                             .with_for_update(of=ModelRun, skip_locked=True)
                             .execution_options(populate_existing=True))
    changed = []
    for run in active:
        if reason := _stale_reason(run, now, timeout):
            _fail_stale(session, run, reason)
        elif run.status == "running" and run.cancel_requested_at is not None \
                and run.cancel_requested_at < now - CANCEL_GRACE:
            _finish_unhonoured_cancel(run)
        else:
            continue
        changed.append(run.id)
    session.commit()
    return changed
