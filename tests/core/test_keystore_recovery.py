"""A lost key store: the vault file (or any backup) and the recovery key give the vault back.

The file key comes from the recovery key, the root key from its escrow copy inside the database;
``recover-keystore`` writes a new key store and each account gets a reset that keeps its own keys.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.core.conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF
from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.crypto.errors import TamperedDataError
from youthcase.crypto.file_key import WrappedFileKey, file_key_from_recovery, unwrap_file_key, wrap_file_key
from youthcase.crypto.keys import VaultKey
from youthcase.crypto.slots import generate_recovery_key
from youthcase.domain.roles import Role
from youthcase.services.accounts import AccountService
from youthcase.services.cases import CaseService
from youthcase.services.errors import WrongCredentials
from youthcase.services.recovery import rotate_recovery_key
from youthcase.services.vault import LockedVault, create_vault
from youthcase.storage.backup_file import pack, unpack
from youthcase.storage.keystore import FILE_KEY_ENTRY, PENDING_RECOVERY_LOGIN_ID, HeaderFileKeyStore

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "keys-v2"
TEMPORARY = "a temporary password 2026"
OWN = "my own new password 2026"


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def golden(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    for path in GOLDEN.iterdir():
        shutil.copy2(path, tmp_path / path.name)
    manifest = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    return tmp_path / manifest["vault"], manifest


def header_of(db: Path) -> Path:
    return db.with_name(db.name + ".header")


def rotate(db: Path, recovery_key: str) -> str:
    code, out, err = cli("recovery", "rotate", "--db", str(db), "--recovery-key-stdin", stdin=recovery_key + "\n")
    assert code == 0, err
    lines = out.splitlines()
    return lines[lines.index(next(line for line in lines if line.endswith("accepts:"))) + 1]


def reset_and_log_in(db: Path, recovery_key: str, username: str, clock: FakeClock) -> LockedVault:
    """``users reset-password`` with the recovery key, then the account's first login and own password."""
    code, _, err = cli(
        "users",
        "reset-password",
        "--db",
        str(db),
        "--target-user",
        username,
        "--recovery-key-stdin",
        stdin=f"{recovery_key}\n{TEMPORARY}\n",
    )
    assert code == 0, err
    locked = LockedVault(VaultLocation(path=db), clock)
    vault = locked.unlock(username, TEMPORARY)
    AccountService(vault).change_own_password(TEMPORARY, OWN)
    vault.lock()
    return locked


def worker_view(locked: LockedVault, password: str) -> list[tuple[str, Any, list[Any]]]:
    vault = locked.unlock("wanda", password)
    try:
        cases = CaseService(vault)
        details = [cases.case_detail(row.case_id) for row in cases.caseload()]
        return [(d.reference, d.person.values, [c.values for c in d.contacts]) for d in details]
    finally:
        vault.lock()


def test_the_golden_vault_after_its_rotation_survives_a_lost_key_store(
    golden: tuple[Path, dict[str, Any]], clock: FakeClock
) -> None:
    db, manifest = golden
    locked = LockedVault(VaultLocation(path=db), clock)
    before = worker_view(locked, manifest["passwords"]["wanda"])
    assert manifest["given_name"] in str(before)
    new_key = rotate(db, manifest["recovery_key"])
    assert len(json.loads(header_of(db).read_bytes())["slots"][FILE_KEY_ENTRY]["keys"]) == 1
    assert worker_view(locked, manifest["passwords"]["wanda"]) == before  # accounts open the re-keyed file

    header_of(db).unlink()
    code, out, err = cli("recover-keystore", "--db", str(db), "--recovery-key-stdin", stdin=new_key + "\n")
    assert code == 0, err
    assert "admin, sam, wanda" in out
    code, _, err = cli("users", "list", "--db", str(db), "--user", "sam", "--password-stdin", stdin="x\n")
    assert code == 3, err  # no account has a slot until it is reset

    assert worker_view(reset_and_log_in(db, new_key, "wanda", clock), OWN) == before


def test_after_a_recovery_rotation_the_new_key_verifies_the_older_audit_events(
    golden: tuple[Path, dict[str, Any]],
) -> None:
    db, manifest = golden
    new_key = rotate(db, manifest["recovery_key"])
    code, out, err = cli("check", "--db", str(db), "--recovery-key-stdin", stdin=new_key + "\n")
    assert code == 0 and "The vault is sound" in out, out + err


def test_a_new_vault_is_recoverable_from_the_start(file_location: VaultLocation, clock: FakeClock) -> None:
    created = create_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock)
    created.vault.lock()
    assert file_location.path is not None
    header_of(file_location.path).unlink()
    code, out, err = cli(
        "recover-keystore", "--db", str(file_location.path), "--recovery-key-stdin", stdin=created.recovery_key + "\n"
    )
    assert code == 0 and f"{ADMIN}." in out, err
    vault = reset_and_log_in(file_location.path, created.recovery_key, ADMIN, clock).unlock(ADMIN, OWN)
    try:
        assert vault.integrity_problems == []
        assert [a.username for a in AccountService(vault).list_users()] == [ADMIN]
    finally:
        vault.lock()
    db = str(file_location.path)
    code, out, err = cli("check", "--db", db, "--recovery-key-stdin", stdin=created.recovery_key + "\n")
    assert code == 0 and "The vault is sound" in out, out + err
    code, out, err = cli("audit", "verify", "--db", db, "--user", ADMIN, "--password-stdin", stdin=OWN + "\n")
    assert code == 0, err


def _listing(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_wrong_recovery_key_is_refused_and_changes_nothing(golden: tuple[Path, dict[str, Any]]) -> None:
    db, manifest = golden
    new_key = rotate(db, manifest["recovery_key"])
    header_of(db).unlink()
    before = _listing(db.parent)
    for wrong in (manifest["recovery_key"], generate_recovery_key(), "not a recovery key"):
        code, out, err = cli("recover-keystore", "--db", str(db), "--recovery-key-stdin", stdin=wrong + "\n")
        assert code == 3 and out == "" and err.count("\n") == 1, err
        assert _listing(db.parent) == before
    code, _, err = cli("recover-keystore", "--db", str(db), "--recovery-key-stdin", stdin=new_key + "\n")
    assert code == 0, err


def test_a_readable_key_store_is_never_replaced_and_an_unreadable_one_is_set_aside(
    golden: tuple[Path, dict[str, Any]],
) -> None:
    db, manifest = golden
    new_key = rotate(db, manifest["recovery_key"])
    header = header_of(db).read_bytes()
    code, _, err = cli("recover-keystore", "--db", str(db), "--recovery-key-stdin", stdin=new_key + "\n")
    assert code == 2 and "is readable" in err
    assert header_of(db).read_bytes() == header
    header_of(db).write_bytes(header[:100])  # truncated
    code, out, err = cli("recover-keystore", "--db", str(db), "--recovery-key-stdin", stdin=new_key + "\n")
    assert code == 0 and "Moved the unreadable key store" in out, err
    (aside,) = db.parent.glob("*.header.unreadable-*")
    assert aside.read_bytes() == header[:100]


def fresh_vault(location: VaultLocation, clock: FakeClock) -> tuple[Path, str]:
    """A vault of the current format with a named colleague (a value under the directory key)."""
    created = create_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock)
    AccountService(created.vault).add_user("wanda", Role.WORKER, "wanda temporary password", ["RLH"], "Wanda Worker")
    created.vault.lock()
    assert location.path is not None
    return location.path, created.recovery_key


def backup_of(db: Path, target: Path) -> None:
    login = ("--user", ADMIN, "--password-stdin")
    code, _, err = cli("backup", "--db", str(db), *login, "--to", str(target), stdin=ADMIN_PASSWORD + "\n")
    assert code == 0, err


def test_a_backup_whose_key_store_is_unreadable_restores_with_the_recovery_key(
    file_location: VaultLocation, tmp_path: Path, clock: FakeClock
) -> None:
    db, recovery_key = fresh_vault(file_location, clock)
    backup = tmp_path / "vault.backup"
    backup_of(db, backup)
    parts = unpack(backup.read_bytes())
    # The key store part replaced by junk (its MAC then fails too; the pages still verify on their own).
    damaged = pack(b"\0" * 32, parts.vault_id, parts.created_at, b"junk", parts.database, parts.sealed_details)
    backup.write_bytes(damaged)
    restored = tmp_path / "restored.vault"
    args = ("restore", "--from", str(backup), "--db", str(restored))
    code, _, err = cli(*args, "--user", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert code == 6 and not restored.exists(), err
    code, out, err = cli(*args, "--recovery-key-stdin", stdin=recovery_key + "\n")
    assert code == 0 and "passes every check" in out and "users reset-password" in out, out + err
    vault = reset_and_log_in(restored, recovery_key, ADMIN, clock).unlock(ADMIN, OWN)
    try:
        assert {a.username: a.full_name for a in AccountService(vault).list_users()}["wanda"] == "Wanda Worker"
    finally:
        vault.lock()


def test_a_backup_with_another_database_part_is_refused(
    file_location: VaultLocation, tmp_path: Path, clock: FakeClock
) -> None:
    db, recovery_key = fresh_vault(file_location, clock)
    first, second = tmp_path / "first.backup", tmp_path / "second.backup"
    backup_of(db, first)
    backup_of(db, second)  # one audit event later
    one, other = unpack(first.read_bytes()), unpack(second.read_bytes())
    first.write_bytes(pack(b"\0" * 32, one.vault_id, one.created_at, b"junk", other.database, one.sealed_details))
    restored = tmp_path / "restored.vault"
    args = ("restore", "--from", str(first), "--db", str(restored), "--recovery-key-stdin")
    code, _, err = cli(*args, stdin=recovery_key + "\n")
    assert code == 6 and "not the one this backup was made with" in err
    assert not restored.exists()


class Crash(Exception):
    """Stands for the process dying at that point."""


def _crash(*args: Any, **kwargs: Any) -> None:
    raise Crash


def _crash_on_final_file_key(monkeypatch: pytest.MonkeyPatch) -> None:
    put = HeaderFileKeyStore.put_file_keys

    def put_or_crash(self: HeaderFileKeyStore, keys: list[Any]) -> None:
        if len(keys) == 1:  # the file has just been re-keyed; the old key is about to be dropped
            raise Crash
        put(self, keys)

    monkeypatch.setattr(HeaderFileKeyStore, "put_file_keys", put_or_crash)


CRASH_POINTS = {
    "before the database moves": lambda m: m.setattr("youthcase.services.recovery._adopt_recoverable_layout", _crash),
    "after the database moved": lambda m: m.setattr("youthcase.services.recovery.finish_recovery_rotation", _crash),
    "after the file was re-keyed": _crash_on_final_file_key,
}


@pytest.mark.parametrize("point", list(CRASH_POINTS))
def test_a_crash_during_recovery_rotate_never_strands_escrow(
    point: str, golden: tuple[Path, dict[str, Any]], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, manifest = golden
    location = VaultLocation(path=db)
    before = worker_view(LockedVault(location, clock), manifest["passwords"]["wanda"])
    shown: list[str] = []
    CRASH_POINTS[point](monkeypatch)
    with pytest.raises(Crash):
        rotate_recovery_key(location, manifest["recovery_key"], clock, announce=shown.append)
    monkeypatch.undo()
    (new_key,) = shown  # shown before anything was sealed to it
    assert worker_view(LockedVault(location, clock), manifest["passwords"]["wanda"]) == before

    valid, refused = (
        (manifest["recovery_key"], new_key)
        if point == "before the database moves"
        else (new_key, manifest["recovery_key"])
    )
    with pytest.raises(WrongCredentials):
        LockedVault(location, clock).open_with_recovery_key(refused)
    LockedVault(location, clock).open_with_recovery_key(valid).engine.dispose()  # finishes what was left
    assert worker_view(LockedVault(location, clock), manifest["passwords"]["wanda"]) == before
    if valid == new_key:
        document = json.loads(header_of(db).read_bytes())
        assert len(document["slots"][FILE_KEY_ENTRY]["keys"]) == 1
        assert PENDING_RECOVERY_LOGIN_ID not in document["slots"]
        header_of(db).unlink()  # the file and the shown key alone now reopen the vault
        code, out, err = cli("recover-keystore", "--db", str(db), "--recovery-key-stdin", stdin=new_key + "\n")
        assert code == 0, err
    else:
        assert rotate(db, valid)  # the old key still rotates


@settings(max_examples=50, deadline=None)
@given(root=st.binary(min_size=32, max_size=32), file_key=st.binary(min_size=32, max_size=32), flip=st.integers(0, 47))
def test_a_wrapped_file_key_opens_only_as_it_was_wrapped(root: bytes, file_key: bytes, flip: int) -> None:
    vault_key, vault_id = VaultKey(root), "11111111-2222-4333-8444-555555555555"
    wrapped = wrap_file_key(vault_key, vault_id, file_key)
    assert unwrap_file_key(vault_key, vault_id, wrapped) == file_key
    damaged = bytearray(wrapped.wrapped)
    damaged[flip] ^= 1
    with pytest.raises(TamperedDataError):
        unwrap_file_key(vault_key, vault_id, WrappedFileKey(wrapped.nonce, bytes(damaged)))
    with pytest.raises(TamperedDataError):
        unwrap_file_key(vault_key, "11111111-2222-4333-8444-666666666666", wrapped)


@settings(max_examples=30, deadline=None)
@given(secret=st.binary(min_size=32, max_size=32))
def test_the_file_key_depends_only_on_the_recovery_key_however_it_is_written(secret: bytes) -> None:
    printed = base64.b32encode(secret).decode().rstrip("=")
    grouped = "-".join(printed[i : i + 4] for i in range(0, len(printed), 4))
    assert file_key_from_recovery(grouped) == file_key_from_recovery(printed.lower())
    assert file_key_from_recovery(grouped) != file_key_from_recovery(generate_recovery_key())
