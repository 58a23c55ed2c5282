"""The administrators' command line: the documented shapes, and one clear line for every failure."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from youthcase import __version__
from youthcase.cli.main import main


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


ADMIN_PW = "correct horse battery staple"


@pytest.fixture
def vault(tmp_path: Path) -> str:
    db = str(tmp_path / "cli.vault")
    code, out, err = run("init", "--db", db, "--admin", "Admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert code == 0, err
    return db


def assert_one_line_error(code: int, err: str, fragment: str) -> None:
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("youthcase: error: "), err
    assert fragment in err
    assert "Traceback" not in err


def test_version() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "youthcase", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"youthcase {__version__}"


def test_init_prints_a_recovery_key_once(tmp_path: Path) -> None:
    code, out, _ = run(
        "init", "--db", str(tmp_path / "v.vault"), "--admin", "admin", "--password-stdin", stdin=ADMIN_PW + "\n"
    )
    assert code == 0
    key_line = out.strip().splitlines()[-1]
    assert len(key_line.replace("-", "")) == 52


def test_account_lifecycle(vault: str) -> None:
    code, out, err = run(
        "users",
        "add",
        "--db",
        vault,
        "--user",
        "admin",
        "--password-stdin",
        "--new-user",
        "wanda",
        "--role",
        "worker",
        "--site",
        "RLH",
        "--site",
        "KCH",
        stdin=f"{ADMIN_PW}\nwanda temporary pass\n",
    )
    assert code == 0, err
    code, _, err = run(
        "users", "list", "--db", vault, "--user", "wanda", "--password-stdin", stdin="wanda temporary pass\n"
    )
    assert_one_line_error(code, err, "temporary password")
    code, out, err = run(
        "users",
        "passwd",
        "--db",
        vault,
        "--user",
        "wanda",
        "--password-stdin",
        stdin="wanda temporary pass\nwanda chose this phrase\n",
    )
    assert code == 0, err
    code, out, err = run("users", "list", "--db", vault, "--user", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert code == 0
    assert "wanda" in out and "KCH,RLH" in out and "active" in out
    code, out, err = run(
        "users",
        "disable",
        "--db",
        vault,
        "--user",
        "admin",
        "--password-stdin",
        "--target-user",
        "wanda",
        stdin=ADMIN_PW + "\n",
    )
    assert code == 0, err
    code, _, err = run(
        "sites", "list", "--db", vault, "--user", "wanda", "--password-stdin", stdin="wanda chose this phrase\n"
    )
    assert_one_line_error(code, err, "disabled")


def test_worker_cannot_add_users(vault: str) -> None:
    run(
        "users",
        "add",
        "--db",
        vault,
        "--user",
        "admin",
        "--password-stdin",
        "--new-user",
        "wanda",
        "--role",
        "worker",
        stdin=f"{ADMIN_PW}\nwanda temporary pass\n",
    )
    run(
        "users",
        "passwd",
        "--db",
        vault,
        "--user",
        "wanda",
        "--password-stdin",
        stdin="wanda temporary pass\nwanda chose this phrase\n",
    )
    code, _, err = run(
        "users",
        "add",
        "--db",
        vault,
        "--user",
        "wanda",
        "--password-stdin",
        "--new-user",
        "eve",
        "--role",
        "admin",
        stdin="wanda chose this phrase\nsome password 123\n",
    )
    assert_one_line_error(code, err, "may not manage users")


def test_reset_password_with_recovery_key(tmp_path: Path) -> None:
    db = str(tmp_path / "r.vault")
    _, out, _ = run("init", "--db", db, "--admin", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    recovery = out.strip().splitlines()[-1]
    code, _, err = run(
        "users",
        "reset-password",
        "--db",
        db,
        "--target-user",
        "admin",
        "--recovery-key-stdin",
        stdin=f"{recovery}\nnew temporary phrase\n",
    )
    assert code == 0, err
    code, _, err = run(
        "users",
        "passwd",
        "--db",
        db,
        "--user",
        "admin",
        "--password-stdin",
        stdin="new temporary phrase\nadmin picked a new one\n",
    )
    assert code == 0, err


def test_sites_add_and_list(vault: str) -> None:
    code, out, err = run(
        "sites",
        "add",
        "--db",
        vault,
        "--user",
        "admin",
        "--password-stdin",
        "--code",
        "nmh",
        "--name",
        "North Middlesex A&E",
        stdin=ADMIN_PW + "\n",
    )
    assert code == 0, err
    code, out, _ = run("sites", "list", "--db", vault, "--user", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert [line.split()[0] for line in out.splitlines()] == ["KCH", "RLH", "SGH", "SMH", "NMH"]


def test_wrong_password_and_lockout(vault: str) -> None:
    for _ in range(3):
        code, _, err = run(
            "users", "list", "--db", vault, "--user", "admin", "--password-stdin", stdin="wrong password here\n"
        )
        assert_one_line_error(code, err, "not correct")
    code, _, err = run("users", "list", "--db", vault, "--user", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert_one_line_error(code, err, "try again in")


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        ("missing", "does not exist"),
        ("truncated", "damaged"),
        ("garbage", "damaged"),
        ("no-header", "header"),
        ("garbage-header", "not a youthcase header"),
        ("truncated-header", "not a youthcase header"),
        ("folder", "folder"),
        ("wrong-kind", "not a youthcase header"),
    ],
)
def test_damaged_or_foreign_files_give_one_clear_line(vault: str, tmp_path: Path, setup: str, fragment: str) -> None:
    db = Path(vault)
    header = Path(vault + ".header")
    if setup == "missing":
        db = tmp_path / "absent.vault"
    elif setup == "truncated":
        db.write_bytes(db.read_bytes()[:1500])
        for suffix in ("-wal", "-shm"):
            Path(vault + suffix).unlink(missing_ok=True)
    elif setup == "garbage":
        db.write_bytes(os.urandom(8192))
    elif setup == "no-header":
        header.unlink()
    elif setup == "garbage-header":
        header.write_bytes(os.urandom(300))
    elif setup == "truncated-header":
        header.write_bytes(header.read_bytes()[:100])
    elif setup == "folder":
        db = tmp_path / "a-folder"
        db.mkdir()
    elif setup == "wrong-kind":  # someone points --db at a spreadsheet with a JSON file beside it
        db = tmp_path / "cases.xlsx"
        db.write_bytes(b"PK\x03\x04 not a vault")
        Path(str(db) + ".header").write_text('{"some": "json"}')
    code, _, err = run("users", "list", "--db", str(db), "--user", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert_one_line_error(code, err, fragment)


def test_init_refuses_an_existing_file_and_a_weak_password(vault: str, tmp_path: Path) -> None:
    code, _, err = run("init", "--db", vault, "--admin", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert_one_line_error(code, err, "already exists")
    target = tmp_path / "weak.vault"
    code, _, err = run("init", "--db", str(target), "--admin", "admin", "--password-stdin", stdin="password1234\n")
    assert_one_line_error(code, err, "commonly used")
    assert list(tmp_path.glob("weak.vault*")) == []  # never a partial write


def test_missing_stdin_is_a_clear_error(tmp_path: Path) -> None:
    code, _, err = run("init", "--db", str(tmp_path / "v.vault"), "--admin", "admin", "--password-stdin")
    assert_one_line_error(code, err, "standard input")


def test_failure_mid_creation_leaves_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from youthcase.storage import keystore

    def broken_put_slot(self: object, login: str, slot: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(keystore.HeaderFileKeyStore, "put_slot", broken_put_slot)
    code, _, err = run(
        "init", "--db", str(tmp_path / "v.vault"), "--admin", "admin", "--password-stdin", stdin=ADMIN_PW + "\n"
    )
    assert code != 0 and "Traceback" not in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_audit_verify_names_the_first_broken_entry(vault: str) -> None:
    import sqlcipher3

    from youthcase.config import VaultLocation
    from youthcase.services.vault import LockedVault

    code, out, err = run("audit", "verify", "--db", vault, "--user", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert code == 0 and "verifies" in out, err
    head = out.strip().rsplit("head ", 1)[1].rstrip(".")
    unlocked = LockedVault(VaultLocation.parse(vault)).unlock("admin", ADMIN_PW)
    file_key = unlocked.file_key
    unlocked.lock()
    connection = sqlcipher3.connect(vault)
    connection.execute(f"PRAGMA key = \"x'{file_key.hex()}'\"")
    connection.execute("UPDATE audit_event SET action = 'export' WHERE sequence = 2")
    connection.commit()
    connection.close()
    code, _, err = run("audit", "verify", "--db", vault, "--user", "admin", "--password-stdin", stdin=ADMIN_PW + "\n")
    assert_one_line_error(code, err, "broken at event 2")
    code, _, err = run(
        "audit",
        "verify",
        "--db",
        vault,
        "--user",
        "admin",
        "--password-stdin",
        "--expected-head",
        "not-a-head",
        stdin=ADMIN_PW + "\n",
    )
    assert_one_line_error(code, err, "chain head looks like")
    assert head.split(":")[0].isdigit()
