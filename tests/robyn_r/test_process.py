"""A real R process group (sleeper.R: an R leader and its R child) is stopped as a whole."""

from __future__ import annotations

import pytest

from kiri_core.robyn_r.process import ProcessOutcome, run_process_group


@pytest.fixture
def run_sleeper(rscript, sleeper_r, pids_of):
    def run(mode: str, *, timeout_s: float, cancel_when_child: bool):
        stdout: list[str] = []
        stderr: list[str] = []
        outcome: ProcessOutcome = run_process_group(
            [rscript, str(sleeper_r), mode], on_stdout=stdout.append, on_stderr=stderr.append,
            should_cancel=lambda: cancel_when_child and "CHILD" in pids_of(stdout),
            timeout_s=timeout_s,
        )
        return outcome, stdout, stderr

    return run


def test_cancel_stops_the_r_leader_and_its_child(run_sleeper, pids_of, assert_nothing_left):
    outcome, stdout, stderr = run_sleeper("sleep", timeout_s=120, cancel_when_child=True)
    assert outcome.cancelled and not outcome.timed_out
    assert outcome.returncode != 0
    assert "KIRI_PROGRESS 0.5" in stdout
    assert stderr == ["sleeper: started"] and outcome.stderr_tail == ("sleeper: started",)
    assert_nothing_left(pids_of(stdout))


def test_time_out_stops_the_r_leader_and_its_child(run_sleeper, pids_of, assert_nothing_left):
    outcome, stdout, _ = run_sleeper("sleep", timeout_s=6, cancel_when_child=False)
    assert outcome.timed_out and not outcome.cancelled
    assert_nothing_left(pids_of(stdout))


def test_a_normal_exit_leaves_no_child_behind(run_sleeper, pids_of, assert_nothing_left):
    outcome, stdout, _ = run_sleeper("exit", timeout_s=120, cancel_when_child=False)
    assert outcome.returncode == 0
    assert not outcome.cancelled and not outcome.timed_out
    assert_nothing_left(pids_of(stdout))


def test_a_missing_command_fails_before_anything_starts() -> None:
    with pytest.raises(FileNotFoundError):
        run_process_group(["/nonexistent/Rscript"], on_stdout=print, on_stderr=print,
                          should_cancel=lambda: False, timeout_s=5)
