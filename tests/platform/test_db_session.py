"""Engines and forked processes: an RQ work-horse starts with a connection pool of its own."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from kiri_core.db.session import get_engine


def test_a_fork_while_another_thread_holds_the_pool_lock_does_not_hang_the_child(
    tmp_path: Path,
) -> None:
    """The worker's reaper thread may be inside the pool when RQ forks a work-horse; the
    child then inherited a lock no thread of its own would ever release."""
    url = f"sqlite:///{tmp_path / 'kiri.db'}"
    engine = get_engine(url)
    with engine.connect():
        pass
    held, release = threading.Event(), threading.Event()

    def hold_pool_lock() -> None:
        with engine.pool._pool.mutex:  # what a checkout or check-in holds for a moment
            held.set()
            release.wait()

    holder = threading.Thread(target=hold_pool_lock)
    holder.start()
    held.wait()
    pid = os.fork()
    if pid == 0:
        try:
            with get_engine(url).connect() as conn:
                conn.execute(sa.text("SELECT 1"))
        finally:
            os._exit(0)
    release.set()
    holder.join()
    deadline = time.monotonic() + 20
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    if done[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    assert done[0] == pid, "the forked child hung on the pool lock it inherited"
