"""The real google-cloud-bigquery client against the fake REST server: paging, types, errors."""

from __future__ import annotations

import datetime as dt

import pytest

from kiri_core.bigquery import settings
from kiri_core.bigquery.client import SourceSpec, fetch_rows
from kiri_core.bigquery.credentials import google_credentials
from kiri_core.bigquery.errors import BigQueryFailure
from kiri_core.services.errors import ValidationError

from .conftest import PROJECT, SCHEMA, TABLE, warehouse_rows
from .fake_server import FakeBigQuery

QUERY = "SELECT week, total_revenue FROM marketing.weekly WHERE market = 'SE'"
TABLE_SPEC = SourceSpec(PROJECT, table_ref="marketing.weekly")
QUERY_SPEC = SourceSpec(PROJECT, query=f"SELECT * FROM `{TABLE}`")


def fetch(spec: SourceSpec, max_rows: int | None = None):
    return fetch_rows(spec, google_credentials(None), max_rows=max_rows)


def test_table_is_read_page_by_page_with_typed_columns(warehouse: FakeBigQuery, monkeypatch):
    monkeypatch.setattr(settings, "PAGE_SIZE", 30)
    fetched = fetch(TABLE_SPEC)
    expected = warehouse_rows(104)
    assert fetched.column_types == dict(SCHEMA)
    assert len(fetched.frame) == fetched.total_rows == 104
    assert [tuple(r) for r in fetched.frame.itertuples(index=False)] == expected
    dtypes = fetched.frame.dtypes
    assert (dtypes["email_cost"].kind, dtypes["meta_cost"].kind, dtypes["promo"].kind) == (
        "i", "f", "b"
    )
    assert isinstance(fetched.frame["week"].iloc[0], dt.date)
    pages = warehouse.calls("tabledata.list")
    assert len(pages) == 4  # 30 + 30 + 30 + 14 rows
    assert sum("pageToken=" in path for _, path, _ in pages) == 3


def test_query_results_are_read_page_by_page(fake_bigquery: FakeBigQuery, monkeypatch):
    monkeypatch.setattr(settings, "PAGE_SIZE", 40)
    rows = [(dt.date(2024, 1, 1) + dt.timedelta(weeks=i), 1000.0 + i) for i in range(100)]
    fake_bigquery.add_query(QUERY, [("week", "DATE"), ("total_revenue", "FLOAT")], rows)
    fetched = fetch(SourceSpec(PROJECT, query=QUERY))
    assert [tuple(r) for r in fetched.frame.itertuples(index=False)] == rows
    assert len(fake_bigquery.calls("jobs.query")) == 1
    assert len(fake_bigquery.calls("jobs.getQueryResults")) == 2  # rows 40-79 and 80-99


def test_preview_reads_only_the_first_rows(warehouse: FakeBigQuery):
    fetched = fetch(TABLE_SPEC, max_rows=settings.PREVIEW_ROWS)
    assert len(fetched.frame) == settings.PREVIEW_ROWS
    assert fetched.total_rows == 104


FAULTS = {
    "access denied": (
        (403, "accessDenied", "Access Denied: Table acme-warehouse:marketing.weekly: User does "
         "not have permission to query table"),
        "auth",
        "BigQuery denied access to",
    ),
    "server error": ((500, "backendError", "Backend error"), "server", "internal error (HTTP 500)"),
    "quota": ((403, "quotaExceeded", "Quota exceeded: Your project exceeded quota for free "
               "query bytes scanned"), "quota", "quota or rate limit for project acme-warehouse"),
    "rate limit": ((403, "rateLimitExceeded", "Exceeded rate limits: too many api requests"),
                   "quota", "quota or rate limit"),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("spec", [TABLE_SPEC, QUERY_SPEC], ids=["table", "query"])
@pytest.mark.parametrize("fault", FAULTS, ids=list(FAULTS))
def test_each_error_has_its_plain_message(warehouse: FakeBigQuery, spec: SourceSpec, fault: str):
    (status, reason, said), kind, phrase = FAULTS[fault]
    warehouse.fail(status, reason, said)
    with pytest.raises(BigQueryFailure) as caught:
        fetch(spec)
    assert caught.value.kind == kind
    assert phrase in str(caught.value)
    assert said in str(caught.value)  # BigQuery's own words, without the request line
    assert "http://" not in str(caught.value)


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "spec", [SourceSpec(PROJECT, table_ref="marketing.missing"),
             SourceSpec(PROJECT, query=f"SELECT * FROM `{PROJECT}.marketing.missing`")],
    ids=["table", "query"],
)
def test_missing_table_is_named(fake_bigquery: FakeBigQuery, spec: SourceSpec):
    with pytest.raises(BigQueryFailure) as caught:
        fetch(spec)
    assert caught.value.kind == "not_found"
    assert "could not find" in str(caught.value)
    assert "marketing.missing" in str(caught.value)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("spec", [TABLE_SPEC, QUERY_SPEC], ids=["table", "query"])
def test_a_slow_answer_times_out_within_the_retry_deadline(warehouse: FakeBigQuery, spec):
    warehouse.slow(8)  # each request waits longer than KIRI_BIGQUERY_TIMEOUT=1
    with pytest.raises(BigQueryFailure) as caught:
        fetch(spec)
    assert caught.value.kind == "timeout"
    assert "did not answer within 2 seconds" in str(caught.value)


def test_a_query_job_that_takes_a_moment_is_waited_for(warehouse: FakeBigQuery):
    warehouse.slow_jobs(1.0)
    assert len(fetch(QUERY_SPEC).frame) == 104
    assert warehouse.calls("jobs.getQueryResults")  # polled until jobComplete
    assert not warehouse.calls("jobs.cancel")


@pytest.mark.timeout(30)
def test_a_query_job_running_past_the_deadline_is_cancelled(warehouse: FakeBigQuery):
    warehouse.slow_jobs(60)
    with pytest.raises(BigQueryFailure) as caught:
        fetch(QUERY_SPEC)
    assert caught.value.kind == "timeout"
    assert len(warehouse.calls("jobs.cancel")) == 1  # the job is not left running


@pytest.mark.parametrize("spec", [TABLE_SPEC, QUERY_SPEC], ids=["table", "query"])
def test_a_passing_server_error_is_retried(warehouse: FakeBigQuery, spec: SourceSpec):
    warehouse.fail(500, "backendError", "Backend error", times=1)
    fetched = fetch(spec)
    assert len(fetched.frame) == 104
    endpoints = [endpoint for endpoint, _, _ in warehouse.calls()]
    assert endpoints[0] == endpoints[1]  # the call answered with 500 was made again


def test_a_rejected_query_says_what_bigquery_said(fake_bigquery: FakeBigQuery):
    with pytest.raises(BigQueryFailure) as caught:
        fetch(SourceSpec(PROJECT, query="SELEC nonsense"))
    assert caught.value.kind == "query"
    assert "Syntax error" in str(caught.value)


@pytest.mark.parametrize("ref", ["weekly", "a.b.c.d", "marketing.week ly", ""])
def test_a_malformed_table_reference_is_refused(ref: str):
    with pytest.raises(ValidationError, match="dataset.table or project.dataset.table"):
        SourceSpec(PROJECT, table_ref=ref).table_id()


def test_without_any_credentials_the_message_says_how_to_set_them_up(monkeypatch):
    monkeypatch.delenv("BIGQUERY_API_ENDPOINT", raising=False)
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(BigQueryFailure, match="GOOGLE_APPLICATION_CREDENTIALS") as caught:
        google_credentials(None)
    assert caught.value.kind == "config"
