"""Running R scripts with real Rscript: progress, errors, cancel and time-out."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiri_core.robyn_r.runner import (
    RUN_ROBYN_R,
    ProgressLines,
    RobynCancelled,
    RobynFailed,
    RobynNotInstalled,
    RobynTimeout,
    run_r_script,
)


def test_no_rscript_is_robyn_not_installed(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIRI_RSCRIPT", str(tmp_path / "no-such-Rscript"))
    with pytest.raises(RobynNotInstalled, match=r"^Rscript was not found at .*no-such-Rscript "
                       r"\(KIRI_RSCRIPT\), so Robyn \(R\) cannot run\."):
        run_r_script(RUN_ROBYN_R, ["--check"], print, lambda: False, 10, print)


def test_cancel_raises_robyn_cancelled_and_stops_every_r_process(
    sleeper_r: Path, pids_of, assert_nothing_left
) -> None:
    progress: list[float] = []
    log: list[str] = []
    with pytest.raises(RobynCancelled):
        run_r_script(sleeper_r, ["sleep"], progress.append,
                     lambda: "CHILD" in pids_of(log), 120, log.append)
    assert progress == [0.5]
    assert "sleeper: started" in log and not any(line.startswith("KIRI_") for line in log)
    assert_nothing_left(pids_of(log))


def test_time_out_raises_robyn_timeout_and_stops_every_r_process(
    sleeper_r: Path, pids_of, assert_nothing_left
) -> None:
    log: list[str] = []
    with pytest.raises(RobynTimeout, match="time limit of 6 s"):
        run_r_script(sleeper_r, ["sleep"], lambda _f: None, lambda: False, 6, log.append)
    assert_nothing_left(pids_of(log))


def test_settings_r_refuses_are_named(rscript: str, tmp_path: Path) -> None:
    with pytest.raises(RobynFailed, match="refused the run settings: usage: Rscript"):
        run_r_script(RUN_ROBYN_R, ["one", "two"], lambda _f: None, lambda: False, 60,
                     lambda _line: None)


def test_an_r_error_is_robyn_failed_with_the_end_of_rs_output(
    rscript: str, tmp_path: Path
) -> None:
    script = tmp_path / "broken.R"
    script.write_text('message("loading data"); stop("column revenue has no values")\n')
    with pytest.raises(RobynFailed, match="exit code 1") as failure:
        run_r_script(script, [], lambda _f: None, lambda: False, 60, lambda _line: None)
    assert "column revenue has no values" in str(failure.value)
    assert "loading data" in str(failure.value)


def test_progress_lines_map_trials_and_robyns_bar_onto_the_run() -> None:
    tracker = ProgressLines()
    fed = [tracker.feed(line) for line in (
        "KIRI_PROGRESS 0.020",
        "  |=====                     |  20%",  # a bar before any trial: not progress
        "KIRI_PROGRESS 0.100",
        "KIRI_TRIAL 1 5",
        "  |==========                |  50%",
        "  |==========                |  50%",
        "KIRI_TRIAL 2 5",
        "  |====================      | 100%",
        ">>> Running Pareto calculations",
        "KIRI_PROGRESS 0.85",
        "KIRI_PROGRESS 0.5",  # never backwards
    )]
    expected = [0.02, None, 0.1, None, 0.175, None, 0.25, 0.4, None, 0.85, None]
    assert [None if f is None else round(f, 6) for f in fed] == expected
