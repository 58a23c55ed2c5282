"""Start the GUI: the first-run wizard when there is no vault yet, otherwise the login window.

The start path imports only PySide6 and light parts of the core, so the login window shows quickly;
the services (SQLAlchemy, Alembic, the storage layer) are imported on the background queue just
after it appears.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from youthcase.config import VaultLocation, resolve_location
from youthcase.domain.clock import Clock, SystemClock
from youthcase.gui.background import Background
from youthcase.gui.icons import icon
from youthcase.gui.prompts import Prompts
from youthcase.gui.shell import Shell
from youthcase.gui.tasks import preload_core, vault_exists
from youthcase.gui.wizard import FirstRunWizard
from youthcase.resources import resource_path

PRELOAD_DELAY_MS = 50  # let the first window paint before the import competes for the GIL
SHUTDOWN_WAIT_MS = 30_000


def stylesheet() -> str:
    """``resources/style.qss`` with ``@icons/`` pointing at the icons folder (source or bundle)."""
    icons = resource_path("icons").as_posix()
    return resource_path("style.qss").read_text(encoding="utf-8").replace("@icons/", f"{icons}/")


def apply_look(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same, predictable base on every platform for the stylesheet
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(icon("youthcase"))


def start(location: VaultLocation, clock: Clock, background: Background,
          prompts: Prompts) -> tuple[Shell, FirstRunWizard | None]:
    """Show the login window, or the wizard that leads into the main window."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = Shell(location, clock, background, prompts)
    if vault_exists(location):
        shell.show()
        return shell, None

    wizard = FirstRunWizard(location, clock, background, prompts)
    app.setQuitOnLastWindowClosed(False)  # the wizard closes before the main window opens

    def finished(result: int) -> None:
        app.setQuitOnLastWindowClosed(True)
        opened = wizard.opened
        if result != FirstRunWizard.DialogCode.Accepted or opened is None:
            app.quit()
            return
        shell.login.set_location(opened.vault.location)
        shell.begin_session(opened)
        shell.show()
        wizard.deleteLater()

    wizard.finished.connect(finished)
    wizard.show()
    return shell, wizard


def run_gui(db: str | None) -> int:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("youthcase")
    apply_look(app)
    clock = SystemClock()
    background = Background(app)
    shell, _wizard = start(resolve_location(db), clock, background, Prompts())
    QTimer.singleShot(PRELOAD_DELAY_MS, lambda: background.run(preload_core, name="preload"))

    def shut_down() -> None:
        shell.lock()  # drops every pending result; the lock itself may be queued behind a task
        background.wait_for_done(SHUTDOWN_WAIT_MS)

    app.aboutToQuit.connect(shut_down)
    return app.exec()
