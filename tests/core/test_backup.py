"""Backup and restore of a local vault, through the command line, on a copy of the golden vault."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.services.cases import CaseService
from youthcase.services.vault import LockedVault

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "keys-v2"
ROOT = Path(__file__).resolve().parents[2]


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


def backup(db: Path, to: Path, manifest: dict[str, Any]) -> tuple[int, str, str]:
    password = manifest["passwords"]["wanda"]
    return cli("backup", "--db", str(db), "--user", "wanda", "--password-stdin", "--to", str(to), stdin=password)


def restore(source: Path, db: Path, manifest: dict[str, Any], *extra: str) -> tuple[int, str, str]:
    return cli(
        "restore",
        "--from",
        str(source),
        "--db",
        str(db),
        "--recovery-key-stdin",
        *extra,
        stdin=manifest["recovery_key"],
    )


def caseload(db: Path, manifest: dict[str, Any], clock: FakeClock) -> list[tuple[str, str, list[Any]]]:
    vault = LockedVault(VaultLocation(path=db), clock).unlock("wanda", manifest["passwords"]["wanda"])
    try:
        service = CaseService(vault)
        rows = service.caseload()
        return [(r.reference, r.given_name, service.case_detail(r.case_id).contacts) for r in rows]
    finally:
        vault.lock()


def test_a_backup_restores_to_the_same_vault(
    golden: tuple[Path, dict[str, Any]], tmp_path: Path, clock: FakeClock
) -> None:
    db, manifest = golden
    code, out, err = backup(db, tmp_path / "vault.backup", manifest)
    assert code == 0 and "checked" in out, err
    assert (tmp_path / "vault.backup").stat().st_mode & 0o077 == 0  # owner only
    code, out, err = restore(tmp_path / "vault.backup", tmp_path / "restored.vault", manifest)
    assert code == 0 and "passes every check" in out, err
    restored = tmp_path / "restored.vault"
    assert caseload(restored, manifest, clock) == caseload(db, manifest, clock)


def test_restore_never_overwrites_without_replace(golden: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    db, manifest = golden
    assert backup(db, tmp_path / "vault.backup", manifest)[0] == 0
    code, _, err = restore(tmp_path / "vault.backup", db, manifest)
    assert code == 7 and "--replace" in err
    Path(f"{db}-wal").write_bytes(b"stale pages of the vault being replaced")
    code, out, err = restore(tmp_path / "vault.backup", db, manifest, "--replace")
    assert code == 0, err
    assert (
        not Path(f"{db}-wal").exists() or Path(f"{db}-wal").read_bytes() != b"stale pages of the vault being replaced"
    )


@pytest.mark.parametrize("offset", [40, 3000, -100, -5])
def test_a_damaged_backup_is_refused_and_nothing_is_written(
    golden: tuple[Path, dict[str, Any]], tmp_path: Path, offset: int
) -> None:
    db, manifest = golden
    backup_file = tmp_path / "vault.backup"
    assert backup(db, backup_file, manifest)[0] == 0
    data = bytearray(backup_file.read_bytes())
    data[offset] ^= 0x01
    backup_file.write_bytes(bytes(data))
    code, _, err = restore(backup_file, tmp_path / "restored.vault", manifest)
    assert code == 6 and err.count("\n") == 1, err
    assert not (tmp_path / "restored.vault").exists()


def test_a_wrong_secret_restores_nothing(golden: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    db, manifest = golden
    assert backup(db, tmp_path / "vault.backup", manifest)[0] == 0
    code, _, _ = cli(
        "restore",
        "--from",
        str(tmp_path / "vault.backup"),
        "--db",
        str(tmp_path / "r.vault"),
        "--user",
        "wanda",
        "--password-stdin",
        stdin="not wanda's password",
    )
    assert code == 3 and not (tmp_path / "r.vault").exists()


WRITER = """
import datetime as dt, sys
sys.path.insert(0, sys.argv[1])
from youthcase.config import VaultLocation
from youthcase.services.cases import CaseService
from youthcase.services.vault import LockedVault
vault = LockedVault(VaultLocation.parse(sys.argv[2])).unlock("wanda", sys.argv[3])
service = CaseService(vault)
case_id = service.caseload()[0].case_id
for n in range(40):
    service.add_contact(case_id, {"contact_at": dt.datetime.now(dt.UTC), "medium": "phone", "successful": False,
                                  "contact_with": "young_person", "notes": f"attempt {n}"})
    if n == 0:
        print("writing", flush=True)
vault.lock()
"""


def test_a_backup_taken_while_another_process_writes_is_consistent(
    golden: tuple[Path, dict[str, Any]], tmp_path: Path, clock: FakeClock
) -> None:
    db, manifest = golden
    writer = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WRITER, str(ROOT), str(db), manifest["passwords"]["wanda"]],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"  # backups start mid-write
        for n in range(3):
            code, _, err = backup(db, tmp_path / f"during-{n}.backup", manifest)
            assert code == 0, err
    finally:
        assert writer.wait(timeout=120) == 0
    for n in range(3):
        code, out, err = restore(tmp_path / f"during-{n}.backup", tmp_path / f"r{n}.vault", manifest)
        assert code == 0 and "passes every check" in out, err
        (row,) = caseload(tmp_path / f"r{n}.vault", manifest, clock)
        assert 1 <= len(row[2]) <= 41
