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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3

from youthcase import __version__
from youthcase.config import VaultLocation
from youthcase.crypto.errors import WrongSecretError
from youthcase.crypto.keys import KeyPurpose, VaultKey
from youthcase.crypto.slots import KeySlot, SlotKind, open_password_slot, open_recovery_slot
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput, VaultCorrupt, VaultExists, WrongCredentials
from youthcase.services.returns import check_output_path
from youthcase.services.vault import UnlockedVault
from youthcase.storage.backup_file import BackupFileError, open_details, pack, seal_details, unpack, verify
from youthcase.storage.files import write_atomically, write_together
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
        cases, head = _contents(snapshot, vault.key(KeyPurpose.DATABASE_FILE))
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


def _contents(database: Path, file_key: bytes) -> tuple[int, str]:
    """The case count and audit head of a database file, after its page and structure checks."""
    connection = _keyed(database, file_key)
    try:
        damaged = connection.execute("PRAGMA cipher_integrity_check").fetchall()
        structure = connection.execute("PRAGMA integrity_check").fetchall()
        if damaged or structure != [("ok",)]:
            raise VaultCorrupt("the backup's copy of the database does not pass its checks: nothing was kept")
        cases = connection.execute("SELECT count(*) FROM case_episode").fetchone()
        head = connection.execute(
            "SELECT sequence, hex(digest) FROM audit_event ORDER BY sequence DESC LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return int(cases[0]) if cases else 0, f"{head[0]}:{head[1].lower()}" if head else ""


def _check_written(target: Path, backup_key: bytes, file_key: bytes, head: str) -> None:
    """Read the backup back as a restore would: MAC, then the database copy's own checks."""
    parts = unpack(target.read_bytes())
    verify(parts, backup_key)
    with tempfile.TemporaryDirectory(prefix="youthcase-backup-check-") as folder:
        copy = Path(folder) / "check.vault"
        copy.write_bytes(parts.database)
        if _contents(copy, file_key)[1] != head:
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


def restore_vault(backup: Path, target: Path, secret: RestoreSecret, replace: bool = False) -> RestoredVault:
    """Write the vault held in ``backup`` to ``target`` (its header beside it), after checking it."""
    try:
        parts = unpack(backup.read_bytes())
        with tempfile.TemporaryDirectory(prefix="youthcase-restore-") as folder:
            header = Path(folder) / "backup.vault.header"
            header.write_bytes(parts.key_store)
            vault_key = _open_slot(HeaderFileKeyStore(header), parts.vault_id, secret)
        backup_key = vault_key.derive(KeyPurpose.BACKUP)
        verify(parts, backup_key)
        details = open_details(backup_key, parts.sealed_details, parts.vault_id)
    except BackupFileError as error:
        raise VaultCorrupt(f"{backup}: {error}") from None
    except KeyStoreError as error:
        raise VaultCorrupt(f"{backup}: the key store inside the backup is damaged ({error})") from None
    location = VaultLocation(path=target)
    _make_room(location, replace)
    _install(location, parts.database, parts.key_store)
    return RestoredVault(location, parts.created_at, int(details["cases"]), str(details["audit_head"]))


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
