"""Engines for the two backends: a local SQLCipher file and a PostgreSQL server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import URL, create_engine, event
from sqlalchemy.engine import Engine


def sqlcipher_engine(path: Path, file_key: bytes) -> Engine:
    """Open a SQLCipher file keyed with a raw 256-bit key (never a passphrase string).

    The key travels as the URL password, which the pysqlcipher dialect sends as
    ``PRAGMA key = "x'...'"`` before anything else on every new connection; SQLAlchemy masks URL
    passwords in every repr and log line.
    """
    url = URL.create("sqlite+pysqlcipher", password=f"x'{file_key.hex()}'", database=str(path))
    engine = create_engine(url, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _begin_immediate(connection: Any) -> None:
    """Every transaction takes SQLite's write lock when it begins, not at its first write.

    Two processes on one vault file (the app and a ``backup``, say) would otherwise both read the
    audit chain's head, and the second to commit would fail on the sequence number, or fail to
    upgrade its read snapshot to a write; waiting for the lock at the start (the driver's busy
    timeout) serialises them instead. Readers still read the committed pages in WAL mode."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    dbapi_connection.isolation_level = None  # transactions begin in _begin_immediate, not in the driver
    cursor = dbapi_connection.cursor()
    try:
        # SQLCipher would otherwise print its own errors on stderr (the CLI promises one line).
        cursor.execute("PRAGMA cipher_log_level = NONE")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def server_engine(url: str) -> Engine:
    """A PostgreSQL engine. Errors never echo bound values (they may be ciphertext of names)."""
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)
