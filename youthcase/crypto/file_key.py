"""The SQLCipher file key: derived from the recovery key, so the file and that key alone reopen a vault.

``F = HKDF(recovery secret, "youthcase/v2/file-key")``. Accounts do not hold the recovery key, so
the key store keeps F wrapped under a key derived from the root key (its ``file-key`` entry, which
may hold two keys while ``recovery rotate`` re-keys the file). Vaults made before this design have
no such entry and keep ``F = HKDF(root key)`` (``legacy_file_key``) until their next recovery rotation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from youthcase.crypto.errors import TamperedDataError
from youthcase.crypto.keys import KeyPurpose, VaultKey, hkdf_sha256
from youthcase.crypto.slots import parse_recovery_key

FILE_KEY_INFO = b"youthcase/v2/file-key"
_WRAP_CONTEXT = b"youthcase-file-key-v2|"


@dataclass(frozen=True, repr=False)
class WrappedFileKey:
    """A file key sealed (AES-256-GCM) under the root key's ``file-key-wrap`` purpose key."""

    nonce: bytes
    wrapped: bytes

    def __repr__(self) -> str:
        return "WrappedFileKey(<hidden>)"


def file_key_from_recovery(recovery_key: str) -> bytes:
    """The file key a recovery key gives (raises ``ValueError`` for a malformed key)."""
    return hkdf_sha256(parse_recovery_key(recovery_key), FILE_KEY_INFO)


def legacy_file_key(root: VaultKey) -> bytes:
    """The file key of a vault made before the file key came from the recovery key."""
    return root.derive(KeyPurpose.DATABASE_FILE)


def wrap_file_key(root: VaultKey, vault_id: str, file_key: bytes) -> WrappedFileKey:
    nonce = os.urandom(12)
    wrapped = AESGCM(root.derive(KeyPurpose.FILE_KEY_WRAP)).encrypt(nonce, file_key, _WRAP_CONTEXT + vault_id.encode())
    return WrappedFileKey(nonce, wrapped)


def unwrap_file_key(root: VaultKey, vault_id: str, entry: WrappedFileKey) -> bytes:
    try:
        return AESGCM(root.derive(KeyPurpose.FILE_KEY_WRAP)).decrypt(
            entry.nonce, entry.wrapped, _WRAP_CONTEXT + vault_id.encode()
        )
    except (InvalidTag, ValueError):
        raise TamperedDataError("the key store's file key does not open under this vault's root key") from None
