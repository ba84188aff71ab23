"""Settings read from the environment.

Every setting is a small function so it is read when used (tests and the worker can change
the environment). The README's configuration table lists them with the few read elsewhere:
BigQuery's in :mod:`kiri_core.bigquery.settings`, ``KIRI_RSCRIPT`` (the Robyn engine's
``Rscript``) and ``KIRI_FONT_CACHE`` (the PDF's converted fonts) where they are used.

=============================== ==========================================================
``DATABASE_URL``                SQLAlchemy URL; default ``sqlite:///./data/kiri.db``
``REDIS_URL``                   RQ queue; unset runs jobs in a background process instead
``KIRI_STORAGE_URL``            artifact storage (folder, ``gs://...``, ``s3://...``);
                                default ``./data/artifacts``
``SECRET_KEY``                  signs login cookies; required unless ``KIRI_DEV_MODE=1``
``KIRI_DEV_MODE``               ``1`` allows a missing or sample ``SECRET_KEY``
``KIRI_ALLOWED_SIGNUP_DOMAINS`` comma-separated e-mail domains allowed to sign up after the
                                first (admin) account; empty: that account's domain
``KIRI_HEARTBEAT_TIMEOUT``      seconds without a worker heartbeat before a run is failed
                                (default 45)
``KIRI_BCRYPT_ROUNDS``          bcrypt cost factor for new password hashes (default 12)
``KIRI_DATA_DIR``               folder of the default database, artifacts and caches
                                (default ``./data``)
``KIRI_AGENCY_NAME``            the agency named on report covers (default ``Kiri``)
``KIRI_TIME_ZONE``              the agency's IANA time zone (default ``Europe/Stockholm``):
                                the PDF's date, and times where no browser tells its zone
``PORT``                        the app's port (default 8501), read by ``make run`` and
                                the Docker image
=============================== ==========================================================
"""

from __future__ import annotations

import os
from pathlib import Path

from kiri_core.formatting import is_time_zone

SAMPLE_SECRET_KEYS = frozenset({"", "changeme", "change-me", "secret", "dev", "sample", "xxx"})
DEV_SECRET_KEY = "kiri-dev-mode-only-this-key-is-not-secret"
DEFAULT_TIME_ZONE = "Europe/Stockholm"


class ConfigurationError(RuntimeError):
    """A setting is missing or unsafe; the message says which and how to fix it."""


def data_dir() -> Path:
    """Local data folder for the default SQLite database and artifacts (``./data``)."""
    return Path(os.environ.get("KIRI_DATA_DIR", "data")).resolve()


def prophet_cache_dir() -> Path:
    """Where runs keep prophet's fitted components for later runs on the same data."""
    return data_dir() / "cache" / "prophet"


def database_url() -> str:
    default = f"sqlite:///{data_dir() / 'kiri.db'}"
    return os.environ.get("DATABASE_URL") or default


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def storage_url() -> str:
    return os.environ.get("KIRI_STORAGE_URL") or str(data_dir() / "artifacts")


def dev_mode() -> bool:
    return os.environ.get("KIRI_DEV_MODE", "") == "1"


def secret_key() -> str:
    """The cookie-signing key; refuses a missing or sample key outside dev mode."""
    key = os.environ.get("SECRET_KEY", "")
    if key.lower() not in SAMPLE_SECRET_KEYS and len(key) >= 32:
        return key
    if dev_mode():
        return key or DEV_SECRET_KEY
    raise ConfigurationError(
        "SECRET_KEY is missing, a sample value or shorter than 32 characters. Set it to a "
        "long random string (e.g. `python -c 'import secrets; print(secrets.token_hex(32))'`) "
        "or set KIRI_DEV_MODE=1 for local development."
    )


def allowed_signup_domains() -> list[str]:
    raw = os.environ.get("KIRI_ALLOWED_SIGNUP_DOMAINS", "")
    return [d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()]


def heartbeat_timeout_seconds() -> float:
    return float(os.environ.get("KIRI_HEARTBEAT_TIMEOUT", "45"))


def bcrypt_rounds() -> int:
    return int(os.environ.get("KIRI_BCRYPT_ROUNDS", "12"))


def agency_name() -> str:
    """The agency named on PDF covers when no administrator has saved a name on the Admin
    page: ``KIRI_AGENCY_NAME``, else "Kiri". The saved name wins over both
    (:func:`kiri_core.services.agency.agency_name`)."""
    return os.environ.get("KIRI_AGENCY_NAME", "").strip() or "Kiri"


def time_zone() -> str:
    """The agency's IANA time zone (``KIRI_TIME_ZONE``): the PDF's date, and the clock of the
    times shown to a browser that does not tell its own zone; a clear error for unknown names."""
    name = os.environ.get("KIRI_TIME_ZONE", "").strip() or DEFAULT_TIME_ZONE
    if not is_time_zone(name):
        raise ConfigurationError(
            f"KIRI_TIME_ZONE is {name!r}, which is not a time zone. Set it to an IANA name "
            f"such as {DEFAULT_TIME_ZONE} or America/New_York (the default is "
            f"{DEFAULT_TIME_ZONE})."
        )
    return name
