"""The backup file: one file holding everything a restore needs, authenticated as a whole.

Layout (all lengths big-endian)::

    b"YOUTHCASE-BACKUP 1\\n"
    u32 length | manifest (canonical JSON: vault id, when, the parts' lengths, sealed details)
    key store  (the header file's bytes: wrapped keys and salts only)
    database   (the SQLCipher file's bytes: every page already encrypted)
    HMAC-SHA256 over all of the above, under the vault's backup key (from the root key)

Nothing in it is readable without a key: the database pages are SQLCipher's, the key store holds
wrapped keys, and the details a restore previews (cases, last audit event) are sealed under the
backup key. The MAC is checked before anything is written anywhere, so a damaged or edited backup is
refused as damaged, never half restored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"YOUTHCASE-BACKUP 1\n"
MAC_BYTES = 32
MAX_MANIFEST_BYTES = 64 * 1024


class BackupFileError(Exception):
    """Not a youthcase backup, or damaged (``kind`` says which: ``wrong-kind`` or ``damaged``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class BackupParts:
    vault_id: str
    created_at: str
    key_store: bytes
    database: bytes
    sealed_details: bytes
    signed: bytes  # every byte the MAC covers
    mac: bytes


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode("ascii")


def seal_details(backup_key: bytes, details: dict[str, Any], vault_id: str) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(backup_key).encrypt(nonce, _canonical(details), vault_id.encode("ascii"))


def open_details(backup_key: bytes, sealed: bytes, vault_id: str) -> dict[str, Any]:
    try:
        data = AESGCM(backup_key).decrypt(sealed[:12], sealed[12:], vault_id.encode("ascii"))
    except (InvalidTag, ValueError):
        raise BackupFileError("damaged", "the backup's details do not open: it is damaged") from None
    details: dict[str, Any] = json.loads(data)
    return details


def pack(
    backup_key: bytes, vault_id: str, created_at: str, key_store: bytes, database: bytes, sealed_details: bytes
) -> bytes:
    manifest = _canonical(
        {
            "vault_id": vault_id,
            "created_at": created_at,
            "key_store_bytes": len(key_store),
            "database_bytes": len(database),
            "details": base64.b64encode(sealed_details).decode("ascii"),
        }
    )
    signed = MAGIC + len(manifest).to_bytes(4, "big") + manifest + key_store + database
    return signed + hmac.new(backup_key, signed, hashlib.sha256).digest()


def unpack(data: bytes) -> BackupParts:
    """Split a backup into its parts (checking only its shape: ``verify`` checks the MAC)."""
    if not data.startswith(MAGIC):
        raise BackupFileError("wrong-kind", "this file is not a youthcase backup")
    start = len(MAGIC) + 4
    length = int.from_bytes(data[len(MAGIC) : start], "big")
    if length > MAX_MANIFEST_BYTES or start + length > len(data):
        raise BackupFileError("damaged", "the backup is truncated or damaged")
    try:
        manifest = json.loads(data[start : start + length])
        key_store_bytes, database_bytes = int(manifest["key_store_bytes"]), int(manifest["database_bytes"])
        details = base64.b64decode(manifest["details"], validate=True)
        vault_id, created_at = str(manifest["vault_id"]), str(manifest["created_at"])
    except (ValueError, KeyError, TypeError):
        raise BackupFileError("damaged", "the backup's manifest is damaged") from None
    body = start + length
    end = body + key_store_bytes + database_bytes
    if key_store_bytes < 0 or database_bytes < 0 or end + MAC_BYTES != len(data):
        raise BackupFileError("damaged", "the backup is truncated or damaged")
    return BackupParts(
        vault_id,
        created_at,
        data[body : body + key_store_bytes],
        data[body + key_store_bytes : end],
        details,
        data[:end],
        data[end:],
    )


def check_length(path: Path) -> None:
    """Without a key and without reading it all: a backup, exactly as long as its manifest says."""
    with path.open("rb") as handle:
        head = handle.read(len(MAGIC) + 4)
        if not head.startswith(MAGIC):
            raise BackupFileError("wrong-kind", "this file is not a youthcase backup")
        length = int.from_bytes(head[len(MAGIC) :], "big")
        manifest = handle.read(min(length, MAX_MANIFEST_BYTES))
    try:
        parts = json.loads(manifest)
        expected = len(head) + length + int(parts["key_store_bytes"]) + int(parts["database_bytes"]) + MAC_BYTES
    except (ValueError, KeyError, TypeError):
        raise BackupFileError("damaged", "the backup's manifest is damaged") from None
    if path.stat().st_size != expected:
        raise BackupFileError("damaged", "the backup is truncated or damaged")


def verify(parts: BackupParts, backup_key: bytes) -> None:
    expected = hmac.new(backup_key, parts.signed, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, parts.mac):
        raise BackupFileError("damaged", "the backup is damaged or has been altered (its checksum does not match)")
