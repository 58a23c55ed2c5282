"""Engines for the two backends: a local SQLCipher file and a PostgreSQL server."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import URL, create_engine, event
from sqlalchemy.engine import Engine, ExceptionContext

from youthcase.storage.files import OWNER_ONLY, create_owner_only, refuse_non_regular

# SQLite's result codes for "the disk or the file system would not take the write". They become
# OSErrors naming the file, so that a full disk or a read-only folder is reported as such and not
# as a damaged vault (SQLAlchemy wraps driver errors as DatabaseError, which means damage here).
_STORAGE_ERRORS = {
    "SQLITE_FULL": errno.ENOSPC,
    "SQLITE_READONLY": errno.EROFS,
    "SQLITE_CANTOPEN": errno.EACCES,
    "SQLITE_PERM": errno.EACCES,
    "SQLITE_IOERR": errno.EIO,
}


def sqlcipher_engine(path: Path, file_key: bytes) -> Engine:
    """Open a SQLCipher file keyed with a raw 256-bit key (never a passphrase string).

    The key travels as the URL password, which the pysqlcipher dialect sends as
    ``PRAGMA key = "x'...'"`` before anything else on every new connection; SQLAlchemy masks URL
    passwords in every repr and log line.

    A missing file is created here, owner-only (0600), before SQLite sees it (SQLite would create
    it with the umask's mode); its ``-wal`` and ``-shm`` are made owner-only on every connection.
    An existing file of 0 bytes is refused: SQLite would treat it as a new database and write a
    fresh schema into what is really a truncated vault.
    """
    refuse_non_regular(path, "the vault")
    empty = path.exists() and path.stat().st_size == 0
    if not path.exists():
        create_owner_only(path)
    url = URL.create("sqlite+pysqlcipher", password=f"x'{file_key.hex()}'", database=str(path))
    engine = create_engine(url, hide_parameters=True)
    if empty:
        event.listen(engine, "connect", _refuse_empty_file)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "connect", lambda *_: _own_companions(path))
    event.listen(engine, "begin", _begin_immediate)
    event.listen(engine, "handle_error", lambda context: _storage_error(context, path))
    return engine


def _refuse_empty_file(dbapi_connection: Any, connection_record: Any) -> None:
    raise sqlcipher3.DatabaseError("the vault file is empty (0 bytes)")


def _own_companions(path: Path) -> None:
    """The WAL companions appear with the first connection, in the umask's mode: owner-only, now."""
    for companion in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if companion.stat().st_mode & 0o777 != OWNER_ONLY:
                os.chmod(companion, OWNER_ONLY)


def _storage_error(context: ExceptionContext, path: Path) -> OSError | None:
    return storage_os_error(context.original_exception, path)


def storage_os_error(error: BaseException | None, path: Path | None) -> OSError | None:
    """A SQLite error that says the disk is full, a file or folder is read-only or the disk failed:
    as the ``OSError`` it is, naming ``path`` (None when the error is about something else)."""
    code = getattr(error, "sqlite_errorname", "")
    number = next((value for name, value in _STORAGE_ERRORS.items() if code.startswith(name)), None)
    if number is None:
        return None
    if number == errno.EROFS and not (path is not None and _on_read_only_file_system(path)):
        number = errno.EACCES  # a read-only file or folder on a writable disk
    return OSError(number, os.strerror(number), None if path is None else str(path))


def _on_read_only_file_system(path: Path) -> bool:
    try:
        return bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs on Windows
        return False


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
