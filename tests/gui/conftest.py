"""Fixtures for the GUI tests: offscreen Qt, fast Argon2id, a fake clock, scripted prompts, vaults.

The environment is set before anything creates the QApplication.

A logged error fails the test (after qutebrowser's ``tests/helpers/logfail.py``): Qt's warnings and
critical messages through pytest-qt (``qt_log_level_fail = WARNING`` in pyproject.toml, which
installs a Qt message handler for each test; only the offscreen messages below are tolerated), and
``logging`` records at ERROR or above through ``logged_errors``. A test that provokes an error on
purpose takes it with ``logged_errors.take()``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["YOUTHCASE_KDF"] = "minimum"

import datetime as dt  # noqa: E402
import logging  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

import youthcase.gui  # noqa: E402,F401 - applies the PySide6 refcount guard before Qt is used
from tests.helpers.access import admit_to_home_sites  # noqa: E402
from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.kdf import MINIMUM_PARAMS  # noqa: E402
from youthcase.domain.roles import Role  # noqa: E402
from youthcase.gui.background import Background  # noqa: E402
from youthcase.gui.shell import Shell  # noqa: E402
from youthcase.services.accounts import AccountService  # noqa: E402
from youthcase.services.cases import CaseService, NewCase  # noqa: E402
from youthcase.services.vault import LockedVault, UnlockedVault, create_vault  # noqa: E402

WAIT_MS = 10_000

# The offscreen platform cannot resize a shown window to new size hints and says so each time a
# dialog's layout grows; nor can it raise a popup (a completer's list of choices) or let it grab
# the keyboard. Real platforms do all three. Only these messages are tolerated, nothing else.
OFFSCREEN_SIZE_HINTS = r"This plugin does not support propagateSizeHints\(\)"
OFFSCREEN_POPUPS = (r"This plugin does not support raise\(\)", r"This plugin does not support grabbing the keyboard")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_SIZE_HINTS, *OFFSCREEN_POPUPS))


class LoggedErrors(logging.Handler):
    """Every ``logging`` record at ERROR or above while a test runs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def take(self) -> list[str]:
        """The messages logged so far, which the test expected: they no longer fail it."""
        messages = [record.getMessage() for record in self.records]
        self.records = []
        return messages


@pytest.fixture(autouse=True)
def logged_errors() -> Iterator[LoggedErrors]:
    """Fails the test when the app logged an error it did not ``take()``."""
    handler = LoggedErrors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    if handler.records:
        logged = "; ".join(f"{record.name}: {record.getMessage()}" for record in handler.records)
        pytest.fail(f"the app logged {len(handler.records)} error(s): {logged}", pytrace=False)


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self) -> None:
        self._now = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
        self._monotonic = 1000.0

    def now(self) -> dt.datetime:
        return self._now

    def monotonic(self) -> float:
        return self._monotonic

    def advance(self, seconds: float) -> None:
        self._now += dt.timedelta(seconds=seconds)
        self._monotonic += seconds


@dataclass
class FakePrompts:
    """Stands in for message boxes and file dialogs: records questions, answers from a script."""

    confirm_answers: list[bool] = field(default_factory=list)
    chosen_files: list[Path | None] = field(default_factory=list)
    import_files: list[Path | None] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def inform(self, parent: object, title: str, text: str) -> None:
        self.asked.append(("inform", text))

    def warn(self, parent: object, title: str, text: str) -> None:
        self.asked.append(("warn", text))

    def confirm(self, parent: object, title: str, text: str, action: str) -> bool:
        self.asked.append(("confirm", text))
        return self.confirm_answers.pop(0)

    def choose_new_vault_file(self, parent: object, suggested: Path) -> Path | None:
        self.asked.append(("choose_new_vault_file", str(suggested)))
        return self.chosen_files.pop(0)

    def choose_import_file(self, parent: object) -> Path | None:
        self.asked.append(("choose_import_file", ""))
        return self.import_files.pop(0)


@dataclass(frozen=True)
class Person:
    username: str
    password: str
    role: Role


ADMIN = Person("admin", "harbour lantern quietly 41", Role.ADMIN)
WORKER = Person("wendy", "orchard bicycle morning 27", Role.WORKER)
SUPERVISOR = Person("sam", "granite violin evening 83", Role.SUPERVISOR)
# Still on the temporary password an administrator gave her.
NEWCOMER = Person("nadia", "temporary kettle river 55", Role.WORKER)


@dataclass(frozen=True)
class TestVault:
    location: VaultLocation
    recovery_key: str  # the information-governance lead's, for break-glass grants
    admin: Person = ADMIN
    worker: Person = WORKER
    supervisor: Person = SUPERVISOR
    newcomer: Person = NEWCOMER


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def prompts() -> FakePrompts:
    return FakePrompts()


@pytest.fixture
def background() -> Iterator[Background]:
    """The background queue; the test fails if work is still running when it ends."""
    queue = Background()
    yield queue
    queue.discard_all()
    assert queue.wait_for_done(WAIT_MS), "a background task was still running after the test"


def _settle_password(location: VaultLocation, clock: FakeClock, person: Person) -> None:
    """Replace the temporary password by the same-looking permanent one (slots must differ)."""
    temporary = person.password + " tmp"
    vault = LockedVault(location, clock).unlock(person.username, temporary)
    try:
        AccountService(vault).change_own_password(temporary, person.password)
    finally:
        vault.lock()


@pytest.fixture(scope="session")
def vault_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Made once per session (the KDF, the migrations, four accounts); each test gets a copy.
    The folder and the recovery key."""
    folder = tmp_path_factory.mktemp("vault-template")
    location = VaultLocation(path=folder / "test.vault")
    clock = FakeClock()  # every FakeClock starts at the same moment as the tests' own
    created = create_vault(location, ADMIN.username, ADMIN.password, MINIMUM_PARAMS, clock)
    accounts = AccountService(created.vault)
    accounts.add_user(WORKER.username, Role.WORKER, WORKER.password + " tmp", ["RLH"], "Wendy Adeyemi")
    accounts.add_user(SUPERVISOR.username, Role.SUPERVISOR, SUPERVISOR.password + " tmp", ["RLH", "KCH"])
    accounts.add_user(NEWCOMER.username, Role.WORKER, NEWCOMER.password, ["SGH"])
    created.vault.lock()
    _settle_password(location, clock, WORKER)
    _settle_password(location, clock, SUPERVISOR)
    # Keys v2: a home site gives no access; the recovery key admits the first people (break glass).
    for person in (WORKER, SUPERVISOR):
        admit_to_home_sites(location, person.username, clock, created.recovery_key)
    return folder, created.recovery_key


@pytest.fixture
def vault(tmp_path: Path, vault_template: tuple[Path, str]) -> TestVault:
    """A locked vault with an administrator, a worker (RLH), a supervisor (RLH, KCH) and a
    newcomer whose temporary password has not been changed yet: a fresh copy of the template
    (the vault file and its key header)."""
    folder, recovery_key = vault_template
    for source in folder.iterdir():
        shutil.copy2(source, tmp_path / source.name)
    return TestVault(VaultLocation(path=tmp_path / "test.vault"), recovery_key)


@pytest.fixture
def shell(
    qtbot,
    vault: TestVault,
    clock: FakeClock,
    background: Background,  # type: ignore[no-untyped-def]
    prompts: FakePrompts,
) -> Iterator[Shell]:
    window = Shell(vault.location, clock, background, prompts)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=WAIT_MS)
    yield window
    window.lock()


@pytest.fixture
def log_in(qtbot, shell: Shell) -> Callable[[Person], None]:  # type: ignore[no-untyped-def]
    """Type the credentials into the login screen, press Unlock and wait for the workspace."""

    def sign_in(person: Person) -> None:
        shell.login.username.setText(person.username)
        shell.login.password.setText(person.password)
        with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
            shell.login.unlock_button.click()

    return sign_in


def new_case(
    given: str,
    family: str,
    *,
    arrived_hours_ago: float = 5,
    site: str = "RLH",
    nhs_number: str | None = None,
    now: dt.datetime | None = None,
) -> NewCase:
    """A valid new case for the service, arriving some hours before ``now``."""
    now = now or FakeClock().now()
    arrival = now - dt.timedelta(hours=arrived_hours_ago)
    return NewCase(
        person={
            "given_name": given,
            "family_name": family,
            "date_of_birth": dt.date(2009, 5, 17),
            "nhs_number": nhs_number,
            "sex": "1",
            "ethnicity": "N",
            "borough": "southwark",
        },
        case={"site": site, "arrival_at": arrival, "referral_source": "ed_staff"},
        incident={
            "assault_at": arrival - dt.timedelta(hours=1),
            "assault_method": "knife",
            "assault_location_type": "street",
        },
    )


@contextmanager
def signed_in(location: VaultLocation, clock: FakeClock, person: Person) -> Iterator[UnlockedVault]:
    """The vault unlocked as ``person`` outside the GUI (to prepare records), then locked."""
    unlocked = LockedVault(location, clock).unlock(person.username, person.password)
    try:
        yield unlocked
    finally:
        unlocked.lock()


def record_cases(vault: TestVault, clock: FakeClock, person: Person, *cases: NewCase) -> list[uuid.UUID]:
    with signed_in(vault.location, clock, person) as unlocked:
        service = CaseService(unlocked)
        return [service.create_case(case).case_id for case in cases]
