"""Service-account keys: checked on upload, stored encrypted, used for real token exchange
with the fake server, never shown again or logged."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from kiri_core.bigquery.credentials import decrypt_key, google_credentials, parse_service_account
from kiri_core.bigquery.errors import BigQueryFailure
from kiri_core.bigquery.importer import import_source
from kiri_core.bigquery.sources import save_source
from kiri_core.db.models import AuditLog
from kiri_core.services.errors import ValidationError

from .conftest import Agency, table_settings
from .fake_server import FakeBigQuery

EMAIL = "kiri-reader@acme-warehouse.iam.gserviceaccount.com"


def service_account_key(fake: FakeBigQuery, email: str = EMAIL) -> tuple[bytes, str]:
    """A fresh RSA key as a service-account JSON whose token_uri is the fake's; the fake
    trusts its public key. Returns the file's bytes and the PEM body's middle line."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    fake.add_service_account(
        email,
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    )
    info = {
        "type": "service_account", "project_id": "acme-warehouse", "private_key_id": "k1",
        "private_key": pem, "client_email": email, "client_id": "1",
        "token_uri": f"{fake.url}/token",
    }
    return json.dumps(info).encode(), pem.splitlines()[5]


def test_an_uploaded_key_is_used_for_the_import(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    key_file, _ = service_account_key(warehouse)
    source = save_source(
        session, agency.analyst, agency.client.id, table_settings(), key_file=key_file
    )
    assert source.credentials_email == EMAIL
    record = import_source(session, agency.analyst, source.id)
    assert record.status == "succeeded"
    [token_call] = warehouse.calls("oauth.token")  # a JWT signed with the key, verified
    api_calls = [c for c in warehouse.calls() if c[0] != "oauth.token"]
    assert api_calls and all(warehouse.issued_tokens.get(t) == EMAIL for _, _, t in api_calls)


def test_without_the_key_the_server_refuses_in_plain_words(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    service_account_key(warehouse)  # from now on the fake wants a token
    source = save_source(session, agency.analyst, agency.client.id, table_settings())
    record = import_source(session, agency.analyst, source.id)
    assert (record.status, record.error_kind) == ("failed", "auth")
    assert "BigQuery denied access to table marketing.weekly" in record.error


def test_a_key_of_an_unknown_account_is_refused(
    session: Session, agency: Agency, warehouse: FakeBigQuery
):
    key_file, _ = service_account_key(warehouse)
    warehouse.service_accounts.clear()  # the account was deleted on Google's side
    source = save_source(
        session, agency.analyst, agency.client.id, table_settings(), key_file=key_file
    )
    record = import_source(session, agency.analyst, source.id)
    assert (record.status, record.error_kind) == ("failed", "auth")
    assert "Google did not accept the service-account key" in record.error


def test_the_key_is_stored_encrypted_and_never_logged(
    session: Session, agency: Agency, warehouse: FakeBigQuery, caplog
):
    caplog.set_level(logging.DEBUG)
    key_file, pem_line = service_account_key(warehouse)
    source = save_source(
        session, agency.analyst, agency.client.id, table_settings(), key_file=key_file
    )
    import_source(session, agency.analyst, source.id)
    stored = session.execute(
        text("SELECT credentials_encrypted FROM bigquery_sources WHERE id = :id"),
        {"id": source.id},
    ).scalar_one()
    assert pem_line.encode() not in stored and b"PRIVATE KEY" not in stored
    assert EMAIL.encode() not in stored
    assert decrypt_key(stored) == json.loads(key_file)
    audit = session.scalars(select(AuditLog).where(AuditLog.client_id == agency.client.id))
    assert all(pem_line not in json.dumps(entry.details) for entry in audit)
    assert pem_line not in caplog.text and "PRIVATE KEY" not in caplog.text


def test_a_changed_secret_key_asks_for_the_key_again(
    session: Session, agency: Agency, warehouse: FakeBigQuery, monkeypatch
):
    key_file, _ = service_account_key(warehouse)
    source = save_source(
        session, agency.analyst, agency.client.id, table_settings(), key_file=key_file
    )
    monkeypatch.setenv("SECRET_KEY", "another-secret-key-after-rotation")
    record = import_source(session, agency.analyst, source.id)
    assert (record.status, record.error_kind) == ("failed", "config")
    assert "Upload the key again" in record.error
    assert warehouse.calls() == []


def test_google_application_credentials_is_the_fallback(
    session: Session, agency: Agency, warehouse: FakeBigQuery, tmp_path: Path, monkeypatch
):
    key_file, _ = service_account_key(warehouse, "app@kiri.iam.gserviceaccount.com")
    path = tmp_path / "app-key.json"
    path.write_bytes(key_file)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(path))
    source = save_source(session, agency.analyst, agency.client.id, table_settings())
    assert source.credentials_email is None
    assert import_source(session, agency.analyst, source.id).status == "succeeded"
    tokens = {t for endpoint, _, t in warehouse.calls() if endpoint != "oauth.token"}
    assert {warehouse.issued_tokens[t] for t in tokens} == {"app@kiri.iam.gserviceaccount.com"}


BAD_KEYS = {
    "not json": (b"-----BEGIN PRIVATE KEY-----\nMIIE", "not JSON"),
    "user credentials": (b'{"type": "authorized_user", "client_id": "x"}',
                         "not a service-account key"),
    "missing fields": (b'{"type": "service_account", "client_email": "a@b.c"}',
                       "lacks private_key, token_uri: it is not a complete service-account"),
    "broken private key": (
        b'{"type": "service_account", "client_email": "a@b.c", "token_uri": "https://t",'
        b' "private_key": "-----BEGIN PRIVATE KEY-----\\nSECRETSTUFF\\n-----END PRIVATE KEY-----"}',
        "private key cannot be read",
    ),
}


@pytest.mark.parametrize("case", BAD_KEYS, ids=list(BAD_KEYS))
def test_a_bad_key_file_is_refused_without_echoing_it(case: str):
    raw, message = BAD_KEYS[case]
    with pytest.raises(ValidationError, match=message) as caught:
        parse_service_account(raw)
    assert "SECRETSTUFF" not in str(caught.value) and "MIIE" not in str(caught.value)


def test_a_bad_key_file_saves_nothing(session: Session, agency: Agency, warehouse):
    with pytest.raises(ValidationError) as caught:
        save_source(
            session, agency.analyst, agency.client.id, table_settings(), key_file=b"{}"
        )
    assert "not a service-account key" in " ".join(caught.value.problems)
    count = session.execute(
        text("SELECT count(*) FROM bigquery_sources WHERE client_id = :c"),
        {"c": agency.client.id},
    ).scalar_one()
    assert count == 0


def test_a_missing_google_application_credentials_file_is_named(tmp_path: Path, monkeypatch):
    missing = tmp_path / "nowhere.json"
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(missing))
    with pytest.raises(BigQueryFailure) as caught:
        google_credentials(None)
    assert caught.value.kind == "config"
    assert f"GOOGLE_APPLICATION_CREDENTIALS points to {missing}" in str(caught.value)
