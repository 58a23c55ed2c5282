"""Rebuilding the vault file beside itself and swapping it in: for schema upgrades and re-keying.

The original is only ever read: a copy is made next to it (same folder, so the swap is one atomic
``os.replace``), changed (migrated, or exported under a new key), checked, fsynced, and only then
put in place. A failure or a crash at any moment leaves either the untouched original or the
finished copy, never a half-changed file. The original's WAL is checkpointed first, and the swap is
refused while another connection keeps the vault busy; a program that has the vault open but idle
during a rebuild is not detected (the app holds no connection while locked).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import sqlcipher3

from youthcase.storage.files import fsync_directory


class RebuildError(Exception):
    """The vault could not be rebuilt; the original is unchanged. ``kind``: ``busy`` or ``damaged``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def keyed_connection(path: Path, file_key: bytes) -> sqlcipher3.Connection:
    """A raw SQLCipher connection keyed with a raw 256-bit key (for copies, exports and checks)."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{file_key.hex()}'\"")
    connection.execute("PRAGMA cipher_log_level = NONE")
    return connection


def checkpoint(path: Path, file_key: bytes) -> None:
    """Fold the WAL into the file, so the file alone holds every commit; refuse if others hold it."""
    connection = keyed_connection(path, file_key)
    try:
        busy = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        connection.close()
    if busy is None or busy[0]:
        raise RebuildError("busy", f"{path} is in use by another program: close it there and try again")


def copy_same_key(source: Path, target: Path, file_key: bytes) -> None:
    """A page-for-page copy (SQLite's backup API; SQLCipher needs the same key on both sides)."""
    reader, writer = keyed_connection(source, file_key), keyed_connection(target, file_key)
    with contextlib.closing(reader), contextlib.closing(writer):
        reader.backup(writer)


def export_with_key(source: Path, source_key: bytes, target: Path, target_key: bytes) -> None:
    """Every table into a new file under another key (``sqlcipher_export``: ``rekey`` cannot run in WAL mode)."""
    with contextlib.closing(keyed_connection(source, source_key)) as connection:
        connection.execute("ATTACH DATABASE ? AS rekeyed KEY ?", (str(target), f"x'{target_key.hex()}'"))
        try:
            connection.execute("SELECT sqlcipher_export('rekeyed')")
        finally:
            connection.execute("DETACH DATABASE rekeyed")


def check_file(path: Path, file_key: bytes) -> None:
    """SQLCipher's page check and SQLite's structure check, and leave no WAL beside the file."""
    with contextlib.closing(keyed_connection(path, file_key)) as connection:
        pages = connection.execute("PRAGMA cipher_integrity_check").fetchall()
        structure = connection.execute("PRAGMA integrity_check").fetchall()
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=WAL")
    if pages or structure != [("ok",)]:
        raise RebuildError("damaged", "the rebuilt copy of the vault does not pass its checks; the vault is unchanged")


def companions(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal")]


@contextlib.contextmanager
def _scratch_beside(path: Path) -> Iterator[Path]:
    """An owner-only scratch file in the vault's folder, removed with its companions unless kept."""
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".rebuild", dir=path.parent)
    os.close(descriptor)
    scratch = Path(name)
    try:
        yield scratch
    finally:
        for leftover in (scratch, *companions(scratch)):
            leftover.unlink(missing_ok=True)


def rebuild(path: Path, file_key: bytes, build: Callable[[Path], None], new_key: bytes | None = None) -> None:
    """Checkpoint ``path``, let ``build`` write the changed copy into a scratch file, check the
    copy (under ``new_key`` if it was re-keyed), fsync it and swap it in atomically."""
    checkpoint(path, file_key)
    with _scratch_beside(path) as scratch:
        build(scratch)
        check_file(scratch, new_key or file_key)
        for leftover in companions(scratch):
            leftover.unlink(missing_ok=True)
        with open(scratch, "rb") as handle:
            os.fsync(handle.fileno())
        for companion in companions(path):
            companion.unlink(missing_ok=True)  # empty after the checkpoint; a stale WAL must not replay
        os.replace(scratch, path)
        fsync_directory(path.parent)
