"""A fake BigQuery v2 REST server on 127.0.0.1 for the real google-cloud-bigquery client.

It answers the calls the client library makes to read a table or run a query:

- ``tables.get``            GET  /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}
- ``tabledata.list``        GET  /bigquery/v2/projects/{p}/datasets/{d}/tables/{t}/data
- ``jobs.insert``           POST /bigquery/v2/projects/{p}/jobs
- ``jobs.get``              GET  /bigquery/v2/projects/{p}/jobs/{job}
- ``jobs.cancel``           POST /bigquery/v2/projects/{p}/jobs/{job}/cancel
- ``jobs.query``            POST /bigquery/v2/projects/{p}/queries
- ``jobs.getQueryResults``  GET  /bigquery/v2/projects/{p}/queries/{job}
- OAuth token exchange      POST /token (the ``token_uri`` of a test service account)

Rows are paged with ``maxResults`` / ``pageToken`` / ``startIndex`` and typed as BigQuery does
on the wire (every value a string, ``null`` for missing). Queries are either registered
verbatim with :meth:`FakeBigQuery.add_query` or ``SELECT * FROM `project.dataset.table```.
Faults (an HTTP error with a BigQuery ``reason``, or a delay) are armed with
:meth:`FakeBigQuery.fail` and :meth:`FakeBigQuery.slow`; :meth:`FakeBigQuery.slow_jobs`
makes query jobs run for a while (``jobComplete: false`` until then).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

API_PREFIX = "/bigquery/v2"
DEFAULT_PAGE_SIZE = 100
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
SELECT_TABLE = re.compile(r"^\s*SELECT\s+\*\s+FROM\s+`?([\w-]+)\.(\w+)\.(\w+)`?\s*;?\s*$", re.I)
ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)$"), "tables.get"),
    (
        "GET",
        re.compile(r"^/projects/([^/]+)/datasets/([^/]+)/tables/([^/]+)/data$"),
        "tabledata.list",
    ),
    ("POST", re.compile(r"^/projects/([^/]+)/jobs$"), "jobs.insert"),
    ("GET", re.compile(r"^/projects/([^/]+)/jobs/([^/]+)$"), "jobs.get"),
    ("POST", re.compile(r"^/projects/([^/]+)/jobs/([^/]+)/cancel$"), "jobs.cancel"),
    ("POST", re.compile(r"^/projects/([^/]+)/queries$"), "jobs.query"),
    ("GET", re.compile(r"^/projects/([^/]+)/queries/([^/]+)$"), "jobs.getQueryResults"),
]


class ApiError(Exception):
    """An error answered in BigQuery's JSON error format."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [{"message": self.message, "domain": "global", "reason": self.reason}],
                "status": STATUS_NAMES.get(self.status, "UNKNOWN"),
            }
        }


@dataclass
class FakeTable:
    """A table: its schema as ``(name, type)`` pairs and its rows as Python values."""

    schema: list[tuple[str, str]]
    rows: list[Sequence[Any]]

    def schema_resource(self) -> dict[str, Any]:
        return {
            "fields": [{"name": n, "type": t, "mode": "NULLABLE"} for n, t in self.schema]
        }

    def wire_rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        types = [t for _, t in self.schema]
        return [
            {"f": [{"v": wire_value(v, t)} for v, t in zip(row, types, strict=True)]}
            for row in self.rows[start:stop]
        ]


@dataclass
class Fault:
    """An armed fault: an error (``status`` set) or a delay, on some endpoints, some times."""

    status: int | None
    reason: str
    message: str
    delay: float
    endpoints: frozenset[str] | None
    times: int | None

    def applies(self, endpoint: str) -> bool:
        in_scope = self.endpoints is None or endpoint in self.endpoints
        return in_scope and (self.times is None or self.times > 0)


@dataclass
class FakeJob:
    """A query job; it runs until ``done_at`` (``time.monotonic()``) or until cancelled."""

    project: str
    job_id: str
    query: str
    table: FakeTable | None
    done_at: float
    error: ApiError | None = None

    def reference(self) -> dict[str, str]:
        return {"projectId": self.project, "jobId": self.job_id, "location": "US"}

    @property
    def done(self) -> bool:
        return time.monotonic() >= self.done_at


def wire_value(value: Any, bq_type: str) -> str | None:
    """A Python value as BigQuery's REST API sends it: a string, or None for NULL."""
    if value is None:
        return None
    if bq_type == "BOOLEAN":
        return "true" if value else "false"
    if bq_type == "DATE" and isinstance(value, dt.date):
        return value.isoformat()
    if bq_type == "FLOAT":
        return repr(float(value))
    if bq_type == "INTEGER":
        return str(int(value))
    return str(value)


def encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_token(token: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(token.encode()).decode().split(":", 1)[1])
    except (ValueError, IndexError) as exc:
        raise ApiError(400, "invalid", f"Invalid page token: {token}") from exc


def b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class FakeBigQuery:
    """State and behaviour of the fake; :meth:`start` serves it on a free local port."""

    tables: dict[tuple[str, str, str], FakeTable] = field(default_factory=dict)
    queries: dict[str, FakeTable] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    jobs: dict[str, FakeJob] = field(default_factory=dict)
    service_accounts: dict[str, bytes] = field(default_factory=dict)
    issued_tokens: dict[str, str] = field(default_factory=dict)
    require_token: bool = False
    job_seconds: float = 0.0
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    # -- set-up ------------------------------------------------------------------------------
    def add_table(
        self,
        table_id: str,
        schema: Sequence[tuple[str, str]],
        rows: Iterable[Sequence[Any]],
    ) -> None:
        """Register ``project.dataset.table`` with a schema and rows."""
        project, dataset, table = table_id.split(".")
        self.tables[(project, dataset, table)] = FakeTable(list(schema), list(rows))

    def add_query(
        self, sql: str, schema: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]
    ) -> None:
        """Answer exactly this SQL text (whitespace-normalised) with these rows."""
        self.queries[normalise_sql(sql)] = FakeTable(list(schema), list(rows))

    def add_service_account(self, email: str, public_key_pem: bytes) -> None:
        """Accept JWT token requests signed by this key; from now on every call needs a token."""
        self.service_accounts[email] = public_key_pem
        self.require_token = True

    def fail(
        self,
        status: int,
        reason: str,
        message: str,
        *,
        endpoints: Iterable[str] | None = None,
        times: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls (all if None) to ``endpoints`` with this error."""
        scope = frozenset(endpoints) if endpoints is not None else None
        self.faults.append(Fault(status, reason, message, 0.0, scope, times))

    def slow(
        self, seconds: float, *, endpoints: Iterable[str] | None = None, times: int | None = None
    ) -> None:
        """Wait ``seconds`` before answering the next ``times`` calls to ``endpoints``."""
        scope = frozenset(endpoints) if endpoints is not None else None
        self.faults.append(Fault(None, "", "", seconds, scope, times))

    def slow_jobs(self, seconds: float) -> None:
        """Let query jobs run ``seconds`` before they complete (a heavy query)."""
        self.job_seconds = seconds

    def calls(self, endpoint: str | None = None) -> list[tuple[str, str, str | None]]:
        """Requests seen so far as ``(endpoint, path_and_query, bearer_token)``."""
        with self._lock:
            return [c for c in self.requests if endpoint is None or c[0] == endpoint]

    # -- serving -----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeBigQuery:
        handler = type("Handler", (FakeHandler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- request handling --------------------------------------------------------------------
    def handle(
        self, method: str, raw_path: str, body: dict[str, Any], token: str | None
    ) -> dict[str, Any]:
        parts = urlsplit(raw_path)
        if method == "POST" and parts.path == "/token":
            self.record("oauth.token", raw_path, token)
            return self.issue_token(body)
        endpoint, args = self.route(method, parts.path)
        self.record(endpoint, raw_path, token)
        self.apply_faults(endpoint)
        if self.require_token and token not in self.issued_tokens:
            raise ApiError(401, "authError", "Request had invalid authentication credentials.")
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        return getattr(self, endpoint.replace(".", "_"))(*args, params=params, body=body)

    def record(self, endpoint: str, raw_path: str, token: str | None) -> None:
        with self._lock:
            self.requests.append((endpoint, raw_path, token))

    def route(self, method: str, path: str) -> tuple[str, tuple[str, ...]]:
        if path.startswith(API_PREFIX):
            for route_method, pattern, endpoint in ROUTES:
                match = pattern.match(path[len(API_PREFIX) :])
                if route_method == method and match:
                    return endpoint, match.groups()
        raise ApiError(404, "notFound", f"Not found: {method} {path}")

    def apply_faults(self, endpoint: str) -> None:
        with self._lock:
            fault = next((f for f in self.faults if f.applies(endpoint)), None)
            if fault is not None and fault.times is not None:
                fault.times -= 1
        if fault is None:
            return
        if fault.delay:
            time.sleep(fault.delay)
        if fault.status is not None:
            raise ApiError(fault.status, fault.reason, fault.message)

    def issue_token(self, body: dict[str, Any]) -> dict[str, Any]:
        """OAuth2 JWT-bearer grant: verify the assertion's RS256 signature, hand out a token."""
        assertion = str(body.get("assertion", ""))
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            claims = json.loads(b64url_decode(claims_b64))
        except ValueError as exc:
            raise ApiError(400, "invalid_grant", "Malformed JWT assertion") from exc
        public_pem = self.service_accounts.get(claims.get("iss", ""))
        if public_pem is None:
            raise ApiError(400, "invalid_grant", "Invalid JWT: unknown service account")
        public_key = serialization.load_pem_public_key(public_pem)
        try:
            public_key.verify(  # type: ignore[union-attr, call-arg]
                b64url_decode(signature_b64),
                f"{header_b64}.{claims_b64}".encode(),
                padding.PKCS1v15(),  # type: ignore[arg-type]
                hashes.SHA256(),  # type: ignore[arg-type]
            )
        except Exception as exc:
            raise ApiError(400, "invalid_grant", "Invalid JWT Signature.") from exc
        token = f"ya29.fake-{uuid.uuid4().hex}"
        with self._lock:
            self.issued_tokens[token] = claims["iss"]
        return {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}

    # -- endpoints ---------------------------------------------------------------------------
    def table(self, project: str, dataset: str, table: str) -> FakeTable:
        try:
            return self.tables[(project, dataset, table)]
        except KeyError:
            raise ApiError(
                404, "notFound", f"Not found: Table {project}:{dataset}.{table}"
            ) from None

    def tables_get(self, project: str, dataset: str, table: str, **_: Any) -> dict[str, Any]:
        found = self.table(project, dataset, table)
        return {
            "kind": "bigquery#table",
            "id": f"{project}:{dataset}.{table}",
            "tableReference": {"projectId": project, "datasetId": dataset, "tableId": table},
            "schema": found.schema_resource(),
            "numRows": str(len(found.rows)),
            "type": "TABLE",
            "location": "US",
        }

    def tabledata_list(
        self, project: str, dataset: str, table: str, *, params: dict[str, str], **_: Any
    ) -> dict[str, Any]:
        found = self.table(project, dataset, table)
        return {"kind": "bigquery#tableDataList", **page_of(found, params)}

    def resolve_query(self, sql: str) -> FakeTable:
        registered = self.queries.get(normalise_sql(sql))
        if registered is not None:
            return registered
        match = SELECT_TABLE.match(sql)
        if match:
            return self.table(*match.groups())
        raise ApiError(400, "invalidQuery", f"Syntax error: Unrecognized query: {sql[:60]}")

    def start_job(self, project: str, sql: str, job_id: str | None = None) -> FakeJob:
        job_id = job_id or f"job_{uuid.uuid4().hex}"
        job = FakeJob(project, job_id, sql, None, time.monotonic() + self.job_seconds)
        try:
            job.table = self.resolve_query(sql)
        except ApiError as exc:
            job.error = exc
        with self._lock:
            self.jobs[job.job_id] = job
        return job

    def job(self, job_id: str) -> FakeJob:
        try:
            return self.jobs[job_id]
        except KeyError:
            raise ApiError(404, "notFound", f"Not found: Job {job_id}") from None

    def jobs_insert(self, project: str, *, body: dict[str, Any], **_: Any) -> dict[str, Any]:
        sql = body.get("configuration", {}).get("query", {}).get("query", "")
        job_id = body.get("jobReference", {}).get("jobId")
        return job_resource(self.start_job(project, sql, job_id))

    def jobs_get(self, project: str, job_id: str, **_: Any) -> dict[str, Any]:
        return job_resource(self.job(job_id))

    def jobs_cancel(self, project: str, job_id: str, **_: Any) -> dict[str, Any]:
        job = self.job(job_id)
        job.done_at = time.monotonic()
        job.error = ApiError(400, "stopped", "Job execution was cancelled: User requested")
        return {"kind": "bigquery#jobCancelResponse", "job": job_resource(job)}

    def jobs_query(self, project: str, *, body: dict[str, Any], **_: Any) -> dict[str, Any]:
        job = self.start_job(project, body.get("query", ""))
        if job.error is not None:
            raise job.error
        params = {"maxResults": str(body["maxResults"])} if "maxResults" in body else {}
        return query_response("bigquery#queryResponse", job, params)

    def jobs_getQueryResults(  # noqa: N802 - the REST method's name
        self, project: str, job_id: str, *, params: dict[str, str], **_: Any
    ) -> dict[str, Any]:
        job = self.job(job_id)
        if not job.done:  # wait up to timeoutMs (at most 1 s here), like BigQuery does
            wait = min(float(params.get("timeoutMs", 1000)) / 1000, 1.0)
            time.sleep(max(0.0, min(wait, job.done_at - time.monotonic())))
        if job.error is not None:
            raise job.error
        return query_response("bigquery#getQueryResultsResponse", job, params)


def normalise_sql(sql: str) -> str:
    return " ".join(sql.split()).rstrip(";").strip()


def page_of(table: FakeTable, params: dict[str, str]) -> dict[str, Any]:
    """One page of rows for ``maxResults`` / ``pageToken`` / ``startIndex``."""
    start = decode_token(params["pageToken"]) if "pageToken" in params else 0
    start = int(params.get("startIndex", start))
    size = int(params.get("maxResults", DEFAULT_PAGE_SIZE)) or 0
    stop = min(start + size, len(table.rows))
    page: dict[str, Any] = {"totalRows": str(len(table.rows)), "rows": table.wire_rows(start, stop)}
    if stop < len(table.rows) and size > 0:
        page["pageToken"] = encode_token(stop)
    return page


def query_response(kind: str, job: FakeJob, params: dict[str, str]) -> dict[str, Any]:
    assert job.table is not None
    if not job.done:
        return {"kind": kind, "jobReference": job.reference(), "jobComplete": False}
    return {
        "kind": kind,
        "jobReference": job.reference(),
        "schema": job.table.schema_resource(),
        "jobComplete": True,
        "cacheHit": False,
        "totalBytesProcessed": "0",
        **page_of(job.table, params),
    }


def job_resource(job: FakeJob) -> dict[str, Any]:
    now_ms = str(int(time.time() * 1000))
    status: dict[str, Any] = {"state": "DONE" if job.done else "RUNNING"}
    if job.error is not None:
        status["errorResult"] = job.error.body()["error"]["errors"][0]
        status["errors"] = [status["errorResult"]]
    return {
        "kind": "bigquery#job",
        "id": f"{job.project}:US.{job.job_id}",
        "jobReference": job.reference(),
        "configuration": {
            "jobType": "QUERY",
            "query": {"query": job.query, "useLegacySql": False},
        },
        "status": status,
        "statistics": {
            "creationTime": now_ms,
            "startTime": now_ms,
            "endTime": now_ms,
            "query": {"totalBytesProcessed": "0", "statementType": "SELECT"},
        },
    }


class FakeHandler(BaseHTTPRequestHandler):
    """Turns HTTP requests into :meth:`FakeBigQuery.handle` calls and JSON answers."""

    fake: FakeBigQuery
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.answer("GET")

    def do_POST(self) -> None:  # noqa: N802
        self.answer("POST")

    def read_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if not raw:
            return {}
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return {k: v[-1] for k, v in parse_qs(raw).items()}
        return json.loads(raw)

    def answer(self, method: str) -> None:
        auth = self.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        try:
            status, payload = 200, self.fake.handle(method, self.path, self.read_body(), token)
        except ApiError as exc:
            status, payload = exc.status, exc.body()
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        """Stay quiet; requests are kept in ``fake.requests``."""
