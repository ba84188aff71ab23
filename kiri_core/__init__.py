"""Kiri MMM: the domain package (engine, services, data, reports). Never imports Streamlit.

Importing it pins numpy's and OpenBLAS's CPU kernels on x86-64 (unless the environment
already chooses them), so that a search gives the same document on every machine
(docs/engine.md, "Across machines"). The pin only takes effect in a process that imports
``kiri_core`` before numpy, as the CLI, the job processes and ``worker.py`` do; ``make``
and the Docker image also set it for the whole process tree.
"""

from __future__ import annotations

import os
import platform

__version__ = "0.1.0"

PINNED_KERNELS = {
    "OPENBLAS_CORETYPE": "Haswell",
    "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR",
}

if platform.machine() in ("x86_64", "AMD64"):
    for _name, _value in PINNED_KERNELS.items():
        os.environ.setdefault(_name, _value)
