"""A sentinel written through the app must appear nowhere at rest: files, WAL, header, logs, or the
stored column values read back with plain SQL (SQLCipher opened with its key; PostgreSQL tables)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import create_engine, text

from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.vault import UnlockedVault

from .conftest import add_account

SENTINEL = "Zebedee-Quixotic-7391"


def _all_stored_values(connection_rows: list[tuple[object, ...]]) -> bytes:
    return b"\x00".join(
        value if isinstance(value, bytes) else str(value).encode() for row in connection_rows for value in row
    )


def _plain_sql_dump(vault: UnlockedVault) -> bytes:
    """Every value of every table, read without the encrypting types."""
    location = vault.location
    if location.path is not None:
        connection = sqlcipher3.connect(str(location.path))
        connection.execute(f"PRAGMA key = \"x'{vault.file_key.hex()}'\"")
        tables: Sequence[str] = [r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [tuple(r) for t in tables for r in connection.execute(f'SELECT * FROM "{t}"')]  # noqa: S608
        connection.close()
        assert tables, "the keyed file should be readable with plain SQL"
        return _all_stored_values(rows)
    engine = create_engine(location.url or "")
    with engine.connect() as connection:
        listing = text("SELECT tablename FROM pg_tables WHERE schemaname IN ('public', 'youthcase')")
        tables = connection.execute(listing).scalars().all()
        rows = [tuple(r) for t in tables for r in connection.execute(text(f'SELECT * FROM "{t}"'))]  # noqa: S608
    engine.dispose()
    return _all_stored_values(rows)


def test_sentinel_is_only_ciphertext_at_rest(admin_vault: UnlockedVault, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # echo every statement
    try:
        add_account(admin_vault, "wanda", Role.WORKER, "wanda temporary pass", full_name=SENTINEL)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    dump = _plain_sql_dump(admin_vault)
    assert b"wanda" in dump  # the dump really holds the table contents
    assert SENTINEL.encode() not in dump
    assert SENTINEL.encode("utf-16-le") not in dump
    assert SENTINEL not in caplog.text
    if admin_vault.location.path is not None:
        files = list(admin_vault.location.path.parent.iterdir())
        assert any(f.name.endswith("-wal") for f in files)
        for file in files:
            assert SENTINEL.encode() not in file.read_bytes(), file.name


def test_sentinel_through_the_cli_leaves_no_trace(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    db = tmp_path / "s.vault"
    out, err = io.StringIO(), io.StringIO()
    pw = "correct horse battery staple"
    assert (
        main(
            ["init", "--db", str(db), "--admin", "admin", "--password-stdin"],
            stdin=io.StringIO(pw + "\n"),
            stdout=out,
            stderr=err,
        )
        == 0
    )
    assert (
        main(
            [
                "users",
                "add",
                "--db",
                str(db),
                "--user",
                "admin",
                "--password-stdin",
                "--new-user",
                "wanda",
                "--role",
                "worker",
                "--full-name",
                SENTINEL,
            ],
            stdin=io.StringIO(f"{pw}\nwanda temporary pass\n"),
            stdout=out,
            stderr=err,
        )
        == 0
    )
    for file in tmp_path.iterdir():
        assert SENTINEL.encode() not in file.read_bytes(), file.name
    assert SENTINEL not in out.getvalue() + err.getvalue() + caplog.text


def test_password_never_reaches_the_header(tmp_path: Path) -> None:
    from youthcase.services.vault import create_vault

    from .conftest import FAST_KDF

    location = VaultLocation.parse(str(tmp_path / "p.vault"))
    create_vault(location, "admin", "correct horse battery staple", FAST_KDF).vault.lock()
    for file in tmp_path.iterdir():
        assert b"correct horse" not in file.read_bytes()
