"""The model preview in a real browser: picking another model on the Results page shows it
with a notice and two buttons in view at 1024 x 768 and 1440 x 900, and only the "Make ...
the client's model" button changes the client's model. Screenshots go to
test-artifacts/e2e/."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from kiri_core.db.models import ModelRun
from kiri_core.results import model_by_id
from tests.e2e.live_app import log_in, open_page

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]

SIZES = ((1024, 768), (1440, 900))


def stored_model(database_url: str) -> str | None:
    """The client's model of the app's one run, as its database holds it."""
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        chosen = connection.scalar(sa.select(ModelRun.chosen_model_id))
    engine.dispose()
    return chosen


def in_view(page, locator) -> bool:
    """Whether the element is drawn inside the window, without scrolling."""
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and 0 <= box["y"] <= size["height"] - box["height"]


def test_a_picked_model_is_previewed_until_made_the_client_s(finished, app_server,
                                                             browser_page) -> None:
    page, result = browser_page, finished.result
    page.set_default_timeout(90_000)
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    page.goto(app_server.url)
    log_in(page, finished.email)
    open_page(page, "Results")
    page.get_by_text("Recommended:").first.wait_for()

    page.get_by_test_id("stSelectbox").filter(has_text="Model").click()
    option = page.get_by_role("option").nth(1)
    other = model_by_id(result, option.inner_text().split(" ")[0])["model_id"]
    option.click()
    notice = page.get_by_text(f"You are looking at model {other}.")
    make = page.get_by_role("button", name=f"Make {other} the client's model")
    back = page.get_by_role("button", name=f"Back to {result['model_id']}")
    notice.wait_for()
    assert stored_model(app_server.env["DATABASE_URL"]) is None
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)
        assert in_view(page, notice) and in_view(page, make) and in_view(page, back), width
        page.shot(f"previewing-{width}x{height}")
    # the PDF offered meanwhile is the client's model's, and says so
    page.get_by_text(f"not model {other} you are looking at").scroll_into_view_if_needed()
    assert page.get_by_role("button", name="Prepare PDF report").is_visible()
    page.shot("previewing-report")

    make.scroll_into_view_if_needed()
    make.click()
    page.get_by_text(f"Model {other} is now the client's model").wait_for()
    assert notice.count() == 0
    assert stored_model(app_server.env["DATABASE_URL"]) == other
    page.shot("made-the-client-s-model")
