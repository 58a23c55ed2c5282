"""``youthcase check`` on a copy of the golden vault: sound, then damaged in ways each check catches."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
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


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any], str]:
    """The golden vault opened once (migrated), and what ``check`` says of it sound."""
    folder = tmp_path_factory.mktemp("damage")
    for path in GOLDEN.iterdir():
        shutil.copy2(path, folder / path.name)
    manifest = json.loads((GOLDEN / "manifest.json").read_text(encoding="utf-8"))
    db = folder / manifest["vault"]
    LockedVault(VaultLocation(path=db), FakeClock()).unlock("admin", manifest["passwords"]["admin"]).lock()
    for stale in folder.glob("*.backup"):
        stale.unlink()  # the backup made before the upgrade: not under test here
    code, sound, err = check(db, manifest["recovery_key"])
    assert code == 0, err
    return db, manifest, sound


@contextlib.contextmanager
def flipped(path: Path, where: float, flip: int) -> Iterator[int]:
    """``path`` with one byte (at the fraction ``where`` of its length) XORed with ``flip``, for the block."""
    original = path.read_bytes()
    offset = int(where * len(original))
    damaged = bytearray(original)
    damaged[offset] ^= flip
    path.write_bytes(bytes(damaged))
    try:
        yield offset
    finally:
        path.write_bytes(original)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0, 1, exclude_max=True), st.integers(1, 255))
def test_any_flipped_byte_of_the_database_is_found_or_changes_nothing(
    upgraded: tuple[Path, dict[str, Any], str], where: float, flip: int
) -> None:
    db, manifest, sound = upgraded
    with flipped(db, where, flip) as offset:
        code, out, err = check(db, manifest["recovery_key"])
    assert code == 6 and "damaged" in err and err.count("\n") == 1 or (code == 0 and out == sound), (offset, out, err)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.floats(0, 1, exclude_max=True), st.integers(1, 255))
def test_any_flipped_byte_of_the_key_store_is_damage_never_a_wrong_password(
    upgraded: tuple[Path, dict[str, Any], str], where: float, flip: int
) -> None:
    db, manifest, sound = upgraded
    with flipped(db.with_name(db.name + ".header"), where, flip) as offset:
        code, out, err = check(db, manifest["passwords"]["wanda"], "--user", "wanda", "--password-stdin")
    assert code in (6, 0) and code != 3, (offset, out, err)
    assert code == 6 or out.replace("wanda", "") != "", (offset, out, err)


def test_a_command_on_a_damaged_page_says_damaged_in_one_line(
    upgraded: tuple[Path, dict[str, Any], str],
) -> None:
    """The page every opening reads was an internal error (exit 70) for every command."""
    db, manifest, _sound = upgraded
    with flipped(db, 0.71875, 1):  # found by the property test above
        out, err = io.StringIO(), io.StringIO()
        args = ["audit", "verify", "--db", str(db), "--user", "wanda", "--password-stdin"]
        code = main(args, stdin=io.StringIO(manifest["passwords"]["wanda"] + "\n"), stdout=out, stderr=err)
    assert code in (6, 11) and err.getvalue().count("\n") == 1 and "internal error" not in err.getvalue()
