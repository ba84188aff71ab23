"""Service-account keys: checked on upload, stored Fernet-encrypted, turned into credentials.

The encryption key is derived from the app's ``SECRET_KEY`` with HKDF-SHA256, so a database
dump alone does not reveal a key. Nothing here logs or echoes a key's content: messages name
only the problem and the account's e-mail.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from google.auth.credentials import AnonymousCredentials, Credentials
from google.oauth2 import service_account

from kiri_core import config
from kiri_core.bigquery import settings
from kiri_core.bigquery.errors import BigQueryFailure
from kiri_core.services.errors import ValidationError

SCOPES = ("https://www.googleapis.com/auth/bigquery",)
REQUIRED_FIELDS = ("client_email", "private_key", "token_uri")
MAX_KEY_BYTES = 20_000
HKDF_INFO = b"kiri bigquery service-account keys"


def fernet() -> Fernet:
    """A Fernet keyed by HKDF-SHA256 of ``SECRET_KEY``."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(
        config.secret_key().encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def parse_service_account(raw: bytes) -> dict[str, Any]:
    """Check an uploaded key file and return its fields.

    Raises
    ------
    ValidationError
        Not JSON, not a service-account key, a missing field or an unreadable private key.
    """
    if len(raw) > MAX_KEY_BYTES:
        raise ValidationError("This file is too large to be a service-account key.")
    try:
        info = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError("The key file is not JSON. Download the key again.") from None
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise ValidationError('The key file is not a service-account key ("type" must be '
                              '"service_account").')
    missing = [name for name in REQUIRED_FIELDS if not info.get(name)]
    if missing:
        raise ValidationError(f"The key file lacks {', '.join(missing)}: it is not a complete "
                              "service-account key. In Google Cloud, create a new JSON key for "
                              "the service account and upload that file unchanged.")
    try:
        service_account.Credentials.from_service_account_info(info)
    except ValueError:
        raise ValidationError("The key file's private key cannot be read.") from None
    return info


def encrypt_key(info: dict[str, Any]) -> bytes:
    return fernet().encrypt(json.dumps(info).encode())


def decrypt_key(token: bytes) -> dict[str, Any]:
    """The stored key; a changed ``SECRET_KEY`` makes it unreadable (upload it again)."""
    try:
        return json.loads(fernet().decrypt(token))
    except InvalidToken:
        raise BigQueryFailure(
            "config",
            "The stored service-account key cannot be decrypted (the app's SECRET_KEY has "
            "changed). Upload the key again.",
        ) from None


def google_credentials(key_info: dict[str, Any] | None) -> Credentials:
    """Credentials from a source's own key, else from GOOGLE_APPLICATION_CREDENTIALS.

    With neither, anonymous credentials are used only against ``BIGQUERY_API_ENDPOINT`` (an
    emulator); otherwise a :class:`BigQueryFailure` says how to set credentials up.
    """
    if key_info is not None:
        return service_account.Credentials.from_service_account_info(key_info, scopes=SCOPES)
    path = settings.application_credentials()
    if path is not None:
        try:
            return service_account.Credentials.from_service_account_file(path, scopes=SCOPES)
        except (OSError, ValueError, KeyError):
            raise BigQueryFailure(
                "config",
                f"GOOGLE_APPLICATION_CREDENTIALS points to {path}, which is missing or not a "
                "service-account key file.",
            ) from None
    if settings.api_endpoint() is not None:
        return AnonymousCredentials()
    raise BigQueryFailure(
        "config",
        "No BigQuery credentials: upload the client's service-account key on this page, or "
        "set GOOGLE_APPLICATION_CREDENTIALS for the whole app.",
    )
