"""Backing up a local vault into one file, and restoring one (issue 11, first part).

A backup is a consistent snapshot taken with SQLite's online backup API (so the app may be in use:
the snapshot is of one committed moment), plus the key store, packed and authenticated as one file
(``storage.backup_file``), written atomically and owner-only, then read back and checked before the
command reports success. A restore checks the backup's MAC with a key from one of its own slots (an
account's password, or the recovery key) before it writes anything, never replaces an existing vault
unless asked, removes the replaced vault's WAL companions, and then checks the restored vault.

A team server is backed up with PostgreSQL's own tools (docs/team-server.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from youthcase import __version__
from youthcase.config import VaultLocation, kdf_params_for_new_vault
from youthcase.crypto.errors import WrongSecretError
from youthcase.crypto.file_key import file_key_from_recovery
from youthcase.crypto.keys import KeyPurpose, VaultKey
from youthcase.crypto.slots import KeySlot, SlotKind, open_password_slot, open_recovery_slot
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput, VaultCorrupt, VaultExists, WrongCredentials
from youthcase.services.integrity import UNOPENABLE, CheckReport, Finding, check_vault, is_damaged_page
from youthcase.services.recovery import hold_every_site_key, open_file_with_recovery_key, write_recovered_key_store
from youthcase.services.returns import check_output_path
from youthcase.services.vault import LockedVault, UnlockedVault, file_keys_of
from youthcase.storage.backup_file import BackupFileError, BackupParts, open_details, pack, seal_details, unpack, verify
from youthcase.storage.closed_backup_file import ClosedCopyError, CopyParts, is_closed_copy, unpack_closed_copy
from youthcase.storage.files import write_atomically, write_together
from youthcase.storage.keystore import RECOVERY_LOGIN_ID, HeaderFileKeyStore, KeyStoreError, login_id
from youthcase.storage.rebuild import keyed_connection

Progress = Callable[[int, int], None]
"""(pages copied, pages in all) while the snapshot is taken."""

PAGES_PER_STEP = 1024


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    created_at: dt.datetime
    cases: int
    audit_head: str
    size_bytes: int


def backup_vault(vault: UnlockedVault, target: Path, progress: Progress | None = None) -> BackupSummary:
    """Snapshot the vault into ``target`` (replacing an older backup there atomically) and check it."""
    source = vault.location.path
    if source is None:
        raise InvalidInput("a team server is backed up with PostgreSQL's own tools: see docs/team-server.md")
    check_output_path(target, "--to")
    if target.resolve() in {source.resolve(), vault.location.header_path.resolve()}:
        raise InvalidInput("--to: a backup cannot replace the vault it is made from")
    with vault.session() as session:
        vault.audit(session, AuditAction.BACKUP)
    # The key store first (it is replaced atomically, so this is one whole version): the head it
    # anchors is then never ahead of the snapshot taken next.
    key_store = vault.location.header_path.read_bytes()
    raw = vault.engine.raw_connection()
    try:
        connection: sqlcipher3.Connection = raw.driver_connection
        return _write_backup(
            connection,
            vault.file_key,
            vault.key(KeyPurpose.BACKUP),
            vault.vault_id,
            key_store,
            target,
            vault.clock.now(),
            progress,
        )
    finally:
        raw.close()


def backup_closed_vault(
    database: Path,
    header: Path,
    file_key: bytes,
    backup_key: bytes,
    vault_id: str,
    target: Path,
    created_at: dt.datetime,
) -> BackupSummary:
    """Back up a vault no engine has open (before a schema upgrade): the same file and checks."""
    key_store = header.read_bytes()
    source = keyed_connection(database, file_key)
    try:
        return _write_backup(source, file_key, backup_key, vault_id, key_store, target, created_at, None)
    finally:
        source.close()


def _write_backup(
    source: sqlcipher3.Connection,
    file_key: bytes,
    backup_key: bytes,
    vault_id: str,
    key_store: bytes,
    target: Path,
    created_at: dt.datetime,
    progress: Progress | None,
) -> BackupSummary:
    with tempfile.TemporaryDirectory(prefix="youthcase-backup-") as folder:
        snapshot = Path(folder) / "snapshot.vault"
        _snapshot(source, snapshot, file_key, progress)
        contents = _contents(snapshot, file_key)
        cases, head = contents.cases, contents.audit_head
        database = snapshot.read_bytes()
    details = {"cases": cases, "audit_head": head, "made_by": __version__}
    data = pack(
        backup_key, vault_id, created_at.isoformat(), key_store, database, seal_details(backup_key, details, vault_id)
    )
    write_atomically(target, data)
    _check_written(target, backup_key, file_key, head)
    return BackupSummary(target, created_at, cases, head, len(data))


def _snapshot(source: sqlcipher3.Connection, snapshot: Path, file_key: bytes, progress: Progress | None) -> None:
    """SQLite's online backup: a consistent copy of one committed moment, while others write."""
    destination = keyed_connection(snapshot, file_key)
    try:
        report = None if progress is None else (lambda _status, left, total: progress(total - left, total))
        source.backup(destination, pages=PAGES_PER_STEP, progress=report)
    finally:
        destination.close()


@dataclass(frozen=True)
class _Contents:
    cases: int
    audit_head: str
    last_event: tuple[dt.datetime, str] | None  # when, and its action: no personal data


def _contents(database: Path, file_key: bytes) -> _Contents:
    """The case count and audit trail's end of a database file, after its page and structure checks."""
    connection = keyed_connection(database, file_key)
    try:
        try:
            damaged = connection.execute("PRAGMA cipher_integrity_check").fetchall()
            structure = connection.execute("PRAGMA integrity_check").fetchall()
        except sqlcipher3.DatabaseError:
            damaged, structure = [("unreadable",)], []
        if damaged or structure != [("ok",)]:
            raise VaultCorrupt("the backup's copy of the database does not pass its checks: nothing was kept")
        cases = connection.execute("SELECT count(*) FROM case_episode").fetchone()
        head = connection.execute(
            "SELECT sequence, hex(digest), at, action FROM audit_event ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    count = int(cases[0]) if cases else 0
    if head is None:
        return _Contents(count, "", None)
    at = dt.datetime.fromisoformat(str(head[2])).replace(tzinfo=dt.UTC)
    return _Contents(count, f"{head[0]}:{head[1].lower()}", (at, str(head[3])))


def _check_written(target: Path, backup_key: bytes, file_key: bytes, head: str) -> None:
    """Read the backup back as a restore would: MAC, then the database copy's own checks."""
    parts = unpack(target.read_bytes())
    verify(parts, backup_key)
    if _contents_of(parts.database, file_key).audit_head != head:
        raise VaultCorrupt("the backup written does not read back as it was made: try another place")


# --- restore -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreSecret:
    """How the restore proves it may read the backup: an account's password, or the recovery key."""

    username: str | None
    secret: str


@dataclass(frozen=True)
class RestoredVault:
    location: VaultLocation
    created_at: str
    cases: int
    audit_head: str
    key_store_rebuilt: bool = False
    """The backup's key store was unreadable: a new one holds only the recovery slot (accounts need
    ``users reset-password``)."""


def restore_vault(backup: Path, target: Path, secret: RestoreSecret, replace: bool = False) -> RestoredVault:
    """Write the vault held in ``backup`` to ``target`` (its header beside it), after checking it.

    With the recovery key, a backup whose key store part is unreadable still restores: the
    database part opens with the file key the recovery key gives, its pages verify under their own
    SQLCipher HMACs, and its audit head must be the one sealed in the backup's details (so it is
    this backup's database); it gets a new key store (``_rebuild_key_store``)."""
    data = _read(backup)
    if is_closed_copy(data):
        copy, contents = _open_closed_copy(backup, data, secret)
        location = VaultLocation(path=target)
        _make_room(location, replace)
        _install(location, copy.database, copy.key_store)
        return RestoredVault(location, copy.manifest.created_at, contents.cases, contents.audit_head)
    try:
        parts = unpack(data)
        with tempfile.TemporaryDirectory(prefix="youthcase-restore-") as folder:
            header = Path(folder) / "backup.vault.header"
            header.write_bytes(parts.key_store)
            try:
                vault_key = _open_slot(HeaderFileKeyStore(header), parts.vault_id, secret)
                key_store = parts.key_store
                verify(parts, vault_key.derive(KeyPurpose.BACKUP))
            except KeyStoreError:
                if secret.username is None:
                    vault_key, key_store = _rebuild_key_store(parts, secret.secret, Path(folder))
                else:
                    raise
        details = open_details(vault_key.derive(KeyPurpose.BACKUP), parts.sealed_details, parts.vault_id)
        rebuilt = key_store is not parts.key_store
        recovered_key = file_key_from_recovery(secret.secret) if rebuilt else b""
        if rebuilt and _contents_of(parts.database, recovered_key).audit_head != details["audit_head"]:
            raise VaultCorrupt(f"{backup}: its database part is not the one this backup was made with")
    except BackupFileError as error:
        raise VaultCorrupt(f"{backup}: {error}") from None
    except KeyStoreError as error:
        raise VaultCorrupt(f"{backup}: the key store inside the backup is damaged ({error})") from None
    location = VaultLocation(path=target)
    _make_room(location, replace)
    _install(location, parts.database, key_store)
    return RestoredVault(location, parts.created_at, int(details["cases"]), str(details["audit_head"]), rebuilt)


@dataclass(frozen=True)
class BackupPreview:
    """What the GUI shows before a restore: nothing personal, only counts and the trail's end."""

    created_at: dt.datetime
    automatic: bool  # copied after a lock, not made by `youthcase backup` or "Back up now"
    cases: int
    last_event: tuple[dt.datetime, str] | None


def preview_backup(backup: Path, secret: RestoreSecret) -> BackupPreview:
    """Open and check either kind of backup without writing it anywhere: when it was made, its
    case count and its last audit event (time and action), after a restore's own checks."""
    data = _read(backup)
    if is_closed_copy(data):
        copy, contents = _open_closed_copy(backup, data, secret)
        return BackupPreview(
            dt.datetime.fromisoformat(copy.manifest.created_at), True, contents.cases, contents.last_event
        )
    try:
        parts = unpack(data)
        with _temporary_store(parts.key_store) as keystore:
            vault_key = _open_slot(keystore, parts.vault_id, secret)
            verify(parts, vault_key.derive(KeyPurpose.BACKUP))
            file_keys = file_keys_of(keystore, parts.vault_id, vault_key)
    except BackupFileError as error:
        raise VaultCorrupt(f"{backup}: {error}") from None
    except KeyStoreError as error:
        raise VaultCorrupt(f"{backup}: the key store inside the backup is damaged ({error})") from None
    contents = _contents_under(parts.database, file_keys)
    return BackupPreview(dt.datetime.fromisoformat(parts.created_at), False, contents.cases, contents.last_event)


def _read(backup: Path) -> bytes:
    try:
        return backup.read_bytes()
    except IsADirectoryError:
        raise InvalidInput(f"{backup} is a folder: choose a backup file") from None
    except FileNotFoundError:
        raise InvalidInput(f"{backup} does not exist") from None


def _open_closed_copy(backup: Path, data: bytes, secret: RestoreSecret) -> tuple[CopyParts, _Contents]:
    """An automatic backup (``storage.closed_backup_file``): its digest, then, with a key from one
    of its own slots, its key store's MAC and every page of its database, before anything is written."""
    try:
        copy = unpack_closed_copy(data)
        with _temporary_store(copy.key_store) as keystore:
            vault_key = _open_slot(keystore, copy.manifest.vault_id, secret)
            keystore.verify(vault_key.derive(KeyPurpose.KEY_STORE))
            file_keys = file_keys_of(keystore, copy.manifest.vault_id, vault_key)
    except ClosedCopyError as error:
        raise VaultCorrupt(f"{backup}: {error}") from None
    except KeyStoreError as error:
        raise VaultCorrupt(f"{backup}: the key store inside the backup is damaged ({error})") from None
    return copy, _contents_under(copy.database, file_keys)


@contextlib.contextmanager
def _temporary_store(key_store: bytes) -> Iterator[HeaderFileKeyStore]:
    with tempfile.TemporaryDirectory(prefix="youthcase-restore-") as folder:
        header = Path(folder) / "backup.vault.header"
        header.write_bytes(key_store)
        yield HeaderFileKeyStore(header)


def _contents_under(database: bytes, file_keys: list[bytes]) -> _Contents:
    """``_contents_of`` under the first of the key store's file keys that opens the database (two
    while ``recovery rotate`` re-keys the file)."""
    for file_key in file_keys[:-1]:
        with contextlib.suppress(VaultCorrupt):
            return _contents_of(database, file_key)
    if not file_keys:
        raise VaultCorrupt("the backup's key store holds no file key")
    return _contents_of(database, file_keys[-1])


def _rebuild_key_store(parts: BackupParts, recovery_key: str, folder: Path) -> tuple[VaultKey, bytes]:
    """The backup's own key store is unreadable: the recovery key opens its database copy alone
    (``open_file_with_recovery_key``) and a new key store is made for it."""
    database = folder / "backup.vault"
    database.write_bytes(parts.database)
    secrets = open_file_with_recovery_key(database, recovery_key)
    if secrets.vault_id != parts.vault_id:
        raise VaultCorrupt("the backup's database is of another vault than its manifest says")
    header = folder / "rebuilt.vault.header"
    write_recovered_key_store(header, secrets, recovery_key, kdf_params_for_new_vault())
    return secrets.root, header.read_bytes()


def _contents_of(database: bytes, file_key: bytes) -> _Contents:
    """``_contents`` of a database held in memory (a backup's part), checked in a scratch copy."""
    with tempfile.TemporaryDirectory(prefix="youthcase-check-") as folder:
        copy = Path(folder) / "check.vault"
        copy.write_bytes(database)
        return _contents(copy, file_key)


def _open_slot(keystore: HeaderFileKeyStore, vault_id: str, secret: RestoreSecret) -> VaultKey:
    try:
        if secret.username is None:
            slot = keystore.get_slot(RECOVERY_LOGIN_ID)
            if not isinstance(slot, KeySlot) or slot.kind is not SlotKind.RECOVERY:
                raise VaultCorrupt("the backup holds no recovery key slot")
            return open_recovery_slot(slot, vault_id, secret.secret)
        slot = keystore.get_slot(login_id(vault_id, secret.username))
        if not isinstance(slot, KeySlot):
            raise WrongCredentials()
        return open_password_slot(slot, vault_id, secret.secret).vault_key
    except WrongSecretError:
        raise WrongCredentials() from None


def _make_room(location: VaultLocation, replace: bool) -> None:
    assert location.path is not None
    if location.path.is_dir():
        raise InvalidInput(f"--db: {location.path} is a folder; give a file name")
    if (location.path.exists() or location.header_path.exists()) and not replace:
        raise VaultExists(f"{location.path} already exists: restore to a new path, or add --replace")
    check_output_path(location.path, "--db")


def _install(location: VaultLocation, database: bytes, key_store: bytes) -> None:
    """Database first, then its header; the replaced vault's WAL and shared-memory files go, or
    SQLite would replay the old vault's pages into the restored one."""
    assert location.path is not None
    for companion in (f"{location.path}-wal", f"{location.path}-shm", f"{location.path}-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(companion)
    write_together([(location.path, database), (location.header_path, key_store)])


def check_vault_at(location: VaultLocation, username: str | None, secret: str) -> CheckReport:
    """``youthcase check`` (and the check after every restore), as an account with its password or,
    with ``username`` None, with the recovery key (which holds every site key)."""
    try:
        if username is None:
            access = LockedVault(location).open_with_recovery_key(secret)
            try:
                with Session(access.engine) as session:
                    hold_every_site_key(session, access.keyring, access.keys)
                    store_key = access.vault_key.derive(KeyPurpose.KEY_STORE)
                    return check_vault(session, access.keyring, access.keystore, store_key)
            finally:
                access.engine.dispose()
        vault = LockedVault(location).unlock(username, secret)
        try:
            with vault.session() as session:
                return check_vault(session, vault.keyring, vault.keystore, vault.key(KeyPurpose.KEY_STORE))
        finally:
            vault.lock()
    except DatabaseError as error:
        if not is_damaged_page(error):
            raise
        # A page every opening reads (accounts, keys, the audit head) is damaged: nothing further
        # can be checked through the app, and that is the finding.
        return CheckReport([Finding(UNOPENABLE)], 0, 0, 0)
