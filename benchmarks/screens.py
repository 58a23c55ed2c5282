"""Screenshots of every main screen at 1366x768 (the usual ward laptop), offscreen, into
docs/screenshots/: look at them after a change to the GUI.

    python benchmarks/screens.py [--cases 300] [--out docs/screenshots]

A throwaway vault with demo data (a worker and the supervisor of RLH with permanent passwords,
the supervisor admitted to every site), then the real main window, signed in as each of them and
as the administrator. Takes about a minute; writes only PNGs (demo data, no real person).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("YOUTHCASE_KDF", "minimum")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

import youthcase.gui  # noqa: E402,F401 - the PySide6 refcount guard
from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.kdf import MINIMUM_PARAMS  # noqa: E402
from youthcase.domain.clock import SystemClock  # noqa: E402
from youthcase.domain.roles import Role  # noqa: E402
from youthcase.domain.sites import MAJOR_TRAUMA_CENTRES  # noqa: E402
from youthcase.gui.app import apply_look  # noqa: E402
from youthcase.gui.background import Background  # noqa: E402
from youthcase.gui.navigation import Section  # noqa: E402
from youthcase.gui.pages.returns import ReturnsPage  # noqa: E402
from youthcase.gui.prompts import Prompts  # noqa: E402
from youthcase.gui.shell import Shell  # noqa: E402
from youthcase.services.accounts import AccountService  # noqa: E402
from youthcase.services.demo_data import load_demo_data  # noqa: E402
from youthcase.services.recovery import grant_with_recovery_key  # noqa: E402
from youthcase.services.vault import LockedVault, create_vault  # noqa: E402

WIDTH, HEIGHT = 1366, 768
ADMIN = ("admin", "harbour lantern quietly 41")
PASSWORDS = {Role.SUPERVISOR: "granite violin evening 83", Role.WORKER: "orchard bicycle morning 27"}
HOME = MAJOR_TRAUMA_CENTRES[0].code
WAIT_S = 30.0


def make_vault(folder: Path, cases: int) -> dict[Role, tuple[str, str]]:
    location = VaultLocation(path=folder / "screens.vault")
    created = create_vault(location, ADMIN[0], ADMIN[1], MINIMUM_PARAMS, SystemClock())
    try:
        demo = load_demo_data(created.vault, cases, 1, created.recovery_key)
    finally:
        created.vault.lock()
    people: dict[Role, tuple[str, str]] = {}
    for role, password in PASSWORDS.items():
        account = next(a for a in demo.accounts if a.role is role and a.site_code == HOME)
        unlocked = LockedVault(location).unlock(account.username, account.temporary_password)
        try:
            AccountService(unlocked).change_own_password(account.temporary_password, password)
        finally:
            unlocked.lock()
        people[role] = (account.username, password)
    for site in MAJOR_TRAUMA_CENTRES:
        if site.code != HOME:
            grant_with_recovery_key(location, created.recovery_key, people[Role.SUPERVISOR][0], site.code)
    return people


def settle(app: QApplication, done: Callable[[], bool] = lambda: True, at_least_s: float = 0.3) -> None:
    """Run the event loop until ``done()`` (background work included), and a little longer."""
    started = time.monotonic()
    while time.monotonic() - started < WAIT_S and not done():
        app.processEvents()
        time.sleep(0.02)
    end = time.monotonic() + at_least_s
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def save(app: QApplication, widget: QWidget, out: Path, name: str) -> None:
    settle(app)
    widget.grab().save(str(out / f"{name}.png"))
    print(f"{name}.png", flush=True)


def sign_in(app: QApplication, shell: Shell, username: str, password: str) -> None:
    shell.login.username.setText(username)
    shell.login.password.setText(password)
    shell.login.unlock_button.click()
    settle(app, lambda: shell.workspace is not None and not shell.is_locked)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    apply_look(app)
    with tempfile.TemporaryDirectory() as folder:
        people = make_vault(Path(folder), args.cases)
        background = Background(app)
        shell = Shell(VaultLocation(path=Path(folder) / "screens.vault"), SystemClock(), background, Prompts())
        shell.resize(WIDTH, HEIGHT)
        shell.show()
        save(app, shell, args.out, "01-login")

        sign_in(app, shell, *people[Role.WORKER])
        workspace = shell.workspace
        assert workspace is not None and workspace.caseload is not None
        caseload = workspace.caseload
        settle(app, lambda: caseload.has_loaded and caseload.loading.isHidden())
        save(app, shell, args.out, "02-caseload")
        caseload.open_case(caseload.proxy.case_at(0).case_id)
        settle(app, lambda: caseload.host.showing_case)
        view = caseload.case_view
        for index in range(view.tabs.count()):
            view.tabs.setCurrentIndex(index)
            name = view.tabs.tabText(index).split(" ")[0].lower()
            save(app, shell, args.out, f"03-case-{index + 1}-{name}")
        contact = view.open_new_contact()
        if contact is not None:
            save(app, contact, args.out, "04-new-contact")
            contact.done(0)
        caseload.show_list()
        new_case = caseload.open_new_case()
        if new_case is not None:
            save(app, new_case, args.out, "05-new-case")
            new_case.done(0)
        workspace.show_section(Section.REFERRALS)
        save(
            app,
            shell,
            args.out,
            "06-referrals",
        )
        shell.lock()

        sign_in(app, shell, *people[Role.SUPERVISOR])
        workspace = shell.workspace
        assert workspace is not None and workspace.supervision is not None
        supervision = workspace.supervision
        workspace.show_section(Section.SUPERVISION)
        settle(app, lambda: supervision.overview is not None, at_least_s=1.0)
        for index in range(supervision.tabs.count()):
            supervision.tabs.setCurrentIndex(index)
            name = supervision.tabs.tabText(index).split(" ")[0].lower()
            save(app, shell, args.out, f"07-supervision-{index + 1}-{name}")
        workspace.show_section(Section.RETURNS)
        returns = workspace.pages[Section.RETURNS]
        assert isinstance(returns, ReturnsPage)
        rendered: list[bool] = []
        returns.preview.rendered.connect(lambda *_: rendered.append(True))
        returns.build_button.click()
        settle(app, lambda: bool(rendered), at_least_s=0.5)
        save(app, shell, args.out, "08-returns")
        shell.lock()

        sign_in(app, shell, *ADMIN)
        save(app, shell, args.out, "09-administration")
        shell.lock()
        background.wait_for_done(30_000)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
