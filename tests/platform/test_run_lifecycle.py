"""Model runs end to end on real parts: the embedded runner (SQLite and PostgreSQL) and a real
RQ worker on Redis + PostgreSQL; cancel, retry, and a worker killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from rq.job import Job

from kiri_core import config, jobs, queue
from kiri_core.db.models import ModelRun
from kiri_core.db.session import session_factory
from kiri_core.services import datasets, runs
from kiri_core.services.errors import QueueUnavailable, ValidationError
from kiri_core.storage import default_storage, sha256

REPO_ROOT = Path(__file__).resolve().parents[2]
SMALL = {"iterations": 30, "trials": 1}
LONG = {"iterations": 20000, "trials": 1}  # killed or cancelled long before the end
MEDIUM = {"iterations": 6000, "trials": 1}  # long enough to be frozen while it searches


def fresh_run(url: str, run_id: int) -> ModelRun:
    with session_factory(url)() as session:
        return session.get(ModelRun, run_id)


def wait_for(url: str, run_id: int, done, timeout: float = 240.0) -> ModelRun:
    """Poll the run row until ``done(run)`` holds (a run stuck anywhere fails the test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = fresh_run(url, run_id)
        if done(run):
            return run
        time.sleep(0.5)
    pytest.fail(f"run {run_id} stuck as {run.status} at {run.progress:.0%}: {run.error}")


def finished(run: ModelRun) -> bool:
    return run.status in ("succeeded", "failed", "cancelled")


def started(run: ModelRun) -> bool:
    return run.status != "queued" and run.progress > 0


@pytest.fixture
def acme(session, team):
    dataset = datasets.generate_dataset(session, team.analyst, team.client.id, 104, 3)
    return team, dataset


def start(session, acme, size: dict) -> ModelRun:
    team, dataset = acme
    config = {**runs.default_config(dataset), **size}
    return runs.start_run(session, team.analyst, team.client.id, dataset.id, config)


def check_succeeded(session, team, run: ModelRun) -> None:
    assert run.status == "succeeded", run.error
    assert run.progress == 1.0 and run.finished_at >= run.started_at
    result = runs.load_result(session, team.viewer, run.id)
    assert set(result["channels"]) == {"spend_meta", "spend_google", "spend_tiktok",
                                       "spend_email"}
    assert run.metrics["rsq"] == result["metrics"]["rsq"]
    assert run.channels["spend_meta"]["roas"] == result["channels"]["spend_meta"]["roas"]
    (artifact,) = runs.run_artifacts(session, team.viewer, run.id)
    data = default_storage().get_bytes(artifact.storage_key)
    assert artifact.kind == "result" and sha256(data) == artifact.checksum


def test_embedded_runner_completes_a_real_run(session, acme, platform_env):
    team, _ = acme
    run = start(session, acme, SMALL)
    assert run.status == "queued" and run.pid is not None and run.job_id is None
    check_succeeded(session, team, wait_for(platform_env, run.id, finished))
    # the run's process is gone; prophet's fit stays on disk for the next run on this data
    assert len(list(config.prophet_cache_dir().glob("*.npz"))) == 1


def test_a_run_that_fails_on_its_data_says_what_to_do_and_offers_no_retry(session, acme):
    """A setting naming a column the data lacks fails the run as an "input" failure, in the
    user's words, with no class name and what to do next; Retry would fail the same way, so
    it is refused, while a run whose worker died may still be retried."""
    team, dataset = acme
    bad = ModelRun(client_id=team.client.id, dataset_id=dataset.id, status="queued",
                   config={**runs.default_config(dataset), **SMALL, "context_columns": ["tv_grp"]},
                   created_by_id=team.analyst.id)
    died = ModelRun(client_id=team.client.id, dataset_id=dataset.id, status="failed",
                    config=runs.default_config(dataset), created_by_id=team.analyst.id,
                    error="The worker stopped responding (no heartbeat for over 60 s).",
                    failure_kind="unexpected")
    session.add_all([bad, died])
    session.commit()
    assert jobs.execute_run(bad.id) == "failed"
    session.expire_all()
    assert (bad.status, bad.failure_kind) == ("failed", "input")
    assert bad.error == ("The data has no column \u201ctv_grp\u201d, which the run's settings "
                         "use. Start a new run and pick the columns again.")
    assert runs.retry_refusal(bad) == ("Retry is not offered: it would run the same settings "
                                       "on the same data and fail the same way.")
    with pytest.raises(ValidationError, match=rf"^Run #{bad.number} was not retried: it would "
                                              r"run the same settings .* fail the same way\. "
                                              r"The data has no column .* Start a new run and "
                                              r"pick the columns again\.$"):
        runs.retry_run(session, team.analyst, bad.id)
    assert runs.retry_refusal(died) is None
    assert len(runs.list_runs(session, team.viewer, team.client.id)) == 2


def test_killed_run_is_failed_by_the_reaper_then_retried_and_cancelled(
    session, acme, platform_env, monkeypatch
):
    team, _ = acme
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "3")
    run = start(session, acme, LONG)
    running = wait_for(platform_env, run.id, started)
    os.killpg(running.pid, signal.SIGKILL)
    time.sleep(4)
    assert run.id in runs.reap_stale_runs(session)
    failed = runs.get_run(session, team.viewer, run.id)
    assert failed.status == "failed" and "worker stopped responding" in failed.error
    assert failed.failure_kind == "unexpected"  # a retry may cure it

    retry = runs.retry_run(session, team.analyst, run.id)
    assert retry.retry_of_id == run.id and retry.config == failed.config
    wait_for(platform_env, retry.id, started)
    runs.cancel_run(session, team.analyst, retry.id)
    cancelled = wait_for(platform_env, retry.id, finished, timeout=30)
    assert cancelled.status == "cancelled" and cancelled.progress < 1.0
    history = runs.list_runs(session, team.viewer, team.client.id)
    assert [r.status for r in history] == ["cancelled", "failed"]


def test_a_cancel_the_job_cannot_honour_is_enforced_by_stopping_it(session, acme, platform_env):
    team, _ = acme
    run = start(session, acme, LONG)
    pid = wait_for(platform_env, run.id, started).pid
    os.killpg(pid, signal.SIGSTOP)  # frozen: it can neither see the request nor beat
    try:
        runs.cancel_run(session, team.analyst, run.id)
        assert runs.reap_stale_runs(session) == []  # within the grace period nothing happens
        requested = runs.get_run(session, team.analyst, run.id)
        requested.cancel_requested_at -= runs.CANCEL_GRACE
        session.commit()
        assert runs.reap_stale_runs(session) == [run.id]
    finally:
        os.killpg(pid, signal.SIGCONT)  # the SIGTERM sent by the reaper is delivered now
    stopped = runs.get_run(session, team.viewer, run.id)
    assert stopped.status == "cancelled"
    deadline = time.monotonic() + 30
    while queue.process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not queue.process_alive(pid)


def test_a_result_that_comes_after_the_reaper_failed_the_run_is_not_stored(
    session, acme, platform_env, monkeypatch
):
    """A worker frozen past the heartbeat timeout is failed by the reaper; when it wakes up,
    it stops, and the run stays failed with the reaper's reason (no result under it)."""
    team, _ = acme
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "3")
    run = start(session, acme, MEDIUM)
    pid = wait_for(platform_env, run.id, started).pid
    os.killpg(pid, signal.SIGSTOP)
    try:
        time.sleep(4)
        assert runs.reap_stale_runs(session) == [run.id]
    finally:
        os.killpg(pid, signal.SIGCONT)
    deadline = time.monotonic() + 120
    while queue.process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not queue.process_alive(pid)
    ended = fresh_run(platform_env, run.id)
    assert ended.status == "failed" and "worker stopped responding" in ended.error
    assert runs.run_artifacts(session, team.viewer, run.id) == []


def test_a_run_the_queue_cannot_take_is_failed_and_says_so(session, acme, platform_env,
                                                            monkeypatch):
    """Redis not answering: the analyst is told, the run is failed (not queued for ever, which
    would also refuse every later start as its twin), and starts again once Redis is back."""
    team, _ = acme
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    with pytest.raises(QueueUnavailable, match=r"could not be queued: the job queue did not "
                                               r"answer \(ConnectionError\)"):
        start(session, acme, SMALL)
    (failed,) = runs.list_runs(session, team.viewer, team.client.id)
    assert failed.status == "failed" and "could not be queued" in failed.error
    assert failed.failure_kind == "unexpected" and runs.retry_refusal(failed) is None
    monkeypatch.delenv("REDIS_URL")
    again = start(session, acme, SMALL)
    assert again.status == "queued" and again.pid is not None
    wait_for(platform_env, again.id, finished)


def test_only_failed_or_cancelled_runs_can_be_retried(session, acme, platform_env):
    team, _ = acme
    run = start(session, acme, SMALL)
    wait_for(platform_env, run.id, finished)
    with pytest.raises(ValidationError, match=rf"^Run #{run.number} \(succeeded\) was not "
                                              "retried: only a failed or cancelled run"):
        runs.retry_run(session, team.analyst, run.id)
    with pytest.raises(ValidationError, match=rf"^Run #{run.number} \(succeeded\) was not "
                                              "cancelled: only a run in progress"):
        runs.cancel_run(session, team.analyst, run.id)


def test_a_second_start_of_a_run_in_progress_is_refused(session, acme, platform_env):
    """A double click on Start run or Retry: the same data, engine and settings as a queued
    or running run are refused, naming it; another seed starts; once it has ended the same
    settings start again."""
    team, dataset = acme
    first = start(session, acme, LONG)
    with pytest.raises(ValidationError, match=f"Run #{first.number} with the same data and "
                                              "settings is already in progress; wait"):
        start(session, acme, LONG)
    other = start(session, acme, {**LONG, "seed": 2})
    for run in (first, other):
        runs.cancel_run(session, team.analyst, run.id)
        wait_for(platform_env, run.id, finished, timeout=60)
    retry = runs.retry_run(session, team.analyst, first.id)  # a double click on Retry
    with pytest.raises(ValidationError, match=f"Run #{retry.number} with the same data"):
        runs.retry_run(session, team.analyst, first.id)
    runs.cancel_run(session, team.analyst, retry.id)
    wait_for(platform_env, retry.id, finished, timeout=60)
    again = start(session, acme, LONG)
    runs.cancel_run(session, team.analyst, again.id)
    wait_for(platform_env, again.id, finished, timeout=60)
    assert len(runs.list_runs(session, team.viewer, team.client.id)) == 4


def test_bad_run_settings_are_refused_before_queueing(session, acme):
    team, dataset = acme
    config = {**runs.default_config(dataset), "spend_columns": ["spend_meta", "nope"],
              "adstock": "cubic", "iterations": 0}
    with pytest.raises(ValidationError) as raised:
        runs.start_run(session, team.analyst, team.client.id, dataset.id, config)
    text = " ".join(raised.value.problems)
    assert "'nope' is not in the data" in text and "cubic" in text and "iterations" in text
    assert not [p for p in raised.value.problems if p.startswith("config:")]
    one = {**config, "spend_columns": ["spend_meta"], "adstock": "geometric", "iterations": 30}
    with pytest.raises(ValidationError) as raised:
        runs.start_run(session, team.analyst, team.client.id, dataset.id, one)
    assert raised.value.problems == ["\u201cSpend columns\u201d must list at least 2 spend columns"]
    assert runs.list_runs(session, team.analyst, team.client.id) == []


def test_the_default_config_is_the_full_search_of_what_the_outcome_column_holds(session,
                                                                              acme):
    team, revenue = acme
    frame = datasets.stored_frame(revenue).rename(columns={"revenue": "leads"})
    leads = datasets.save_dataset(session, team.analyst, team.client.id, frame,
                                  datasets.suggest_mapping(frame), name="Leads", source="upload")
    config = runs.default_config(revenue)
    assert (config["iterations"], config["trials"], config["dep_var_type"]) == (2000, 5,
                                                                              "revenue")
    quick = runs.default_config(leads, "quick")
    assert (quick["iterations"], quick["trials"], quick["revenue_column"],
            quick["dep_var_type"]) == (300, 1, "leads", "conversion")


# --- a real RQ worker on Redis + PostgreSQL ------------------------------------------


@pytest.fixture
def rq_env(platform_env, redis_url, monkeypatch):
    """PostgreSQL + Redis settings (the production set-up) for this process and workers."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    return platform_env


def start_worker(command: list[str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=dict(os.environ), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_rq_worker_completes_a_real_run(rq_env, session, acme, tmp_path):
    team, _ = acme
    worker = start_worker([sys.executable, "-m", "rq.cli", "worker", "--url",
                           os.environ["REDIS_URL"], "kiri-runs"], tmp_path / "rq.log")
    try:
        run = start(session, acme, SMALL)
        assert run.job_id is not None and run.status == "queued"
        check_succeeded(session, team, wait_for(rq_env, run.id, finished))
    finally:
        stop_worker(worker)


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_queued_run_whose_job_left_the_queue_is_failed(rq_env, session, acme, monkeypatch):
    """Redis lost the job (flushed, or evicted) before any worker took it: after the
    heartbeat timeout the run is failed, while a run whose job still waits is left queued."""
    team, _ = acme
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "3")
    lost, waiting = start(session, acme, SMALL), start(session, acme, {**SMALL, "seed": 2})
    try:
        Job.fetch(lost.job_id, connection=queue.redis_connection()).delete()
        for run in (lost, waiting):
            run.created_at -= timedelta(seconds=4)
        session.commit()
        assert runs.reap_stale_runs(session) == [lost.id]
        session.expire_all()
        assert lost.status == "failed" and "queued but never started" in lost.error
        assert waiting.status == "queued"
    finally:
        queue.cancel_queued(queue.JobHandle(job_id=waiting.job_id))


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_killing_the_worker_mid_run_marks_the_run_failed(rq_env, session, acme, tmp_path,
                                                         monkeypatch):
    team, _ = acme
    monkeypatch.setenv("KIRI_HEARTBEAT_TIMEOUT", "6")
    worker = start_worker([sys.executable, "worker.py"], tmp_path / "worker.log")
    try:
        run = start(session, acme, LONG)
        horse = wait_for(rq_env, run.id, started).pid  # RQ's work horse, in its own session
        os.killpg(worker.pid, signal.SIGKILL)  # the whole machine dies: worker and horse
        os.killpg(horse, signal.SIGKILL)
        worker.wait()
        rescuer = start_worker([sys.executable, "worker.py"], tmp_path / "rescuer.log")
        try:
            failed = wait_for(rq_env, run.id, finished, timeout=60)
        finally:
            stop_worker(rescuer)
    finally:
        stop_worker(worker)
    assert failed.status == "failed" and "worker stopped responding" in failed.error


def test_a_queued_or_running_run_reads_in_progress_and_an_ended_one_its_status():
    """The words of the Runs page, the run pickers and the services' refusals alike."""
    states = ("queued", "running", "succeeded", "failed", "cancelled")
    assert [ModelRun(status=s).state for s in states] == [
        "in progress", "in progress", "succeeded", "failed", "cancelled"]
