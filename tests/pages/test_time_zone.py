"""Times on the pages: a stored (UTC) moment shows on the viewer's clock, the browser's time
zone when it tells one, else the agency's (``KIRI_TIME_ZONE``, default Europe/Stockholm)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fitted import finished_run
from streamlit.testing.v1 import AppTest

from kiri_core import formatting as fmt
from kiri_core.db.models import AuditLog
from kiri_core.services.runs import choose_model, load_result

REPO_ROOT = Path(__file__).resolve().parents[2]
# 23:30 UTC on 15 January: 00:30 on the 16th in Stockholm (CET), 18:30 on the 15th in
# New York (EST), 08:30 on the 16th in Tokyo
LATE_EVENING = datetime(2026, 1, 15, 23, 30)
AS_STORED = "2026-01-15 23:30"
SETTINGS_AND_BROWSERS = pytest.mark.parametrize(
    ("setting", "browser", "moment", "day"),
    [
        (None, None, "2026-01-16 00:30", "2026-01-16"),  # no browser zone: the default
        ("America/New_York", None, "2026-01-15 18:30", "2026-01-15"),  # the agency's
        ("America/New_York", "Asia/Tokyo", "2026-01-16 08:30", "2026-01-16"),  # the browser's
        ("America/New_York", "Not/A_Zone", "2026-01-15 18:30", "2026-01-15"),  # unknown: agency
    ],
)


def open_as(page: str, user, client, browser: str | None) -> AppTest:
    """Run ``page`` as ``user`` on ``client`` in a browser that says it is in ``browser``."""
    app = AppTest.from_file(str(REPO_ROOT / page), default_timeout=60)
    app.session_state["user_id"], app.session_state["client_id"] = user.id, client.id
    app.context = {"timezone": browser}
    return app.run()


def use_setting(monkeypatch, setting: str | None) -> None:
    if setting is None:
        monkeypatch.delenv("KIRI_TIME_ZONE", raising=False)
    else:
        monkeypatch.setenv("KIRI_TIME_ZONE", setting)


@SETTINGS_AND_BROWSERS
def test_a_run_finished_and_its_model_chosen_show_on_the_viewers_clock(
        session, team, text_of, monkeypatch, setting, browser, moment, day):
    use_setting(monkeypatch, setting)
    run = finished_run(session, team.analyst, team.client.id)
    result = load_result(session, team.analyst, run.id)
    other = next(m["model_id"] for m in result["models"] if not m["recommended"])
    choose_model(session, team.analyst, run.id, other)
    run.finished_at = run.chosen_at = LATE_EVENING
    session.commit()
    app = open_as("pages/results.py", team.viewer, team.client, browser)
    assert not app.exception
    text = text_of(app)
    assert fmt.unbreakable_moments(f"· finished {moment}") in text
    assert f"chosen by Analyst on {day}" in text
    assert AS_STORED not in text


@SETTINGS_AND_BROWSERS
def test_admin_sees_last_login_and_the_audit_log_on_the_viewers_clock(
        session, team, monkeypatch, setting, browser, moment, day):
    use_setting(monkeypatch, setting)
    team.analyst.last_login_at = LATE_EVENING
    newest = session.scalar(sa.select(AuditLog).order_by(AuditLog.id.desc()).limit(1))
    newest.at = LATE_EVENING
    session.commit()
    app = open_as("pages/admin.py", team.admin, team.client, browser)
    assert not app.exception
    people = app.dataframe[0].value.set_index("E-mail")
    assert people.loc["analyst@agency.se", "Last login"] == moment
    assert app.dataframe[-1].value["When"].iloc[0] == moment
