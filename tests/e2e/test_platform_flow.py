"""The analyst's whole path in a real browser: register, create a client, generate data,
run a quick model, watch it finish, see the results; then restart the app and find it all."""

from __future__ import annotations

import pytest

from kiri_core import generator
from tests.e2e.live_app import log_in, log_out, open_page, register

pytestmark = pytest.mark.browser


def visible(locator):
    return locator.filter(visible=True)


def bad_csv(folder) -> str:
    """Generated weekly data with one negative spend (row 4 as a spreadsheet counts)."""
    frame, _ = generator.generate(60, 3)
    frame.loc[2, "spend_meta"] = -100
    path = folder / "acme-bad.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_analyst_path_from_registration_to_results(app_server, browser_page, tmp_path):
    page = browser_page
    page.goto(app_server.url)
    page.get_by_text("the first account becomes the administrator").wait_for()
    page.shot("01-login")
    register(page, "Ann Analyst", "ann@agency.se")

    open_page(page, "Clients")
    visible(page.get_by_label("Name")).fill("Acme AB")
    page.get_by_role("button", name="Create client").click()
    page.get_by_role("heading", name="Edit a client").wait_for()
    page.shot("02-clients")

    open_page(page, "Data")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(bad_csv(tmp_path))
    page.get_by_text("must be fixed before this file can be saved").wait_for()
    page.get_by_text("row 4, column 'spend_meta': spend -100 is negative").wait_for()
    assert page.get_by_role("button", name="Save dataset version").is_disabled()
    page.get_by_test_id("stVegaLiteChart").locator("canvas, svg").first.wait_for()
    page.shot("03-upload-problems")
    page.get_by_role("tab", name="Generate test data").click()
    weeks = visible(page.get_by_label("Weeks"))
    weeks.fill("104")
    weeks.press("Tab")
    page.get_by_role("button", name="Generate test data").click()
    page.get_by_text("Saved generated data as version v1").wait_for()
    page.shot("04-data")

    open_page(page, "Runs")
    # the default search
    page.get_by_text("Full (2000 iterations × 5 trials, 10000 settings)").wait_for()
    page.shot("05-run-form")
    # a first look, in seconds
    page.get_by_text("Quick (300 iterations × 1 trial, 300 settings)").click()
    page.get_by_role("button", name="Start run").click()
    page.get_by_text("Run #1").first.wait_for()
    page.shot("06-run-started")
    header = page.get_by_role("columnheader", name="Marginal ROAS", include_hidden=True)
    header.first.wait_for(state="attached", timeout=240_000)
    for name in ("Channel", "Spend", "Contribution", "ROAS", "Effect share", "Spend share"):
        assert page.get_by_role("columnheader", name=name, exact=True,
                                include_hidden=True).count() >= 1
    page.get_by_text("Run #1 · succeeded").first.wait_for()
    page.get_by_text("Estimated vs true").wait_for()
    page.shot("07-results")
    page.reload()  # the signed cookie logs the user back in
    page.get_by_text("ann@agency.se").wait_for()
    log_out(page)

    register(page, "Otto Outsider", "otto@agency.se")  # a colleague, no access
    page.get_by_text("No client is open to you yet.").wait_for()
    open_page(page, "Runs")
    page.get_by_text("Ask an administrator to give you access").wait_for()
    page.reload()  # a new page load of /runs, logged in from the cookie
    page.get_by_text("otto@agency.se").wait_for()
    page.get_by_text("Ask an administrator to give you access").wait_for()
    assert page.get_by_text("Acme AB").count() == 0
    page.shot("08-outsider")
    log_out(page)

    app_server.restart()
    page.goto(app_server.url)
    log_in(page, "ann@agency.se")
    page.get_by_text("Latest model (run #1)").first.wait_for()
    page.get_by_role("heading", name="Acme AB").first.wait_for()
    page.shot("09-after-restart")
