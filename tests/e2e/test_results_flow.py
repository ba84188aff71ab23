"""The results flow in a real browser (Debian's Chromium) against a real ``streamlit run``:
open a finished run, switch model, run a scenario, move a what-if slider, open presentation
mode and download the PDF. Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pytest
from fitted import PASSWORD, finished_run
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from kiri_core import formatting as fmt
from kiri_core.db.session import session_factory, upgrade_database
from kiri_core.results import model_by_id
from kiri_core.services import auth, clients, runs, users

# The embedded set-up; the worker-built PDF is covered by tests/report/test_artifact.py.
pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]
SETTINGS = ("DATABASE_URL", "KIRI_DATA_DIR", "KIRI_STORAGE_URL", "KIRI_ALLOWED_SIGNUP_DOMAINS")


@pytest.fixture
def finished(app_server, monkeypatch) -> SimpleNamespace:
    """The app's database with an analyst of "Acme AB" and a run fitted by the job code."""
    for name in SETTINGS:
        monkeypatch.setenv(name, app_server.env[name])
    monkeypatch.delenv("REDIS_URL", raising=False)
    url = app_server.env["DATABASE_URL"]
    upgrade_database(url)
    with session_factory(url)() as session:
        admin = auth.register_user(session, "boss@agency.se", "Boss", PASSWORD)
        analyst = auth.register_user(session, "ann@agency.se", "Ann", PASSWORD)
        client = clients.create_client(session, admin, "Acme AB", "Retail", "SEK")
        users.grant_access(session, admin, analyst.id, client.id, "analyst")
        run = finished_run(session, analyst, client.id)
        result = runs.load_result(session, analyst, run.id)
    return SimpleNamespace(email="ann@agency.se", client="Acme AB", result=result)


def log_in(page, email: str, attempts: int = 3) -> None:
    """Log in; on a busy machine a submit can land while the login page is still being
    drawn, so it is tried again when the app has not opened after a while."""
    for _ in range(attempts):
        page.get_by_role("button", name="Log in").wait_for()
        fields = {page.get_by_label("E-mail").filter(visible=True): email,
                  page.get_by_label("Password", exact=True).filter(visible=True): PASSWORD}
        for field, value in fields.items():
            field.fill(value)
            expect(field).to_have_value(value)
        page.get_by_role("button", name="Log in").click()
        try:
            page.get_by_role("button", name="Log out").wait_for(timeout=30_000)
            return
        except PlaywrightTimeout:
            page.reload()
    raise AssertionError(f"could not log in as {email}")


def metric_value(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has_text=label).first
    return metric.get_by_test_id("stMetricValue").inner_text()


def wait_for_metric(page, label: str, changed_from: str | None = None,
                    equal_to: str | None = None) -> None:
    page.wait_for_function(
        """([label, old, wanted]) => {
             const m = [...document.querySelectorAll('[data-testid=stMetric]')]
               .find(e => e.innerText.includes(label));
             if (!m) return false;
             const v = m.querySelector('[data-testid=stMetricValue]').innerText;
             return wanted !== null ? v === wanted : v !== old;
           }""", arg=[label, changed_from, equal_to])


def test_results_planner_presentation_and_pdf(finished, app_server, browser_page) -> None:
    page, result = browser_page, finished.result
    page.set_viewport_size({"width": 1400, "height": 2600})
    page.set_default_timeout(90_000)  # two cores shared with the rest of the suite
    page.goto(app_server.url)
    log_in(page, finished.email)
    page.get_by_role("link", name="Results").click()

    # a finished run opens on the recommended model, with its reason
    page.get_by_text("Recommended:").first.wait_for()
    recommended = model_by_id(result, result["model_id"])
    wait_for_metric(page, "R²", equal_to=fmt.number(recommended["metrics"]["rsq"], "SEK", 3))
    page.shot("1-results-recommended")

    # switching model updates the views without re-running anything
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

    # the budget planner runs a scenario (on the chosen model) and saves it
    page.get_by_role("link", name="Budget planner").click()
    page.get_by_text(f"Model {other['model_id']}").first.wait_for()
    page.get_by_role("button", name="Optimise").click()
    page.get_by_text("Expected revenue from media").first.wait_for()
    page.get_by_label("Scenario name").fill("Meeting plan")
    page.get_by_role("button", name="Save scenario").click()
    page.get_by_text("Saved \u201cMeeting plan\u201d").wait_for()
    page.shot("3-planner-scenario")

    # a what-if slider moves the expected revenue at once
    before = metric_value(page, "Expected weekly revenue from media")
    page.get_by_role("slider").first.focus()
    for _ in range(15):
        page.keyboard.press("ArrowRight")
    wait_for_metric(page, "Expected weekly revenue from media", changed_from=before)
    page.shot("4-planner-what-if")

    # presentation mode: no editing, the saved scenario, the PDF download
    page.get_by_role("link", name="Presentation").click()
    page.get_by_text("What we found").wait_for()
    page.get_by_text("Budget recommendation: Meeting plan").wait_for()
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
