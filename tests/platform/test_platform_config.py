"""Settings: a missing or sample SECRET_KEY is refused outside dev mode; the agency's time
zone."""

from __future__ import annotations

import re

import pytest

from kiri_core import config


@pytest.mark.parametrize("key", [None, "", "changeme", "secret", "short-key"])
def test_missing_or_sample_secret_key_is_refused(monkeypatch, key):
    monkeypatch.delenv("KIRI_DEV_MODE", raising=False)
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY is missing"):
        config.secret_key()
    monkeypatch.setenv("KIRI_DEV_MODE", "1")
    assert config.secret_key()


def test_defaults_and_overrides(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "KIRI_STORAGE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KIRI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "a" * 32)
    monkeypatch.setenv("KIRI_ALLOWED_SIGNUP_DOMAINS", " Agency.se, @partner.no ,")
    assert config.database_url() == f"sqlite:///{tmp_path / 'kiri.db'}"
    assert config.redis_url() is None
    assert config.storage_url() == str(tmp_path / "artifacts")
    assert config.secret_key() == "a" * 32
    assert config.allowed_signup_domains() == ["agency.se", "partner.no"]


@pytest.mark.parametrize(("value", "zone"), [(None, "Europe/Stockholm"),
                                             ("", "Europe/Stockholm"),
                                             (" America/New_York ", "America/New_York"),
                                             ("UTC", "UTC")])
def test_time_zone_is_the_agencys_with_stockholm_by_default(monkeypatch, value, zone):
    if value is None:
        monkeypatch.delenv("KIRI_TIME_ZONE", raising=False)
    else:
        monkeypatch.setenv("KIRI_TIME_ZONE", value)
    assert config.time_zone() == zone


@pytest.mark.parametrize("value", ["Europe/Stokholm", "CET+1", "europe/stockholm", "Europe"])
def test_an_unknown_time_zone_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("KIRI_TIME_ZONE", value)
    with pytest.raises(config.ConfigurationError,
                       match=re.escape(f"KIRI_TIME_ZONE is '{value}', which is not a "
                                       "time zone")):
        config.time_zone()
