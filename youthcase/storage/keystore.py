"""Where key slots and unlock-failure records live before the vault is open.

A SQLCipher file cannot hold the slots that unlock it, so locally they live in a small JSON header
file beside it (like a LUKS header). In team mode they live in two plain tables of the PostgreSQL
database. Both hold only wrapped keys, salts, KDF parameters, tombstones, the audit head anchor and
counters, and both are authenticated twice:

* a SHA-256 digest of the canonical content, checked on every read and needing no key, so that a
  damaged byte reads as "damaged" and never as a wrong password (which would count towards lock-out);
* an HMAC-SHA256 under a key derived from the vault key (``seal`` / ``verify``), over everything but
  the failure counters, so that a deliberate edit by someone who recomputes the digest is caught as
  soon as a slot has opened. The counters are left out because a locked app, which has no key, must
  write them; an edit of them can only reset the back-off, which copying the file away does anyway.

Every read-modify-write runs under one lock (a file lock locally, a row lock on PostgreSQL), so
concurrent writers from several processes or clients lose nothing.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from youthcase.crypto.file_key import WrappedFileKey
from youthcase.crypto.kdf import KdfParams
from youthcase.crypto.slots import KeySlot, SlotKind
from youthcase.storage.files import file_lock, write_atomically
from youthcase.storage.models import ServerKeySlot, ServerVaultMeta
from youthcase.storage.server_security import KEY_STORE_LOCK

HEADER_FORMAT = "youthcase-vault-header"
HEADER_VERSION = 2
RECOVERY_LOGIN_ID = "recovery"
# While ``recovery rotate`` runs: the new recovery key's slot, until the database has moved to it.
PENDING_RECOVERY_LOGIN_ID = "recovery-next"
# The SQLCipher file key(s), wrapped under the root key; one entry beside the slots (so MAC-covered).
FILE_KEY_ENTRY = "file-key"
MAX_HEADER_BYTES = 4 * 1024 * 1024
# Failure records of logins that have no slot: enough to throttle a guessing run name by name, few
# enough that 30,000 invented names cannot push the header past MAX_HEADER_BYTES.
MAX_UNKNOWN_FAILURE_RECORDS = 128
_MAC_CONTEXT = b"youthcase-key-store-mac/v2\x00"
_SEALED_FIELDS = ("format", "version", "vault_id", "kdf", "slots", "audit_head")
_TOMBSTONE = "tombstone"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
_NONCE_BYTES = 12  # AES-GCM's nonce, as the slots are wrapped

DelayPolicy = Callable[[int], float]
"""Seconds to wait after a number of consecutive failures (``youthcase.domain.throttle.delay_after``)."""


class KeyStoreError(Exception):
    """The key store is missing, unreadable, damaged or not a youthcase header. ``kind`` says which:
    ``missing``, ``unreadable``, ``wrong-kind``, ``unsupported``, ``corrupt`` or ``unsealed``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class UnlockFailures:
    count: int
    last_at: dt.datetime


@dataclass(frozen=True)
class Tombstone:
    """What a disabled login leaves in place of its slot: whose it was, and no key material."""

    owner: str


def login_id(vault_id: str, username: str) -> str:
    """Slot lookup key: a hash, so the header does not list staff user names in clear."""
    normalised = username.strip().casefold()
    return hashlib.sha256(f"youthcase-login|{vault_id}|{normalised}".encode()).hexdigest()


# --- JSON forms shared by both stores ----------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("expected base64 text")
    return base64.b64decode(text, validate=True)


def kdf_to_json(kdf: KdfParams) -> dict[str, Any]:
    return {"memory_kib": kdf.memory_kib, "iterations": kdf.iterations, "lanes": kdf.lanes}


def kdf_from_json(data: Any) -> KdfParams:
    try:
        return KdfParams(int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "the key store's KDF parameters are damaged") from exc


def slot_to_json(slot: KeySlot) -> dict[str, Any]:
    return {
        "owner": slot.owner,
        "kind": slot.kind.value,
        "salt": _b64(slot.salt),
        "kdf": None if slot.kdf is None else kdf_to_json(slot.kdf),
        "nonce": _b64(slot.nonce),
        "wrapped": _b64(slot.wrapped),
    }


def slot_from_json(data: Any) -> KeySlot:
    """A slot whose salt or nonce is empty (or the nonce not AES-GCM's 12 bytes) is damaged, not
    a value for the KDF or the cipher to fail on later."""
    try:
        slot = KeySlot(
            owner=str(data["owner"]),
            kind=SlotKind(data["kind"]),
            salt=_unb64(data["salt"]),
            kdf=None if data["kdf"] is None else kdf_from_json(data["kdf"]),
            nonce=_unb64(data["nonce"]),
            wrapped=_unb64(data["wrapped"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "a key slot in the vault header is damaged") from exc
    if not slot.salt or len(slot.nonce) != _NONCE_BYTES or not slot.wrapped:
        raise KeyStoreError("corrupt", "a key slot in the vault header is damaged")
    return slot


def _entry_from_json(data: Any) -> KeySlot | Tombstone:
    """A slot, or the tombstone a disabled login left (which has no key material to parse)."""
    if isinstance(data, dict) and data.get("kind") == _TOMBSTONE:
        if not isinstance(data.get("owner"), str):
            raise KeyStoreError("corrupt", "a tombstone in the vault header is damaged")
        return Tombstone(data["owner"])
    return slot_from_json(data)


def _tombstone_json(owner: str) -> dict[str, Any]:
    return {"kind": _TOMBSTONE, "owner": owner}


def _file_keys_to_json(keys: list[WrappedFileKey]) -> dict[str, Any]:
    if not keys:
        raise ValueError("a file-key entry holds at least one key")
    return {"kind": FILE_KEY_ENTRY, "keys": [{"nonce": _b64(k.nonce), "wrapped": _b64(k.wrapped)} for k in keys]}


def _file_keys_from_json(data: Any) -> list[WrappedFileKey] | None:
    if data is None:
        return None
    try:
        if data["kind"] != FILE_KEY_ENTRY or not data["keys"]:
            raise ValueError("not a file-key entry")
        return [WrappedFileKey(_unb64(k["nonce"]), _unb64(k["wrapped"])) for k in data["keys"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "the vault header's file key entry is damaged") from exc


def _failures_to_json(record: UnlockFailures) -> dict[str, Any]:
    return {"count": record.count, "last_at": record.last_at.isoformat()}


def _failures_from_json(data: Any) -> UnlockFailures:
    """A time without a zone is damage too: it could not be compared with the clock's."""
    try:
        last_at = dt.datetime.fromisoformat(data["last_at"])
        record = UnlockFailures(int(data["count"]), last_at)
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "the vault header's unlock record is damaged") from exc
    if last_at.utcoffset() is None:
        raise KeyStoreError("corrupt", "the vault header's unlock record is damaged")
    return record


def _head_to_json(sequence: int, digest_hex: str) -> dict[str, Any]:
    """Refuse nonsense early: the anchor is only useful if the verifier can trust its shape."""
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError("an audit sequence number is a non-negative integer")
    if not isinstance(digest_hex, str) or not _HEX_DIGEST.fullmatch(digest_hex):
        raise ValueError("an audit head digest is 64 lower-case hex digits")
    return {"sequence": sequence, "digest": digest_hex}


def _head_from_json(data: Any) -> tuple[int, str] | None:
    if data is None:
        return None
    try:
        return int(data["sequence"]), str(data["digest"])
    except (KeyError, TypeError, ValueError) as exc:
        raise KeyStoreError("corrupt", "the key store's audit anchor is damaged") from exc


# --- authentication ------------------------------------------------------------------------------


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def document_digest(document: dict[str, Any]) -> str:
    """SHA-256 of everything but the digest itself: any damaged value changes it, no key needed."""
    return hashlib.sha256(_canonical({k: v for k, v in document.items() if k != "digest"})).hexdigest()


def document_mac(document: dict[str, Any], mac_key: bytes) -> str:
    """HMAC-SHA256 of what only an unlocked vault writes (slots, KDF defaults, audit anchor)."""
    sealed = {name: document.get(name) for name in _SEALED_FIELDS}
    return hmac.new(mac_key, _MAC_CONTEXT + _canonical(sealed), hashlib.sha256).hexdigest()


def _check_digest(document: dict[str, Any], stored: Any) -> None:
    if not isinstance(stored, str) or not hmac.compare_digest(stored, document_digest(document)):
        raise KeyStoreError("corrupt", "the vault header is damaged (its checksum does not match)")


def _check_mac(document: dict[str, Any], mac_key: bytes) -> None:
    stored = document.get("mac")
    if not isinstance(stored, str) or not hmac.compare_digest(stored, document_mac(document, mac_key)):
        raise KeyStoreError("corrupt", "the vault header has been altered outside the app")


# --- throttling decisions shared by both stores -------------------------------------------------


def _remaining_delay(record: UnlockFailures | None, now: dt.datetime, delay: DelayPolicy) -> float:
    """Seconds this login must still wait; 0 when an attempt may be made (and counted) now."""
    if record is None:
        return 0.0
    wait_until = record.last_at + dt.timedelta(seconds=delay(record.count))
    return max(0.0, (wait_until - now).total_seconds())


def _evictions(records: dict[str, UnlockFailures], keep: str) -> list[str]:
    """Unknown-name records to drop, oldest first, so that at most the limit remain (``keep`` stays)."""
    excess = len(records) - MAX_UNKNOWN_FAILURE_RECORDS
    if excess <= 0:
        return []
    candidates = sorted((record.last_at, name) for name, record in records.items() if name != keep)
    return [name for _, name in candidates[:excess]]


def _merged(first: UnlockFailures | None, second: UnlockFailures | None) -> UnlockFailures | None:
    """A login's record when it moved between the known and unknown buckets: keep the larger count."""
    if first is None or second is None:
        return first or second
    return first if first.count >= second.count else second


class KeyStore(Protocol):
    """What the vault needs from wherever its slots are kept (header file or server tables)."""

    def exists(self) -> bool: ...
    def create(self, vault_id: str, kdf: KdfParams, mac_key: bytes) -> None: ...
    def vault_id(self) -> str: ...
    def default_kdf(self) -> KdfParams: ...
    def get_slot(self, login: str) -> KeySlot | Tombstone | None: ...
    def put_slot(self, login: str, slot: KeySlot) -> None: ...
    def disable(self, login: str, owner: str) -> None: ...
    def failures(self, login: str) -> UnlockFailures | None: ...
    def record_attempt(self, login: str, now: dt.datetime, delay: DelayPolicy) -> float: ...
    def clear_failures(self, login: str) -> None: ...
    def anchor_head(self, sequence: int, digest_hex: str) -> None: ...
    def anchored_head(self) -> tuple[int, str] | None: ...
    def remove_slot(self, login: str) -> None: ...
    def seal(self, mac_key: bytes) -> None: ...
    def verify(self, mac_key: bytes) -> None: ...
    def forget_mac_key(self) -> None: ...


# --- local header file ---------------------------------------------------------------------------


def encode_header(document: dict[str, Any]) -> bytes:
    """Set the document's digest and return its one canonical byte form.

    The reader insists on exactly these bytes, so even an edit that leaves the JSON meaning the same
    (white space, escapes, a duplicated key) reads as damaged. Compact, because the header is for
    the app, and the C JSON encoder is ten times faster than the indenting one.
    """
    document["digest"] = document_digest(document)
    return _canonical(document) + b"\n"


def _new_header(vault_id: str, kdf: KdfParams) -> dict[str, Any]:
    return {
        "format": HEADER_FORMAT,
        "version": HEADER_VERSION,
        "vault_id": vault_id,
        "kdf": kdf_to_json(kdf),
        "slots": {},
        "audit_head": None,
        "failures": {},
        "unknown_failures": {},
        "mac": None,
    }


def _parse_header(raw: bytes) -> dict[str, Any]:
    """Bytes to a checked document; every way of being wrong is a ``KeyStoreError``."""
    if len(raw) > MAX_HEADER_BYTES:
        raise KeyStoreError("corrupt", "the vault header is damaged (too large)")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        kind = "corrupt" if HEADER_FORMAT.encode() in raw else "wrong-kind"
        raise KeyStoreError(kind, "the vault header is damaged or is not a youthcase header") from None
    if not isinstance(document, dict) or document.get("format") != HEADER_FORMAT:
        raise KeyStoreError("wrong-kind", "the vault header is not a youthcase header")
    if document.get("version") != HEADER_VERSION:
        raise KeyStoreError("unsupported", "the vault header has an unsupported version")
    _check_digest(document, document.get("digest"))
    if raw != _canonical(document) + b"\n":
        raise KeyStoreError("corrupt", "the vault header is damaged (not in its canonical form)")
    _check_shape(document)
    return document


def _check_shape(document: dict[str, Any]) -> None:
    """A document whose digest matches but whose fields are not what we write was forged or is a bug."""
    maps_ok = all(isinstance(document.get(name), dict) for name in ("slots", "failures", "unknown_failures"))
    if not maps_ok or not isinstance(document.get("vault_id"), str):
        raise KeyStoreError("corrupt", "the vault header is damaged")
    kdf_from_json(document.get("kdf"))


class HeaderFileKeyStore:
    """The local vault's JSON header file: read and written under a file lock, replaced atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self._mac_key: bytes | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def create(self, vault_id: str, kdf: KdfParams, mac_key: bytes) -> None:
        """Write a new, sealed header; later writes through this object keep the MAC current."""
        self._mac_key = mac_key
        with file_lock(self.lock_path):
            self._write(_new_header(vault_id, kdf), sealed=True)

    def vault_id(self) -> str:
        return str(self._read()["vault_id"])

    def default_kdf(self) -> KdfParams:
        return kdf_from_json(self._read()["kdf"])

    def get_slot(self, login: str) -> KeySlot | Tombstone | None:
        data = self._read()["slots"].get(login)
        return None if data is None else _entry_from_json(data)

    def put_slot(self, login: str, slot: KeySlot) -> None:
        def change(document: dict[str, Any]) -> bool:
            document["slots"][login] = slot_to_json(slot)
            if slot.kind is SlotKind.PASSWORD and slot.kdf is not None:
                document["kdf"] = kdf_to_json(slot.kdf)  # what an unknown name's dummy KDF will cost
            _adopt_unknown_record(document, login)
            return True

        self._change(change, sealed=True)

    def disable(self, login: str, owner: str) -> None:
        """Replace the login's slot with a tombstone: its wrapped key is gone from the file."""

        def change(document: dict[str, Any]) -> bool:
            document["slots"][login] = _tombstone_json(owner)
            _adopt_unknown_record(document, login)
            return True

        self._change(change, sealed=True)

    def remove_slot(self, login: str) -> None:
        """Drop an entry (a finished rotation's pending recovery slot); no tombstone is left."""
        self._change(lambda document: document["slots"].pop(login, None) is not None, sealed=True)

    def file_keys(self) -> list[WrappedFileKey] | None:
        """The wrapped SQLCipher file keys (two while a re-key is under way), or None for a vault
        whose file key is still derived from the root key."""
        return _file_keys_from_json(self._read()["slots"].get(FILE_KEY_ENTRY))

    def put_file_keys(self, keys: list[WrappedFileKey]) -> None:
        entry = _file_keys_to_json(keys)

        def change(document: dict[str, Any]) -> bool:
            document["slots"][FILE_KEY_ENTRY] = entry
            return True

        self._change(change, sealed=True)

    def failures(self, login: str) -> UnlockFailures | None:
        return _header_record(self._read(), login)

    def record_attempt(self, login: str, now: dt.datetime, delay: DelayPolicy) -> float:
        """Count an attempt before its KDF runs, unless the login must still wait (then return the wait).

        Check and count are one step under the lock, so parallel guesses are each counted or refused.
        """
        remaining = 0.0

        def change(document: dict[str, Any]) -> bool:
            nonlocal remaining
            record = _header_record(document, login)
            remaining = _remaining_delay(record, now, delay)
            if remaining > 0:
                return False
            _drop_header_record(document, login)
            bucket = "failures" if login in document["slots"] else "unknown_failures"
            count = 1 if record is None else record.count + 1
            document[bucket][login] = _failures_to_json(UnlockFailures(count, now))
            if bucket == "unknown_failures":
                _evict_unknown(document, keep=login)
            return True

        self._change(change, sealed=False)
        return remaining

    def clear_failures(self, login: str) -> None:
        self._change(lambda document: _drop_header_record(document, login), sealed=False)

    def anchor_head(self, sequence: int, digest_hex: str) -> None:
        head = _head_to_json(sequence, digest_hex)

        def change(document: dict[str, Any]) -> bool:
            document["audit_head"] = head
            return True

        self._change(change, sealed=True)

    def anchored_head(self) -> tuple[int, str] | None:
        return _head_from_json(self._read()["audit_head"])

    def seal(self, mac_key: bytes) -> None:
        """Rewrite the MAC under ``mac_key`` now and on every later write through this object."""
        self._mac_key = mac_key
        self._change(lambda document: True, sealed=True)

    def verify(self, mac_key: bytes) -> None:
        """Refuse a header edited outside the app; on success, later writes keep the MAC current."""
        _check_mac(self._read(), mac_key)
        self._mac_key = mac_key

    def forget_mac_key(self) -> None:
        """Called on lock: the store object no longer holds anything derived from the vault key."""
        self._mac_key = None

    def _read(self) -> dict[str, Any]:
        # Reads take the lock too: on Windows a file open for reading cannot be replaced.
        with file_lock(self.lock_path):
            return self._load()

    def _change(self, change: Callable[[dict[str, Any]], bool], sealed: bool) -> None:
        """Read, change and write back as one step under the lock; ``change`` says whether it changed."""
        if sealed and self._mac_key is None:
            raise KeyStoreError("unsealed", "the key store can only be changed by an unlocked vault")
        with file_lock(self.lock_path):
            document = self._load()
            if change(document):
                self._write(document, sealed)

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raise KeyStoreError("missing", f"the vault header {self.path.name} is missing") from None
        except OSError as exc:
            raise KeyStoreError("unreadable", f"the vault header cannot be read: {exc.strerror}") from None
        return _parse_header(raw)

    def _write(self, document: dict[str, Any], sealed: bool) -> None:
        if sealed:
            assert self._mac_key is not None
            document["mac"] = document_mac(document, self._mac_key)
        data = encode_header(document)
        if len(data) > MAX_HEADER_BYTES:
            raise KeyStoreError("corrupt", "the vault header would grow past its size limit")
        write_atomically(self.path, data)


def _header_record(document: dict[str, Any], login: str) -> UnlockFailures | None:
    known = document["failures"].get(login)
    unknown = document["unknown_failures"].get(login)
    return _merged(
        None if known is None else _failures_from_json(known),
        None if unknown is None else _failures_from_json(unknown),
    )


def _drop_header_record(document: dict[str, Any], login: str) -> bool:
    known = document["failures"].pop(login, None)
    unknown = document["unknown_failures"].pop(login, None)
    return known is not None or unknown is not None


def _adopt_unknown_record(document: dict[str, Any], login: str) -> None:
    """A login that now has a slot or tombstone keeps its exact count in the per-account bucket."""
    record = _header_record(document, login)
    if _drop_header_record(document, login) and record is not None:
        document["failures"][login] = _failures_to_json(record)


def _evict_unknown(document: dict[str, Any], keep: str) -> None:
    records = {name: _failures_from_json(data) for name, data in document["unknown_failures"].items()}
    for name in _evictions(records, keep):
        del document["unknown_failures"][name]


# --- PostgreSQL (team mode) ----------------------------------------------------------------------

_VAULT_ID = "vault_id"
_VERSION = "key_store_version"
_KDF = "default_kdf"
_AUDIT_HEAD = "audit_head"
_MAC = "key_store_mac"
_DIGEST = "key_store_digest"
_SEALED_META = (_VAULT_ID, _VERSION, _KDF, _AUDIT_HEAD, _MAC, _DIGEST)
_FAILURES_PREFIX = "unlock_failures:"
_UNKNOWN_FAILURES_PREFIX = "unlock_failures_unknown:"


def _loads(text: str | None, what: str) -> Any:
    try:
        return None if text is None else json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise KeyStoreError("corrupt", f"the key store's {what} is damaged") from None


class ServerKeyStore:
    """Team mode: slots, tombstones and anchors in ``key_slot`` / ``vault_meta`` of the server database.

    The same document the header file holds is assembled from the rows, so digest and MAC are the
    same functions. Writes take an advisory lock for their transaction,
    so concurrent clients queue instead of overwriting each other; reads use one REPEATABLE READ
    snapshot so the digest is checked against rows of one moment.
    """

    def __init__(self, engine: Engine, throttle_engine: Engine | None = None) -> None:
        self.engine = engine
        # On a team server the failure counters are written by the pre-login gate, which an unlocked
        # account's login may not do (it could otherwise reset its own back-off).
        self.throttle_engine = throttle_engine or engine
        self._mac_key: bytes | None = None

    def for_account(self, engine: Engine) -> ServerKeyStore:
        """The same store as an unlocked account's own login (counters still through this one's)."""
        store = ServerKeyStore(engine, self.throttle_engine)
        store._mac_key = self._mac_key
        return store

    def exists(self) -> bool:
        with Session(self.engine) as session:
            return session.scalar(select(ServerVaultMeta).where(ServerVaultMeta.name == _VAULT_ID)) is not None

    def create(self, vault_id: str, kdf: KdfParams, mac_key: bytes) -> None:
        self._mac_key = mac_key
        with Session(self.engine) as session, session.begin():
            session.add(ServerVaultMeta(name=_VAULT_ID, value=vault_id))
            session.add(ServerVaultMeta(name=_VERSION, value=str(HEADER_VERSION)))
            session.add(ServerVaultMeta(name=_KDF, value=json.dumps(kdf_to_json(kdf))))
            session.flush()
            self._reseal(session)

    def vault_id(self) -> str:
        with self._reading() as session:
            return str(self._checked(session)["vault_id"])

    def default_kdf(self) -> KdfParams:
        with self._reading() as session:
            return kdf_from_json(self._checked(session)["kdf"])

    def get_slot(self, login: str) -> KeySlot | Tombstone | None:
        with self._reading() as session:
            data = self._checked(session)["slots"].get(login)
        return None if data is None else _entry_from_json(data)

    def put_slot(self, login: str, slot: KeySlot) -> None:
        with self._writing(sealed=True) as session:
            _set_slot_row(session, login, slot_to_json(slot))
            if slot.kind is SlotKind.PASSWORD and slot.kdf is not None:
                _set_meta(session, _KDF, json.dumps(kdf_to_json(slot.kdf)))
            _adopt_unknown_row(session, login)

    def disable(self, login: str, owner: str) -> None:
        with self._writing(sealed=True) as session:
            _set_slot_row(session, login, _tombstone_json(owner))
            _adopt_unknown_row(session, login)

    def remove_slot(self, login: str) -> None:
        with self._writing(sealed=True) as session:
            row = session.scalar(select(ServerKeySlot).where(ServerKeySlot.login_id == login))
            if row is not None:
                session.delete(row)
                session.flush()

    def failures(self, login: str) -> UnlockFailures | None:
        with Session(self.engine) as session:
            return _row_record(session, login)

    def record_attempt(self, login: str, now: dt.datetime, delay: DelayPolicy) -> float:
        """Count the attempt before its KDF runs, in the same locked transaction as the delay check."""
        with self._writing(sealed=False, engine=self.throttle_engine) as session:
            record = _row_record(session, login)
            remaining = _remaining_delay(record, now, delay)
            if remaining > 0:
                return remaining
            known = session.scalar(select(ServerKeySlot.id).where(ServerKeySlot.login_id == login)) is not None
            count = 1 if record is None else record.count + 1
            _set_meta(session, (_UNKNOWN_FAILURES_PREFIX if known else _FAILURES_PREFIX) + login, None)
            prefix = _FAILURES_PREFIX if known else _UNKNOWN_FAILURES_PREFIX
            _set_meta(session, prefix + login, json.dumps(_failures_to_json(UnlockFailures(count, now))))
            if not known:
                _evict_unknown_rows(session, keep=login)
            return 0.0

    def clear_failures(self, login: str) -> None:
        with self._writing(sealed=False, engine=self.throttle_engine) as session:
            _set_meta(session, _FAILURES_PREFIX + login, None)
            _set_meta(session, _UNKNOWN_FAILURES_PREFIX + login, None)

    def anchor_head(self, sequence: int, digest_hex: str) -> None:
        head = json.dumps(_head_to_json(sequence, digest_hex))
        with self._writing(sealed=True) as session:
            _set_meta(session, _AUDIT_HEAD, head)

    def anchored_head(self) -> tuple[int, str] | None:
        with self._reading() as session:
            return _head_from_json(self._checked(session)["audit_head"])

    def seal(self, mac_key: bytes) -> None:
        self._mac_key = mac_key
        with self._writing(sealed=True):
            pass

    def verify(self, mac_key: bytes) -> None:
        with self._reading() as session:
            _check_mac(self._checked(session), mac_key)
        self._mac_key = mac_key

    def forget_mac_key(self) -> None:
        self._mac_key = None

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Session]:
        engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
        with Session(engine) as session, session.begin():
            yield session

    @contextlib.contextmanager
    def _writing(self, sealed: bool, engine: Engine | None = None) -> Iterator[Session]:
        """One transaction holding the store's lock; a sealed change re-computes MAC and digest.

        The lock is a transaction-level advisory lock rather than a row lock, so that the logins
        that write the store (the gate, the accounts) need no UPDATE right on the ``vault_id`` row."""
        if sealed and self._mac_key is None:
            raise KeyStoreError("unsealed", "the key store can only be changed by an unlocked vault")
        with Session(engine or self.engine) as session, session.begin():
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KEY_STORE_LOCK})
            locked = session.scalar(select(ServerVaultMeta.id).where(ServerVaultMeta.name == _VAULT_ID))
            if locked is None:
                raise KeyStoreError("missing", "the server database holds no youthcase vault")
            if sealed:
                self._checked(session)  # never re-seal on top of damage
            yield session
            if sealed:
                session.flush()
                self._reseal(session)

    def _document(self, session: Session) -> tuple[dict[str, Any], str | None]:
        """The rows as the header file's sealed document (plus the MAC), and the stored digest."""
        rows = session.execute(
            select(ServerVaultMeta.name, ServerVaultMeta.value).where(ServerVaultMeta.name.in_(_SEALED_META))
        )
        meta = {name: value for name, value in rows}
        if _VAULT_ID not in meta:
            raise KeyStoreError("missing", "the server database holds no youthcase vault")
        if meta.get(_VERSION) != str(HEADER_VERSION):
            raise KeyStoreError("unsupported", "the server key store has an unsupported version")
        slots = session.execute(select(ServerKeySlot.login_id, ServerKeySlot.payload))
        document = {
            "format": HEADER_FORMAT,
            "version": HEADER_VERSION,
            "vault_id": meta[_VAULT_ID],
            "kdf": _loads(meta.get(_KDF), "KDF parameters"),
            "slots": {login: _loads(payload, "key slot") for login, payload in slots},
            "audit_head": _loads(meta.get(_AUDIT_HEAD), "audit anchor"),
            "mac": meta.get(_MAC),
        }
        return document, meta.get(_DIGEST)

    def _checked(self, session: Session) -> dict[str, Any]:
        document, digest = self._document(session)
        _check_digest(document, digest)
        return document

    def _reseal(self, session: Session) -> None:
        assert self._mac_key is not None
        document, _ = self._document(session)
        document["mac"] = document_mac(document, self._mac_key)
        _set_meta(session, _MAC, document["mac"])
        _set_meta(session, _DIGEST, document_digest(document))


def _set_meta(session: Session, name: str, value: str | None) -> None:
    """Insert, update or (``None``) delete one ``vault_meta`` row; callers hold the store's lock."""
    row = session.scalar(select(ServerVaultMeta).where(ServerVaultMeta.name == name))
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(ServerVaultMeta(name=name, value=value))
    else:
        row.value = value
    session.flush()


def _set_slot_row(session: Session, login: str, payload: dict[str, Any]) -> None:
    row = session.scalar(select(ServerKeySlot).where(ServerKeySlot.login_id == login))
    if row is None:
        session.add(ServerKeySlot(login_id=login, payload=json.dumps(payload)))
    else:
        row.payload = json.dumps(payload)
    session.flush()


def _row_record(session: Session, login: str) -> UnlockFailures | None:
    known = session.scalar(select(ServerVaultMeta.value).where(ServerVaultMeta.name == _FAILURES_PREFIX + login))
    unknown = session.scalar(
        select(ServerVaultMeta.value).where(ServerVaultMeta.name == _UNKNOWN_FAILURES_PREFIX + login)
    )
    return _merged(
        None if known is None else _failures_from_json(_loads(known, "unlock record")),
        None if unknown is None else _failures_from_json(_loads(unknown, "unlock record")),
    )


def _adopt_unknown_row(session: Session, login: str) -> None:
    record = _row_record(session, login)
    _set_meta(session, _UNKNOWN_FAILURES_PREFIX + login, None)
    if record is not None:
        _set_meta(session, _FAILURES_PREFIX + login, json.dumps(_failures_to_json(record)))


def _evict_unknown_rows(session: Session, keep: str) -> None:
    rows = session.execute(
        select(ServerVaultMeta.name, ServerVaultMeta.value).where(
            ServerVaultMeta.name.startswith(_UNKNOWN_FAILURES_PREFIX, autoescape=True)
        )
    ).all()
    prefix = len(_UNKNOWN_FAILURES_PREFIX)
    records = {name[prefix:]: _failures_from_json(_loads(value, "unlock record")) for name, value in rows}
    for login in _evictions(records, keep):
        _set_meta(session, _UNKNOWN_FAILURES_PREFIX + login, None)
