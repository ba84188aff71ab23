"""The BigQuery sources page (Streamlit AppTest) over the real services and the fake server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from kiri_core import config
from kiri_core.bigquery.mapping import SourceMapping
from kiri_core.bigquery.models import BigQueryImport
from kiri_core.bigquery.sources import import_history, list_sources
from kiri_core.db.base import utcnow
from kiri_core.formatting import timestamp

from .conftest import MAPPING, PROJECT, Agency, run_rq_worker, wait_for_import
from .fake_server import FakeBigQuery

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "sources.py")


def open_page(user_id: int, client_id: int) -> AppTest:
    app = AppTest.from_file(PAGE, default_timeout=30)
    app.session_state["user_id"] = user_id
    app.session_state["client_id"] = client_id
    return app.run()


def button(app: AppTest, label: str):
    return next(b for b in app.button if b.label == label)


def texts(elements) -> str:
    return "\n".join(str(e.value) for e in elements)


def import_now(app: AppTest, session: Session, agency: Agency, source_id: int):
    """Click "Import now": the page returns with the import queued or already running."""
    button(app, "Import now").click().run()
    assert not app.exception
    [record] = import_history(session, agency.viewer, source_id, limit=1)
    assert record.status in ("queued", "running")
    assert app.info[0].value in ("Queued: the import starts as soon as a worker is free.",
                                 "Importing…")  # above the schedule's info, if any
    assert not app.success and not app.error
    return record


def history(app: AppTest) -> pd.DataFrame:
    """The import history table as shown, checked to hold text only (no None, no NaN)."""
    frame = app.dataframe[-1].value
    assert not frame.isna().any().any()
    assert all(isinstance(v, str) and v != "None" for v in frame.to_numpy().ravel())
    return frame


@pytest.mark.timeout(120)
def test_an_analyst_sets_up_tests_saves_and_imports_a_source(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    app = open_page(agency.analyst.id, agency.client.id)
    assert texts(app.info) == "Test the connection to choose the columns."
    app.text_input(key="bq_new_name").input("Warehouse weekly")
    app.text_input(key="bq_new_project").input(PROJECT)
    app.text_input(key="bq_new_table").input("marketing.weekly")
    button(app, "Test connection").click().run()
    assert not app.exception
    assert "Connected: 104 rows, 8 columns" in texts(app.success)
    assert len(app.dataframe[0].value) == 10  # the first rows only
    assert app.selectbox(key="bq_new_Date column (week start)").value == "week"
    assert app.multiselect(key="bq_new_spend").value == list(MAPPING.spend.values())
    app.multiselect(key="bq_new_context").set_value(["promo"])
    button(app, "Save source").click().run()
    assert "Saved source 'Warehouse weekly'." in texts(app.success)
    [source] = list_sources(session, agency.analyst, agency.client.id)
    assert SourceMapping.from_json(source.column_mapping).spend == MAPPING.spend
    assert app.selectbox(key="bigquery_source").value == source.id
    record = import_now(app, session, agency, source.id)  # a background process imports
    assert wait_for_import(session, record.id).status == "succeeded"
    app.run()  # what the page's polling does once the import has finished
    assert texts(app.info).startswith("Weekly refresh is not turned on")  # the import's is gone
    assert "Saved as dataset v1: 104 weeks (all new)." in texts(app.success)
    assert [(link.label, link.proto.page) for link in app.get("page_link")] == [
        ("Start a run on it", "runs")]  # the next step, as after a CSV upload
    assert app.dataframe[-1].value["Result"].tolist() == ["Saved as dataset v1"]


def test_a_first_source_is_explained_in_user_words(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    """The audit: a blank form, a line about GOOGLE_APPLICATION_CREDENTIALS, and "not both"
    for a test with nothing entered."""
    app = open_page(agency.analyst.id, agency.client.id)
    captions = texts(app.caption)
    assert captions.startswith("A source is a BigQuery table or query that Kiri reads on "
                               "demand (Import now) into this client's weekly data")
    assert "Without a key, the service account set up for this app is used." in captions
    assert "GOOGLE_APPLICATION_CREDENTIALS" not in captions
    app.text_input(key="bq_new_project").input(PROJECT)
    button(app, "Test connection").click().run()
    assert texts(app.error) == "Enter a table or a SQL query."
    assert texts(app.info) == "Correct the table (or query) above and test again."


def test_a_missing_table_asks_to_correct_it_not_to_test_first(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    app = open_page(agency.analyst.id, agency.client.id)
    app.text_input(key="bq_new_project").input(PROJECT)
    app.text_input(key="bq_new_table").input("marketing.weekly_typo")
    button(app, "Test connection").click().run()
    assert texts(app.error).startswith("**Table missing.**")
    assert texts(app.info) == "Correct the table (or query) above and test again."
    app.text_input(key="bq_new_table").input("marketing.weekly").run()  # no test yet
    assert texts(app.info) == "Test the connection to choose the columns."


@pytest.mark.timeout(60)
def test_a_failed_import_shows_its_plain_words_status(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery
):
    warehouse.fail(404, "notFound", "Not found: Table acme-warehouse:marketing.weekly")
    app = open_page(agency.analyst.id, agency.client.id)
    record = import_now(app, session, agency, table_source_id)
    assert wait_for_import(session, record.id).status == "failed"
    app.run()
    assert texts(app.error).startswith("Table missing: BigQuery could not find table")
    [failed] = history(app).to_dict("records")
    assert failed["Result"] == "Table missing"  # the whole text would be cut at 1024 px
    assert failed["Details"].startswith("BigQuery could not find table")
    assert not app.get("page_link")


@pytest.mark.redis
@pytest.mark.timeout(120)
def test_import_now_on_the_queue_waits_for_a_worker_and_refuses_a_second_click(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery,
    redis_url: str, monkeypatch, tmp_path: Path,
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = open_page(agency.analyst.id, agency.client.id)
    record = import_now(app, session, agency, table_source_id)
    assert texts(app.info) == "Queued: the import starts as soon as a worker is free."
    [queued] = history(app).to_dict("records")
    assert queued["Result"] == "Queued"
    assert (queued["Rows"], queued["New weeks"], queued["Took"]) == ("–", "–", "waiting…")
    button(app, "Import now").click().run()
    assert texts(app.error).startswith("An import of 'Weekly marketing' is already queued")
    viewer = open_page(agency.viewer.id, agency.client.id)  # viewers see the status too
    assert texts(viewer.info) == texts(app.info)
    run_rq_worker(redis_url, tmp_path / "rq.log")
    assert wait_for_import(session, record.id).status == "succeeded"
    app.run()
    assert (texts(app.success), texts(app.error)) == ("Saved as dataset v1: 104 weeks (all new).",
                                                      "")


def test_a_viewer_sees_history_but_cannot_change_or_import(
    session: Session, agency: Agency, table_source_id: int
):
    app = open_page(agency.viewer.id, agency.client.id)
    assert not app.exception
    labels = {b.label for b in app.button}
    assert not labels & {"Import now", "Save source", "Test connection", "Save weekly schedule"}
    assert texts(app.info) == ("Weekly refresh is not turned on on this server; an "
                               "administrator can turn it on.")
    assert "No imports yet." in texts(app.caption)


def test_the_history_of_a_running_import_says_what_is_not_known_yet(
    session: Session, agency: Agency, table_source_id: int
):
    """While an import runs, its rows and duration read "–" and "importing…", not None."""
    now = utcnow()
    session.add_all([
        BigQueryImport(source_id=table_source_id, trigger="schedule", status="unchanged",
                       rows=1234, new_weeks=0, started_at=now - timedelta(days=7, seconds=75),
                       finished_at=now - timedelta(days=7)),
        BigQueryImport(source_id=table_source_id, trigger="manual", status="running",
                       actor_id=agency.analyst.id, started_at=now, heartbeat_at=now),
    ])
    session.commit()
    app = open_page(agency.viewer.id, agency.client.id)
    assert [i.value for i in app.info] == [
        "Importing…",
        "Weekly refresh is not turned on on this server; an administrator can turn it on."]
    running, done = history(app).to_dict("records")
    assert running == {"When": timestamp(now, config.time_zone()), "Trigger": "manual", "Rows": "–",
                       "New weeks": "–", "Took": "importing…", "Result": "Importing…",
                       "Details": "–"}
    assert (done["Rows"], done["New weeks"], done["Took"]) == ("1 234", "0", "1 min 15 s")


def test_without_the_queue_weekly_refresh_is_explained_instead_of_offered(
    session: Session, agency: Agency, table_source_id: int
):
    """The audit: the embedded default offered the form, then refused to save it."""
    app = open_page(agency.analyst.id, agency.client.id)
    assert "Save weekly schedule" not in {b.label for b in app.button}
    assert texts(app.info) == ("Weekly refresh is not turned on on this server; an "
                               "administrator can turn it on. Meanwhile use Import now.")
    assert "schedule" not in texts(app.caption)
    admin = open_page(agency.admin.id, agency.client.id)
    assert texts(admin.info) == (
        "Weekly refresh is not turned on on this server. To turn it on, set REDIS_URL to a "
        "Redis server and run the workers (python worker.py). Meanwhile use Import now.")


@pytest.mark.redis
def test_with_the_queue_an_analyst_gets_the_weekly_schedule_form(
    session: Session, agency: Agency, table_source_id: int, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    app = open_page(agency.analyst.id, agency.client.id)
    assert "Save weekly schedule" in {b.label for b in app.button}
    assert "No scheduled refresh." in texts(app.markdown)
    assert "reads on a weekly schedule or on demand (Import now)" in texts(app.caption)
