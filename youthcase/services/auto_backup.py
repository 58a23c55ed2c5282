"""Automatic backups of a local vault: after a lock and on exit, at most one an hour, rotated.

The copy is made from the closed files, with no key in memory: after a lock the engine is disposed,
so SQLite's last connection has checkpointed the WAL into the vault file and removed it, and the
vault file and its key store are both already encrypted and authenticated by their own keys. The
copy (``storage.closed_backup_file``) adds a digest, so it is checked without a key (manifest,
length, digest: here, right after writing, and whenever the folder is looked at) and fully when
it is restored (``services.backup.restore_vault``). While the vault is unlocked, "Back up now" uses
``youthcase backup``'s online snapshot into the same folder, under the same names and rotation.

The folder is a vault setting an administrator chooses (audited); what the copy after a lock needs
of it is read while the vault is still open (``BackupPlan``), so nothing is read from the database
once its keys are gone.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from sqlalchemy import select

from youthcase.config import VaultLocation
from youthcase.domain.clock import Clock
from youthcase.domain.roles import Permission
from youthcase.services.audit import AuditAction
from youthcase.services.backup import Progress, backup_vault
from youthcase.services.backup_folder import (
    BACKUP_FOLDER_SETTING,
    STALE_AFTER,
    BackupEntry,
    FolderUnreachable,
    backup_name,
    configured_folder,
    default_backup_folder,
    is_due,
    list_backups,
    rotate,
)
from youthcase.services.errors import InvalidInput
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.backup_file import BackupFileError, check_length
from youthcase.storage.closed_backup_file import (
    ClosedCopyError,
    CopyManifest,
    is_closed_copy,
    read_manifest,
    verify_closed_copy,
    write_closed_copy,
)
from youthcase.storage.keystore import HeaderFileKeyStore, KeyStoreError
from youthcase.storage.models import VaultSetting


@dataclass(frozen=True)
class BackupPlan:
    """Everything the copy after a lock needs, read while the vault was open: no key among it."""

    location: VaultLocation
    vault_id: str
    folder: Path


def plan_for(vault: UnlockedVault) -> BackupPlan | None:
    """The plan for this vault; None for a team server (backed up with PostgreSQL's tools)."""
    if vault.location.path is None:
        return None
    with vault.session() as session:
        folder = configured_folder(session, vault.location)
    return BackupPlan(vault.location, vault.vault_id, folder)


class BackupSettings:
    """The backup folder, a vault setting: anyone reads it, an administrator changes it."""

    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def folder(self) -> Path:
        if self.vault.location.path is None:
            raise InvalidInput("a team server is backed up with PostgreSQL's own tools: see docs/team-server.md")
        with self.vault.session() as session:
            return configured_folder(session, self.vault.location)

    def set_folder(self, folder: Path | None) -> Path:
        """Choose the folder (None: back to the default); it must exist and be writable now."""
        require(self.vault.actor, Permission.MANAGE_SETTINGS)
        location = self.vault.location
        if location.path is None:
            raise InvalidInput("a team server is backed up with PostgreSQL's own tools: see docs/team-server.md")
        chosen = default_backup_folder(location) if folder is None else folder.expanduser().absolute()
        if folder is None:
            chosen.mkdir(parents=True, exist_ok=True)
        if not chosen.is_dir():
            raise InvalidInput(f"the backup folder {chosen} does not exist or is not a folder")
        if not os.access(chosen, os.W_OK | os.X_OK):
            raise InvalidInput(f"the backup folder {chosen} is read-only for you: choose another")
        if chosen.resolve() == location.path.parent.resolve():
            raise InvalidInput("choose a folder of its own, not the vault's folder")
        with self.vault.session() as session:
            setting = session.scalar(select(VaultSetting).where(VaultSetting.name == BACKUP_FOLDER_SETTING))
            value = "" if folder is None else str(chosen)
            if setting is None:
                session.add(VaultSetting(name=BACKUP_FOLDER_SETTING, value=value))
            else:
                setting.value = value
            self.vault.audit(session, AuditAction.SETTING_CHANGED, "vault_setting", None)
        return chosen


# --- making backups ------------------------------------------------------------------------------


class Outcome(Enum):
    MADE = "made"
    NOT_DUE = "not due"  # one was made less than an hour ago
    IN_USE = "in use"  # another program has the vault open (its WAL is there): the next lock copies


@dataclass(frozen=True)
class BackupResult:
    outcome: Outcome
    entry: BackupEntry | None = None
    removed: tuple[Path, ...] = ()


def _prepare_folder(plan: BackupPlan) -> None:
    """The default folder is made when missing; a chosen one (a share, a removable drive) never
    is, or an unplugged drive's backups would quietly land on this computer's own disk."""
    try:
        if plan.folder == default_backup_folder(plan.location):
            plan.folder.mkdir(parents=True, exist_ok=True)
        if not plan.folder.is_dir():
            raise FileNotFoundError(2, "it is not there")
    except OSError as error:
        raise FolderUnreachable(
            f"the backup folder {plan.folder} cannot be reached ({error.strerror or error})"
        ) from None


def back_up_closed(plan: BackupPlan, clock: Clock, progress: Progress | None = None) -> BackupResult:
    """After a lock (or on exit): copy the closed vault into the folder if one is due, then rotate.

    Raises ``FolderUnreachable`` when the folder cannot be written (the GUI warns)."""
    database = plan.location.path
    assert database is not None
    _prepare_folder(plan)
    now = clock.now()
    if not is_due(list_backups(plan.folder, plan.vault_id), now):
        return BackupResult(Outcome.NOT_DUE)
    wal = Path(f"{database}-wal")
    target = plan.folder / backup_name(plan.vault_id, now)
    try:
        before = _state(database, wal)
        if before is None:
            return BackupResult(Outcome.IN_USE)
        anchored = _anchored_head(plan.location)
        key_store = plan.location.header_path.read_bytes()  # replaced atomically: one whole version
        manifest = CopyManifest(plan.vault_id, now.isoformat(), anchored, len(key_store), before[0])
        with database.open("rb") as source:
            write_closed_copy(target, manifest, key_store, source, progress)
        if _state(database, wal) != before:
            target.unlink(missing_ok=True)
            return BackupResult(Outcome.IN_USE)
    except ClosedCopyError:  # the vault file changed size while it was copied
        target.unlink(missing_ok=True)
        return BackupResult(Outcome.IN_USE)
    except OSError as error:
        target.unlink(missing_ok=True)
        raise FolderUnreachable(f"the backup to {plan.folder} failed ({error.strerror or error})") from None
    try:
        verify_closed_copy(target)
    except (OSError, ClosedCopyError):
        target.unlink(missing_ok=True)
        raise FolderUnreachable(
            f"the backup written to {plan.folder} does not read back whole: check the drive or share"
        ) from None
    return BackupResult(Outcome.MADE, BackupEntry(target, now), tuple(rotate(plan.folder, plan.vault_id, now)))


def _anchored_head(location: VaultLocation) -> tuple[int, str] | None:
    """For the manifest only (how far the copy's trail reaches): a damaged header is still copied."""
    try:
        return HeaderFileKeyStore(location.header_path).anchored_head()
    except KeyStoreError:
        return None


def _state(database: Path, wal: Path) -> tuple[int, int] | None:
    """The vault file's size and change time, or None while a WAL holds committed pages not yet in it."""
    if wal.exists() and wal.stat().st_size > 0:
        return None
    stat = database.stat()
    return stat.st_size, stat.st_mtime_ns


def back_up_now(vault: UnlockedVault, progress: Progress | None = None) -> BackupResult:
    """An administrator's "Back up now" while the vault is open: ``youthcase backup``'s online
    snapshot (checked as it is written) into the folder, then the rotation."""
    require(vault.actor, Permission.MANAGE_SETTINGS)
    plan = plan_for(vault)
    if plan is None:
        raise InvalidInput("a team server is backed up with PostgreSQL's own tools: see docs/team-server.md")
    _prepare_folder(plan)
    try:
        summary = backup_vault(vault, plan.folder / backup_name(plan.vault_id, vault.clock.now()), progress)
    except OSError as error:
        raise FolderUnreachable(f"the backup to {plan.folder} failed ({error.strerror or error})") from None
    entry = BackupEntry(summary.path, summary.created_at)
    return BackupResult(Outcome.MADE, entry, tuple(rotate(plan.folder, plan.vault_id, summary.created_at)))


# --- what the GUI shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupStatus:
    folder: Path
    last_good: BackupEntry | None
    age: dt.timedelta | None
    problem: str | None  # the folder cannot be reached

    @property
    def needs_attention(self) -> bool:
        return self.problem is not None or self.age is None or self.age > STALE_AFTER


def backup_status(plan: BackupPlan, clock: Clock) -> BackupStatus:
    """The newest backup in the folder that passes the checks needing no key (cheap ones: its
    manifest and length; the digest was checked when it was written, and is again on restore)."""
    if plan.folder == default_backup_folder(plan.location) and not plan.folder.exists():
        return BackupStatus(plan.folder, None, None, None)  # made by the first backup
    try:
        entries = list_backups(plan.folder, plan.vault_id)
    except FolderUnreachable as error:
        return BackupStatus(plan.folder, None, None, str(error))
    for entry in entries:
        if looks_whole(entry.path):
            return BackupStatus(plan.folder, entry, clock.now() - entry.made_at, None)
    return BackupStatus(plan.folder, None, None, None)


def looks_whole(path: Path) -> bool:
    """Either kind of backup, checked as far as is possible without a key and without reading it all."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64)
        if is_closed_copy(head):
            read_manifest(path)
        else:
            check_length(path)
    except (OSError, ClosedCopyError, BackupFileError):
        return False
    return True
