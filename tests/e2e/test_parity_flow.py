"""The engine parity page in Debian's Chromium against a real ``streamlit run``: a Kiri run and
a Robyn (R) run (Robyn 3.12's real output) on Robyn's demo data, side by side.
Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

from pathlib import Path

import pytest
from fitted import PASSWORD
from robyn_r.demo_runs import seed_demo_runs

from kiri_core.db.session import session_factory
from kiri_core.services import auth, clients, users
from tests.e2e.live_app import log_in, open_page

pytestmark = [pytest.mark.browser, pytest.mark.shared,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]


def test_parity_page_in_the_browser(app_server, app_database, browser_page,
                                    robyn_demo_csv: Path, robyn_r_outputs: Path) -> None:
    with session_factory(app_database)() as session:
        admin = auth.register_user(session, "boss@agency.se", "Boss", PASSWORD)
        analyst = auth.register_user(session, "ann@agency.se", "Ann", PASSWORD)
        client = clients.create_client(session, admin, "Demo AB", "Retail", "EUR")
        users.grant_access(session, admin, analyst.id, client.id, "analyst")
        seed_demo_runs(session, analyst, client.id, robyn_demo_csv, robyn_r_outputs)

    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1600})
    page.goto(app_server.url)
    log_in(page, "ann@agency.se")
    open_page(page, "Engine parity", "parity")
    page.get_by_test_id("stDataFrame").first.wait_for()
    page.get_by_test_id("stVegaLiteChart").nth(1).wait_for()
    page.wait_for_timeout(1500)  # let the grid and the charts finish drawing
    page.shot("parity")
    assert page.get_by_role("heading", name="Engine parity").count() == 1
    assert page.get_by_test_id("stAlert").count() == 0  # same data and window: no warning
    header = page.locator("[data-testid=stDataFrame] th[role=columnheader]").all_inner_texts()
    assert {"ROAS · Kiri", "ROAS · Robyn", "Contribution · Robyn"} <= set(header)
