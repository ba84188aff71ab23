"""Two fits with the same seed — one search process, then all cores — must give the same
document, byte for byte (``timings`` aside, which measure the run itself)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd

from bench.speed import DEMO_CSV, demo_config
from kiri_core.engine.fit import fit_model


def digest(document: dict) -> str:
    body = {key: value for key, value in document.items() if key != "timings"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def run(iterations: int = 2000, trials: int = 5) -> str:
    data = pd.read_csv(DEMO_CSV)
    config = demo_config(iterations=iterations, trials=trials)
    one = digest(fit_model(data, config, workers=1))
    many = digest(fit_model(data, config))
    verdict = "identical" if one == many else "DIFFERENT"
    return "\n".join(
        [
            "| run | workers | sha256 of result.json without timings |",
            "|---|---|---|",
            f"| 1 | 1 | `{one[:16]}…` |",
            f"| 2 | all cores | `{many[:16]}…` |",
            "",
            f"Same seed, {iterations} x {trials}: **{verdict}**.",
        ]
    )
