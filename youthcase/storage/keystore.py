"""Where key slots and unlock-failure records live before the vault is open.

A SQLCipher file cannot hold the slots that unlock it, so locally they live in a small JSON header
file beside it (like a LUKS header), replaced atomically on every change. In team mode they live in
two plain tables of the PostgreSQL database. Both hold only wrapped keys, salts and counters.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from youthcase.crypto.kdf import KdfParams
from youthcase.crypto.slots import KeySlot, SlotKind
from youthcase.storage.files import write_atomically
from youthcase.storage.models import ServerKeySlot, ServerVaultMeta

HEADER_FORMAT = "youthcase-vault-header"
HEADER_VERSION = 1
RECOVERY_LOGIN_ID = "recovery"
MAX_HEADER_BYTES = 4 * 1024 * 1024


class KeyStoreError(Exception):
    """The key store is missing, unreadable or not a youthcase header. ``kind`` says which."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class UnlockFailures:
    count: int
    last_at: dt.datetime


def login_id(vault_id: str, username: str) -> str:
    """Slot lookup key: a hash, so the header does not list staff user names in clear."""
    normalised = username.strip().casefold()
    return hashlib.sha256(f"youthcase-login|{vault_id}|{normalised}".encode()).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


def slot_to_json(slot: KeySlot) -> dict[str, Any]:
    kdf = (
        None
        if slot.kdf is None
        else {"memory_kib": slot.kdf.memory_kib, "iterations": slot.kdf.iterations, "lanes": slot.kdf.lanes}
    )
    return {
        "owner": slot.owner,
        "kind": slot.kind.value,
        "salt": _b64(slot.salt),
        "kdf": kdf,
        "nonce": _b64(slot.nonce),
        "wrapped": _b64(slot.wrapped),
    }


def slot_from_json(data: Any) -> KeySlot:
    try:
        kdf_data = data["kdf"]
        kdf = (
            None
            if kdf_data is None
            else KdfParams(
                memory_kib=int(kdf_data["memory_kib"]),
                iterations=int(kdf_data["iterations"]),
                lanes=int(kdf_data["lanes"]),
            )
        )
        return KeySlot(
            owner=str(data["owner"]),
            kind=SlotKind(data["kind"]),
            salt=_unb64(data["salt"]),
            kdf=kdf,
            nonce=_unb64(data["nonce"]),
            wrapped=_unb64(data["wrapped"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "a key slot in the vault header is damaged") from exc


class KeyStore(Protocol):
    """What the vault needs from wherever its slots are kept."""

    def exists(self) -> bool: ...
    def create(self, vault_id: str) -> None: ...
    def vault_id(self) -> str: ...
    def get_slot(self, login: str) -> KeySlot | None: ...
    def put_slot(self, login: str, slot: KeySlot) -> None: ...
    def failures(self, login: str) -> UnlockFailures | None: ...
    def set_failures(self, login: str, record: UnlockFailures | None) -> None: ...


def _failures_to_json(record: UnlockFailures) -> dict[str, Any]:
    return {"count": record.count, "last_at": record.last_at.isoformat()}


def _failures_from_json(data: Any) -> UnlockFailures:
    try:
        return UnlockFailures(int(data["count"]), dt.datetime.fromisoformat(data["last_at"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "the vault header's unlock record is damaged") from exc


class HeaderFileKeyStore:
    """The local vault's JSON header file, written with write-temp, fsync, replace."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, vault_id: str) -> None:
        self._write(
            {"format": HEADER_FORMAT, "version": HEADER_VERSION, "vault_id": vault_id, "slots": {}, "failures": {}}
        )

    def vault_id(self) -> str:
        return str(self._read()["vault_id"])

    def get_slot(self, login: str) -> KeySlot | None:
        data = self._read()["slots"].get(login)
        return None if data is None else slot_from_json(data)

    def put_slot(self, login: str, slot: KeySlot) -> None:
        document = self._read()
        document["slots"][login] = slot_to_json(slot)
        self._write(document)

    def failures(self, login: str) -> UnlockFailures | None:
        data = self._read()["failures"].get(login)
        return None if data is None else _failures_from_json(data)

    def set_failures(self, login: str, record: UnlockFailures | None) -> None:
        document = self._read()
        if record is None:
            if document["failures"].pop(login, None) is None:
                return
        else:
            document["failures"][login] = _failures_to_json(record)
        self._write(document)

    def _read(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise KeyStoreError("missing", f"the vault header {self.path.name} is missing") from None
        except OSError as exc:
            raise KeyStoreError("unreadable", f"the vault header cannot be read: {exc.strerror}") from None
        if len(raw) > MAX_HEADER_BYTES:
            raise KeyStoreError("wrong-kind", "the vault header is not a youthcase header")
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise KeyStoreError("wrong-kind", "the vault header is not a youthcase header") from None
        if not isinstance(document, dict) or document.get("format") != HEADER_FORMAT:
            raise KeyStoreError("wrong-kind", "the vault header is not a youthcase header")
        if document.get("version") != HEADER_VERSION:
            raise KeyStoreError("corrupt", "the vault header has an unsupported version")
        if not isinstance(document.get("slots"), dict) or not isinstance(document.get("failures"), dict):
            raise KeyStoreError("corrupt", "the vault header is damaged")
        if not isinstance(document.get("vault_id"), str):
            raise KeyStoreError("corrupt", "the vault header is damaged")
        return document

    def _write(self, document: dict[str, Any]) -> None:
        write_atomically(self.path, json.dumps(document, indent=1, sort_keys=True).encode("utf-8"))


_VAULT_ID = "vault_id"
_FAILURES_PREFIX = "unlock_failures:"


class ServerKeyStore:
    """Team mode: slots and failure records in plain tables of the server database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def exists(self) -> bool:
        with Session(self.engine) as session:
            return session.scalar(select(ServerVaultMeta).where(ServerVaultMeta.name == _VAULT_ID)) is not None

    def create(self, vault_id: str) -> None:
        with Session(self.engine) as session, session.begin():
            session.add(ServerVaultMeta(name=_VAULT_ID, value=vault_id))

    def vault_id(self) -> str:
        value = self._meta(_VAULT_ID)
        if value is None:
            raise KeyStoreError("missing", "the server database holds no youthcase vault")
        return value

    def get_slot(self, login: str) -> KeySlot | None:
        with Session(self.engine) as session:
            row = session.scalar(select(ServerKeySlot).where(ServerKeySlot.login_id == login))
            return None if row is None else slot_from_json(json.loads(row.payload))

    def put_slot(self, login: str, slot: KeySlot) -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(ServerKeySlot).where(ServerKeySlot.login_id == login))
            session.add(ServerKeySlot(login_id=login, payload=json.dumps(slot_to_json(slot))))

    def failures(self, login: str) -> UnlockFailures | None:
        value = self._meta(_FAILURES_PREFIX + login)
        return None if value is None else _failures_from_json(json.loads(value))

    def set_failures(self, login: str, record: UnlockFailures | None) -> None:
        name = _FAILURES_PREFIX + login
        with Session(self.engine) as session, session.begin():
            session.execute(delete(ServerVaultMeta).where(ServerVaultMeta.name == name))
            if record is not None:
                session.add(ServerVaultMeta(name=name, value=json.dumps(_failures_to_json(record))))

    def _meta(self, name: str) -> str | None:
        with Session(self.engine) as session:
            return session.scalar(select(ServerVaultMeta.value).where(ServerVaultMeta.name == name))
