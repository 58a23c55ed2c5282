"""``youthcase check`` on a copy of the golden vault: sound, then damaged in ways each check catches."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.services.vault import LockedVault
from youthcase.storage.encrypted import Sealed, SealedForWrite
from youthcase.storage.models import Contact

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden" / "keys-v2"


@pytest.fixture
def golden(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    for path in GOLDEN.iterdir():
        shutil.copy2(path, tmp_path / path.name)
    manifest = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    return tmp_path / manifest["vault"], manifest


def check(db: Path, stdin: str, *login: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    args = ["check", "--db", str(db), *(login or ("--recovery-key-stdin",))]
    code = main(args, stdin=io.StringIO(stdin + "\n"), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_sound_vault_passes_for_an_account_and_for_the_recovery_key(golden: tuple[Path, dict[str, Any]]) -> None:
    db, manifest = golden
    code, out, err = check(db, manifest["passwords"]["wanda"], "--user", "wanda", "--password-stdin")
    assert code == 0 and "The vault is sound" in out, err
    worker_opened = int(out.split(" encrypted values opened")[0].rsplit(" ", 1)[1].replace(",", ""))
    code, out, err = check(db, manifest["recovery_key"])
    assert code == 0 and "The vault is sound" in out, err
    assert int(out.split(" encrypted values opened")[0].rsplit(" ", 1)[1].replace(",", "")) >= worker_opened > 0


def test_a_damaged_value_is_named_with_its_case(golden: tuple[Path, dict[str, Any]], clock: FakeClock) -> None:
    db, manifest = golden
    vault = LockedVault(VaultLocation(path=db), clock).unlock("admin", manifest["passwords"]["admin"])
    with vault.engine.begin() as connection:
        contact_id, notes = connection.execute(select(Contact.id, Contact.notes)).one()
        assert isinstance(notes, Sealed)  # read raw: still sealed
        blob = bytearray(notes.blob)
        blob[-1] ^= 1
        connection.execute(update(Contact).where(Contact.id == contact_id).values(notes=SealedForWrite(blob)))
    vault.lock()
    code, out, err = check(db, manifest["recovery_key"])
    assert code == 6 and "damaged" in err
    assert f"the table contact (case {manifest['case_reference']}): the value of notes is damaged" in out


def test_a_damaged_page_is_found(golden: tuple[Path, dict[str, Any]], clock: FakeClock) -> None:
    db, manifest = golden
    page = 4096
    last = db.stat().st_size // page - 1  # the golden vault's last page, whatever it holds
    # Opened once first: a damaged vault that still needs a schema upgrade is refused before any
    # check can run (tests/core/test_upgrade_safety.py).
    LockedVault(VaultLocation(path=db), clock).unlock("admin", manifest["passwords"]["admin"]).lock()
    data = bytearray(db.read_bytes())
    data[last * page + 200] ^= 0xFF
    db.write_bytes(bytes(data))
    code, out, err = check(db, manifest["recovery_key"])
    assert code == 6, (out, err)
    assert "the database file: HMAC verification failed for page" in out
    assert "damaged" in err and err.count("\n") == 1
