"""Artifact storage through fsspec: a local folder by default, ``gs://`` or ``s3://`` by URL.

Every object is written with its SHA-256 checksum, and reads can verify it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import fsspec

from kiri_core import config


class StorageIntegrityError(RuntimeError):
    """A stored object is missing or its bytes no longer match the recorded checksum."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    checksum: str
    size_bytes: int


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Storage:
    """Keys are relative paths (``clients/3/datasets/v2.csv``) under one base URL."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.fs, self.root = fsspec.url_to_fs(self.base_url)

    def _path(self, key: str) -> str:
        if key.startswith("/") or ".." in key.split("/"):
            raise ValueError(f"Invalid storage key: {key!r}")
        return f"{self.root}/{key}"

    def put_bytes(self, key: str, data: bytes) -> StoredObject:
        path = self._path(key)
        self.fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            handle.write(data)
        return StoredObject(key=key, checksum=sha256(data), size_bytes=len(data))

    def get_bytes(self, key: str, checksum: str | None = None) -> bytes:
        """Read an object; with ``checksum``, raise if the bytes do not match it."""
        try:
            with self.fs.open(self._path(key), "rb") as handle:
                data = handle.read()
        except FileNotFoundError as exc:
            raise StorageIntegrityError(f"Stored file {key} is missing.") from exc
        if checksum is not None and sha256(data) != checksum:
            raise StorageIntegrityError(f"Stored file {key} does not match its checksum.")
        return data


def default_storage() -> Storage:
    """Storage at ``KIRI_STORAGE_URL`` (default ``./data/artifacts``)."""
    return Storage(config.storage_url())
