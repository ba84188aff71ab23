"""Start jobs off the UI thread: on RQ when ``REDIS_URL`` is set, else in a background process.

Both paths run the same job code, :func:`kiri_core.jobs.execute_run`.
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
from rq import Queue
from rq.command import send_stop_job_command
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job

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


def enqueue_run(run_id: int) -> JobHandle:
    """Queue ``execute_run(run_id)`` on RQ, or start it in a background process."""
    if config.redis_url():
        job = get_queue(RUN_QUEUE).enqueue(
            "kiri_core.jobs.execute_run", run_id, job_timeout=RUN_JOB_TIMEOUT_S,
            result_ttl=3600, failure_ttl=7 * 86400, description=f"model run {run_id}",
        )
        return JobHandle(job_id=job.id)
    return JobHandle(pid=_start_background_process(run_id))


def _start_background_process(run_id: int) -> int:
    log_dir = config.data_dir() / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / f"run-{run_id}.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kiri_core.jobs", "run", str(run_id)],
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
        os.killpg(handle.pid, signal.SIGTERM)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
