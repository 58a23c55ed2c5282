"""Backup, restore and check benchmarks (issue 11), printed as JSON.

On N demo cases (the vault of benchmarks/bench_caseload.py, made or reused with ``--keep``):

- ``os_copy_seconds``: the operating system copying the vault file and its key store (with fsync),
  the baseline a backup is compared with;
- ``backup_seconds``: ``youthcase backup`` (online snapshot, write, then read back: MAC, SQLCipher
  ``cipher_integrity_check``, ``integrity_check``, audit head), and ``backup_ratio`` to the copy.
  Goal: at most 3;
- ``restore_seconds`` (MAC check, install, then the full ``check`` as the recovery key) and its ratio;
- ``check_seconds``: ``youthcase check`` with the recovery key (every page, every value, the audit
  chain and the key store).

Usage: ``python benchmarks/bench_backup.py [--cases 100000] [--seed 7] [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ["YOUTHCASE_KDF"] = "minimum"
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_caseload import USERS_FILE, make_vault  # noqa: E402

from youthcase.config import VaultLocation  # noqa: E402
from youthcase.services.backup import RestoreSecret, backup_vault, check_vault_at, restore_vault  # noqa: E402
from youthcase.services.vault import LockedVault  # noqa: E402


def os_copy(source: VaultLocation, folder: Path) -> float:
    started = time.perf_counter()
    for path in (source.path, source.header_path):
        assert path is not None
        target = folder / f"copy-{path.name}"
        shutil.copyfile(path, target)
        with target.open("rb+") as handle:
            os.fsync(handle.fileno())
    return time.perf_counter() - started


def run(folder: Path, cases: int, seed: int) -> dict[str, Any]:
    users_file = folder / USERS_FILE
    users = (
        json.loads(users_file.read_text(encoding="utf-8")) if users_file.exists() else make_vault(folder, cases, seed)
    )
    location = VaultLocation(path=folder / "bench.vault")
    name, password = users["supervisor"]
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        work = Path(scratch)
        copy_seconds = min(os_copy(location, work) for _ in range(3))
        vault = LockedVault(location).unlock(name, password)
        try:
            started = time.perf_counter()
            backup_vault(vault, work / "bench.backup")
            backup_seconds = time.perf_counter() - started
        finally:
            vault.lock()
        started = time.perf_counter()
        restore_vault(work / "bench.backup", work / "restored.vault", RestoreSecret(name, password))
        restore_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = check_vault_at(location, name, password)
        check_seconds = time.perf_counter() - started
    assert report.sound, [str(f) for f in report.findings]
    return {
        "cases": users["cases"],
        "vault_bytes": location.path.stat().st_size if location.path else None,
        "os_copy_seconds": round(copy_seconds, 3),
        "backup_seconds": round(backup_seconds, 3),
        "backup_ratio": round(backup_seconds / copy_seconds, 2),
        "backup_goal_ratio": 3.0,
        "restore_seconds": round(restore_seconds, 3),
        "restore_ratio": round(restore_seconds / copy_seconds, 2),
        "check_seconds": round(check_seconds, 3),
        "check_values_opened": report.values_opened,
        "check_as": "the all-sites supervisor (every case of every site)",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="make (or reuse) the vault in this folder")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        folder = args.keep or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        folder.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(folder, args.cases, args.seed), indent=2))


if __name__ == "__main__":
    main()
