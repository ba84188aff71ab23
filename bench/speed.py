"""Speed and memory on Robyn's demo data with Robyn's demo settings, and the fit next to
Robyn-in-R's chosen model (``../shared/data/robyn_r_outputs``).

Each case runs in a fresh process (``python -m bench.speed CASE OUT [PROPHET_DIR]``) so its
wall time and peak memory (the process and its search workers) are measured alone. The two
quick cases keep prophet's fit on disk as the app's runs do (``jobs``): the first fits
prophet, the second is the next run on the same data, in a process of its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bench.memory import PeakMemory
from kiri_core.robyn_demo import PAID, robyn_demo_config

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data"
DEMO_CSV = SHARED / "robyn_dt_simulated_weekly.csv"
ROBYN_OUTPUTS = SHARED / "robyn_r_outputs"
ROBYN_MODEL = "1_846_1"
CASES = {
    "geometric-2000x5": {"adstock": "geometric", "iterations": 2000, "trials": 5},
    "weibull_pdf-2000x5": {"adstock": "weibull_pdf", "iterations": 2000, "trials": 5},
    "quick-300x1": {"adstock": "geometric", "quick": True},
    "quick-300x1, next run": {"adstock": "geometric", "quick": True},
}
APP_RUNS = ("quick-300x1", "quick-300x1, next run")  # prophet's fit kept on disk between them


def demo_config(**changes) -> dict:
    """Robyn's demo settings; facebook and search on spend (Robyn used exposure columns)."""
    config = robyn_demo_config(seed=1, **changes)
    if config.get("adstock", "geometric") != "geometric":
        config.pop("hyperparameter_bounds")  # Robyn's demo bounds are for geometric
    return config


@dataclass(frozen=True)
class CaseRun:
    case: str
    wall_seconds: float  # the whole process: imports, prophet, search, model set
    fit_seconds: float  # fit_model alone (cold: first call in the process)
    warm_seconds: float | None  # a second fit_model call in the same process
    new_data_seconds: float | None  # then other data in the same process: prophet refitted
    peak_mb: float
    result: dict


def run_cases() -> list[CaseRun]:
    with tempfile.TemporaryDirectory() as prophet_dir:
        return [run_case(case, prophet_dir if case in APP_RUNS else None) for case in CASES]


def run_case(case: str, prophet_dir: str | None = None) -> CaseRun:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.speed", case, str(out),
             *([prophet_dir] if prophet_dir else [])],
            cwd=REPO,
            stderr=subprocess.DEVNULL,
        )
        with PeakMemory(process.pid) as memory:
            process.wait()
        wall = time.perf_counter() - started
        if process.returncode:
            raise RuntimeError(f"speed case {case} failed")
        payload = json.loads(out.read_text())
    return CaseRun(
        case,
        wall,
        payload["fit_seconds"],
        payload["warm_seconds"],
        payload["new_data_seconds"],
        memory.peak / 2**20,
        payload["result"],
    )


def _case_main(case: str, out: str, prophet_dir: str | None) -> None:
    from kiri_core.engine.features import PROPHET_FITS
    from kiri_core.engine.fit import fit_model

    PROPHET_FITS.keep_on_disk(Path(prophet_dir) if prophet_dir else None)

    data = pd.read_csv(DEMO_CSV)
    config = demo_config(**CASES[case])
    started = time.perf_counter()
    result = fit_model(data, config)
    cold = time.perf_counter() - started
    warm = new_data = None
    if config.get("quick"):
        warm = _seconds(fit_model, data, config)
        other = data.assign(revenue=data["revenue"] * 1.01)  # the app's worker case
        new_data = _seconds(fit_model, other, config)
    timings = {"fit_seconds": cold, "warm_seconds": warm, "new_data_seconds": new_data}
    Path(out).write_text(json.dumps({**timings, "result": result}))


def _seconds(fit, data: pd.DataFrame, config: dict) -> float:
    started = time.perf_counter()
    fit(data, config)
    return time.perf_counter() - started


def speed_table(runs: list[CaseRun]) -> str:
    lines = [
        "| case | wall (process) | fit_model | fit_model again (warm) | other data, same "
        "process | peak memory (PSS, all processes) | models evaluated | Pareto models |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| {run.case} | {run.wall_seconds:.1f} s | {run.fit_seconds:.2f} s "
            f"| {_or_dash(run.warm_seconds)} | {_or_dash(run.new_data_seconds)} "
            f"| {run.peak_mb:.0f} MB "
            f"| {run.result['search']['models_evaluated']} "
            f"| {len(run.result['models'])} |"
        )
    return "\n".join(lines)


def _or_dash(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:.2f} s"


def robyn_table(run: CaseRun) -> str:
    """Our recommended model next to Robyn-in-R's chosen model 1_846_1."""
    aggregated = pd.read_csv(ROBYN_OUTPUTS / "pareto_aggregated.csv")
    robyn = aggregated[aggregated.solID == ROBYN_MODEL]
    first = robyn.iloc[0]
    ours = run.result
    rows = [
        ("R² (adjusted, train)", first["rsq_train"], ours["metrics"]["rsq"]),
        ("NRMSE", first["nrmse"], ours["metrics"]["nrmse"]),
        ("DECOMP.RSSD", first["decomp.rssd"], ours["metrics"]["decomp_rssd"]),
    ]
    robyn_name = {"facebook_S": "facebook_I", "search_S": "search_clicks_P"}
    for channel in PAID:
        row = robyn[robyn.rn == robyn_name.get(channel, channel)].iloc[0]
        block = ours["channels"][channel]
        rows.append((f"ROAS {channel}", row["roi_total"], block["roas"]))
        rows.append((f"effect share {channel}", row["effect_share"], block["effect_share"]))
    lines = [
        f"| metric | Robyn 3.12 (R), model {ROBYN_MODEL} | Kiri, model {ours['model_id']} |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {theirs:.3f} | {mine:.3f} |" for name, theirs, mine in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    _case_main(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
