"""The results flow in a real browser (Debian's Chromium) against a real ``streamlit run``:
open a finished run, switch model, run a scenario, move a what-if slider, open presentation
mode and download the PDF; on the way, nothing the browser loads comes from another machine
(the favicon, fonts and scripts are the app's own, as ``.streamlit/config.toml`` promises:
the app works offline and tells no font CDN who uses it). Screenshots go to
test-artifacts/e2e/."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pypdf
import pytest

from kiri_core import formatting as fmt
from kiri_core.results import model_by_id
from tests.e2e.live_app import (
    log_in,
    metric_value,
    open_page,
    wait_for_metric,
)

# The embedded set-up; the worker-built PDF is covered by tests/report/test_artifact.py.
pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]


CUT_OFF = """() => [
  ...[...document.querySelectorAll('[data-testid=stMetricValue]')]
    .filter(m => { const v = m.querySelector('div') || m; return v.scrollWidth > v.clientWidth; })
    .map(m => 'metric ' + m.innerText),
  ...[...document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller')]
    .filter(s => s.clientWidth > 0 && s.scrollWidth > s.clientWidth + 1)
    .map(s => 'table ' + s.closest('[data-testid=stDataFrame]').innerText.slice(0, 60)),
]"""


def cut_off(page, what: str) -> list[str]:
    """Metric values shortened with an ellipsis, or tables wider than their place
    (``what``: "metric" or "table")."""
    return [item for item in page.evaluate(CUT_OFF) if item.startswith(what)]


def test_results_planner_presentation_and_pdf(finished, app_server, browser_page) -> None:
    page, result = browser_page, finished.result
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.set_viewport_size({"width": 1024, "height": 2600})
    page.set_default_timeout(90_000)  # two cores shared with the rest of the suite
    page.goto(app_server.url)
    log_in(page, finished.email)

    # at 1024 px the home headline reads in full
    page.get_by_test_id("stMetricValue").first.wait_for()
    assert cut_off(page, "metric") == []
    open_page(page, "Results")

    # a finished run opens on the recommended model, with its reason; at 1024 px its fit and
    # both channel tables read in full
    page.get_by_text("Recommended:").first.wait_for()
    recommended = model_by_id(result, result["model_id"])
    wait_for_metric(page, "R²", equal_to=fmt.number(recommended["metrics"]["rsq"], "SEK", 3))
    page.locator("[data-testid=stDataFrame] .dvn-scroller").nth(1).wait_for()
    assert cut_off(page, "metric") == [] and cut_off(page, "table") == []
    page.shot("1-results-recommended-1024")
    page.set_viewport_size({"width": 1400, "height": 2600})

    # previewing a model updates the views without re-running anything; a button makes it
    # the client's
    page.get_by_test_id("stSelectbox").filter(has_text="Model").click()
    option = page.get_by_role("option").nth(1)
    other = model_by_id(result, option.inner_text().split(" ")[0])
    option.click()
    page.get_by_text("An alternative to the recommended model").wait_for()
    wait_for_metric(page, "R²", equal_to=fmt.number(other["metrics"]["rsq"], "SEK", 3))
    channel = next(iter(other["channels"].values()))
    page.get_by_text(fmt.money(channel["contribution"], "SEK"), exact=True).first.wait_for(
        state="attached")  # the table is drawn on a canvas; its cells are in the DOM
    page.shot("2-results-other-model")
    page.get_by_role("button", name=f"Make {other['model_id']} the client's model").click()
    page.get_by_text(f"Model {other['model_id']} is now the client's model").wait_for()

    # the budget planner runs a scenario (on the chosen model) and saves it
    open_page(page, "Budget planner", "planner")
    page.get_by_text(f"Model {other['model_id']}").first.wait_for()
    page.get_by_role("button", name="Optimise").click()
    page.get_by_text("Revenue added by media").first.wait_for()
    page.get_by_label("Scenario name").fill("Meeting plan")
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text("Saved \u201cMeeting plan\u201d").wait_for()
    page.shot("3-planner-scenario")

    # a what-if slider moves the expected revenue at once
    before = metric_value(page, "Weekly revenue added by media")
    page.get_by_role("slider").first.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    wait_for_metric(page, "Weekly revenue added by media", changed_from=before)
    thumb = page.get_by_test_id("stSliderThumbValue").first.inner_text()
    assert re.fullmatch(r"\d{1,3}( \d{3})+ kr", thumb), f"slider shows {thumb!r}"
    page.shot("4-planner-what-if")

    # presentation mode: no editing, the saved scenario, the PDF download
    open_page(page, "Presentation")
    page.get_by_text("What we found").wait_for()
    page.get_by_text("Budget plan: Meeting plan").wait_for()
    assert page.get_by_role("button", name="Optimise").count() == 0
    assert page.get_by_role("slider").count() == 0
    page.get_by_role("button", name="Prepare PDF report").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF report").click()
    page.shot("5-presentation")
    data = Path(download.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)
    assert finished.client in text
    assert "Meeting plan" in text

    away = [url for url in requested
            if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).hostname not in ("127.0.0.1", "localhost")]
    assert away == []
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon.endswith(".png") and any(url.endswith(icon) for url in requested), icon
