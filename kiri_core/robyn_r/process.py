"""Run a command in a process group of its own, with cancel and time-out for the whole group.

Robyn's R session starts helpers of its own (parallel workers, reticulate's Python), so
stopping only the ``Rscript`` process would leave orphans. The command is started with
``start_new_session=True`` (its own session and process group) and every stop is a signal to
that group: SIGTERM, then SIGKILL after a grace period. After a normal exit the group is
killed too, so nothing the command left behind keeps running.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

POLL_S = 0.2
GRACE_S = 5.0
STDERR_TAIL_LINES = 40


@dataclass(frozen=True)
class ProcessOutcome:
    """How a process group ended."""

    returncode: int
    stderr_tail: tuple[str, ...]
    cancelled: bool = False
    timed_out: bool = False


def run_process_group(
    cmd: Sequence[str],
    *,
    on_stdout: Callable[[str], None],
    on_stderr: Callable[[str], None],
    should_cancel: Callable[[], bool],
    timeout_s: float,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
) -> ProcessOutcome:
    """Run ``cmd`` in a new process group until it exits, is cancelled or times out.

    ``on_stdout`` / ``on_stderr`` receive each output line (without its line end) on the
    calling thread; ``should_cancel`` is polled every ``POLL_S`` seconds. A cancel or a
    time-out terminates the whole group. No process of the group outlives this call.
    """
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, errors="replace", start_new_session=True,
    )
    lines: queue.Queue[tuple[str, str]] = queue.Queue()
    readers = [_start_reader(proc.stdout, "out", lines), _start_reader(proc.stderr, "err", lines)]
    tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
    deadline = time.monotonic() + timeout_s
    cancelled = timed_out = False
    try:
        while proc.poll() is None:
            _drain(lines, on_stdout, on_stderr, tail, wait_s=POLL_S)
            if should_cancel():
                cancelled = True
                break
            if time.monotonic() > deadline:
                timed_out = True
                break
    finally:
        stop_group(proc)
        for reader in readers:
            reader.join(timeout=GRACE_S)
        _drain(lines, on_stdout, on_stderr, tail, wait_s=0)
    return ProcessOutcome(proc.returncode, tuple(tail), cancelled, timed_out)


def stop_group(proc: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """SIGTERM the process group of ``proc``, SIGKILL what is left after ``grace_s``."""
    pgid = proc.pid  # the leader of a new session: its pid is the group id
    if proc.poll() is None:
        _signal_group(pgid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
    _signal_group(pgid, signal.SIGKILL)
    proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _start_reader(
    stream: IO[str] | None, name: str, lines: queue.Queue[tuple[str, str]]
) -> threading.Thread:
    def read() -> None:
        assert stream is not None
        for line in stream:
            lines.put((name, line.rstrip("\r\n")))
        stream.close()

    thread = threading.Thread(target=read, name=f"process-{name}", daemon=True)
    thread.start()
    return thread


def _drain(
    lines: queue.Queue[tuple[str, str]],
    on_stdout: Callable[[str], None],
    on_stderr: Callable[[str], None],
    tail: deque[str],
    wait_s: float,
) -> None:
    """Hand every queued line to its callback; wait up to ``wait_s`` for the first one."""
    try:
        name, line = lines.get(timeout=wait_s) if wait_s > 0 else lines.get_nowait()
    except queue.Empty:
        return
    while True:
        if name == "out":
            on_stdout(line)
        else:
            tail.append(line)
            on_stderr(line)
        try:
            name, line = lines.get_nowait()
        except queue.Empty:
            return
