"""Deleting a dataset version in a real browser: a delete refused because a run on the version
is still queued closes its popover, which covered the refusal, and the refusal reads in full
under the button at 1024 x 768; nothing is deleted."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select

from kiri_core.db.models import Dataset, ModelRun
from kiri_core.db.session import session_factory, upgrade_database
from kiri_core.services import datasets, runs
from tests.e2e.live_app import (
    SETTINGS,
    AppServer,
    acme_team,
    base_env,
    click_until,
    log_in_small,
    open_page,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def data_app(tmp_path: Path, monkeypatch) -> Iterator[AppServer]:
    """The app (embedded runner) with two versions of Acme AB's data and a run queued on v1
    (an hour before the app gives a queued run up: the test ends long before)."""
    env = base_env(tmp_path) | {"KIRI_HEARTBEAT_TIMEOUT": "3600"}
    for name in SETTINGS:
        monkeypatch.setenv(name, env[name])
    upgrade_database(env["DATABASE_URL"])
    with session_factory(env["DATABASE_URL"])() as session:
        _, analyst, client = acme_team(session)
        first = datasets.generate_dataset(session, analyst, client.id, 60, 1)
        datasets.generate_dataset(session, analyst, client.id, 60, 2)
        session.add(ModelRun(client_id=client.id, dataset_id=first.id, status="queued",
                             config=runs.default_config(first), created_by_id=analyst.id))
        session.commit()
    server = AppServer(env, tmp_path, with_worker=False).start()
    yield server
    server.stop()


def pick_version(page, label: str, tries: int = 5) -> None:
    """Pick a version in the delete box; a rerun of the page (the expander's opening) can
    close its list, or draw it anew under the click, so it is opened and clicked again."""
    box = page.get_by_role("combobox", name="Version", exact=True)
    option = page.get_by_role("option").filter(has_text=label)
    for _ in range(tries):
        page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
        box.click()
        try:
            option.click(timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        return
    raise AssertionError(f"could not pick the version {label!r}")


def test_a_refused_delete_closes_its_popover_and_shows_why(data_app, browser_page):
    server, page = data_app, browser_page
    log_in_small(page, server.url, "ann@agency.se")
    open_page(page, "Data")
    page.get_by_text("Delete a version").click()
    pick_version(page, "v1 (")
    confirm = page.get_by_role("button", name="Yes, delete")
    click_until(page, page.get_by_role("button", name="Delete v1"), confirm.is_visible,
                "Opening the delete popover")  # a click during the pick's rerun is lost
    page.shot("asked")
    confirm.click()
    refusal = page.get_by_text(re.compile(r"Nothing was deleted: run #\d+ on dataset v1 "))
    refusal.wait_for()
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    confirm.wait_for(state="hidden")  # the popover closed: it hid the refusal
    refusal.scroll_into_view_if_needed()
    assert refusal.is_visible()
    page.shot("refused")
    with session_factory(server.env["DATABASE_URL"])() as session:
        assert session.scalars(select(Dataset.version).where(
            Dataset.deleted_at.is_(None)).order_by(Dataset.version)).all() == [1, 2]
