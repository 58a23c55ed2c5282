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
from sqlalchemy.orm import Session

from youthcase import __version__
from youthcase.config import VaultLocation
from youthcase.crypto.errors import WrongSecretError
from youthcase.crypto.keys import KeyPurpose, VaultKey
from youthcase.crypto.slots import KeySlot, SlotKind, open_password_slot, open_recovery_slot
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput, VaultCorrupt, VaultExists, WrongCredentials
from youthcase.services.integrity import CheckReport, check_vault
from youthcase.services.recovery import hold_every_site_key
from youthcase.services.returns import check_output_path
from youthcase.services.vault import LockedVault, UnlockedVault
from youthcase.storage.backup_file import BackupFileError, open_details, pack, seal_details, unpack, verify
from youthcase.storage.closed_backup_file import ClosedCopyError, is_closed_copy, unpack_closed_copy
from youthcase.storage.files import write_atomically
from youthcase.storage.keystore import RECOVERY_LOGIN_ID, HeaderFileKeyStore, KeyStoreError, login_id

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
    created_at = vault.clock.now()
    # The key store first (it is replaced atomically, so this is one whole version): the head it
    # anchors is then never ahead of the snapshot taken next.
    key_store = vault.location.header_path.read_bytes()
    with tempfile.TemporaryDirectory(prefix="youthcase-backup-") as folder:
        snapshot = Path(folder) / "snapshot.vault"
        _snapshot(vault, snapshot, progress)
        contents = _contents(snapshot, vault.key(KeyPurpose.DATABASE_FILE))
        cases, head = contents.cases, contents.audit_head
        database = snapshot.read_bytes()
    backup_key = vault.key(KeyPurpose.BACKUP)
    details = {"cases": cases, "audit_head": head, "made_by": __version__}
    data = pack(
        backup_key,
        vault.vault_id,
        created_at.isoformat(),
        key_store,
        database,
        seal_details(backup_key, details, vault.vault_id),
    )
    write_atomically(target, data)
    _check_written(target, backup_key, vault.key(KeyPurpose.DATABASE_FILE), head)
    return BackupSummary(target, created_at, cases, head, len(data))


def _snapshot(vault: UnlockedVault, snapshot: Path, progress: Progress | None) -> None:
    """SQLite's online backup: a consistent copy of one committed moment, while others write."""
    raw = vault.engine.raw_connection()
    try:
        destination = _keyed(snapshot, vault.key(KeyPurpose.DATABASE_FILE))
        try:
            report = None if progress is None else (lambda _status, left, total: progress(total - left, total))
            raw.driver_connection.backup(destination, pages=PAGES_PER_STEP, progress=report)  # type: ignore[union-attr]
        finally:
            destination.close()
    finally:
        raw.close()


def _keyed(path: Path, file_key: bytes) -> sqlcipher3.Connection:
    connection = sqlcipher3.connect(str(path))
    connection.execute(f"PRAGMA key = \"x'{file_key.hex()}'\"")
    connection.execute("PRAGMA cipher_log_level = NONE")
    return connection


@dataclass(frozen=True)
class _Contents:
    cases: int
    audit_head: str
    last_event: tuple[dt.datetime, str] | None  # when, and its action: no personal data


def _contents(database: Path, file_key: bytes) -> _Contents:
    """The case count and audit trail's end of a database file, after its page and structure checks."""
    connection = _keyed(database, file_key)
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
    if head is None:
        return _Contents(int(cases[0]) if cases else 0, "", None)
    at = dt.datetime.fromisoformat(str(head[2])).replace(tzinfo=dt.UTC)
    return _Contents(int(cases[0]) if cases else 0, f"{head[0]}:{head[1].lower()}", (at, str(head[3])))


def _check_written(target: Path, backup_key: bytes, file_key: bytes, head: str) -> None:
    """Read the backup back as a restore would: MAC, then the database copy's own checks."""
    parts = unpack(target.read_bytes())
    verify(parts, backup_key)
    with tempfile.TemporaryDirectory(prefix="youthcase-backup-check-") as folder:
        copy = Path(folder) / "check.vault"
        copy.write_bytes(parts.database)
        if _contents(copy, file_key).audit_head != head:
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


@dataclass(frozen=True)
class BackupPreview:
    """What the GUI shows before a restore: nothing personal, only counts and the trail's end."""

    created_at: dt.datetime
    automatic: bool  # copied after a lock, not made by `youthcase backup` or "Back up now"
    cases: int
    last_event: tuple[dt.datetime, str] | None


@dataclass(frozen=True)
class _OpenedBackup:
    vault_id: str
    created_at: str
    key_store: bytes
    database: bytes
    vault_key: VaultKey
    automatic: bool


def _open_backup(backup: Path, secret: RestoreSecret) -> _OpenedBackup:
    """Read either kind of backup and prove it with a key from one of its own slots: the whole
    file's MAC (``youthcase backup``), or the digest, then the key store's MAC (automatic copies)."""
    try:
        data = backup.read_bytes()
        if is_closed_copy(data):
            copy = unpack_closed_copy(data)
            store = _temporary_store(copy.key_store)
            with store as keystore:
                vault_key = _open_slot(keystore, copy.manifest.vault_id, secret)
                keystore.verify(vault_key.derive(KeyPurpose.KEY_STORE))
            return _OpenedBackup(
                copy.manifest.vault_id, copy.manifest.created_at, copy.key_store, copy.database, vault_key, True
            )
        parts = unpack(data)
        with _temporary_store(parts.key_store) as keystore:
            vault_key = _open_slot(keystore, parts.vault_id, secret)
        verify(parts, vault_key.derive(KeyPurpose.BACKUP))
        return _OpenedBackup(parts.vault_id, parts.created_at, parts.key_store, parts.database, vault_key, False)
    except (BackupFileError, ClosedCopyError) as error:
        raise VaultCorrupt(f"{backup}: {error}") from None
    except KeyStoreError as error:
        raise VaultCorrupt(f"{backup}: the key store inside the backup is damaged ({error})") from None
    except IsADirectoryError:
        raise InvalidInput(f"{backup} is a folder: choose a backup file") from None
    except FileNotFoundError:
        raise InvalidInput(f"{backup} does not exist") from None


@contextlib.contextmanager
def _temporary_store(key_store: bytes) -> Iterator[HeaderFileKeyStore]:
    with tempfile.TemporaryDirectory(prefix="youthcase-restore-") as folder:
        header = Path(folder) / "backup.vault.header"
        header.write_bytes(key_store)
        yield HeaderFileKeyStore(header)


def _checked_contents(opened: _OpenedBackup) -> _Contents:
    with tempfile.TemporaryDirectory(prefix="youthcase-restore-check-") as folder:
        copy = Path(folder) / "backup.vault"
        copy.write_bytes(opened.database)
        return _contents(copy, opened.vault_key.derive(KeyPurpose.DATABASE_FILE))


def preview_backup(backup: Path, secret: RestoreSecret) -> BackupPreview:
    """Open and check a backup without writing it anywhere: when it was made, its case count and
    its last audit event (time and action)."""
    opened = _open_backup(backup, secret)
    contents = _checked_contents(opened)
    created_at = dt.datetime.fromisoformat(opened.created_at)
    return BackupPreview(created_at, opened.automatic, contents.cases, contents.last_event)


def restore_vault(backup: Path, target: Path, secret: RestoreSecret, replace: bool = False) -> RestoredVault:
    """Write the vault held in ``backup`` to ``target`` (its header beside it), after checking it."""
    opened = _open_backup(backup, secret)
    if opened.automatic:
        contents = _checked_contents(opened)  # its pages are checked before anything is written
        cases, head = contents.cases, contents.audit_head
    else:
        backup_key = opened.vault_key.derive(KeyPurpose.BACKUP)
        try:
            details = open_details(backup_key, unpack(backup.read_bytes()).sealed_details, opened.vault_id)
        except BackupFileError as error:
            raise VaultCorrupt(f"{backup}: {error}") from None
        cases, head = int(details["cases"]), str(details["audit_head"])
    location = VaultLocation(path=target)
    _make_room(location, replace)
    _install(location, opened.database, opened.key_store)
    return RestoredVault(location, opened.created_at, cases, head)


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
    write_atomically(location.path, database)
    write_atomically(location.header_path, key_store)


def check_vault_at(location: VaultLocation, username: str | None, secret: str) -> CheckReport:
    """``youthcase check`` (and the check after every restore), as an account with its password or,
    with ``username`` None, with the recovery key (which holds every site key)."""
    if username is None:
        access = LockedVault(location).open_with_recovery_key(secret)
        try:
            with Session(access.engine) as session:
                hold_every_site_key(session, access.keyring, access.keys)
                return check_vault(
                    session, access.keyring, access.keystore, access.vault_key.derive(KeyPurpose.KEY_STORE)
                )
        finally:
            access.engine.dispose()
    vault = LockedVault(location).unlock(username, secret)
    try:
        with vault.session() as session:
            return check_vault(session, vault.keyring, vault.keystore, vault.key(KeyPurpose.KEY_STORE))
    finally:
        vault.lock()
