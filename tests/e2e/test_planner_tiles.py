"""The budget planner's big numbers in a real browser (Debian's Chromium) with the sidebar
open: at 1024 x 768 and 1440 x 900 a plan's tiles and the what-if's each keep to one row,
uncut, with SEK's long figures on a conversion model (the widest: its efficiency is money);
a what-if slider runs to ten times today's spend and says so when that is beyond the data.
Screenshots go to test-artifacts/e2e/."""

from __future__ import annotations

import pytest

from kiri_core import formatting as fmt
from kiri_core.db.session import session_factory
from kiri_core.results import model_by_id
from kiri_core.services import runs
from tests.e2e.live_app import acme_team, act_until, log_in_small, open_page
from tests.fitted import finished_run

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]

#: Each big number's top and whether its value is cut ("1 150 8…"), in page order.
TILES = """() => [...document.querySelectorAll('[data-testid=stMetric]')].map(m => {
  const value = m.querySelector('[data-testid=stMetricValue]');
  const text = value.querySelector('div') || value;
  return [Math.round(m.getBoundingClientRect().top), text.scrollWidth > text.clientWidth];
})"""


@pytest.fixture
def conversion_result(app_database: str) -> dict:
    """The app's database with the analyst ann@agency.se of "Acme AB" (SEK) and a fitted run
    of a conversion model; its result."""
    with session_factory(app_database)() as session:
        _, analyst, client = acme_team(session)
        run = finished_run(session, analyst, client.id, "conversion")
        return runs.load_result(session, analyst, run.id)


def rows_of_tiles(page) -> list[list[int]]:
    """The tiles' tops grouped into rows, in page order; no tile may be cut."""
    tiles = page.evaluate(TILES)
    assert not [top for top, cut in tiles if cut], tiles
    rows: list[list[int]] = []
    for top, _ in tiles:
        if rows and rows[-1][0] == top:
            rows[-1].append(top)
        else:
            rows.append([top])
    return rows


def test_the_planner_s_tiles_keep_to_one_row_with_long_figures(app_server, conversion_result,
                                                               browser_page):
    """The UX audit: at 1024 px the plan's fourth tile sat alone on a second line."""
    page = browser_page
    log_in_small(page, app_server.url, "ann@agency.se")
    open_page(page, "Budget planner", "planner")
    page.get_by_label("Total budget over 4 weeks", exact=False).fill("25 000 000")
    page.get_by_role("button", name="Optimise").click()
    budget = page.get_by_test_id("stMetric").filter(has_text="Budget over 4 weeks")
    budget.filter(has_text="25 000 000 kr").wait_for()

    model_id = conversion_result["model_id"]
    meta = model_by_id(conversion_result, model_id)["channels"]["spend_meta"]
    top = fmt.money(round(10 * meta["mean_spend"]), "SEK")
    said = page.get_by_text(f"Extrapolated beyond the data: Meta at {top} a week")

    def slide_to_the_end() -> None:  # Meta at ten times today's: the widest what-if figures
        page.get_by_role("slider").first.focus()
        page.keyboard.press("End")

    act_until(page, slide_to_the_end, said.is_visible, "Moving Meta's what-if to its end")
    page.get_by_test_id("stSliderThumbValue").filter(has_text=top).wait_for()
    for width, height in ((1024, 768), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)
        page.shot(f"{width}")
        assert [len(row) for row in rows_of_tiles(page)] == [3, 3], width
