"""The engine's benchmarks (``python -m bench``; bench/README.md holds the tables).

Importing ``kiri_core`` first pins the numeric kernels before any benchmark imports numpy,
as every other entry point does, so ``python -m bench`` measures what ``make bench`` and
the app run (docs/engine.md, "Across machines").
"""

import kiri_core  # noqa: F401
