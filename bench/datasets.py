"""The generated data sets of the accuracy benchmark, shared with the PyMC-Marketing run.

Kept free of the engine's imports so that ``bench/pymc_marketing.py`` can use it in a
virtualenv of its own.
"""

from __future__ import annotations

NOISE_LEVELS = (0.03, 0.05, 0.08, 0.10, 0.05, 0.15)
DATA_SETS = tuple((seed, NOISE_LEVELS[(seed - 1) % 6]) for seed in range(1, 13))
PROFILES = ("varied", "steady")
WEEKS = 156
