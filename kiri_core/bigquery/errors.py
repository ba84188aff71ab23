"""BigQuery failures in plain words: what went wrong and what the user can do about it."""

from __future__ import annotations

import concurrent.futures

import requests
from google.api_core import exceptions as api_exceptions
from google.auth import exceptions as auth_exceptions

from kiri_core.services.errors import KiriError

FAILURE_TITLES = {
    "auth": "Access denied",
    "not_found": "Table missing",
    "quota": "Quota exceeded",
    "timeout": "Timed out",
    "server": "BigQuery error",
    "network": "BigQuery unreachable",
    "query": "Query rejected",
    "config": "Not set up",
    "access": "No access in Kiri",
    "internal": "Import error",
    "stopped": "Import stopped",
    "invalid": "Data invalid",
}
QUOTA_REASONS = frozenset({"quotaExceeded", "rateLimitExceeded"})


class BigQueryFailure(KiriError):
    """An import or preview failed; ``kind`` is a key of ``FAILURE_TITLES``.

    ``problems`` lists every validation problem when ``kind == "invalid"``.
    """

    def __init__(self, kind: str, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.problems = problems or [message]

    @property
    def title(self) -> str:
        return FAILURE_TITLES[self.kind]


def first_error(exc: api_exceptions.GoogleAPICallError) -> dict[str, str]:
    """The first entry of BigQuery's ``errors`` list (``reason``, ``message``), or {}."""
    errors = exc.errors or []
    return errors[0] if errors and isinstance(errors[0], dict) else {}


def bigquery_message(exc: api_exceptions.GoogleAPICallError) -> str:
    """BigQuery's own words for an error, without the request line the library adds."""
    return first_error(exc).get("message") or exc.message


def explain(exc: BaseException, *, where: str, project: str, deadline: float) -> BigQueryFailure:
    """Turn an exception of the client library into a :class:`BigQueryFailure`.

    Parameters
    ----------
    exc
        What the client library raised (a retry that ran out raises ``RetryError`` whose
        ``cause`` is the last error).
    where
        The table or query in words (``SourceSpec.where``).
    project
        The Google Cloud project.
    deadline
        The retry deadline in seconds, to say how long we waited.
    """
    if isinstance(exc, api_exceptions.RetryError):
        cause = exc.cause
        if cause is None or isinstance(cause, requests.Timeout):
            return timed_out(deadline)
        return explain(cause, where=where, project=project, deadline=deadline)
    if isinstance(exc, concurrent.futures.TimeoutError | requests.Timeout):
        return timed_out(deadline)
    if isinstance(exc, auth_exceptions.RefreshError):
        return BigQueryFailure(
            "auth",
            "Google did not accept the service-account key (it may be revoked or deleted). "
            f"Upload a current key. (Google said: {exc.args[0] if exc.args else exc})",
        )
    if isinstance(exc, requests.ConnectionError | auth_exceptions.TransportError):
        return BigQueryFailure(
            "network", "Could not connect to BigQuery. Check the network and try again later."
        )
    if isinstance(exc, auth_exceptions.GoogleAuthError):
        return BigQueryFailure(
            "auth",
            f"BigQuery denied access to {where} in project {project}: it needs credentials. "
            "Upload the client's service-account key, or set GOOGLE_APPLICATION_CREDENTIALS.",
        )
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return explain_api_error(exc, where=where, project=project, deadline=deadline)
    raise exc


def explain_api_error(
    exc: api_exceptions.GoogleAPICallError, *, where: str, project: str, deadline: float
) -> BigQueryFailure:
    reason = first_error(exc).get("reason", "")
    said = f"(BigQuery said: {bigquery_message(exc)})"
    if reason in QUOTA_REASONS or isinstance(exc, api_exceptions.TooManyRequests):
        return BigQueryFailure(
            "quota",
            f"BigQuery's quota or rate limit for project {project} is used up. Try again "
            f"later, or ask the project's owner for a higher quota. {said}",
        )
    if reason == "accessDenied" or isinstance(
        exc, api_exceptions.Forbidden | api_exceptions.Unauthorized
    ):
        return BigQueryFailure(
            "auth",
            f"BigQuery denied access to {where} in project {project}. Give the service "
            f"account the BigQuery Data Viewer and BigQuery Job User roles, or upload "
            f"another key. {said}",
        )
    if isinstance(exc, api_exceptions.NotFound):
        return BigQueryFailure(
            "not_found",
            f"BigQuery could not find {where} in project {project}. Check the project, "
            f"dataset and table names. {said}",
        )
    if isinstance(exc, api_exceptions.DeadlineExceeded):
        return timed_out(deadline)
    if isinstance(exc, api_exceptions.BadRequest):
        return BigQueryFailure(
            "query", f"BigQuery rejected the request: {bigquery_message(exc)}"
        )
    return BigQueryFailure(
        "server",
        f"BigQuery had an internal error (HTTP {exc.code}) and still failed after retrying "
        f"for up to {deadline:.0f} seconds. Try again later. {said}",
    )


def timed_out(deadline: float) -> BigQueryFailure:
    return BigQueryFailure(
        "timeout",
        f"BigQuery did not answer within {deadline:.0f} seconds, so Kiri stopped waiting. "
        "Try again later; if it keeps happening, make the query lighter.",
    )
