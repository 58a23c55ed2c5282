"""Damage that is named, not hidden (issue 11): every failure of the CLI is one line on stderr with
an exit code from the one documented table, never "internal error"; files are owner-only; a
password typed at a terminal is not echoed; an interrupted demo leaves nothing."""

from __future__ import annotations

import base64
import contextlib
import errno
import io
import json
import os
import re
import select
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.core.conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF
from youthcase.cli import main as cli
from youthcase.cli.commands import AuditChainBroken
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.services import errors
from youthcase.services.vault import create_vault
from youthcase.storage.keystore import KeyStoreError, encode_header, slot_from_json

REPOSITORY = Path(__file__).resolve().parents[2]


def run(*argv: str, stdin: str | io.TextIOBase = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    source = io.StringIO(stdin) if isinstance(stdin, str) else stdin
    code = main(list(argv), stdin=source, stdout=out, stderr=err)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def assert_one_line(code: int, err: str, expected_code: int, fragment: str) -> None:
    assert code == expected_code, err
    assert err.count("\n") == 1 and err.startswith("youthcase: error: "), err
    assert fragment in err, err
    assert "internal error" not in err and "Traceback" not in err


@pytest.fixture
def vault(tmp_path: Path) -> str:
    db = str(tmp_path / "cli.vault")
    code, _, err = run("init", "--db", db, "--admin", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert code == 0, err
    return db


def login(db: str) -> tuple[str, ...]:
    return ("--db", db, "--user", ADMIN, "--password-stdin")


def list_users(db: str, stdin: str | io.TextIOBase = ADMIN_PASSWORD + "\n") -> tuple[int, str, str]:
    return run("users", "list", *login(db), stdin=stdin)


# --- the exit-code table --------------------------------------------------------------------------


def documented_exit_codes() -> dict[int, str]:
    text = (REPOSITORY / "docs" / "architecture.md").read_text(encoding="utf-8")
    sentence = re.search(r"Exit codes: (.*?)\. Every failure", text, re.DOTALL)
    assert sentence, "docs/architecture.md lost its exit-code table"
    return {int(code): what.strip() for code, what in re.findall(r"(\d+) ([^,]+)", " ".join(sentence[1].split()))}


def test_the_documented_exit_codes_are_the_codes_in_the_code() -> None:
    def subclasses(kind: type[errors.YouthcaseError]) -> Iterator[type[errors.YouthcaseError]]:
        for sub in kind.__subclasses__():
            yield sub
            yield from subclasses(sub)

    in_code = {kind.exit_code for kind in subclasses(errors.YouthcaseError)} | {AuditChainBroken.exit_code}
    in_code |= {
        0,
        cli.USAGE_EXIT,
        cli.READ_ONLY_EXIT,
        cli.DISK_FULL_EXIT,
        cli.INTERNAL_ERROR_EXIT,
        cli.FILE_ERROR_EXIT,
        cli.INTERRUPTED_EXIT,
    }
    documented = documented_exit_codes()
    assert set(documented) == in_code
    assert "read-only" in documented[cli.READ_ONLY_EXIT] and "full" in documented[cli.DISK_FULL_EXIT]


# --- input that is not what it should be --------------------------------------------------------


def test_invalid_utf8_on_standard_input_is_named(vault: str) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe not a password\n"), encoding="utf-8")
    code, _, err = list_users(vault, stdin)
    assert_one_line(code, err, 2, "not UTF-8")


@pytest.mark.parametrize("url", ["postgresql://user@host:notaport/db", "postgresql://[::1/db", "postgres://u@h:-1/x"])
def test_a_malformed_server_url_is_named(url: str) -> None:
    code, _, err = run("users", "list", "--db", url, "--user", ADMIN, "--password-stdin", stdin="x\n")
    assert_one_line(code, err, 2, "not a valid postgresql:// URL")


@pytest.mark.parametrize("name", ["zoë", "İstanbul", "ａｄｍｉｎ", "straße"])
def test_a_user_name_with_a_non_ascii_letter_is_refused_clearly(vault: str, name: str, tmp_path: Path) -> None:
    code, _, err = run("init", "--db", str(tmp_path / "new.vault"), "--admin", name, "--password-stdin", stdin="x\n")
    assert_one_line(code, err, 2, "user name")
    code, _, err = run("users", "list", "--db", vault, "--user", name, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert_one_line(code, err, 3, "not correct")
    code, _, err = run(
        "users",
        "add",
        *login(vault),
        "--new-user",
        name,
        "--role",
        "worker",
        stdin=f"{ADMIN_PASSWORD}\na temporary pass phrase\n",
    )
    assert_one_line(code, err, 2, "user name")


def test_a_usage_error_is_one_line() -> None:
    code, out, err = run("users", "list", "--db", "x.vault")
    assert_one_line(code, err, 2, "--user")
    assert "usage:" not in err and out == ""
    code, _, err = run("return", "--month", "2026-01", "--suppress-up-to", "many")
    assert_one_line(code, err, 2, "invalid int value")


# --- the key store -----------------------------------------------------------------------------------


def edit_header(db: str, edit: object) -> None:
    header = Path(db + ".header")
    document = json.loads(header.read_bytes())
    edit(document)  # type: ignore[operator]
    header.write_bytes(encode_header(document))


@pytest.mark.parametrize("field", ["salt", "nonce"])
def test_an_empty_salt_or_nonce_in_the_key_store_is_damage(vault: str, field: str) -> None:
    def empty(document: dict[str, dict[str, dict[str, str]]]) -> None:
        for slot in document["slots"].values():
            slot[field] = ""

    edit_header(vault, empty)
    code, _, err = list_users(vault)
    assert_one_line(code, err, 6, "damaged")


@given(salt=st.binary(max_size=40), nonce=st.binary(max_size=20), wrapped=st.binary(max_size=60))
def test_a_key_slot_parses_whole_or_is_damage(salt: bytes, nonce: bytes, wrapped: bytes) -> None:
    data = {
        "owner": "x",
        "kind": "password",
        "salt": base64.b64encode(salt).decode(),
        "kdf": None,
        "nonce": base64.b64encode(nonce).decode(),
        "wrapped": base64.b64encode(wrapped).decode(),
    }
    try:
        slot = slot_from_json(data)
    except KeyStoreError as error:
        assert error.kind == "corrupt"
        assert not salt or len(nonce) != 12 or not wrapped
    else:
        assert (slot.salt, slot.nonce, slot.wrapped) == (salt, nonce, wrapped) and len(nonce) == 12


def test_a_key_store_time_without_a_zone_is_damage(vault: str) -> None:
    assert list_users(vault, "not the password at all\n")[0] == 3  # an unlock record in the header

    def naive(document: dict[str, dict[str, dict[str, str]]]) -> None:
        for bucket in ("failures", "unknown_failures"):
            for record in document[bucket].values():
                record["last_at"] = record["last_at"][:19]  # 2026-12-01T10:00:00, no +00:00

    edit_header(vault, naive)
    code, _, err = list_users(vault)
    assert_one_line(code, err, 6, "damaged")


# --- paths: empty, not a regular file, empty file -----------------------------------------------


def test_an_empty_db_is_refused_not_the_default_vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YOUTHCASE_DB", str(tmp_path / "default.vault"))
    code, _, err = run("init", "--db", "", "--admin", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert_one_line(code, err, 2, "--db: the path is empty")
    assert not (tmp_path / "default.vault").exists()
    code, _, err = run("users", "list", "--db", " ", "--user", ADMIN, "--password-stdin", stdin="x\n")
    assert_one_line(code, err, 2, "--db: the path is empty")


def test_a_zero_byte_vault_file_is_refused_and_left_as_it_is(vault: str) -> None:
    Path(vault).write_bytes(b"")
    code, _, err = list_users(vault)
    assert_one_line(code, err, 6, "damaged")
    assert Path(vault).stat().st_size == 0


@pytest.fixture
def odd_files(tmp_path: Path) -> list[Path]:
    """A folder, a named pipe and (as root) a character device like /dev/null, all in tmp_path: a
    test that fails must never replace the real device nodes."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    found = [tmp_path / "a-folder", fifo]
    found[0].mkdir()
    if os.geteuid() == 0:
        device = tmp_path / "null-device"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        found.append(device)
    return found


def test_folders_pipes_and_devices_are_refused_and_never_replaced(vault: str, odd_files: list[Path]) -> None:
    backup = str(Path(vault).with_name("good.backup"))
    assert run("backup", *login(vault), "--to", backup, stdin=ADMIN_PASSWORD + "\n")[0] == 0
    for odd in map(str, odd_files):
        kind = "folder" if odd.endswith("folder") else "not a regular file"
        for argv, option in (
            (("users", "list", "--db", odd, "--user", ADMIN, "--password-stdin"), "--db"),
            (("init", "--db", odd, "--admin", ADMIN, "--password-stdin"), "--db"),
            (("backup", *login(vault), "--to", odd), "--to"),
            (("return", *login(vault), "--month", "2026-01", "--pdf", odd, "--csv", vault + ".csv"), "--pdf"),
            (("return", *login(vault), "--month", "2026-01", "--pdf", vault + ".pdf", "--csv", odd), "--csv"),
            (("restore", "--from", backup, "--db", odd, "--user", ADMIN, "--password-stdin", "--replace"), "--db"),
        ):
            code, _, err = run(*argv, stdin=ADMIN_PASSWORD + "\n")
            assert_one_line(code, err, 2, f"{option}: {odd} is a")
            assert kind in err
        code, _, err = run("restore", "--from", odd, "--db", vault + ".new", "--user", ADMIN, "--password-stdin")
        assert_one_line(code, err, 2, "--from")
    for path in odd_files:
        mode = path.stat().st_mode
        assert stat.S_ISDIR(mode) or stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)


def test_empty_output_paths_are_refused(vault: str) -> None:
    for argv, option in (
        (("backup", *login(vault), "--to", ""), "--to"),
        (("return", *login(vault), "--month", "2026-01", "--pdf", "", "--csv", "x.csv"), "--pdf"),
        (("restore", "--from", "", "--db", vault + ".new", "--user", ADMIN, "--password-stdin"), "--from"),
        (
            ("restore", "--from", vault + ".nowhere", "--db", vault + ".new", "--user", ADMIN, "--password-stdin"),
            "no file",
        ),
        (("import", *login(vault), vault + ".nowhere.csv"), "FILE.csv: there is no file"),
    ):
        code, _, err = run(*argv, stdin=ADMIN_PASSWORD + "\n")
        assert_one_line(code, err, 2, option)


# --- read-only and full ------------------------------------------------------------------------------


def _mount(*argv: str) -> None:
    subprocess.run(["mount", *argv], check=True, capture_output=True)  # noqa: S607 - the system's mount


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` (a file or a folder) read-only to this process: by its mode, or, as root (who
    writes whatever the mode), by a read-only bind mount of it."""
    if os.geteuid() != 0:
        before = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(before)
        return
    try:
        _mount("--bind", str(path), str(path))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot bind-mount here (root without mount rights)")
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield
    finally:
        subprocess.run(["umount", str(path)], check=True)  # noqa: S607


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs (root only): a disk that really fills up."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the injected ENOSPC test covers this case")
    try:
        _mount("-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point))
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)  # noqa: S607


def fill(disk: Path) -> None:
    with open(disk / "filler", "wb", buffering=0) as handle:
        for block in (4096, 1):  # to the last byte
            with contextlib.suppress(OSError):
                while True:
                    handle.write(b"\0" * block)


def test_a_read_only_vault_file_is_named(vault: str) -> None:
    with read_only(Path(vault)):
        code, _, err = run(
            "sites", "add", *login(vault), "--code", "NEW", "--name", "New Hospital", stdin=ADMIN_PASSWORD + "\n"
        )
    assert_one_line(code, err, 14, "read-only")
    assert vault in err


def test_a_read_only_folder_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    with read_only(folder):
        code, _, err = run(
            "init", "--db", str(folder / "v.vault"), "--admin", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n"
        )
    assert_one_line(code, err, 14, "read-only")
    assert "damaged" not in err and str(folder) in err


def test_a_full_disk_is_named_when_creating_a_vault(tiny_disk: Path) -> None:
    fill(tiny_disk)
    db = str(tiny_disk / "v.vault")
    code, _, err = run("init", "--db", db, "--admin", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert_one_line(code, err, 15, "is full")
    assert "damaged" not in err and not Path(db).exists()


def test_a_full_disk_is_named_when_writing_to_the_vault(tmp_path: Path, tiny_disk: Path) -> None:
    db = str(tiny_disk / "v.vault")
    assert run("init", "--db", db, "--admin", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")[0] == 0
    fill(tiny_disk)
    code, _, err = run(
        "sites", "add", *login(db), "--code", "NEW", "--name", "New Hospital", stdin=ADMIN_PASSWORD + "\n"
    )
    assert_one_line(code, err, 15, "is full")
    (tiny_disk / "filler").unlink()
    code, out, _ = run("sites", "list", *login(db), stdin=ADMIN_PASSWORD + "\n")
    assert code == 0 and "NEW" not in out


def test_a_full_disk_while_writing_a_backup_is_named(vault: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Injected (no tmpfs needed): the write layer's fsync of the backup fails with ENOSPC."""
    target = Path(vault).with_name("full.backup")

    def no_space(descriptor: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    code, _, err = run("backup", *login(vault), "--to", str(target), stdin=ADMIN_PASSWORD + "\n")
    assert_one_line(code, err, 15, "is full")
    assert not target.exists() and list(target.parent.glob(".full.backup.*")) == []


# --- file modes --------------------------------------------------------------------------------------


def test_vault_companions_key_store_and_backups_are_owner_only(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual default: files would be world-readable (0644)
    try:
        location = VaultLocation.parse(str(tmp_path / "modes.vault"))
        created = create_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF)
        try:
            with created.vault.session() as session:  # the connection is open: -wal and -shm exist
                session.connection()
                companions = [Path(f"{location.path}-wal"), Path(f"{location.path}-shm")]
                assert all(path.exists() for path in companions)
                modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in companions}
        finally:
            created.vault.lock()
        db = str(location.path)
        backup = tmp_path / "modes.backup"
        assert run("backup", *login(db), "--to", str(backup), stdin=ADMIN_PASSWORD + "\n")[0] == 0
        restored = tmp_path / "restored.vault"
        code, _, err = run(
            "restore",
            "--from",
            str(backup),
            "--db",
            str(restored),
            "--user",
            ADMIN,
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        assert code == 0, err
        for path in (
            Path(db),
            Path(db + ".header"),
            Path(db + ".header.lock"),
            backup,
            restored,
            Path(f"{restored}.header"),
        ):
            modes[path.name] = stat.S_IMODE(path.stat().st_mode)
    finally:
        os.umask(old_umask)
    assert modes == dict.fromkeys(modes, 0o600)


# --- no echo at a terminal ---------------------------------------------------------------------------


def read_until(descriptor: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([descriptor], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(descriptor, 4096)
            except OSError:  # EIO: the other end closed
                break
            if not chunk:
                break
            seen += chunk
    return seen


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_a_password_typed_at_a_terminal_is_not_echoed(vault: str) -> None:
    controller, terminal = os.openpty()
    process = subprocess.Popen(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "youthcase", "users", "list", *login(vault)],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=REPOSITORY,
        env={**os.environ, "YOUTHCASE_KDF": "minimum"},
    )
    os.close(terminal)
    try:
        shown = read_until(controller, b"password: ", 30)
        assert b"Enter your password: " in shown
        os.write(controller, ADMIN_PASSWORD.encode() + b"\n")
        shown += read_until(controller, b"active", 30)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    assert b"admin" in shown and b"active" in shown  # it did log in
    assert ADMIN_PASSWORD.encode() not in shown


# --- an interrupted demo -----------------------------------------------------------------------------


class InterruptedOnce(io.StringIO):
    """stderr that is interrupted (as by Ctrl-C) at the demo's first progress line: cases written,
    staff created, nothing committed yet."""

    def __init__(self) -> None:
        super().__init__()
        self.interrupted = False

    def write(self, text: str) -> int:
        if "cases" in text and not self.interrupted:
            self.interrupted = True
            raise KeyboardInterrupt
        return super().write(text)


def test_an_interrupted_demo_leaves_the_vault_as_it_was(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.vault")
    code, out, _ = run("init", "--db", db, "--admin", ADMIN, "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert code == 0
    recovery_key = out.strip().splitlines()[-1]
    header_before = Path(db + ".header").read_bytes()
    err = InterruptedOnce()
    argv = ["demo", *login(db), "--cases", "30"]
    code = main(argv, stdin=io.StringIO(f"{ADMIN_PASSWORD}\n{recovery_key}\n"), stdout=io.StringIO(), stderr=err)
    assert err.interrupted and code == 130, err.getvalue()
    code, out, _ = list_users(db)
    assert code == 0 and "demo." not in out
    after = json.loads(Path(db + ".header").read_bytes())
    assert set(after["slots"]) == set(json.loads(header_before)["slots"])
    code, out, err_text = run("check", *login(db), stdin=ADMIN_PASSWORD + "\n")
    assert code == 0, out + err_text
    code, out, _ = run("demo", *login(db), "--cases", "30", stdin=f"{ADMIN_PASSWORD}\n{recovery_key}\n")
    assert code == 0 and "30 cases" in out
