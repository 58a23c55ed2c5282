"""Key pairs (keys v2): who can receive a key and who signed what.

Each account, each site and the recovery key has an X25519 pair (to receive keys) and, for accounts
and the recovery key, an Ed25519 pair (to sign grants). Two ways to hand a key to a holder:

- ``seal_to``: an ephemeral X25519 agreement per message (ECIES). Used where few keys move: a
  site's private key or the matching key granted to an account, escrow copies for the recovery key.
- ``pair_key``: a *static* agreement between a site and an account. Both sides compute the same
  key-encryption key (site private x account public = account private x site public), so a case key
  wrapped once under ``pair_key(site, worker)`` opens for the worker and for every supervisor of the
  site, with one agreement per (site, account) pair per unlock and then only AES-GCM per case. This
  keeps asymmetric operations off the per-case path (../shared/security.md, "Keys v2").
"""

from __future__ import annotations

import functools
import os
import uuid
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from youthcase.crypto.errors import TamperedDataError
from youthcase.crypto.keys import hkdf_sha256

KEY_BYTES = 32
NONCE_BYTES = 12


def raw_public(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def raw_private(key: X25519PrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


@dataclass(frozen=True)
class PublicKeys:
    """The public halves an account (or the recovery key) publishes: 32 raw bytes each."""

    exchange: bytes
    signing: bytes

    def fingerprint(self) -> bytes:
        return hkdf_sha256(self.exchange + self.signing, b"youthcase/v2/fingerprint", length=16)


@dataclass(frozen=True, repr=False)
class KeyPairs:
    """An account's (or the recovery key's) private keys. ``repr`` never shows them."""

    exchange: X25519PrivateKey
    signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> KeyPairs:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @classmethod
    def derive(cls, secret: bytes, label: bytes) -> KeyPairs:
        """Deterministic pairs from a high-entropy secret (the recovery key)."""
        exchange = hkdf_sha256(secret, b"youthcase/v2/derive-exchange|" + label)
        signing = hkdf_sha256(secret, b"youthcase/v2/derive-signing|" + label)
        return cls(X25519PrivateKey.from_private_bytes(exchange), Ed25519PrivateKey.from_private_bytes(signing))

    def to_bytes(self) -> bytes:
        return raw_private(self.exchange) + raw_private(self.signing)

    @classmethod
    def from_bytes(cls, data: bytes) -> KeyPairs:
        if len(data) != 2 * KEY_BYTES:
            raise TamperedDataError("an account's private keys have the wrong length")
        return cls(
            X25519PrivateKey.from_private_bytes(data[:KEY_BYTES]),
            Ed25519PrivateKey.from_private_bytes(data[KEY_BYTES:]),
        )

    def public(self) -> PublicKeys:
        return PublicKeys(raw_public(self.exchange), raw_public(self.signing))

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message)

    def owner_key(self, purpose: bytes) -> bytes:
        """A symmetric key only this account can compute (its drafts, for instance)."""
        return hkdf_sha256(raw_private(self.exchange), b"youthcase/v2/owner|" + purpose)

    def __repr__(self) -> str:
        return "KeyPairs(<hidden>)"


def verify_signature(public_signing: bytes, signature: bytes, message: bytes) -> bool:
    try:
        _signing_key(public_signing).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _signing_key(public_signing: bytes) -> Ed25519PublicKey:
    """Loaded once per key: ``audit verify`` checks thousands of events by the same few accounts."""
    return Ed25519PublicKey.from_public_bytes(public_signing)


@dataclass(frozen=True, repr=False)
class SiteKeyPair:
    """A site's exchange key pair (one per generation; rotation makes a new one)."""

    private: X25519PrivateKey

    @classmethod
    def generate(cls) -> SiteKeyPair:
        return cls(X25519PrivateKey.generate())

    @classmethod
    def from_bytes(cls, data: bytes) -> SiteKeyPair:
        if len(data) != KEY_BYTES:
            raise TamperedDataError("a site key has the wrong length")
        return cls(X25519PrivateKey.from_private_bytes(data))

    def to_bytes(self) -> bytes:
        return raw_private(self.private)

    def public(self) -> bytes:
        return raw_public(self.private)

    def __repr__(self) -> str:
        return "SiteKeyPair(<hidden>)"


def seal_to(recipient_exchange: bytes, plaintext: bytes, context: bytes) -> bytes:
    """Encrypt for the holder of an X25519 private key: ``ephemeral public || nonce || ciphertext``."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = raw_public(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_exchange))
    key = hkdf_sha256(shared, b"youthcase/v2/seal|" + context, salt=ephemeral_public + recipient_exchange)
    nonce = os.urandom(NONCE_BYTES)
    return ephemeral_public + nonce + AESGCM(key).encrypt(nonce, plaintext, context)


def open_sealed(recipient: X25519PrivateKey, blob: bytes, context: bytes) -> bytes:
    """Open ``seal_to`` output; a wrong recipient, context or any flipped bit raises."""
    if len(blob) < KEY_BYTES + NONCE_BYTES + 16:
        raise TamperedDataError("a sealed key is truncated")
    ephemeral_public, nonce = blob[:KEY_BYTES], blob[KEY_BYTES : KEY_BYTES + NONCE_BYTES]
    body = blob[KEY_BYTES + NONCE_BYTES :]
    try:
        shared = recipient.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:
        raise TamperedDataError("a sealed key is damaged") from None
    key = hkdf_sha256(shared, b"youthcase/v2/seal|" + context, salt=ephemeral_public + raw_public(recipient))
    try:
        return AESGCM(key).decrypt(nonce, body, context)
    except InvalidTag:
        raise TamperedDataError("a sealed key did not open (wrong holder, or damaged)") from None


def pair_key(
    own: X25519PrivateKey, other_public: bytes, site_id: uuid.UUID, generation: int, account_id: uuid.UUID
) -> bytes:
    """The key-encryption key shared by a site (at one generation) and one account."""
    try:
        shared = own.exchange(X25519PublicKey.from_public_bytes(other_public))
    except ValueError:
        raise TamperedDataError("a published public key is not a valid X25519 key") from None
    info = b"youthcase/v2/pair|" + site_id.bytes + generation.to_bytes(4, "big") + account_id.bytes
    return hkdf_sha256(shared, info)


def wrap_key(kek: bytes, key: bytes, context: bytes) -> bytes:
    """``nonce || AES-GCM(key)`` under a key-encryption key, bound to ``context``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, key, context)


def unwrap_key(kek: bytes, blob: bytes, context: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
    except (InvalidTag, ValueError):
        raise TamperedDataError("a wrapped key did not open (wrong holder, moved, or damaged)") from None
