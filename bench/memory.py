"""Peak memory of a process and all its descendants, sampled from /proc.

Counted as PSS (proportional set size): the search workers are forked and share the
parent's pages copy-on-write, so summing plain RSS would count those pages once per process.
"""

from __future__ import annotations

import threading
from pathlib import Path


def _parents() -> dict[int, int]:
    out = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[int(stat.parent.name)] = int(fields[1])
    return out


def tree_pss(root: int) -> int:
    """PSS bytes of ``root`` and every descendant right now."""
    parents = _parents()
    family, grew = {root}, True
    while grew:
        children = {pid for pid, ppid in parents.items() if ppid in family} - family
        family |= children
        grew = bool(children)
    total = 0
    for pid in family:
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        total += sum(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
    return total


class PeakMemory:
    """Context manager sampling ``tree_pss(pid)`` every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_pss(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
