"""The backup folder of a local vault: where it is, what is in it, and which backups to keep.

No key is needed for anything here (the lock screen shows the age of the last good backup), and
nothing here imports the vault, so opening a vault can point to the newest backup when committed
changes are missing. Backups are named ``youthcase-<vault id>-<UTC time>.ycbackup``: several vaults
may share one folder (a network share), and each one's rotation only ever touches its own files.

The rotation keeps, of the backups made in the last day, the newest of each hour; in the last week,
of each day; in the last month (31 days), of each ISO week; in the last year (366 days), of each
month; and always the newest backup of all. So a record erased later survives in older backups
for at most a year (or for as long as the newest backup is older than that).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthcase.config import VaultLocation
from youthcase.services.errors import YouthcaseError
from youthcase.storage.closed_backup_file import ClosedCopyError, read_manifest
from youthcase.storage.models import VaultSetting

BACKUP_FOLDER_SETTING = "backup_folder"
SUFFIX = ".ycbackup"
STAMP = "%Y%m%dT%H%M%SZ"
MIN_INTERVAL = dt.timedelta(hours=1)
STALE_AFTER = dt.timedelta(hours=24)
_NAME = re.compile(r"^youthcase-(?P<vault>[0-9a-f-]{36})-(?P<stamp>\d{8}T\d{6}Z)\.ycbackup$")

Bucket = Callable[[dt.datetime], object]


def _hour(at: dt.datetime) -> object:
    return at.replace(minute=0, second=0, microsecond=0)


def _day(at: dt.datetime) -> object:
    return at.date()


def _week(at: dt.datetime) -> object:
    return at.isocalendar()[:2]


def _month(at: dt.datetime) -> object:
    return (at.year, at.month)


ROTATION: tuple[tuple[str, dt.timedelta, Bucket], ...] = (
    ("hourly", dt.timedelta(days=1), _hour),
    ("daily", dt.timedelta(days=7), _day),
    ("weekly", dt.timedelta(days=31), _week),
    ("monthly", dt.timedelta(days=366), _month),
)
"""(tier, how far back it reaches, its bucket). The last tier's reach is the rotation's length."""

RETENTION = ROTATION[-1][1]
MAX_KEPT = 25 + 8 + 6 + 13 + 1
"""Buckets a tier's reach can touch (hours in a day: 25, days in a week: 8, ISO weeks in 31 days: 6,
months in 366 days: 13), plus the newest backup of all."""


def backups_to_keep(made: Iterable[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """The rotation, as a pure function of when the backups were made (timezone-aware) and now.

    A backup dated after ``now`` (the clock was set back) counts as made now, so at most one such
    backup (the newest) is kept besides the rest."""
    times = set(made)
    if not times:
        return set()
    kept = {max(times)}
    for _tier, reach, bucket in ROTATION:
        newest: dict[object, dt.datetime] = {}
        for at in times:
            seen = min(at, now)
            if now - seen < reach:
                key = bucket(seen.astimezone(dt.UTC))
                if key not in newest or at > newest[key]:
                    newest[key] = at
        kept.update(newest.values())
    return kept


# --- the folder ----------------------------------------------------------------------------------


def default_backup_folder(location: VaultLocation) -> Path:
    """``backups/`` beside the vault: for the default vault, in the user data folder."""
    assert location.path is not None
    return location.path.parent / "backups"


def configured_folder(session: Session, location: VaultLocation) -> Path:
    value = session.scalar(select(VaultSetting.value).where(VaultSetting.name == BACKUP_FOLDER_SETTING))
    return Path(value) if value else default_backup_folder(location)


def backup_name(vault_id: str, made_at: dt.datetime) -> str:
    return f"youthcase-{vault_id}-{made_at.astimezone(dt.UTC).strftime(STAMP)}{SUFFIX}"


@dataclass(frozen=True)
class BackupEntry:
    path: Path
    made_at: dt.datetime


class FolderUnreachable(YouthcaseError):
    """The backup folder is missing, not a folder, or cannot be read (a share that is offline)."""


def list_backups(folder: Path, vault_id: str) -> list[BackupEntry]:
    """This vault's backups in ``folder``, newest first (by the time in their names)."""
    try:
        names = [path for path in folder.iterdir() if path.is_file()]
    except OSError as error:
        raise FolderUnreachable(f"the backup folder {folder} cannot be reached ({error.strerror or error})") from None
    entries = []
    for path in names:
        match = _NAME.match(path.name)
        if match and match["vault"] == vault_id:
            made_at = dt.datetime.strptime(match["stamp"], STAMP).replace(tzinfo=dt.UTC)
            entries.append(BackupEntry(path, made_at))
    return sorted(entries, key=lambda entry: entry.made_at, reverse=True)


def is_due(entries: list[BackupEntry], now: dt.datetime) -> bool:
    """At most one automatic backup an hour (a newest backup dated in the future does not count)."""
    return not any(dt.timedelta(0) <= now - entry.made_at < MIN_INTERVAL for entry in entries)


def rotate(folder: Path, vault_id: str, now: dt.datetime) -> list[Path]:
    """Delete this vault's backups the rotation does not keep; the ones deleted."""
    entries = list_backups(folder, vault_id)
    kept = backups_to_keep((entry.made_at for entry in entries), now)
    removed = [entry.path for entry in entries if entry.made_at not in kept]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def describe_when(at: dt.datetime) -> str:
    """For messages: ``30 Nov 2026 14:02 UTC``."""
    return at.astimezone(dt.UTC).strftime("%d %b %Y %H:%M UTC").lstrip("0")


def missing_commits_notice(session: Session, location: VaultLocation, vault_id: str, anchored_sequence: int) -> str:
    """What to say when the database ends before the audit head anchored at the last lock."""
    said = (
        f"committed changes are missing: the audit trail ends before event {anchored_sequence}, which it "
        "reached when the vault was last locked (the vault file was replaced by an older copy, or damaged)"
    )
    if location.path is None:
        return said + ": restore the server's database from its backups (docs/team-server.md)"
    folder = configured_folder(session, location)
    try:
        entries = list_backups(folder, vault_id)
    except FolderUnreachable:
        return f"{said}; the backup folder {folder} cannot be reached: restore the newest backup you have"
    if not entries:
        return f"{said}; there is no backup in {folder}"
    newest = entries[0]
    return (
        f"{said}; the newest backup is of {describe_when(newest.made_at)}{_reach(newest.path)}: restore {newest.path}"
    )


def _reach(path: Path) -> str:
    """How far an automatic backup's trail reaches (its manifest says, without a key)."""
    try:
        head = read_manifest(path).anchored_head
    except (OSError, ClosedCopyError):
        return ""
    return "" if head is None else f" (its trail reaches event {head[0]})"
