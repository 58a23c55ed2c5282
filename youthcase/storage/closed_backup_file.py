"""The automatic backup's file: a copy of a *closed* vault, made without any key.

Layout (lengths big-endian)::

    b"YOUTHCASE-CLOSED-COPY 1\\n"
    u32 length | manifest (canonical JSON: vault id, when, the parts' lengths, the anchored audit head)
    key store  (the header file's bytes: wrapped keys, salts and its own MAC)
    database   (the SQLCipher file's bytes after the last connection's WAL checkpoint)
    SHA-256 over all of the above

The copy is taken after a lock, when no key is in memory, so it cannot carry a MAC under a key the
way ``youthcase backup`` does (``storage.backup_file``). What it needs no key for: the parts are
already authenticated by their own keys (SQLCipher's per-page HMACs, the key store's MAC), and the
trailing digest proves the copy is whole (a half-copied file on a USB stick, bit rot) without any
secret. A restore checks the digest, then the key store's MAC and every database page with the key
a password or the recovery key opens, before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from youthcase.storage.files import fsync_directory

MAGIC = b"YOUTHCASE-CLOSED-COPY 1\n"
DIGEST_BYTES = 32
MAX_MANIFEST_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
SQLCIPHER_MIN_PAGE = 512

Progress = Callable[[int, int], None]
"""(bytes copied, bytes in all)."""


class ClosedCopyError(Exception):
    """Not a closed copy, or not whole (``kind``: ``wrong-kind`` or ``damaged``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class CopyManifest:
    vault_id: str
    created_at: str
    anchored_head: tuple[int, str] | None
    key_store_bytes: int
    database_bytes: int


@dataclass(frozen=True)
class CopyParts:
    manifest: CopyManifest
    key_store: bytes
    database: bytes


def is_closed_copy(head: bytes) -> bool:
    return head.startswith(MAGIC)


def _manifest_bytes(manifest: CopyManifest) -> bytes:
    fields: dict[str, Any] = {
        "vault_id": manifest.vault_id,
        "created_at": manifest.created_at,
        "anchored_head": None if manifest.anchored_head is None else list(manifest.anchored_head),
        "key_store_bytes": manifest.key_store_bytes,
        "database_bytes": manifest.database_bytes,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode("ascii")


def write_closed_copy(
    target: Path, manifest: CopyManifest, key_store: bytes, database: BinaryIO, progress: Progress | None = None
) -> None:
    """Stream the copy into a temporary file beside ``target`` (owner-only), fsync, rename.

    ``database`` must yield exactly ``manifest.database_bytes`` bytes, or nothing is kept."""
    header = _manifest_bytes(manifest)
    digest = hashlib.sha256()
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:

            def put(data: bytes) -> None:
                digest.update(data)
                handle.write(data)

            put(MAGIC + len(header).to_bytes(4, "big") + header + key_store)
            copied = 0
            while chunk := database.read(CHUNK_BYTES):
                put(chunk)
                copied += len(chunk)
                if progress is not None:
                    progress(copied, manifest.database_bytes)
            if copied != manifest.database_bytes:
                raise ClosedCopyError("damaged", "the vault file changed size while it was copied")
            handle.write(digest.digest())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)


def read_manifest(path: Path) -> CopyManifest:
    """The manifest, and a check that the file is as long as it says (cheap: no digest)."""
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC) + 4)
        if not is_closed_copy(head):
            raise ClosedCopyError("wrong-kind", "this file is not a youthcase automatic backup")
        length = int.from_bytes(head[len(MAGIC) :], "big")
        if length > MAX_MANIFEST_BYTES:
            raise ClosedCopyError("damaged", "the backup's manifest is damaged")
        manifest = _parse_manifest(handle.read(length))
    expected = len(MAGIC) + 4 + length + manifest.key_store_bytes + manifest.database_bytes + DIGEST_BYTES
    if path.stat().st_size != expected:
        raise ClosedCopyError("damaged", "the backup is truncated or has extra bytes (a half-finished copy?)")
    return manifest


def _parse_manifest(data: bytes) -> CopyManifest:
    try:
        fields = json.loads(data)
        head = fields["anchored_head"]
        manifest = CopyManifest(
            vault_id=str(fields["vault_id"]),
            created_at=str(fields["created_at"]),
            anchored_head=None if head is None else (int(head[0]), str(head[1])),
            key_store_bytes=int(fields["key_store_bytes"]),
            database_bytes=int(fields["database_bytes"]),
        )
    except (ValueError, KeyError, TypeError, IndexError):
        raise ClosedCopyError("damaged", "the backup's manifest is damaged") from None
    if manifest.key_store_bytes <= 0 or manifest.database_bytes <= 0:
        raise ClosedCopyError("damaged", "the backup's manifest is damaged")
    return manifest


def unpack_closed_copy(data: bytes) -> CopyParts:
    """Split a closed copy after checking its digest and the shape of its parts (no key needed)."""
    if not is_closed_copy(data):
        raise ClosedCopyError("wrong-kind", "this file is not a youthcase automatic backup")
    if len(data) < len(MAGIC) + 4 + DIGEST_BYTES:
        raise ClosedCopyError("damaged", "the backup is truncated")
    body, digest = data[:-DIGEST_BYTES], data[-DIGEST_BYTES:]
    if hashlib.sha256(body).digest() != digest:
        raise ClosedCopyError("damaged", "the backup is damaged (its checksum does not match)")
    start = len(MAGIC) + 4
    length = int.from_bytes(data[len(MAGIC) : start], "big")
    if length > MAX_MANIFEST_BYTES:
        raise ClosedCopyError("damaged", "the backup's manifest is damaged")
    manifest = _parse_manifest(data[start : start + length])
    key_store_at = start + length
    database_at = key_store_at + manifest.key_store_bytes
    if database_at + manifest.database_bytes != len(body):
        raise ClosedCopyError("damaged", "the backup's parts do not add up: it is damaged")
    parts = CopyParts(manifest, body[key_store_at:database_at], body[database_at:])
    _check_shapes(parts)
    return parts


def _check_shapes(parts: CopyParts) -> None:
    """What can be said of the parts without a key: the key store is the vault's, and the database
    is whole pages (SQLCipher pages are at least 512 bytes, a power of two)."""
    try:
        store = json.loads(parts.key_store)
        same_vault = isinstance(store, dict) and store.get("vault_id") == parts.manifest.vault_id
    except ValueError:
        same_vault = False
    if not same_vault:
        raise ClosedCopyError("damaged", "the key store inside the backup is not this vault's")
    if len(parts.database) % SQLCIPHER_MIN_PAGE:
        raise ClosedCopyError("damaged", "the database inside the backup is not whole pages")


def verify_closed_copy(path: Path) -> CopyManifest:
    """Every check that needs no key: the manifest, the length and the digest of the whole file."""
    manifest = read_manifest(path)
    digest = hashlib.sha256()
    remaining = path.stat().st_size - DIGEST_BYTES
    with path.open("rb") as handle:
        while remaining > 0:
            chunk = handle.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
        if remaining or handle.read() != digest.digest():
            raise ClosedCopyError("damaged", "the backup is damaged (its checksum does not match)")
    return manifest
