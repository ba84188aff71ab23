"""Artifact storage: round trip, checksum verification, safe keys."""

from __future__ import annotations

import pytest

from kiri_core.storage import Storage, StorageIntegrityError, sha256


def test_round_trip_with_checksum(tmp_path):
    storage = Storage(str(tmp_path / "store"))
    stored = storage.put_bytes("clients/1/runs/2/result.json", b'{"a": 1}')
    assert stored.checksum == sha256(b'{"a": 1}') and stored.size_bytes == 8
    assert storage.get_bytes(stored.key, stored.checksum) == b'{"a": 1}'


def test_tampered_or_missing_objects_are_detected(tmp_path):
    storage = Storage(str(tmp_path / "store"))
    stored = storage.put_bytes("a/b.csv", b"date,revenue\n")
    (tmp_path / "store" / "a" / "b.csv").write_bytes(b"date,revenue,x\n")
    with pytest.raises(StorageIntegrityError, match="does not match its checksum"):
        storage.get_bytes(stored.key, stored.checksum)
    with pytest.raises(StorageIntegrityError, match="is missing"):
        storage.get_bytes("a/none.csv")


@pytest.mark.parametrize("key", ["../escape.txt", "/etc/passwd", "a/../../b"])
def test_keys_cannot_leave_the_storage_root(tmp_path, key):
    with pytest.raises(ValueError, match="Invalid storage key"):
        Storage(str(tmp_path)).put_bytes(key, b"x")


def test_memory_urls_work_through_fsspec():
    storage = Storage("memory://kiri-test")
    stored = storage.put_bytes("x/y.json", b"{}")
    assert storage.get_bytes("x/y.json", stored.checksum) == b"{}"
