"""Nothing the browser loads comes from another machine: the favicon, fonts and scripts are
served by the app itself (``.streamlit/config.toml`` promises no third-party requests), so
the app works offline and tells no font CDN who uses it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.live_app import FinishedRun, log_in, open_page

pytestmark = [pytest.mark.browser,
              pytest.mark.parametrize("app_server", ["embedded"], indirect=True)]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def test_no_request_leaves_the_machine(finished: FinishedRun, app_server, browser_page) -> None:
    page = browser_page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(app_server.url)
    log_in(page, finished.email)
    for title in ("Results", "Data", "Runs"):
        open_page(page, title)
        page.get_by_role("heading", name=title).first.wait_for()
        page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden")
    away = [url for url in requested
            if urlsplit(url).scheme in ("http", "https", "ws", "wss")
            and urlsplit(url).hostname not in LOCAL_HOSTS]
    assert away == []
    icon = page.locator("link[rel~='icon']").first.get_attribute("href")
    assert icon.endswith(".png") and any(url.endswith(icon) for url in requested), icon
