"""``python -m bench`` prints the engine's benchmark tables (markdown).

Parts: ``speed`` (Robyn's demo, with the fit next to Robyn-in-R's model), ``accuracy``
(generated data with known truth), ``repro`` (same seed, identical output), ``stability``
(the recommended ROAS across search seeds), ``whatif`` (the planner's what-if slider in
Chromium against ``streamlit run``). Pick some with ``--only speed accuracy``.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import time
from pathlib import Path

PARTS = ("speed", "accuracy", "repro", "stability", "whatif")
VECTOR_UNITS = (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX"), ("sse4_2", "SSE4.2"))


def machine() -> str:
    """CPU model, its widest vector unit (the search's path depends on the kernels), cores."""
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")),
        platform.processor(),
    )
    flags = next((line.split(":", 1)[1].split() for line in lines if line.startswith("flags")), [])
    vector = next((name for flag, name in VECTOR_UNITS if flag in flags), "")
    return f"{cpu} ({vector}), {os.cpu_count()} cores, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--sets", type=int, default=12, help="generated data sets (accuracy)")
    parser.add_argument(
        "--profiles",
        nargs="+",
        choices=("varied", "steady"),
        default=["varied", "steady"],
        help="generator spend profiles (accuracy)",
    )
    parser.add_argument("--iterations", type=int, default=2000)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    print(f"# Kiri engine benchmark — {time.strftime('%Y-%m-%d %H:%M')} — {machine()}\n")
    if "speed" in args.only:
        from bench.speed import robyn_table, run_cases, speed_table

        runs = run_cases()
        print("## Speed and memory (Robyn's demo data and settings)\n")
        print(speed_table(runs), "\n")
        print("## Fit next to Robyn 3.12 in R (geometric, 2000 x 5)\n")
        print(robyn_table(runs[0]), "\n")
    if "accuracy" in args.only:
        from bench.accuracy import run, table

        print(f"## Accuracy on generated data ({args.iterations} x {args.trials})\n")
        print(table(run(args.iterations, args.trials, args.sets, tuple(args.profiles))), "\n")
    if "repro" in args.only:
        from bench.reproducibility import run as reproduce

        print("## Reproducibility (Robyn's demo)\n")
        print(reproduce(args.iterations, args.trials), "\n")
    if "stability" in args.only:
        from bench.stability import run as across_seeds
        from bench.stability import table as stability_table

        print(f"## Steadiness across search seeds ({args.iterations} x {args.trials})\n")
        print(stability_table(across_seeds(args.iterations, args.trials)), "\n")
    if "whatif" in args.only:
        from bench.whatif import run as what_if
        from bench.whatif import table as what_if_table

        print("## What-if slider in the budget planner (Chromium, streamlit run)\n")
        print(what_if_table(what_if()), "\n")


if __name__ == "__main__":
    main()
