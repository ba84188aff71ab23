"""What-if latency in the budget planner (target: under 200 ms per slider change).

In Debian's Chromium against a real ``streamlit run app.py`` (embedded runner, SQLite, a run
fitted by the job code): the time from ArrowRight on a focused what-if slider to the new
"Expected weekly revenue from media" value in the DOM. Next to it, the pure computation the
what-if fragment does per change (``expected_response`` for current and new spend).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from kiri_core.results import expected_response, model_by_id
from tests.e2e.live_app import (
    CHROMIUM,
    CHROMIUM_ARGS,
    SETTINGS,
    AppServer,
    base_env,
    log_in,
    metric_value,
    open_page,
    seed_finished_run,
    wait_for_metric,
)

LABEL = "Expected weekly revenue from media"
WARM_UP = 2  # changes not counted: the first reruns import and cache what the page needs


@dataclass(frozen=True)
class Timings:
    measure: str
    seconds: list[float]


def slider_changes(server: AppServer, email: str, changes: int) -> list[float]:
    """Seconds from each ArrowRight on the first what-if slider to the new metric value."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        page.set_default_timeout(90_000)
        page.goto(server.url)
        log_in(page, email)
        open_page(page, "Budget planner", "planner")
        page.get_by_text(LABEL).first.wait_for()
        page.get_by_role("slider").first.focus()
        seconds = []
        for _ in range(WARM_UP + changes):
            before = metric_value(page, LABEL)
            start = time.perf_counter()
            page.keyboard.press("ArrowRight")
            wait_for_metric(page, LABEL, changed_from=before)
            seconds.append(time.perf_counter() - start)
        browser.close()
    return seconds[WARM_UP:]


def fragment_computation(result: dict, repeats: int) -> list[float]:
    """Seconds per what-if change spent in ``expected_response`` (current and new spend)."""
    model_id = result["model_id"]
    channels = model_by_id(result, model_id)["channels"]
    current = {c: channels[c]["mean_spend"] for c in result["spend_columns"]}
    seconds = []
    for step in range(repeats):
        spend = {c: s * (1 + step / repeats) for c, s in current.items()}
        start = time.perf_counter()
        expected_response(result, model_id, current)
        expected_response(result, model_id, spend)
        seconds.append(time.perf_counter() - start)
    return seconds


def run(changes: int = 40, repeats: int = 1000) -> list[Timings]:
    """Start the app on a temporary folder, fit a run into it, time the slider and the sums."""
    with tempfile.TemporaryDirectory(prefix="kiri-whatif-") as tmp:
        folder = Path(tmp)
        env = base_env(folder)
        server = AppServer(env, folder, with_worker=False).start()
        try:
            os.environ.update({name: env[name] for name in SETTINGS})
            os.environ.pop("REDIS_URL", None)
            finished = seed_finished_run(env["DATABASE_URL"])
            browser = slider_changes(server, finished.email, changes)
        finally:
            server.stop()
    return [Timings("browser: ArrowRight → new revenue in the DOM", browser),
            Timings("expected_response × 2 (the fragment's computation)",
                    fragment_computation(finished.result, repeats))]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.3f} ms"


def table(timings: list[Timings]) -> str:
    """Median, 90th percentile, max and count per measure, and the load average now."""
    rows = ["| measure | median | p90 | max | n |", "|---|---|---|---|---|"]
    for t in timings:
        median, p90 = np.percentile(t.seconds, [50, 90])
        rows.append(f"| {t.measure} | {_ms(median)} | {_ms(p90)} | {_ms(max(t.seconds))} "
                    f"| {len(t.seconds)} |")
    one, five, fifteen = os.getloadavg()
    rows.append(f"\nLoad average after the run: {one:.2f}, {five:.2f}, {fifteen:.2f} "
                f"({os.cpu_count()} cores).")
    return "\n".join(rows)
