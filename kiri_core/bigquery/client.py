"""Read a BigQuery table or query result over REST, with bounded timeouts and retries.

Rows are read through the REST API only (``tabledata.list`` / ``jobs.query`` and
``jobs.getQueryResults``, page by page); the Storage Read API is never used because rows are
iterated, not converted with ``to_dataframe``. Every call gets ``timeout=`` (seconds per HTTP
request) and a retry whose deadline is ``KIRI_BIGQUERY_RETRY_DEADLINE`` instead of the client
library's ten minutes; a query job is given up after the same deadline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from google.api_core.client_options import ClientOptions
from google.auth.credentials import Credentials
from google.cloud import bigquery
from google.cloud.bigquery.retry import DEFAULT_JOB_RETRY, DEFAULT_RETRY

from kiri_core.bigquery import settings
from kiri_core.bigquery.errors import explain
from kiri_core.services.errors import ValidationError

TABLE_PART = re.compile(r"^[A-Za-z0-9_\-:]+$")


@dataclass(frozen=True)
class SourceSpec:
    """What to read: a table (``dataset.table`` or ``project.dataset.table``) or a query."""

    project: str
    table_ref: str | None = None
    query: str | None = None

    @property
    def where(self) -> str:
        return f"table {self.table_ref}" if self.table_ref else "the tables the SQL query reads"

    def table_id(self) -> str:
        """The fully qualified ``project.dataset.table``.

        Raises
        ------
        ValidationError
            The reference is not ``dataset.table`` or ``project.dataset.table``.
        """
        parts = (self.table_ref or "").strip().strip("`").split(".")
        if len(parts) == 2:
            parts.insert(0, self.project)
        if len(parts) != 3 or not all(TABLE_PART.match(p) for p in parts):
            raise ValidationError(
                f"'{self.table_ref}' is not a table reference; write dataset.table or "
                "project.dataset.table."
            )
        return ".".join(parts)


@dataclass(frozen=True)
class FetchedRows:
    """Rows as a frame (BigQuery types become date, float, int, bool, str, None)."""

    frame: pd.DataFrame
    column_types: dict[str, str]
    total_rows: int | None


def make_client(project: str, credentials: Credentials) -> bigquery.Client:
    endpoint = settings.api_endpoint()
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return bigquery.Client(project=project, credentials=credentials, client_options=options)


def fetch_rows(
    spec: SourceSpec, credentials: Credentials, *, max_rows: int | None = None
) -> FetchedRows:
    """Read the source's rows (at most ``max_rows``).

    Raises
    ------
    BigQueryFailure
        Access denied, table missing, quota, timeout, server error or a rejected query,
        each in plain words (see :func:`kiri_core.bigquery.errors.explain`).
    """
    table_id = spec.table_id() if spec.table_ref else None
    deadline = settings.retry_deadline_seconds()
    client = make_client(spec.project, credentials)
    try:
        rows = (
            read_table(client, table_id, max_rows, deadline)
            if table_id
            else run_query(client, spec.query or "", max_rows, deadline)
        )
        records = [tuple(row.values()) for row in rows]
    except Exception as exc:
        raise explain(exc, where=spec.where, project=spec.project, deadline=deadline) from exc
    finally:
        client.close()
    names = [field.name for field in rows.schema]
    return FetchedRows(
        frame=pd.DataFrame.from_records(records, columns=names),
        column_types={field.name: field.field_type for field in rows.schema},
        total_rows=rows.total_rows,
    )


def read_table(
    client: bigquery.Client, table_id: str, max_rows: int | None, deadline: float
) -> bigquery.table.RowIterator:
    timeout = settings.request_timeout_seconds()
    retry = DEFAULT_RETRY.with_deadline(deadline)
    table = client.get_table(table_id, retry=retry, timeout=timeout)
    return client.list_rows(
        table,
        max_results=max_rows,
        page_size=settings.PAGE_SIZE,
        retry=retry,
        timeout=timeout,
    )


def run_query(
    client: bigquery.Client, sql: str, max_rows: int | None, deadline: float
) -> bigquery.table.RowIterator:
    return client.query_and_wait(
        sql,
        api_timeout=settings.request_timeout_seconds(),
        wait_timeout=deadline,
        retry=DEFAULT_RETRY.with_deadline(deadline),
        job_retry=DEFAULT_JOB_RETRY.with_deadline(deadline),
        page_size=settings.PAGE_SIZE,
        max_results=max_rows,
    )
