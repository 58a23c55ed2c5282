"""Start the GUI: the first-run wizard when there is no vault yet, otherwise the login window.

The start path imports only PySide6 and light parts of the core, so the login window shows quickly;
the services (SQLAlchemy, Alembic, the storage layer) are imported on the background queue just
after it appears.
"""

from __future__ import annotations

import os
import sys
import time

_IMPORTED_AT = time.perf_counter()  # the fallback "process start" where nothing better is known

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from youthcase.config import VaultLocation, resolve_location  # noqa: E402
from youthcase.domain.clock import Clock, SystemClock  # noqa: E402
from youthcase.gui.background import Background  # noqa: E402
from youthcase.gui.icons import icon  # noqa: E402
from youthcase.gui.prompts import Prompts  # noqa: E402
from youthcase.gui.shell import Shell  # noqa: E402
from youthcase.gui.tasks import preload_core, vault_exists  # noqa: E402
from youthcase.gui.wizard import FirstRunWizard  # noqa: E402
from youthcase.resources import resource_path  # noqa: E402

PRELOAD_DELAY_MS = 50  # let the first window paint before the import competes for the GIL
SHUTDOWN_WAIT_MS = 30_000
REPORT_STARTUP = "YOUTHCASE_REPORT_STARTUP"  # "1": print when the first window shows, then quit
LAUNCHED_AT = "YOUTHCASE_LAUNCHED_AT"  # time.time() when the launcher spawned us (optional)


def seconds_since_launch() -> float:
    """Seconds since the process started: from ``YOUTHCASE_LAUNCHED_AT`` when a launcher set it
    (it includes the interpreter's own start), else from Linux's process start time, else since
    this module was imported (an underestimate)."""
    launched = os.environ.get(LAUNCHED_AT)
    if launched:
        try:
            return time.time() - float(launched)
        except ValueError:
            pass
    try:
        with open("/proc/self/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime", encoding="ascii") as uptime:
            up = float(uptime.read().split()[0])
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22 of stat, ticks after boot
        return max(0.0, up - started)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED_AT


class StartupReport(QObject):
    """Prints ``login-window-shown <seconds>`` when the first window has painted, then quits."""

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._done = False

    def watch(self, window: QWidget) -> None:
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if not self._done and event.type() == QEvent.Type.Paint:
            self._done = True
            print(f"login-window-shown {seconds_since_launch():.3f}", flush=True)
            QTimer.singleShot(0, self._app.quit)
        return False


def stylesheet() -> str:
    """``resources/style.qss`` with ``@icons/`` pointing at the icons folder (source or bundle)."""
    icons = resource_path("icons").as_posix()
    return resource_path("style.qss").read_text(encoding="utf-8").replace("@icons/", f"{icons}/")


def apply_look(app: QApplication) -> None:
    app.setStyle("Fusion")  # the same, predictable base on every platform for the stylesheet
    app.setStyleSheet(stylesheet())
    app.setWindowIcon(icon("youthcase"))


def start(
    location: VaultLocation,
    clock: Clock,
    background: Background,
    prompts: Prompts,
    settings: QSettings | None = None,
) -> tuple[Shell, FirstRunWizard | None]:
    """Show the login window, or the wizard that leads into the main window. ``settings``: where
    window, splitter and column sizes are kept per account (none kept without)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    shell = Shell(location, clock, background, prompts, settings=settings)
    if vault_exists(location):
        shell.show_fitted()
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
        shell.show_fitted()
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
    sizes = QSettings("youthcase", "youthcase")
    shell, wizard = start(resolve_location(db), clock, background, Prompts(), sizes)
    if os.environ.get(REPORT_STARTUP) == "1":
        report = StartupReport(app)
        report.watch(wizard if wizard is not None else shell)
    else:
        QTimer.singleShot(PRELOAD_DELAY_MS, lambda: background.run(preload_core, name="preload"))

    def shut_down() -> None:
        shell.lock()  # drops every pending result; the lock itself may be queued behind a task
        background.wait_for_done(SHUTDOWN_WAIT_MS)

    app.aboutToQuit.connect(shut_down)
    return app.exec()
