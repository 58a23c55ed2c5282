"""Writing a file so that a crash leaves either the old file or the new one, never half of one,
and a lock so that two processes changing the same file never lose each other's change."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

OWNER_ONLY = 0o600
"""The mode of every file that holds vault data: the vault, its companions, key store, backups."""


class NotARegularFile(ValueError):
    """A path that names a folder, a device, a pipe or a socket where a file belongs."""


def refuse_non_regular(path: Path, what: str) -> None:
    """Refuse a path that exists but is not a regular file (following links).

    ``os.replace`` onto a device node would replace the node itself (as root, ``/dev/full`` became
    a file holding a return), and SQLite would happily open a character device."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        raise NotARegularFile(f"{what}: {path} is a folder; give a file name")
    if not stat.S_ISREG(mode):
        raise NotARegularFile(f"{what}: {path} is a device, pipe or socket, not a regular file")


def create_owner_only(path: Path) -> None:
    """Create ``path`` empty and owner-only whatever the umask; an existing file is an error."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), OWNER_ONLY)
    os.close(descriptor)


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, fsync it, then ``os.replace`` it into place.

    The file is owner-only (``mkstemp`` creates it 0600, and ``os.replace`` keeps the mode)."""
    write_together([(path, data)])


def write_together(files: Sequence[tuple[Path, bytes]]) -> None:
    """``write_atomically`` for files that belong together (a vault and its key store): every
    temporary file is written and fsynced first, then they are renamed into place one right after
    the other. A crash can still fall between two renames, but no longer during a whole write."""
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            refuse_non_regular(path, str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temporaries.append((temporary, path))
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        for temporary, path in temporaries:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in temporaries:
            Path(temporary).unlink(missing_ok=True)
        raise
    for folder in {path.parent for _, path in temporaries}:
        fsync_directory(folder)


def fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory for fsync; os.replace is atomic there.
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive OS lock on ``path`` (created if need be) for the duration of the block.

    Why our own ~20 lines instead of the ``filelock`` package: it adds nothing we need here, and the
    OS locks used below are released by the kernel when a process dies, so a crash never leaves a
    stale lock behind (unlike lock-by-file-creation). ``flock`` locks belong to the open file, so
    threads of one process exclude each other as well as other processes; ``msvcrt.locking`` locks
    a byte range of the handle on Windows. The lock is advisory: every writer of the guarded file
    must take it, and must not take it twice (a second ``open`` would wait for the first).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), OWNER_ONLY)
    with os.fdopen(descriptor, "a+b") as handle:
        _lock(handle.fileno())
        try:
            yield
        finally:
            _unlock(handle.fileno())


if sys.platform == "win32":
    import msvcrt

    def _lock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        while True:
            try:
                msvcrt.locking(descriptor, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
                return
            except OSError:
                continue

    def _unlock(descriptor: int) -> None:
        os.lseek(descriptor, 0, os.SEEK_SET)
        msvcrt.locking(descriptor, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_EX)

    def _unlock(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
