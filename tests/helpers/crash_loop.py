"""The crash loop (issue 11): writers killed with SIGKILL at random moments, and after each kill the
vault must open, pass ``youthcase check``, and hold every change a writer had reported as done.

Each writer is one CLI command (``import``, ``sites add``, ``users add``, ``backup``,
``restore --replace``) run through ``youthcase.cli.main.main``, or a contact logged through
``CaseService.add_contact`` as the GUI does, in a child forked from this process,
so a writer costs milliseconds, not an interpreter start, and SIGKILL lands on the real code (no
clean-up runs: no ``finally``, no ``atexit``). The parent holds no open database connection when
it forks. A change counts as *reported done* when the child exited 0 before the kill; one that was
killed may or may not be there (it may have committed just before), but never half: an import is
all its rows or none.

Seeded: ``run_crash_loop(folder, iterations, seed)`` makes the same operations and kill delays for
the same seed, so a failure reproduces (the delays land on slightly different instructions from
one run to the next, as the machine's speed varies). Used by ``tests/core/test_crash_loop.py`` (a
small count) and ``benchmarks/bench_crash.py`` (the full count).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import signal
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from sqlalchemy import func, select

from tests.helpers.access import admit_to_home_sites, remember_recovery_key
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.crypto.kdf import MINIMUM_PARAMS
from youthcase.domain.roles import Role
from youthcase.services.accounts import AccountService
from youthcase.services.case_import import TEMPLATE_COLUMNS
from youthcase.services.cases import CaseService
from youthcase.services.vault import LockedVault, create_vault
from youthcase.storage.models import AppUser, CaseEpisode, Contact, Site

ADMIN, ADMIN_PASSWORD = "admin", "correct horse battery staple"
WORKER, WORKER_PASSWORD = "wanda", "wanda chose this phrase"
ROWS_PER_IMPORT = 3
OPERATIONS = ("import", "contact", "sites", "users", "backup", "restore")
STARTING_ARRIVAL = dt.datetime(2026, 3, 1, 8, 0)


@dataclass
class CrashReport:
    """What the loop did and found; ``problems`` empty means every check held after every kill."""

    seed: int
    iterations: int = 0
    killed: Counter[str] = field(default_factory=Counter)
    completed: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)  # exited non-zero on its own (not killed)
    problems: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)  # what killed writers left in the temp folder
    seconds: float = 0.0


@dataclass
class _Acknowledged:
    """The changes writers reported as done: each must survive every later kill."""

    sites: set[str] = field(default_factory=set)
    users: set[str] = field(default_factory=set)
    imports: int = 0
    contacts: int = 0
    backup: bool = False
    restored: bool = False


@dataclass(frozen=True)
class Outcome:
    exited: int | None  # the exit code, or None when killed
    output: str


def _login(db: Path, user: str = ADMIN) -> list[str]:
    return ["--db", str(db), "--user", user, "--password-stdin"]


def _import_file(folder: Path, number: int) -> Path:
    """Rows whose arrival times no other file uses: every file adds exactly its own rows."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for row in range(ROWS_PER_IMPORT):
        arrival = STARTING_ARRIVAL + dt.timedelta(minutes=number * ROWS_PER_IMPORT + row)
        values = {
            "given_name": "Jamal",
            "family_name": "Okafor",
            "date_of_birth": "2009-05-17",
            "nhs_number": "943 476 5919",
            "postcode": "SE15 4QL",
            "sex": "1",
            "ethnicity": "African",
            "borough": "Southwark",
            "site": "KCH",
            "arrival_datetime": arrival.strftime("%Y-%m-%d %H:%M"),
            "referral_source": "ed_staff",
            "assault_datetime": (arrival - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
            "assault_method": "Knife",
            "assault_location_type": "street",
        }
        writer.writerow([values.get(column, "") for column in TEMPLATE_COLUMNS])
    path = folder / f"cases-{number}.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


Work = Callable[[TextIO], int]
"""What a writer does, printing to the stream it is given; returns its exit code."""


def cli(argv: Sequence[str], stdin: str) -> Work:
    """The CLI command ``argv`` with ``stdin`` as its standard input."""
    return lambda out: main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=out)


def _log_contact(db: Path) -> Work:
    """A contact on the worker's first case, through the services as the GUI logs one."""

    def work(out: TextIO) -> int:
        vault = LockedVault(VaultLocation(path=db)).unlock(WORKER, WORKER_PASSWORD)
        try:
            service = CaseService(vault)
            case = service.caseload()[0]
            contact = {"contact_at": vault.clock.now(), "medium": "phone", "successful": True}
            service.add_contact(case.case_id, {**contact, "contact_with": "young_person"})
        finally:
            vault.lock()
        print("logged", file=out)
        return 0

    return work


def _command(operation: str, number: int, folder: Path) -> Work:
    db, admin = folder / "crash.vault", f"{ADMIN_PASSWORD}\n"
    if operation == "import":
        return cli(["import", *_login(db, WORKER), str(_import_file(folder, number))], f"{WORKER_PASSWORD}\n")
    if operation == "contact":
        return _log_contact(db)
    if operation == "sites":
        return cli(["sites", "add", *_login(db), "--code", f"CR{number}", "--name", f"Crash Hospital {number}"], admin)
    if operation == "users":
        argv = ["users", "add", *_login(db), "--new-user", f"crash{number}", "--role", "worker", "--site", "RLH"]
        return cli(argv, f"{admin}a temporary phrase {number}\n")
    if operation == "backup":
        return cli(["backup", *_login(db), "--to", str(folder / "crash.backup")], admin)
    argv = ["restore", "--from", str(folder / "crash.backup"), "--db", str(folder / "restored.vault"), "--replace"]
    return cli([*argv, "--user", ADMIN, "--password-stdin"], admin)


def run_killed_after(work: Work, delay: float | None) -> Outcome:
    """``work`` in a forked child, SIGKILLed after ``delay`` seconds unless it ended first."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the command, then leave at once (no pytest, no atexit)
        code = 1
        try:
            os.close(read_end)
            out = os.fdopen(write_end, "w", buffering=1)
            code = work(out)
            out.flush()
        finally:
            os._exit(code)
    os.close(write_end)
    os.set_blocking(read_end, False)
    chunks: list[bytes] = []
    deadline = None if delay is None else time.monotonic() + delay
    status = None
    while status is None:
        _drain(read_end, chunks)
        finished, wait_status = os.waitpid(pid, os.WNOHANG)
        if finished:
            status = wait_status
        elif deadline is not None and time.monotonic() >= deadline:
            os.kill(pid, signal.SIGKILL)
            status = os.waitpid(pid, 0)[1]
        else:
            time.sleep(0.002)
    _drain(read_end, chunks)
    os.close(read_end)
    exited = os.waitstatus_to_exitcode(status)
    return Outcome(None if exited == -signal.SIGKILL else exited, b"".join(chunks).decode("utf-8", "replace"))


def _drain(descriptor: int, chunks: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except BlockingIOError:
            return
        if not chunk:
            return
        chunks.append(chunk)


def _set_up(folder: Path) -> None:
    location = VaultLocation.parse(str(folder / "crash.vault"))
    created = create_vault(location, ADMIN, ADMIN_PASSWORD, MINIMUM_PARAMS)
    remember_recovery_key(location, created.recovery_key)
    AccountService(created.vault).add_user(WORKER, Role.WORKER, "wanda temporary phrase", ["KCH"])
    created.vault.lock()
    worker = LockedVault(location).unlock(WORKER, "wanda temporary phrase")
    AccountService(worker).change_own_password("wanda temporary phrase", WORKER_PASSWORD)
    worker.lock()
    admit_to_home_sites(location, WORKER, worker.clock, created.recovery_key)


def _check(db: Path) -> str | None:
    """``youthcase check`` of ``db``: None when sound, else what it printed."""
    out = io.StringIO()
    code = main(["check", *_login(db)], stdin=io.StringIO(f"{ADMIN_PASSWORD}\n"), stdout=out, stderr=out)
    return None if code == 0 else f"exit {code}: {' | '.join(out.getvalue().splitlines())}"


def _verify(folder: Path, acknowledged: _Acknowledged, after: str) -> list[str]:
    """Opens, passes ``check``, holds every acknowledged change, and every import whole."""
    db = folder / "crash.vault"
    problems = []
    try:
        vault = LockedVault(VaultLocation(path=db)).unlock(ADMIN, ADMIN_PASSWORD)
    except Exception as error:  # noqa: BLE001 - a vault that does not open is the finding
        return [f"after {after}: the vault does not open ({type(error).__name__}: {error})"]
    try:
        with vault.session() as session:
            sites = set(session.scalars(select(Site.code)))
            users = set(session.scalars(select(AppUser.username)))
            cases = int(session.scalar(select(func.count()).select_from(CaseEpisode)) or 0)
            contacts = int(session.scalar(select(func.count()).select_from(Contact)) or 0)
    finally:
        vault.lock()
    if missing := acknowledged.sites - sites:
        problems.append(f"after {after}: acknowledged sites missing: {sorted(missing)}")
    if missing := acknowledged.users - users:
        problems.append(f"after {after}: acknowledged users missing: {sorted(missing)}")
    if cases < acknowledged.imports * ROWS_PER_IMPORT or cases % ROWS_PER_IMPORT:
        problems.append(f"after {after}: {cases} cases for {acknowledged.imports} acknowledged imports (half a file?)")
    if contacts < acknowledged.contacts:
        problems.append(f"after {after}: {contacts} contacts for {acknowledged.contacts} acknowledged")
    if (damage := _check(db)) is not None:
        problems.append(f"after {after}: check of the vault fails: {damage}")
    restored = folder / "restored.vault"
    if acknowledged.restored and (damage := _check(restored)) is not None:
        problems.append(f"after {after}: the restored vault (restored before) fails: {damage}")
    return problems


def run_crash_loop(folder: Path, iterations: int, seed: int) -> CrashReport:
    """Run ``iterations`` kills (after one uninterrupted run of each operation, to time it).

    The writers' temporary files go to ``folder/tmp``, so that what a kill leaves there is seen
    (``leftovers``) rather than scattered in the system's temporary folder."""
    temporary = folder / "tmp"
    temporary.mkdir()
    system_temporary, tempfile.tempdir = tempfile.tempdir, str(temporary)
    try:
        report = _loop(folder, iterations, seed)
    finally:
        tempfile.tempdir = system_temporary
    report.leftovers = sorted(path.name for path in temporary.iterdir())
    return report


def _loop(folder: Path, iterations: int, seed: int) -> CrashReport:
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible schedule, not secrets
    report = CrashReport(seed)
    acknowledged = _Acknowledged()
    _set_up(folder)
    durations: dict[str, float] = {}
    for number in range(len(OPERATIONS) + iterations):
        timing = number < len(OPERATIONS)
        operation = OPERATIONS[number] if timing else rng.choice(OPERATIONS)
        if operation == "restore" and not acknowledged.backup:
            operation = "backup"
        if operation == "contact" and not acknowledged.imports:
            operation = "import"
        delay = None if timing else rng.uniform(0.0, 1.2 * durations.get(operation, 1.0))
        begun = time.perf_counter()
        outcome = run_killed_after(_command(operation, number, folder), delay)
        if timing:
            durations[operation] = time.perf_counter() - begun
        else:
            report.iterations += 1
        if outcome.exited is None:
            report.killed[operation] += 1
        elif outcome.exited == 0:
            report.completed[operation] += 1
            _acknowledge(acknowledged, operation, number)
        else:
            report.failed[operation] += 1
            report.problems.append(f"{operation} #{number} failed on its own: {outcome.output.strip()}")
        what = f"{operation} #{number} ({'killed' if outcome.exited is None else f'exit {outcome.exited}'})"
        report.problems += _verify(folder, acknowledged, what)
        if report.problems:
            break  # the state that failed is kept in ``folder`` for a look
    report.seconds = time.perf_counter() - started
    return report


def _acknowledge(acknowledged: _Acknowledged, operation: str, number: int) -> None:
    if operation == "import":
        acknowledged.imports += 1
    elif operation == "contact":
        acknowledged.contacts += 1
    elif operation == "sites":
        acknowledged.sites.add(f"CR{number}")
    elif operation == "users":
        acknowledged.users.add(f"crash{number}")
    elif operation == "backup":
        acknowledged.backup = True
    else:
        acknowledged.restored = True
