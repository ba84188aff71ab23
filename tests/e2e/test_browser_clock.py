"""Times in a real browser (Debian's Chromium) against a real ``streamlit run``: a browser in
New York sees a run's finish time on New York's clock, not in UTC nor in the agency's zone
(the app runs with the default, Europe/Stockholm)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa

from kiri_core import formatting as fmt
from kiri_core.db.models import ModelRun
from kiri_core.db.session import session_factory
from tests.e2e.conftest import with_shots
from tests.e2e.live_app import FinishedRun, log_in, open_page

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]

NEW_YORK = "America/New_York"
FINISHED = datetime(2026, 1, 15, 23, 30)  # UTC, winter: 18:30 EST (-5), 00:30 CET the 16th


@pytest.fixture
def new_york_page(browser_page, request) -> Iterator:
    """A page of its own browser context in New York's time zone; ``page.shot(name)`` saves
    a screenshot under test-artifacts/e2e/ as ``browser_page``'s does."""
    context = browser_page.context.browser.new_context(
        timezone_id=NEW_YORK, viewport={"width": 1400, "height": 2000})
    page = with_shots(context.new_page(), request)
    page.set_default_timeout(60_000)
    yield page
    context.close()


def test_a_browser_in_new_york_sees_the_finish_time_on_its_own_clock(
        finished: FinishedRun, app_server, new_york_page) -> None:
    with session_factory(app_server.env["DATABASE_URL"])() as session:
        session.execute(sa.update(ModelRun).values(finished_at=FINISHED))
        session.commit()
    page = new_york_page
    page.goto(app_server.url)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == NEW_YORK
    log_in(page, finished.email)
    open_page(page, "Results")
    # 5 hours behind UTC, kept on one line
    page.get_by_text(fmt.unbreakable_moments("finished 2026-01-15 18:30")).wait_for()
    page.get_by_test_id("stMetricValue").first.wait_for()  # the rest of the page is drawn
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    page.shot("results-finished-in-new-york")
    body = page.locator("body").inner_text()
    assert "2026-01-15 23:30" not in body  # UTC, as stored
    assert "2026-01-16 00:30" not in body  # the agency's zone (Stockholm)
