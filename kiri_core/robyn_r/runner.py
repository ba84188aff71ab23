"""Run an R script of the Robyn engine (``r/run_robyn.R``) and read its protocol.

The R template prints protocol lines on stdout (``KIRI_PROGRESS``, ``KIRI_TRIAL``,
``KIRI_SELECTED``, ``KIRI_OUTPUT``), Robyn's own progress bar (``|====   |  45%``) inside each
trial, and its messages on stderr; a failure ends with ``KIRI_ERROR <message>`` on stderr and
an exit code saying what kind of failure it was. Light on imports: the availability check and
the run form use it without loading the engine.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from kiri_core.robyn_r.process import ProcessOutcome, run_process_group

ENGINE = "robyn-r"
REPO_ROOT = Path(__file__).resolve().parents[2]
RUN_ROBYN_R = REPO_ROOT / "r" / "run_robyn.R"
EXIT_USAGE = 2
EXIT_MISSING = 3
TRAIN_START, TRAIN_END = 0.10, 0.85  # progress span of robyn_run's trials (see run_robyn.R)
HOW_TO_ENABLE = (
    "Install R, the Robyn package and its Python dependency nevergrad on the worker "
    "(or build the Docker image's 'robyn' target), then restart the worker."
)

_BAR_PERCENT = re.compile(r"\|\s*(\d{1,3})%\s*$")


class RobynError(RuntimeError):
    """A Robyn (R) run did not produce a result."""


class RobynNotInstalled(RobynError):
    """Rscript, the Robyn package or nevergrad is missing on this machine."""


class RobynFailed(RobynError):
    """Robyn ran and failed; the message holds the end of its error output."""


class RobynTimeout(RobynError):
    """The run took longer than its time limit and was stopped."""


class RobynCancelled(RobynError):
    """The run was cancelled on request and stopped."""


class ProgressLines:
    """Turns the R template's stdout into progress fractions (never decreasing).

    ``KIRI_PROGRESS f`` sets the fraction; ``KIRI_TRIAL k n`` starts trial ``k`` of ``n``,
    after which Robyn's progress bar percentage ``p`` moves the fraction to
    ``TRAIN_START + (TRAIN_END - TRAIN_START) * (k - 1 + p / 100) / n``.
    """

    def __init__(self) -> None:
        self.fraction = 0.0
        self._trial: tuple[int, int] | None = None

    def feed(self, line: str) -> float | None:
        """The new fraction if ``line`` moves progress forward, else None."""
        key, _, value = line.strip().partition(" ")
        if key == "KIRI_PROGRESS":
            self._trial = None
            return self._advance(float(value))
        if key == "KIRI_TRIAL":
            k, n = (int(part) for part in value.split())
            self._trial = (k, n)
            return self._advance(self._trial_fraction(0.0))
        match = _BAR_PERCENT.search(line)
        if match and self._trial is not None:
            return self._advance(self._trial_fraction(min(float(match.group(1)), 100.0)))
        return None

    def _trial_fraction(self, percent: float) -> float:
        k, n = self._trial or (1, 1)
        return TRAIN_START + (TRAIN_END - TRAIN_START) * (k - 1 + percent / 100.0) / n

    def _advance(self, fraction: float) -> float | None:
        if fraction <= self.fraction:
            return None
        self.fraction = fraction
        return fraction


def is_progress_bar(line: str) -> bool:
    """Robyn's text progress bar redraws (kept out of the run log)."""
    return bool(_BAR_PERCENT.search(line))


def rscript_path() -> str:
    """``Rscript`` to run: ``$KIRI_RSCRIPT`` or the one on PATH; RobynNotInstalled if none."""
    wanted = os.environ.get("KIRI_RSCRIPT") or "Rscript"
    path = shutil.which(wanted)
    if not path:
        where = "on this machine's PATH" if wanted == "Rscript" else f"at {wanted} (KIRI_RSCRIPT)"
        raise RobynNotInstalled(
            f"Rscript was not found {where}, so Robyn (R) cannot run. {HOW_TO_ENABLE}"
        )
    return path


def r_environment() -> dict[str, str]:
    """The environment for Rscript: reticulate uses this Python (where requirements.txt put
    nevergrad) unless ``RETICULATE_PYTHON`` says otherwise."""
    return {**os.environ, "RETICULATE_PYTHON": os.environ.get("RETICULATE_PYTHON", sys.executable)}


def run_r_script(
    script: Path,
    args: list[str],
    progress: Callable[[float], None],
    should_cancel: Callable[[], bool],
    timeout_s: float,
    on_log: Callable[[str], None],
) -> None:
    """Run ``Rscript script args`` in its own process group; raise a RobynError unless it
    exits 0. Progress lines become ``progress`` calls, other output goes to ``on_log``."""
    tracker = ProgressLines()

    def on_stdout(line: str) -> None:
        fraction = tracker.feed(line)
        if fraction is not None:
            progress(fraction)
        if not is_progress_bar(line) and not line.startswith(("KIRI_PROGRESS", "KIRI_TRIAL")):
            on_log(line)

    outcome = run_process_group(
        [rscript_path(), str(script), *args], on_stdout=on_stdout, on_stderr=on_log,
        should_cancel=should_cancel, timeout_s=timeout_s, env=r_environment(),
    )
    raise_for_outcome(outcome, timeout_s)


def raise_for_outcome(outcome: ProcessOutcome, timeout_s: float) -> None:
    """The RobynError that says why the R process ended, if it did not succeed."""
    if outcome.cancelled:
        raise RobynCancelled("Robyn (R) run cancelled on request; its R processes were stopped.")
    if outcome.timed_out:
        raise RobynTimeout(
            f"Robyn (R) run stopped after its time limit of {timeout_s:g} s; "
            "its R processes were stopped. Use fewer iterations or trials, or a longer limit."
        )
    if outcome.returncode == 0:
        return
    error = _error_line(outcome.stderr_tail)
    if outcome.returncode == EXIT_MISSING:
        raise RobynNotInstalled(f"Robyn (R) cannot run on this worker: {error}")
    if outcome.returncode == EXIT_USAGE:
        raise RobynFailed(f"Robyn (R) refused the run settings: {error}")
    tail = "\n".join(outcome.stderr_tail[-15:])
    raise RobynFailed(
        f"Robyn (R) failed (exit code {outcome.returncode}): {error}\n--- R output (end) ---\n"
        f"{tail}"
    )


def _error_line(stderr_tail: tuple[str, ...]) -> str:
    for line in reversed(stderr_tail):
        if line.startswith("KIRI_ERROR "):
            return line.removeprefix("KIRI_ERROR ").strip()
    return stderr_tail[-1].strip() if stderr_tail else "no error output"
