"""Key slots: an account's secrets wrapped under its password, the vault key under the recovery key.

As in LUKS: each user has a slot holding their secrets (the vault root key and, once the account has
set its own password, its private key pairs) wrapped with AES-256-GCM under a key derived from
their password with Argon2id. The slot's associated data binds the vault id, the slot's owner
and the KDF parameters, so a downgraded parameter or a slot copied to another user fails to open.
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from enum import Enum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from youthcase.crypto.errors import TamperedDataError, WrongSecretError
from youthcase.crypto.kdf import SALT_BYTES, KdfParams, derive_key
from youthcase.crypto.keypairs import KeyPairs, PublicKeys, raw_private
from youthcase.crypto.keys import VAULT_KEY_BYTES, VaultKey, hkdf_sha256

RECOVERY_KEY_BYTES = 32
RECOVERY_GROUP = 4


@dataclass(frozen=True)
class RecoveryPin:
    """The recovery key's public keys as the slot's maker knew them: the root every signed record of
    the vault is checked against, and the key escrow copies are sealed to. It lives inside the slot
    (under the account's password), so nobody who can write the database or the header can swap it
    for a key of their own."""

    generation: int
    exchange_public: bytes
    signing_public: bytes

    def to_bytes(self) -> bytes:
        return self.generation.to_bytes(4, "big") + self.exchange_public + self.signing_public

    @classmethod
    def from_bytes(cls, data: bytes) -> RecoveryPin:
        return cls(int.from_bytes(data[:4], "big"), data[4:36], data[36:68])

    @classmethod
    def of(cls, generation: int, keys: PublicKeys) -> RecoveryPin:
        return cls(generation, keys.exchange, keys.signing)


@dataclass(frozen=True, repr=False)
class SlotSecrets:
    """What a password slot holds: the root key every account needs (file and directory keys), the
    pinned recovery signing key, and either the account's private key pairs (made at its first
    password change, so a temporary password set by an administrator never protects them) or,
    before that, the enrolment key the account signs its first public keys with."""

    vault_key: VaultKey
    pin: RecoveryPin
    keys: KeyPairs | None
    enrolment: Ed25519PrivateKey | None = None

    def to_bytes(self) -> bytes:
        head = self.vault_key.material + self.pin.to_bytes()
        if self.keys is not None:
            return head + _WITH_KEYS + self.keys.to_bytes()
        if self.enrolment is not None:
            return head + _WITH_ENROLMENT + raw_private(self.enrolment)
        return head + _BARE

    @classmethod
    def from_bytes(cls, data: bytes) -> SlotSecrets:
        if len(data) < _HEAD_BYTES + 1:
            raise TamperedDataError("a key slot holds too few bytes")
        root = VaultKey(data[:VAULT_KEY_BYTES])
        pin = RecoveryPin.from_bytes(data[VAULT_KEY_BYTES:_HEAD_BYTES])
        tag, rest = data[_HEAD_BYTES : _HEAD_BYTES + 1], data[_HEAD_BYTES + 1 :]
        if tag == _WITH_KEYS:
            return cls(root, pin, KeyPairs.from_bytes(rest))
        if tag == _WITH_ENROLMENT and len(rest) == 32:
            return cls(root, pin, None, Ed25519PrivateKey.from_private_bytes(rest))
        if tag == _BARE and not rest:
            return cls(root, pin, None)
        raise TamperedDataError("a key slot's contents are malformed")

    def __repr__(self) -> str:
        return "SlotSecrets(<hidden>)"


_HEAD_BYTES = VAULT_KEY_BYTES + 4 + 64
_BARE, _WITH_KEYS, _WITH_ENROLMENT = b"\x00", b"\x01", b"\x02"


class SlotKind(Enum):
    PASSWORD = "password"
    RECOVERY = "recovery"


@dataclass(frozen=True)
class KeySlot:
    """One wrapped copy of the vault key. ``owner`` is a user id, or ``recovery``."""

    owner: str
    kind: SlotKind
    salt: bytes
    kdf: KdfParams | None
    nonce: bytes
    wrapped: bytes

    def associated_data(self, vault_id: str) -> bytes:
        kdf = self.kdf.encode() if self.kdf else b"hkdf"
        parts = (b"youthcase-slot-v2", vault_id.encode(), self.owner.encode(), self.kind.value.encode(), kdf)
        return b"|".join(parts)


def _wrap(secret: bytes, wrapping_key: bytes, template: KeySlot, vault_id: str) -> KeySlot:
    nonce = os.urandom(12)
    wrapped = AESGCM(wrapping_key).encrypt(nonce, secret, template.associated_data(vault_id))
    return KeySlot(template.owner, template.kind, template.salt, template.kdf, nonce, wrapped)


def _unwrap(slot: KeySlot, wrapping_key: bytes, vault_id: str) -> bytes:
    try:
        return AESGCM(wrapping_key).decrypt(slot.nonce, slot.wrapped, slot.associated_data(vault_id))
    except InvalidTag:
        raise WrongSecretError("the key slot did not open") from None


def password_slot(secrets: SlotSecrets, vault_id: str, owner: str, password: str, kdf: KdfParams) -> KeySlot:
    salt = os.urandom(SALT_BYTES)
    template = KeySlot(owner, SlotKind.PASSWORD, salt, kdf, b"", b"")
    return _wrap(secrets.to_bytes(), derive_key(password, salt, kdf), template, vault_id)


def open_password_slot(slot: KeySlot, vault_id: str, password: str) -> SlotSecrets:
    if slot.kind is not SlotKind.PASSWORD or slot.kdf is None:
        raise WrongSecretError("not a password slot")
    return SlotSecrets.from_bytes(_unwrap(slot, derive_key(password, slot.salt, slot.kdf), vault_id))


def _recovery_wrapping_key(recovery_secret: bytes, salt: bytes) -> bytes:
    # The recovery key has 256 bits of entropy, so HKDF suffices; Argon2id would add nothing.
    return hkdf_sha256(recovery_secret, b"youthcase/v1/recovery-slot", salt=salt)


def recovery_slot(vault_key: VaultKey, vault_id: str, recovery_key: str) -> KeySlot:
    salt = os.urandom(SALT_BYTES)
    template = KeySlot("recovery", SlotKind.RECOVERY, salt, None, b"", b"")
    wrapping = _recovery_wrapping_key(parse_recovery_key(recovery_key), salt)
    return _wrap(vault_key.material, wrapping, template, vault_id)


def open_recovery_slot(slot: KeySlot, vault_id: str, recovery_key: str) -> VaultKey:
    try:
        secret = parse_recovery_key(recovery_key)
    except ValueError:
        raise WrongSecretError("malformed recovery key") from None
    return VaultKey(_unwrap(slot, _recovery_wrapping_key(secret, slot.salt), vault_id))


def recovery_key_pairs(recovery_key: str, vault_id: str) -> KeyPairs:
    """The recovery key's own key pairs: escrow copies are sealed to it, break-glass grants signed by it."""
    return KeyPairs.derive(parse_recovery_key(recovery_key), vault_id.encode("ascii"))


def generate_recovery_key() -> str:
    """A printable 256-bit recovery key in groups of four base32 characters."""
    text = base64.b32encode(secrets.token_bytes(RECOVERY_KEY_BYTES)).decode("ascii").rstrip("=")
    return "-".join(text[i : i + RECOVERY_GROUP] for i in range(0, len(text), RECOVERY_GROUP))


def parse_recovery_key(text: str) -> bytes:
    """Accept the key as printed, with or without dashes, spaces or lower case."""
    compact = "".join(ch for ch in text.upper() if ch not in "- \t\r\n")
    padded = compact + "=" * (-len(compact) % 8)
    try:
        secret = base64.b32decode(padded)
    except ValueError:
        raise ValueError("a recovery key uses only the letters A-Z and digits 2-7") from None
    if len(secret) != RECOVERY_KEY_BYTES:
        raise ValueError("a recovery key has 52 characters")
    return secret
