"""Schema upgrades: a backup first, a failed upgrade changes nothing, a newer vault is refused.

The golden vault ``keys-v2`` was made at an older schema, so opening a copy of it upgrades it.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.services.cases import CaseService
from youthcase.services.vault import LockedVault
from youthcase.storage.migrate import head_revision
from youthcase.storage.rebuild import keyed_connection

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "keys-v2"
GOLDEN_REVISION = "0008"


@pytest.fixture
def golden(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path / "live"
    folder.mkdir()
    for path in GOLDEN.iterdir():
        shutil.copy2(path, folder / path.name)
    manifest = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    return folder / manifest["vault"], manifest


def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin + "\n"), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def list_users(db: Path, manifest: dict[str, Any]) -> tuple[int, str, str]:
    return cli(
        "users", "list", "--db", str(db), "--user", "admin", "--password-stdin", stdin=manifest["passwords"]["admin"]
    )


def contact_notes(db: Path, manifest: dict[str, Any], clock: FakeClock) -> list[Any]:
    vault = LockedVault(VaultLocation(path=db), clock).unlock("wanda", manifest["passwords"]["wanda"])
    try:
        cases = CaseService(vault)
        return [c.values["notes"] for row in cases.caseload() for c in cases.case_detail(row.case_id).contacts]
    finally:
        vault.lock()


def test_the_golden_vault_needs_an_upgrade() -> None:
    assert head_revision() != GOLDEN_REVISION  # or these tests would test nothing


def test_an_upgrade_first_writes_a_backup_that_restores(
    golden: tuple[Path, dict[str, Any]], tmp_path: Path, clock: FakeClock
) -> None:
    db, manifest = golden
    assert contact_notes(db, manifest, clock) == [manifest["contact_note"]]  # opened, so upgraded
    (backup,) = db.parent.glob(f"golden.vault.*.before-schema-{GOLDEN_REVISION}.backup")
    assert backup.name.startswith(f"golden.vault.{clock.now():%Y-%m-%d}T")
    assert backup.stat().st_mode & 0o077 == 0
    assert sorted(p.name for p in db.parent.iterdir() if ".rebuild" in p.name) == []
    assert list(db.parent.glob("golden.vault.*.backup")) == [backup]  # once, not at every opening
    contact_notes(db, manifest, clock)
    assert list(db.parent.glob("golden.vault.*.backup")) == [backup]

    restored = tmp_path / "restored.vault"
    code, out, err = cli(
        "restore", "--from", str(backup), "--db", str(restored), "--recovery-key-stdin", stdin=manifest["recovery_key"]
    )
    assert code == 0 and "passes every check" in out, err
    assert contact_notes(restored, manifest, clock) == [manifest["contact_note"]]


def test_a_failed_upgrade_leaves_the_vault_byte_identical(
    golden: tuple[Path, dict[str, Any]], clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, manifest = golden
    original = db.read_bytes()
    upgrade = command.upgrade

    def migrate_then_fail(*args: Any, **kwargs: Any) -> None:
        upgrade(*args, **kwargs)  # the worst moment: every change made, not yet in place
        raise RuntimeError("a migration failed")

    monkeypatch.setattr(command, "upgrade", migrate_then_fail)
    code, out, err = list_users(db, manifest)
    assert code == 12 and out == "" and err.count("\n") == 1, err
    assert f"from schema {GOLDEN_REVISION} to {head_revision()} failed" in err and "unchanged" in err
    assert db.read_bytes() == original
    leftovers = {p.name for p in db.parent.iterdir()} - {"golden.vault", "golden.vault.header", "manifest.json"}
    assert {name for name in leftovers if not name.endswith(".backup")} <= {"golden.vault.header.lock"}

    monkeypatch.undo()
    assert contact_notes(db, manifest, clock) == [manifest["contact_note"]]


def test_an_interrupted_upgrade_leaves_the_vault_byte_identical(
    golden: tuple[Path, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, manifest = golden
    original = db.read_bytes()

    def crash(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # the process is stopped between the copy's migration and the swap

    monkeypatch.setattr("youthcase.storage.rebuild.os.replace", crash)
    code, _, err = list_users(db, manifest)
    assert code == 130, err
    assert db.read_bytes() == original
    assert not [p for p in db.parent.iterdir() if ".rebuild" in p.name]


def test_a_vault_from_a_newer_version_is_refused_naming_its_version(golden: tuple[Path, dict[str, Any]]) -> None:
    db, manifest = golden
    code, _, err = list_users(db, manifest)  # upgraded to this version's head
    assert code == 0, err
    vault = LockedVault(VaultLocation(path=db)).unlock("admin", manifest["passwords"]["admin"])
    key = vault.file_key
    vault.lock()
    connection = keyed_connection(db, key)
    connection.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    connection.close()
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file() and not p.name.endswith(".lock")}
    code, out, err = list_users(db, manifest)
    assert code == 12 and out == "" and err.count("\n") == 1, err
    assert "newer version of youthcase" in err and "0042_from_the_future" in err and head_revision() in err
    after = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file() and not p.name.endswith(".lock")}
    assert after.keys() == before.keys() and after["golden.vault"] == before["golden.vault"]


def test_a_damaged_vault_is_not_upgraded(golden: tuple[Path, dict[str, Any]]) -> None:
    db, manifest = golden
    data = bytearray(db.read_bytes())
    data[len(data) - 4096 + 200] ^= 0xFF  # inside the last page
    db.write_bytes(bytes(data))
    code, _, err = list_users(db, manifest)
    assert code == 6 and "damaged" in err and "not upgraded" in err and err.count("\n") == 1, err
    assert db.read_bytes() == bytes(data)
    assert not list(db.parent.glob("*.backup"))  # a backup of a damaged vault is never kept
