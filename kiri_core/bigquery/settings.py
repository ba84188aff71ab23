"""BigQuery settings read from the environment (read when used, like ``kiri_core.config``).

=================================== =====================================================
``BIGQUERY_PROJECT_ID``             default project of a new source
``GOOGLE_APPLICATION_CREDENTIALS``  service-account JSON used when a source has no key
``BIGQUERY_API_ENDPOINT``           another BigQuery REST endpoint (an emulator); without
                                    any key, anonymous credentials are used against it
``KIRI_BIGQUERY_TIMEOUT``           seconds one HTTP request may take (default 30)
``KIRI_BIGQUERY_RETRY_DEADLINE``    seconds of retrying transient errors (default 60;
                                    the client library's own default is 600)
=================================== =====================================================
"""

from __future__ import annotations

import os

PREVIEW_ROWS = 10
PAGE_SIZE = 1000


def project_id() -> str | None:
    return os.environ.get("BIGQUERY_PROJECT_ID") or None


def application_credentials() -> str | None:
    return os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") or None


def api_endpoint() -> str | None:
    return os.environ.get("BIGQUERY_API_ENDPOINT") or None


def request_timeout_seconds() -> float:
    return float(os.environ.get("KIRI_BIGQUERY_TIMEOUT", "30"))


def retry_deadline_seconds() -> float:
    return float(os.environ.get("KIRI_BIGQUERY_RETRY_DEADLINE", "60"))
