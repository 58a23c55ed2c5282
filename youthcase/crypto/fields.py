"""Field-level AEAD: AES-256-GCM bound to the table, column and row a value belongs to.

Stored layout: ``version (1 byte) || key id (1 byte) || nonce (12 bytes) || ciphertext || tag``.
The associated data names the format, key id, table, column and row id, so a ciphertext copied to
another row, column or table, or any flipped bit, fails to open instead of decrypting silently.
"""

from __future__ import annotations

import functools
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from youthcase.crypto.errors import TamperedDataError

FORMAT_VERSION = 1
NONCE_BYTES = 12
HEADER_BYTES = 2 + NONCE_BYTES
TAG_BYTES = 16


@dataclass(frozen=True, slots=True)
class FieldBinding:
    """Where a value lives: its table, column and the row's primary key."""

    table: str
    column: str
    row_id: uuid.UUID

    def associated_data(self, version: int, key_id: int) -> bytes:
        return _aad_prefix(version, key_id, self.table, self.column) + self.row_id.int.to_bytes(16, "big")


@functools.lru_cache(maxsize=1024)
def _aad_prefix(version: int, key_id: int, table: str, column: str) -> bytes:
    return b"|".join((b"youthcase-field", bytes((version, key_id)), table.encode("ascii"), column.encode("ascii"), b""))


class FieldCipher:
    """Seals and opens field values under one derived key."""

    def __init__(self, key: bytes, key_id: int = 1) -> None:
        if not 0 <= key_id <= 255:
            raise ValueError("key id must fit in one byte")
        self._aead = AESGCM(key)
        self._key_id = key_id

    def seal(self, plaintext: bytes, binding: FieldBinding) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        aad = binding.associated_data(FORMAT_VERSION, self._key_id)
        return bytes((FORMAT_VERSION, self._key_id)) + nonce + self._aead.encrypt(nonce, plaintext, aad)

    def open(self, blob: bytes, binding: FieldBinding) -> bytes:
        if len(blob) < HEADER_BYTES + TAG_BYTES:
            raise TamperedDataError(f"encrypted value in {binding.table}.{binding.column} is truncated")
        version, key_id = blob[0], blob[1]
        if version != FORMAT_VERSION or key_id != self._key_id:
            raise TamperedDataError(f"encrypted value in {binding.table}.{binding.column} has an unknown format or key")
        nonce = blob[2:HEADER_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[HEADER_BYTES:], binding.associated_data(version, key_id))
        except InvalidTag:
            raise TamperedDataError(
                f"encrypted value in {binding.table}.{binding.column} failed its integrity check"
            ) from None
