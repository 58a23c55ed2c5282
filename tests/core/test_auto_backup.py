"""Automatic backups of a local vault (after a lock, keyless), their rotation, restore and preview,
and the warning when committed changes are missing, through the service API."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.auto_backup import (
    BackupPlan,
    BackupSettings,
    Outcome,
    back_up_closed,
    back_up_now,
    backup_status,
    plan_for,
)
from youthcase.services.backup import RestoreSecret, check_vault_at, preview_backup, restore_vault
from youthcase.services.backup_folder import (
    MAX_KEPT,
    RETENTION,
    ROTATION,
    FolderUnreachable,
    backups_to_keep,
    list_backups,
)
from youthcase.services.cases import CaseService
from youthcase.services.errors import PermissionDenied, VaultCorrupt, VaultExists, WrongCredentials
from youthcase.services.vault import LockedVault, UnlockedVault
from youthcase.storage.closed_backup_file import (
    ClosedCopyError,
    CopyManifest,
    unpack_closed_copy,
    verify_closed_copy,
    write_closed_copy,
)

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "keys-v2"
START = dt.datetime(2026, 11, 30, 14, 2, tzinfo=dt.UTC)


@pytest.fixture
def manifest() -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    return manifest


@pytest.fixture
def location(tmp_path: Path) -> VaultLocation:
    folder = tmp_path / "live"
    folder.mkdir()
    for path in GOLDEN.iterdir():
        shutil.copy2(path, folder / path.name)
    return VaultLocation(path=folder / "golden.vault")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def unlock(location: VaultLocation, clock: FakeClock, manifest: dict[str, Any], user: str = "admin") -> UnlockedVault:
    return LockedVault(location, clock).unlock(user, manifest["passwords"][user])


def lock_and_plan(location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]) -> BackupPlan:
    """Unlock and lock as the administrator: the plan is read while the vault is open."""
    vault = unlock(location, clock, manifest)
    plan = plan_for(vault)
    vault.lock()
    assert plan is not None
    return plan


def cases_seen(location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]) -> list[tuple[str, str]]:
    vault = unlock(location, clock, manifest, "wanda")
    try:
        return [(row.reference, row.given_name) for row in CaseService(vault).caseload()]
    finally:
        vault.lock()


def test_a_copy_after_a_lock_restores_to_the_same_vault(
    location: VaultLocation, clock: FakeClock, manifest: dict[str, Any], tmp_path: Path
) -> None:
    plan = lock_and_plan(location, clock, manifest)
    assert plan.folder == location.path.parent / "backups"  # type: ignore[union-attr]
    result = back_up_closed(plan, clock)
    assert result.outcome is Outcome.MADE and result.entry is not None
    assert result.entry.path.stat().st_mode & 0o077 == 0  # owner only
    assert verify_closed_copy(result.entry.path).vault_id == plan.vault_id

    restored = tmp_path / "restored.vault"
    secret = RestoreSecret("wanda", manifest["passwords"]["wanda"])
    outcome = restore_vault(result.entry.path, restored, secret)
    assert check_vault_at(outcome.location, "wanda", secret.secret).sound
    assert cases_seen(outcome.location, clock, manifest) == cases_seen(location, clock, manifest)
    with pytest.raises(VaultExists):
        restore_vault(result.entry.path, restored, secret)
    out, err = io.StringIO(), io.StringIO()
    argv = ["restore", "--from", str(result.entry.path), "--db", str(tmp_path / "cli.vault"), "--recovery-key-stdin"]
    assert main(argv, io.StringIO(manifest["recovery_key"] + "\n"), out, err) == 0, err.getvalue()
    assert "passes every check" in out.getvalue()


def test_the_preview_names_the_date_cases_and_last_event(
    location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]
) -> None:
    plan = lock_and_plan(location, clock, manifest)
    entry = back_up_closed(plan, clock).entry
    assert entry is not None
    preview = preview_backup(entry.path, RestoreSecret(None, manifest["recovery_key"]))
    assert preview.automatic and preview.created_at == START
    assert preview.cases == 1
    assert preview.last_event == (START, "lock")
    with pytest.raises(WrongCredentials):
        preview_backup(entry.path, RestoreSecret("wanda", "not her password"))


def test_at_most_one_an_hour(location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]) -> None:
    plan = lock_and_plan(location, clock, manifest)
    assert back_up_closed(plan, clock).outcome is Outcome.MADE
    clock.advance(59 * 60)
    assert back_up_closed(plan, clock).outcome is Outcome.NOT_DUE
    clock.advance(60)
    assert back_up_closed(plan, clock).outcome is Outcome.MADE
    assert len(list_backups(plan.folder, plan.vault_id)) == 2


def test_no_copy_while_another_program_has_the_vault_open(
    location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]
) -> None:
    plan = lock_and_plan(location, clock, manifest)
    other = unlock(location, clock, manifest, "wanda")  # its login is committed to the WAL
    try:
        assert back_up_closed(plan, clock).outcome is Outcome.IN_USE
        assert list_backups(plan.folder, plan.vault_id) == []
    finally:
        other.lock()
    assert back_up_closed(plan, clock).outcome is Outcome.MADE


def test_a_damaged_or_half_copied_backup_is_not_counted_and_not_restored(
    location: VaultLocation, clock: FakeClock, manifest: dict[str, Any], tmp_path: Path
) -> None:
    plan = lock_and_plan(location, clock, manifest)
    entry = back_up_closed(plan, clock).entry
    assert entry is not None
    data = bytearray(entry.path.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.path.write_bytes(bytes(data))
    with pytest.raises(ClosedCopyError):
        verify_closed_copy(entry.path)
    with pytest.raises(VaultCorrupt):
        restore_vault(entry.path, tmp_path / "r.vault", RestoreSecret(None, manifest["recovery_key"]))
    assert not (tmp_path / "r.vault").exists()
    entry.path.write_bytes(bytes(data[:-1000]))  # half copied
    status = backup_status(plan, clock)
    assert status.last_good is None and status.needs_attention


def test_the_status_ages_and_warns(location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]) -> None:
    plan = lock_and_plan(location, clock, manifest)
    none_yet = backup_status(plan, clock)  # the default folder is made by the first backup
    assert none_yet.needs_attention and none_yet.problem is None and none_yet.last_good is None
    back_up_closed(plan, clock)
    clock.advance(3 * 3600)
    status = backup_status(plan, clock)
    assert status.age == dt.timedelta(hours=3) and not status.needs_attention
    clock.advance(22 * 3600)
    assert backup_status(plan, clock).needs_attention
    gone = BackupPlan(plan.location, plan.vault_id, plan.folder / "unplugged drive")
    unreachable = backup_status(gone, clock)
    assert unreachable.problem is not None and "cannot be reached" in unreachable.problem
    (plan.folder / "file").write_text("not a folder")
    with pytest.raises(FolderUnreachable):
        back_up_closed(BackupPlan(plan.location, plan.vault_id, plan.folder / "file" / "x"), clock)


def test_an_administrator_chooses_the_folder_and_it_is_audited(
    location: VaultLocation, clock: FakeClock, manifest: dict[str, Any], tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    worker = unlock(location, clock, manifest, "wanda")
    try:
        with pytest.raises(PermissionDenied):
            BackupSettings(worker).set_folder(share)
        with pytest.raises(PermissionDenied):
            back_up_now(worker)
    finally:
        worker.lock()
    admin = unlock(location, clock, manifest)
    try:
        before = AuditTrail(admin).verify().events
        assert BackupSettings(admin).set_folder(share) == share
        assert AuditTrail(admin).verify().events == before + 1
        assert BackupSettings(admin).folder() == share
        result = back_up_now(admin)  # the online snapshot, while the vault is open
    finally:
        admin.lock()
    assert result.entry is not None and result.entry.path.parent == share
    preview = preview_backup(result.entry.path, RestoreSecret("admin", manifest["passwords"]["admin"]))
    assert not preview.automatic and preview.cases == 1


def truncate_trail(location: VaultLocation, file_key: bytes, keep: int) -> None:
    """What restoring an older vault file by hand does: the newest audit events are gone."""
    connection = sqlcipher3.connect(str(location.path))
    try:
        connection.execute(f"PRAGMA key = \"x'{file_key.hex()}'\"")
        connection.execute("DELETE FROM audit_event WHERE sequence > ?", (keep,))
        connection.commit()
    finally:
        connection.close()


def test_missing_commits_are_named_with_the_newest_backup(
    location: VaultLocation, clock: FakeClock, manifest: dict[str, Any]
) -> None:
    plan = lock_and_plan(location, clock, manifest)
    back_up_closed(plan, clock)
    vault = unlock(location, clock, manifest)
    file_key = vault.file_key
    head = AuditTrail(vault).verify().events
    assert vault.missing_commits is None
    vault.lock()  # anchors the head: head + 1 (this lock)
    truncate_trail(location, file_key, head - 3)

    vault = unlock(location, clock, manifest)
    try:
        notice = vault.missing_commits
        assert notice is not None and notice in vault.integrity_problems
        assert f"event {head + 1}" in notice and "30 Nov 2026 14:02 UTC" in notice
        assert f"its trail reaches event {head - 1}" in notice  # the lock before the backup
        assert str(list_backups(plan.folder, plan.vault_id)[0].path) in notice
    finally:
        vault.lock()
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO(manifest["passwords"]["admin"] + "\n")
    main(["users", "list", "--db", str(location.path), "--user", "admin", "--password-stdin"], stdin, out, err)
    assert "committed changes are missing" in err.getvalue() and "30 Nov 2026 14:02 UTC" in err.getvalue()


# --- the rotation, as a pure function ------------------------------------------------------------

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
moments = st.lists(
    st.datetimes(
        min_value=dt.datetime(2024, 6, 1),
        max_value=dt.datetime(2027, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    max_size=400,
    unique=True,
)
deterministic = settings(derandomize=True, max_examples=200, deadline=None)


@deterministic
@given(moments)
def test_the_rotation_keeps_the_newest_and_stays_bounded(made: list[dt.datetime]) -> None:
    kept = backups_to_keep(made, NOW)
    assert kept <= set(made)
    assert len(kept) <= MAX_KEPT
    if made:
        assert max(made) in kept


@deterministic
@given(moments)
def test_every_kept_backup_is_the_newest_of_its_bucket(made: list[dt.datetime]) -> None:
    kept = backups_to_keep(made, NOW)
    for at in kept - {max(made, default=NOW)}:
        seen = min(at, NOW)
        assert NOW - seen < RETENTION
        newest_somewhere = False
        for _tier, reach, bucket in ROTATION:
            if NOW - seen < reach:
                rivals = [o for o in made if NOW - min(o, NOW) < reach and bucket(min(o, NOW)) == bucket(seen)]
                newest_somewhere |= at == max(rivals)
        assert newest_somewhere


@deterministic
@given(moments)
def test_every_bucket_keeps_one(made: list[dt.datetime]) -> None:
    kept = backups_to_keep(made, NOW)
    for _tier, reach, bucket in ROTATION:
        recent = [at for at in made if NOW - min(at, NOW) < reach]
        for key in {bucket(min(at, NOW)) for at in recent}:
            assert any(bucket(min(at, NOW)) == key for at in kept if at in recent)


def test_hourly_backups_for_two_years_thin_out_to_the_bound() -> None:
    made = [NOW - dt.timedelta(hours=hours) for hours in range(2 * 365 * 24)]
    kept = backups_to_keep(made, NOW)
    assert len(kept) <= MAX_KEPT and min(kept) > NOW - RETENTION
    assert sum(1 for at in kept if NOW - at < dt.timedelta(days=1)) == 24


# --- the closed copy's format --------------------------------------------------------------------

VAULT_ID = "5f0c7f43-6d2a-4d0e-9a57-0b3c1f2e8a11"
KEY_STORE = json.dumps({"vault_id": VAULT_ID, "slots": {}}).encode()


def closed_copy(tmp_path: Path, database: bytes) -> Path:
    target = tmp_path / "copy.ycbackup"
    manifest = CopyManifest(VAULT_ID, START.isoformat(), (7, "ab" * 32), len(KEY_STORE), len(database))
    write_closed_copy(target, manifest, KEY_STORE, io.BytesIO(database))
    return target


@deterministic
@given(pages=st.integers(min_value=1, max_value=4), flip=st.integers(min_value=0), bit=st.integers(0, 7))
def test_a_closed_copy_reads_back_and_any_flipped_bit_is_caught(
    tmp_path_factory: pytest.TempPathFactory, pages: int, flip: int, bit: int
) -> None:
    database = bytes(range(256)) * 2 * pages  # whole 512-byte pages
    target = closed_copy(tmp_path_factory.mktemp("copy"), database)
    parts = unpack_closed_copy(target.read_bytes())
    assert (parts.key_store, parts.database, parts.manifest.anchored_head) == (KEY_STORE, database, (7, "ab" * 32))
    assert verify_closed_copy(target) == parts.manifest
    data = bytearray(target.read_bytes())
    data[flip % len(data)] ^= 1 << bit
    target.write_bytes(bytes(data))
    with pytest.raises(ClosedCopyError):
        unpack_closed_copy(bytes(data))
    with pytest.raises(ClosedCopyError):
        verify_closed_copy(target)


def test_a_copy_of_a_vault_file_that_changes_size_is_not_kept(tmp_path: Path) -> None:
    manifest = CopyManifest(VAULT_ID, START.isoformat(), None, len(KEY_STORE), 1024)
    with pytest.raises(ClosedCopyError):
        write_closed_copy(tmp_path / "copy.ycbackup", manifest, KEY_STORE, io.BytesIO(b"\0" * 512))
    assert list(tmp_path.iterdir()) == []
