"""Prophet fits kept for reuse: in memory, and on disk where a folder is given.

A prophet fit takes about a second, a quick search about as long, and a run on the same
data with other settings needs the same components again. Memory alone does not keep them
between runs in the app: every run works in a process of its own (an RQ work horse, or
the embedded runner's child) that ends with the run. With a folder
(:meth:`FitCache.keep_on_disk`, set by the job entry point) every such process finds the
components of earlier runs there, one small ``.npz`` file per fit (about 4 kB for three
years of weeks), written atomically so concurrent workers never read half a file. The
values are stored exactly, so a document is byte-identical whether prophet ran or not.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd


class FitCache:
    """Prophet components by cache key: the last ``size`` in memory, all in ``directory``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.directory: Path | None = None
        self._memory: dict[str, pd.DataFrame] = {}

    def keep_on_disk(self, directory: Path | None) -> None:
        """Also read and write fits in ``directory`` (``None``: memory only)."""
        self.directory = directory

    def get(self, key: str, fit: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """The components stored under ``key``, else ``fit()`` stored under it (a copy)."""
        if key not in self._memory:
            frame = self._read(key)
            if frame is None:
                frame = fit()
                self._write(key, frame)
            if len(self._memory) >= self.size:
                self._memory.pop(next(iter(self._memory)))
            self._memory[key] = frame
        return self._memory[key].copy()

    def _path(self, key: str) -> Path | None:
        return None if self.directory is None else self.directory / f"{key}.npz"

    def _read(self, key: str) -> pd.DataFrame | None:
        path = self._path(key)
        if path is None or not path.exists():
            return None
        try:
            with path.open("rb") as file, np.load(file, allow_pickle=False) as stored:
                return pd.DataFrame(stored["values"], columns=stored["columns"].tolist())
        except (OSError, ValueError, KeyError, zipfile.BadZipFile):  # fit again, overwrite it
            return None

    def _write(self, key: str, frame: pd.DataFrame) -> None:
        path = self._path(key)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, values=frame.to_numpy(dtype=float),
                         columns=np.array(frame.columns, dtype=str))
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)  # left only when the write failed
