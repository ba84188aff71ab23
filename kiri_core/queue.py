"""Start jobs off the UI thread: on RQ when ``REDIS_URL`` is set, else in a background process.

Both paths run the same job code: :func:`kiri_core.jobs.execute_run` for a model run,
:func:`kiri_core.bigquery.background.execute_import` for a BigQuery import (the background
process is ``python -m kiri_core.jobs run|import <id>``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job, JobStatus

from kiri_core import config

RUN_QUEUE = "kiri-runs"
DEFAULT_QUEUE = "kiri-default"
QUEUE_NAMES = (RUN_QUEUE, DEFAULT_QUEUE)
RUN_JOB_TIMEOUT_S = 6 * 3600
REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class JobHandle:
    """Where a run executes: an RQ job id, or the process id of the embedded runner."""

    job_id: str | None = None
    pid: int | None = None


def redis_connection(url: str | None = None) -> Redis:
    url = url or config.redis_url()
    if url is None:
        raise RuntimeError("REDIS_URL is not set; there is no RQ queue to use.")
    return Redis.from_url(url)


def get_queue(name: str = RUN_QUEUE, connection: Redis | None = None) -> Queue:
    """One of the app's RQ queues (``kiri-runs`` for model runs, ``kiri-default`` else)."""
    return Queue(name, connection=connection or redis_connection())


def enqueue_job(
    function: str, object_id: int, *, command: str, queue_name: str, job_timeout: int,
    description: str,
) -> JobHandle:
    """Queue ``function(object_id)`` on RQ, or run it in a background process.

    Parameters
    ----------
    function
        Dotted path of the job function (RQ imports it in the worker).
    command
        The ``python -m kiri_core.jobs`` command that calls the same function.
    """
    if config.redis_url():
        job = get_queue(queue_name).enqueue(
            function, object_id, job_timeout=job_timeout, result_ttl=3600,
            failure_ttl=7 * 86400, description=description,
        )
        return JobHandle(job_id=job.id)
    return JobHandle(pid=_start_background_process(command, object_id))


def enqueue_run(run_id: int) -> JobHandle:
    """Queue ``execute_run(run_id)`` on RQ, or start it in a background process."""
    return enqueue_job(
        "kiri_core.jobs.execute_run", run_id, command="run", queue_name=RUN_QUEUE,
        job_timeout=RUN_JOB_TIMEOUT_S, description=f"model run {run_id}",
    )


def _start_background_process(command: str, object_id: int) -> int:
    log_dir = config.data_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"{command}-{object_id}.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiri_core.jobs", command, str(object_id)],
            cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    threading.Thread(target=process.wait, daemon=True).start()  # reap when it ends
    return process.pid


def cancel_queued(handle: JobHandle) -> None:
    """Remove a job that has not started yet from its RQ queue."""
    if handle.job_id and config.redis_url():
        with contextlib.suppress(NoSuchJobError, InvalidJobOperation):
            Job.fetch(handle.job_id, connection=redis_connection()).cancel()


def stop(handle: JobHandle) -> None:
    """Hard stop of a started job: RQ's stop-job command, or SIGTERM to the process group."""
    if handle.job_id and config.redis_url():
        with contextlib.suppress(NoSuchJobError, InvalidJobOperation):
            send_stop_job_command(redis_connection(), handle.job_id)
    elif handle.pid and process_alive(handle.pid):
        with contextlib.suppress(ProcessLookupError):  # it ended just now
            os.killpg(handle.pid, signal.SIGTERM)


def never_starts(handle: JobHandle) -> bool:
    """True when a job that has not started yet never will.

    Its RQ job is gone or already ended (finished, failed, stopped, cancelled), or its
    background process has exited, or it was never handed to either. An RQ job cannot be
    looked at without ``REDIS_URL`` or while Redis does not answer; it is then taken as
    still waiting.
    """
    if handle.job_id:
        if not config.redis_url():
            return False
        try:
            status = Job.fetch(handle.job_id, connection=redis_connection()).get_status()
        except NoSuchJobError:
            return True
        except RedisError:  # Redis not answering: the job may still be waiting there
            return False
        return status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED,
                          JobStatus.CANCELED)
    return handle.pid is None or not process_alive(handle.pid)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
