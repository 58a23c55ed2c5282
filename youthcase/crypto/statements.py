"""Signed statements: the one canonical byte form every Ed25519 signature of the vault covers.

A statement is a kind ("account", "site-key", "grant", ...) and a tuple of fields, each encoded
with a type tag and a length, so no two different statements share bytes (no "ab"+"c" = "a"+"bc")
and a signature made for one kind can never be replayed as another. The vault id is part of every
statement, so nothing signed in one vault verifies in another.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from youthcase.crypto.keypairs import verify_signature

Field = bytes | str | int | bool | uuid.UUID | dt.datetime | None

_PREFIX = b"youthcase/v2/statement|"


def _encode(value: Field) -> bytes:
    if value is None:
        return b"n"
    if isinstance(value, bool):  # before int: bool is an int
        return b"b" + (b"\x01" if value else b"\x00")
    if isinstance(value, int):
        body = str(value).encode("ascii")
        tag = b"i"
    elif isinstance(value, bytes):
        body, tag = value, b"y"
    elif isinstance(value, str):
        body, tag = value.encode("utf-8"), b"s"
    elif isinstance(value, uuid.UUID):
        body, tag = value.bytes, b"u"
    else:
        body, tag = value.astimezone(dt.UTC).isoformat().encode("ascii"), b"t"
    return tag + len(body).to_bytes(4, "big") + body


def statement(vault_id: str, kind: str, fields: Iterable[Field]) -> bytes:
    """The bytes signed for ``kind`` with ``fields`` in ``vault_id``."""
    parts = [_PREFIX, _encode(vault_id), _encode(kind)]
    parts.extend(_encode(field) for field in fields)
    return b"".join(parts)


def id_set(ids: Iterable[uuid.UUID]) -> bytes:
    """A set of ids as one field: sorted, so the order rows come back in does not matter."""
    return b"".join(sorted(i.bytes for i in ids))


def sign_statement(key: Ed25519PrivateKey, vault_id: str, kind: str, fields: Iterable[Field]) -> bytes:
    return key.sign(statement(vault_id, kind, fields))


def verify_statement(
    public_signing: bytes | None, signature: bytes | None, vault_id: str, kind: str, fields: Iterable[Field]
) -> bool:
    """True only for a signature by ``public_signing`` over exactly this statement."""
    if public_signing is None or signature is None:
        return False
    return verify_signature(public_signing, signature, statement(vault_id, kind, fields))
