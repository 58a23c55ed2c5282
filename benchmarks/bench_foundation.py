"""Foundation benchmarks, printed as JSON.

- ``unlock_real_kdf_seconds``: unlocking a vault whose slot uses the calibrated Argon2id cost.
- ``records``: inserting and reading back N records through the ORM, encrypted (SQLCipher file and
  row-bound AES-GCM fields) against the same schema unencrypted (plain SQLite, plain columns), with
  the ratio encrypted / plain from the same run. Goal: ratio at most 1.3. The fields are sealed
  under one key (the directory scope, as staff names are): what per-case keys add (one unwrap and
  one cipher per case) is ``case_keys`` in benchmarks/bench_caseload.py.
- ``cold_start_to_login_window_seconds``: launching ``python -m youthcase`` until the login window
  is shown (the GUI reports it when ``YOUTHCASE_REPORT_STARTUP`` is set). Goal: within 0.5 s.

Failed unlocks at the calibrated cost (unknown user name against wrong password) are timed by
benchmarks/bench_login.py.

Usage: ``python benchmarks/bench_foundation.py [--records 100000] [--skip-gui]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import String, Text, Uuid, create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# The package of the checkout (or worktree) this file is in, not whichever one the venv installed.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.fields import FieldCipher  # noqa: E402
from youthcase.crypto.kdf import calibrate  # noqa: E402
from youthcase.crypto.keys import KeyPurpose, VaultKey  # noqa: E402
from youthcase.services.vault import LockedVault, create_vault  # noqa: E402
from youthcase.storage.encrypted import (  # noqa: E402
    EncryptedText,
    FieldKey,
    KeyScope,
    attach_field_keys,
    install_encryption_hooks,
)
from youthcase.storage.engine import sqlcipher_engine  # noqa: E402
from youthcase.storage.types import UtcDateTime  # noqa: E402


class EncryptedBase(DeclarativeBase):
    pass


class PlainBase(DeclarativeBase):
    pass


event.listen(EncryptedBase, "mapper_configured", install_encryption_hooks, propagate=True)


class EncryptedRecord(EncryptedBase):
    __tablename__ = "record"
    __field_key__ = FieldKey(KeyScope.DIRECTORY)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    given_name: Mapped[str] = mapped_column(EncryptedText)
    family_name: Mapped[str] = mapped_column(EncryptedText)
    notes: Mapped[str] = mapped_column(EncryptedText)
    site: Mapped[str] = mapped_column(String(16))
    arrived_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PlainRecord(PlainBase):
    __tablename__ = "record"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    given_name: Mapped[str] = mapped_column(Text)
    family_name: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)
    site: Mapped[str] = mapped_column(String(16))
    arrived_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class OneKey:
    """``FieldKeys`` with one cipher for every row."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher

    def cipher(self, scope: KeyScope, scope_id: uuid.UUID) -> FieldCipher:
        return self._cipher


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _insert_and_read(engine: Engine, base: type[DeclarativeBase], model: type[Any], count: int) -> dict[str, float]:
    base.metadata.create_all(engine)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    def insert() -> None:
        with Session(engine) as session, session.begin():
            for i in range(count):
                # id first: the encrypted attributes bind to it as they are set
                session.add(
                    model(
                        id=uuid.uuid4(),
                        given_name=f"Given{i}",
                        family_name=f"Family{i}",
                        notes=f"Seen on the ward; follow-up booked ({i}).",
                        site="RLH",
                        arrived_at=start + dt.timedelta(minutes=i),
                    )
                )

    def read() -> None:
        with Session(engine) as session:
            total = sum(len(r.given_name) + len(r.family_name) + len(r.notes) for r in session.scalars(select(model)))
        assert total > 0

    return {"insert_seconds": _timed(insert), "read_seconds": _timed(read)}


def bench_records(count: int, folder: Path) -> dict[str, Any]:
    vault_key = VaultKey.generate()
    encrypted_engine = sqlcipher_engine(folder / "encrypted.db", vault_key.derive(KeyPurpose.DATABASE_FILE))
    attach_field_keys(
        encrypted_engine, OneKey(FieldCipher(vault_key.derive(KeyPurpose.FIELDS), KeyScope.DIRECTORY.value))
    )
    plain_engine = create_engine(f"sqlite:///{folder / 'plain.db'}")
    with plain_engine.connect() as connection:  # the same pragmas as the vault, minus the cipher
        connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    plain = _insert_and_read(plain_engine, PlainBase, PlainRecord, count)
    encrypted = _insert_and_read(encrypted_engine, EncryptedBase, EncryptedRecord, count)
    ratio = (encrypted["insert_seconds"] + encrypted["read_seconds"]) / (
        plain["insert_seconds"] + plain["read_seconds"]
    )
    return {
        "count": count,
        "plain": plain,
        "encrypted": encrypted,
        "ratio_insert": encrypted["insert_seconds"] / plain["insert_seconds"],
        "ratio_read": encrypted["read_seconds"] / plain["read_seconds"],
        "ratio_total": ratio,
        "goal_ratio_total": 1.3,
    }


def bench_unlock(folder: Path) -> dict[str, Any]:
    params = calibrate()
    location = VaultLocation.parse(str(folder / "unlock.vault"))
    create_vault(location, "admin", "correct horse battery staple", params).vault.lock()
    seconds = _timed(lambda: LockedVault(location).unlock("admin", "correct horse battery staple").lock())
    return {
        "unlock_real_kdf_seconds": seconds,
        "kdf": {"memory_kib": params.memory_kib, "iterations": params.iterations, "lanes": params.lanes},
    }


def bench_cold_start(folder: Path) -> dict[str, Any]:
    environment = dict(
        os.environ, YOUTHCASE_REPORT_STARTUP="1", QT_QPA_PLATFORM="offscreen", YOUTHCASE_DB=str(folder / "unlock.vault")
    )
    root = str(Path(__file__).resolve().parents[1])  # this checkout's package, as imported above
    environment["PYTHONPATH"] = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "youthcase"], env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    wall = time.perf_counter() - started
    reported = [line for line in result.stdout.splitlines() if line.startswith("login-window-shown")]
    if not reported:
        return {"cold_start_to_login_window_seconds": None, "note": "GUI did not report its start-up"}
    return {
        "cold_start_to_login_window_seconds": float(reported[0].split()[-1]),
        "process_wall_seconds": wall,
        "goal_seconds": 0.5,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--skip-gui", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        report: dict[str, Any] = {"records": bench_records(args.records, folder)}
        report.update(bench_unlock(folder))
        if not args.skip_gui:
            report.update(bench_cold_start(folder))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
