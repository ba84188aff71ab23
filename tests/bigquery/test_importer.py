"""Import through the real client and the fake server into PostgreSQL: datasets, history,
validation exactly like CSV upload, each failure in plain words, re-run on new weeks."""

from __future__ import annotations

import datetime as dt

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiri_core import queue
from kiri_core.bigquery.importer import describe, history_row, import_source, outcome
from kiri_core.bigquery.models import BigQueryImport, BigQuerySource
from kiri_core.bigquery.sources import import_history, save_source
from kiri_core.db.models import Dataset, ModelRun
from kiri_core.services import datasets, runs
from kiri_core.services.errors import AccessDenied

from .conftest import SCHEMA, TABLE, Agency, table_settings, warehouse_rows
from .fake_server import FakeBigQuery


def client_datasets(session: Session, agency: Agency) -> list[Dataset]:
    return datasets.list_datasets(session, agency.analyst, agency.client.id)


def test_import_saves_a_dataset_version_in_kiris_format(
    session: Session, agency: Agency, table_source_id: int
):
    record = import_source(session, agency.analyst, table_source_id)
    assert (record.status, record.rows, record.new_weeks) == ("succeeded", 104, 104)
    [dataset] = client_datasets(session, agency)
    assert (dataset.id, dataset.source, dataset.row_count) == (record.dataset_id, "bigquery", 104)
    assert dataset.name == "BigQuery: Weekly marketing"
    frame = datasets.load_frame(session, agency.analyst, dataset.id)
    assert list(frame.columns) == [
        "date", "revenue", "spend_meta", "spend_google", "spend_tiktok", "spend_email",
        "promo_flag",
    ]
    rows = warehouse_rows(104)
    assert frame["date"].tolist() == [r[0].isoformat() for r in rows]
    assert frame["revenue"].tolist() == pytest.approx([r[1] for r in rows])
    assert frame["spend_email"].tolist() == [r[5] for r in rows]
    assert frame["promo_flag"].tolist() == [int(r[6]) for r in rows]
    assert describe(record) == "Saved as dataset v1: 104 weeks (all new)."


def test_a_query_source_imports_its_result(session: Session, agency: Agency, warehouse):
    values = table_settings(table_ref=None, query=f"SELECT * FROM `{TABLE}`", name="By query")
    source = save_source(session, agency.analyst, agency.client.id, values)
    record = import_source(session, agency.analyst, source.id)
    assert (record.status, record.rows) == ("succeeded", 104)
    assert warehouse.calls("jobs.query") and not warehouse.calls("tabledata.list")


def test_the_same_rows_again_save_nothing_new(
    session: Session, agency: Agency, table_source_id: int
):
    import_source(session, agency.analyst, table_source_id)
    again = import_source(session, agency.analyst, table_source_id)
    assert (again.status, again.dataset_id, again.new_weeks) == ("unchanged", None, 0)
    assert len(client_datasets(session, agency)) == 1


def test_changed_rows_are_a_new_version_that_says_how_many_weeks_are_later(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery
):
    import_source(session, agency.analyst, table_source_id)
    rows = warehouse_rows(104)
    rows[0] = (rows[0][0], rows[0][1] + 1.0, *rows[0][2:])  # a corrected first week
    warehouse.add_table(TABLE, SCHEMA, rows)
    changed = import_source(session, agency.analyst, table_source_id)
    assert describe(changed) == "Saved as dataset v2: 104 weeks (0 later than the data you had)."
    assert outcome(changed) == "Saved as dataset v2"


def test_the_same_rows_are_saved_again_once_their_version_was_deleted(
    session: Session, agency: Agency, table_source_id: int
):
    first = import_source(session, agency.analyst, table_source_id)
    import_source(session, agency.analyst, table_source_id)  # unchanged
    datasets.delete_dataset(session, agency.analyst, first.dataset_id)
    again = import_source(session, agency.analyst, table_source_id)
    assert again.status == "succeeded" and again.dataset_id != first.dataset_id
    assert [d.id for d in client_datasets(session, agency)] == [again.dataset_id]


def test_invalid_data_saves_nothing_and_lists_the_csv_uploads_problems(
    session: Session, agency: Agency, fake_bigquery: FakeBigQuery
):
    rows = warehouse_rows(40)
    rows[3] = (*rows[3][:2], -5.0, *rows[3][3:])  # negative Meta spend in data row 4
    fake_bigquery.add_table(TABLE, SCHEMA, rows)
    source = save_source(session, agency.analyst, agency.client.id, table_settings())
    record = import_source(session, agency.analyst, source.id)
    assert (record.status, record.error_kind, record.dataset_id) == ("failed", "invalid", None)
    assert client_datasets(session, agency) == []
    # exactly the problems a CSV upload of the same data reports, with row and column
    mapped = datasets.read_upload(
        b"date,revenue,spend_meta,spend_google,spend_tiktok,spend_email,promo_flag\n"
        + "".join(
            f"{r[0]},{r[1]},{r[2]},{r[3]},{r[4]},{r[5]},{int(r[6])}\n" for r in rows
        ).encode()
    )
    mapping = {"date": "date", "revenue": "revenue", "context": ["promo_flag"],
               "spend": ["spend_meta", "spend_google", "spend_tiktok", "spend_email"]}
    csv_problems = datasets.check_frame(mapped, mapping)
    assert len(csv_problems) == 2
    assert record.error.splitlines()[1:] == [f"- {p}" for p in csv_problems]
    assert "only 40 rows" in record.error
    assert "row 5, column 'spend_meta'" in record.error  # header is row 1
    assert describe(record).startswith("Data invalid: The BigQuery data has 2 problems;")


def test_a_mapped_column_missing_from_bigquery_is_named(
    session: Session, agency: Agency, fake_bigquery: FakeBigQuery
):
    schema = [c for c in SCHEMA if c[0] != "google_cost"]
    rows = [r[:3] + r[4:] for r in warehouse_rows(104)]
    fake_bigquery.add_table(TABLE, schema, rows)
    source = save_source(session, agency.analyst, agency.client.id, table_settings())
    record = import_source(session, agency.analyst, source.id)
    assert (record.status, record.error_kind) == ("failed", "invalid")
    assert "Column 'google_cost' (mapped to spend_google) is not in the BigQuery data" in (
        record.error
    )
    assert client_datasets(session, agency) == []


FAILURES = {
    "403": (lambda f: f.fail(403, "accessDenied", "Access Denied: Table"), "auth",
            "Access denied: BigQuery denied access to table marketing.weekly"),
    "404": (lambda f: f.tables.clear(), "not_found",
            "Table missing: BigQuery could not find table marketing.weekly"),
    "500": (lambda f: f.fail(500, "internalError", "Internal error"), "server",
            "BigQuery error: BigQuery had an internal error (HTTP 500)"),
    "quota": (lambda f: f.fail(403, "quotaExceeded", "Quota exceeded"), "quota",
              "Quota exceeded: BigQuery's quota or rate limit for project acme-warehouse"),
    "slow": (lambda f: f.slow(8), "timeout",
             "Timed out: BigQuery did not answer within 2 seconds"),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_each_failure_is_in_the_history_in_plain_words(
    session: Session, agency: Agency, table_source_id: int, warehouse: FakeBigQuery, failure
):
    arm, kind, status_line = FAILURES[failure]
    arm(warehouse)
    record = import_source(session, agency.analyst, table_source_id)
    assert (record.status, record.error_kind, record.dataset_id) == ("failed", kind, None)
    assert describe(record).startswith(status_line)
    row = history_row(record, "SEK", "Europe/Stockholm")
    assert row["Result"] == status_line.split(":")[0]  # the title only: a narrow column
    assert row["Details"] == " ".join(record.error.splitlines())
    assert client_datasets(session, agency) == []
    [entry] = import_history(session, agency.viewer, table_source_id)
    assert (entry.id, entry.finished_at is not None) == (record.id, True)


def test_a_viewer_cannot_import(session: Session, agency: Agency, table_source_id: int):
    with pytest.raises(AccessDenied, match="analyst role"):
        import_source(session, agency.viewer, table_source_id)
    query = select(BigQueryImport).where(BigQueryImport.source_id == table_source_id)
    assert session.scalars(query).all() == []


def add_weeks(fake: FakeBigQuery, weeks: int) -> None:
    """Append weeks to the warehouse table, continuing its dates."""
    table = fake.tables[tuple(TABLE.split("."))]
    last = table.rows[-1]
    for i in range(1, weeks + 1):
        table.rows.append((last[0] + dt.timedelta(weeks=i), *last[1:]))


def succeeded_run(session: Session, agency: Agency, dataset_id: int) -> ModelRun:
    """A run of the client on the dataset, queued through the real service and finished."""
    config = runs.default_config(session.get(Dataset, dataset_id))
    run = runs.start_run(session, agency.analyst, agency.client.id, dataset_id, config)
    run.status = "succeeded"  # the worker's outcome; no worker listens on this queue here
    session.commit()
    return run


@pytest.mark.redis
def test_new_weeks_start_a_rerun_of_the_last_configuration(
    session: Session, agency: Agency, warehouse: FakeBigQuery, redis_url: str, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    values = table_settings(rerun_on_new_weeks=True)
    source = save_source(session, agency.analyst, agency.client.id, values)
    first = import_source(session, agency.analyst, source.id)
    assert first.rerun_id is None  # nothing to re-run yet
    last = succeeded_run(session, agency, first.dataset_id)
    add_weeks(warehouse, 3)
    second = import_source(session, agency.analyst, source.id)
    assert (second.status, second.rows, second.new_weeks) == ("succeeded", 107, 3)
    rerun = session.get(ModelRun, second.rerun_id)
    assert (rerun.dataset_id, rerun.config, rerun.engine) == (
        second.dataset_id, last.config, last.engine
    )
    assert rerun.status == "queued" and rerun.id != last.id
    queued = Queue(queue.RUN_QUEUE, connection=Redis.from_url(redis_url)).job_ids
    assert rerun.job_id in queued
    assert describe(second) == (
        "Saved as dataset v2: 107 weeks (3 later than the data you had). "
        f"Re-run #{rerun.number} started with the last model configuration."
    )
    assert outcome(second) == f"Saved as dataset v2, re-run #{rerun.number}"


@pytest.mark.redis
def test_no_rerun_unless_the_source_asks_for_it(
    session: Session, agency: Agency, table_source_id: int, warehouse, redis_url, monkeypatch
):
    monkeypatch.setenv("REDIS_URL", redis_url)
    first = import_source(session, agency.analyst, table_source_id)
    succeeded_run(session, agency, first.dataset_id)
    add_weeks(warehouse, 1)
    second = import_source(session, agency.analyst, table_source_id)
    assert (second.status, second.new_weeks, second.rerun_id) == ("succeeded", 1, None)
    assert session.get(BigQuerySource, table_source_id).rerun_on_new_weeks is False


def test_the_history_writes_its_times_the_clients_way():
    """A EUR client reads "1 Dec 2026 21:45" on the Data page; its import history too."""
    record = BigQueryImport(trigger="schedule", status="failed", error_kind="quota",
                            error="BigQuery's quota is used up.\n- Try again tomorrow.",
                            started_at=dt.datetime(2026, 12, 1, 20, 45),
                            finished_at=dt.datetime(2026, 12, 1, 20, 46))
    assert history_row(record, "EUR", "Europe/Stockholm") == {
        "When": "1 Dec 2026 21:45", "Trigger": "schedule", "Rows": "–", "New weeks": "–",
        "Took": "1 min 0 s", "Result": "Quota exceeded",
        "Details": "BigQuery's quota is used up. - Try again tomorrow.",
    }
