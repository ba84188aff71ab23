"""Fixtures for the Robyn-in-R adapter: real Rscript, and /proc checks for leftover processes."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from kiri_core.robyn_demo import EXPOSURES, robyn_demo_config

SLEEPER_R = Path(__file__).resolve().parent / "sleeper.R"
KILL_WAIT_S = 5.0


@pytest.fixture(scope="session")
def demo_config() -> dict:
    """The settings of ../shared/data/robyn_r_outputs (its README) as a Kiri config."""
    return robyn_demo_config(exposure_columns=dict(EXPOSURES), iterations=2000, trials=5,
                             seed=123)


@pytest.fixture(scope="session")
def rscript() -> str:
    """Debian's Rscript; r-base-core is installed by `make test` (scripts/install-system.sh)."""
    path = shutil.which("Rscript")
    assert path, "Rscript not found: install the Debian package r-base-core"
    return path


@pytest.fixture(scope="session")
def sleeper_r() -> Path:
    """Test-only R script: an R leader that starts an R child, then sleeps or exits."""
    return SLEEPER_R


def live_state(pid: int) -> str | None:
    """The process state letter of ``pid`` from /proc, None if it is gone or a zombie.

    A killed child of a killed parent stays a zombie until PID 1 reaps it; a zombie runs
    nothing, so it counts as gone.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    state = stat.rsplit(")", 1)[1].split()[0]
    return None if state in ("Z", "X") else state


def live_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes of process group ``pgid``, read from /proc."""
    members = []
    for stat_path in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_path.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        state, pgrp = fields[0], int(fields[2])
        if pgrp == pgid and state not in ("Z", "X"):
            members.append(int(stat_path.parent.name))
    return members


@pytest.fixture
def assert_nothing_left() -> Callable[[dict[str, int]], None]:
    """Check that the sleeper's leader, its child and their process group are all gone."""

    def check(pids: dict[str, int]) -> None:
        assert set(pids) == {"LEADER", "CHILD"}, f"the sleeper did not report both: {pids}"
        leader = pids["LEADER"]  # a session leader: its pid is the process group id
        # SIGKILL is delivered at once but a process takes a moment to finish dying; a
        # process still alive after KILL_WAIT_S was not killed.
        deadline = time.monotonic() + KILL_WAIT_S
        while live_members(leader) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert live_members(leader) == []
        assert live_state(pids["CHILD"]) is None
        assert live_state(leader) is None

    return check


def sleeper_ids(lines: list[str]) -> dict[str, int]:
    """``{"LEADER": pid, "CHILD": pid}`` from the sleeper's output lines."""
    return {line.split()[0]: int(line.split()[1]) for line in lines
            if line.startswith(("LEADER", "CHILD"))}


@pytest.fixture
def pids_of() -> Callable[[list[str]], dict[str, int]]:
    return sleeper_ids
