"""Start-up: wizard or login, straight into the main window after the wizard, and a light start."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

import pytest
from PySide6.QtWidgets import QLabel, QWizard

from youthcase.config import VaultLocation
from youthcase.gui.app import seconds_since_launch, start
from youthcase.gui.navigation import Section
from youthcase.gui.wizard import RECOVERY_PAGE

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


def test_an_existing_vault_opens_the_login_window(qtbot, vault, clock, background, prompts) -> None:
    shell, wizard = start(vault.location, clock, background, prompts)
    qtbot.addWidget(shell)
    assert wizard is None
    assert shell.isVisible() and shell.is_locked
    assert shell.stack.currentWidget() is shell.login


def test_a_server_url_goes_straight_to_the_login(qtbot, clock, background, prompts) -> None:
    location = VaultLocation.parse("postgresql://caseload:secret@db.example.org/youthcase")
    shell, wizard = start(location, clock, background, prompts)
    qtbot.addWidget(shell)
    assert wizard is None
    assert shell.isVisible()
    label = shell.login.findChild(QLabel, "vaultLocation")
    assert label is not None
    text = label.text()
    assert text == "Vault: db.example.org/youthcase"  # never the password


def test_no_vault_runs_the_wizard_then_opens_the_main_window(qtbot, tmp_path, clock, background, prompts) -> None:
    location = VaultLocation(path=tmp_path / "new.vault")
    elsewhere = tmp_path / "chosen" / "team.vault"
    shell, wizard = start(location, clock, background, prompts)
    qtbot.addWidget(shell)
    assert wizard is not None
    qtbot.addWidget(wizard)
    assert wizard.isVisible() and not shell.isVisible()
    wizard.location_page.path.setText(str(elsewhere))
    wizard.next()
    page = wizard.administrator_page
    page.username.setText("first.admin")
    page.password.setText("harbour lantern quietly 41")
    page.confirmation.setText("harbour lantern quietly 41")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.currentId() == RECOVERY_PAGE, timeout=WAIT_MS)
    wizard.recovery_page.stored.setChecked(True)
    with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert shell.isVisible() and not shell.is_locked
    assert shell.vault is not None and shell.vault.actor.username == "first.admin"
    assert shell.workspace is not None
    assert shell.workspace.current_section is Section.ADMINISTRATION
    shell.lock()
    assert shell.login.location == VaultLocation(path=elsewhere)  # the lock screen opens that one
    assert location.path is not None
    assert elsewhere.exists() and not location.path.exists()


def test_the_start_path_does_not_import_the_database_layer(tmp_path) -> None:
    """The login window must appear fast: SQLAlchemy and Alembic load later, off the GUI thread."""
    script = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        import youthcase.gui.app as gui_app
        from youthcase.config import VaultLocation
        from youthcase.domain.clock import SystemClock
        from youthcase.gui.background import Background
        from youthcase.gui.prompts import Prompts
        gui_app.apply_look(app)
        shell, _ = gui_app.start(VaultLocation.parse(sys.argv[1]), SystemClock(), Background(),
                                 Prompts())
        heavy = sorted(m for m in ("sqlalchemy", "alembic", "sqlcipher3", "youthcase.storage",
                                   "youthcase.services.vault") if m in sys.modules)
        print(",".join(heavy) or "light")
    """)
    existing = tmp_path / "existing.vault"
    existing.write_bytes(b"")
    for target in (existing, tmp_path / "fresh.vault"):  # the login window, then the wizard
        result = subprocess.run(
            [sys.executable, "-c", script, str(target)],  # noqa: S603
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert result.stdout.strip() == "light", result.stdout + result.stderr


def test_the_youthcase_command_reaches_the_gui_without_the_database_layer() -> None:
    script = "import sys; import youthcase.cli.main; print('sqlalchemy' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script],  # noqa: S603
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_startup_report_prints_when_the_first_window_shows_then_quits(tmp_path) -> None:
    """benchmarks/bench_foundation.py reads this line from ``python -m youthcase``."""
    script = "import sys; from youthcase.gui.app import run_gui; raise SystemExit(run_gui(sys.argv[1]))"
    environment = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", YOUTHCASE_REPORT_STARTUP="1", YOUTHCASE_LAUNCHED_AT=str(time.time())
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "none.vault")],  # noqa: S603
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=environment,
    )
    [line] = [text for text in result.stdout.splitlines() if text.startswith("login-window-shown")]
    seconds = float(line.split()[1])
    assert 0 < seconds < 60
    assert not (tmp_path / "none.vault").exists()  # it only showed the wizard, then quit


def test_seconds_since_launch_prefers_the_launchers_time(monkeypatch) -> None:
    monkeypatch.setenv("YOUTHCASE_LAUNCHED_AT", str(time.time() - 2.5))
    assert 2.4 < seconds_since_launch() < 10
    monkeypatch.delenv("YOUTHCASE_LAUNCHED_AT")
    assert 0 <= seconds_since_launch() < 3600  # the process's own start (Linux) or the import
