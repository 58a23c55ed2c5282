"""The vault key and the purpose keys derived from it.

One random 256-bit vault key per vault; every other key is derived from it with HKDF-SHA256 and a
separate ``info`` per purpose, so a key used for one job can never decrypt another job's data.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VAULT_KEY_BYTES = 32


class KeyPurpose(Enum):
    """Each purpose gets its own derived key (HKDF ``info``)."""

    DATABASE_FILE = "database-file"  # the file key of vaults made before it came from the recovery key
    FIELDS = "fields"
    BLIND_INDEX = "blind-index"
    BACKUP = "backup"
    DRAFTS = "drafts"
    KEY_STORE = "key-store"  # MAC over the key store, so an edit with a recomputed digest is caught
    FILE_KEY_WRAP = "file-key-wrap"  # wraps the recovery-derived SQLCipher file key in the key store


def hkdf_sha256(material: bytes, info: bytes, salt: bytes | None = None, length: int = 32) -> bytes:
    """HKDF-SHA256, the one derivation function the vault uses."""
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(material)


@dataclass(frozen=True, repr=False)
class VaultKey:
    """The vault's root key. ``repr`` never shows the material."""

    material: bytes

    def __post_init__(self) -> None:
        if len(self.material) != VAULT_KEY_BYTES:
            raise ValueError("a vault key is 32 bytes")

    @classmethod
    def generate(cls) -> VaultKey:
        return cls(secrets.token_bytes(VAULT_KEY_BYTES))

    def derive(self, purpose: KeyPurpose) -> bytes:
        return hkdf_sha256(self.material, b"youthcase/v1/" + purpose.value.encode("ascii"))

    def __repr__(self) -> str:
        return "VaultKey(<hidden>)"
