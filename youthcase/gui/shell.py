"""The one main window: the login/lock screen, or the workspace of an unlocked session.

Locking (the Lock button, Ctrl+L, idle time-out, the system suspending or hiding the application,
or the application staying in the background for ``INACTIVE_LOCK_MS``) drops the vault's keys and
engine, keeps each open form as a draft, closes every menu, message box and dialog, clears every
page and shows the login screen in the same window. Ctrl+L works from any window of ours, a
message box's nested event loop included (an application-wide key filter: Qt does not deliver a
main-window shortcut while a modal box blocks that window). Signing in again as the same user
returns to the section, case and tab they were on; another user gets a fresh workspace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QMainWindow,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QWidget,
)

from youthcase.config import VaultLocation
from youthcase.domain.clock import Clock
from youthcase.domain.roles import Role
from youthcase.gui import shortcuts
from youthcase.gui.background import Background
from youthcase.gui.backups import BackupDialog, BackupStatusLine, BackupWatch
from youthcase.gui.icons import icon
from youthcase.gui.idle import IdleWatch
from youthcase.gui.login import LoginView
from youthcase.gui.navigation import Section
from youthcase.gui.prompts import Prompts
from youthcase.gui.restore import RestoreDialog
from youthcase.gui.shortcuts import ShortcutsDialog
from youthcase.gui.tasks import OpenedVault
from youthcase.gui.windows import close_windows

if TYPE_CHECKING:
    from youthcase.gui.workspace import Place, Workspace
    from youthcase.services.vault import UnlockedVault

LOCK_SHORTCUT = QKeySequence(shortcuts.LOCK)
HIDE_NAMES_SHORTCUT = QKeySequence(shortcuts.HIDE_NAMES)
MAXIMISE_UP_TO = 1440  # screens this wide or narrower (ward laptops): the window opens maximised
INACTIVE_LOCK_MS = 60_000  # another application in front this long (or the screen locked): lock


class LockKey(QObject):
    """Ctrl+L from any window of the application while a session is open (an event filter on the
    application, installed for the session only)."""

    pressed = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and QKeySequence(event.keyCombination()) == LOCK_SHORTCUT
        ):
            QTimer.singleShot(0, self.pressed.emit)  # after the key's own event loop iteration
            return True
        return False


class Shell(QMainWindow):
    locked = Signal()
    session_started = Signal()

    def __init__(
        self,
        location: VaultLocation,
        clock: Clock,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("shell")
        self._settings = settings  # sizes per account (no personal data); None: nothing kept
        self.setWindowTitle("youthcase")
        self.setWindowIcon(icon("youthcase"))
        self.resize(1100, 720)
        self.setMinimumSize(QSize(860, 600))
        self._background = background
        self._prompts = prompts
        self._vault: UnlockedVault | None = None
        self.workspace: Workspace | None = None
        self._resume: tuple[str, Place] | None = None  # who locked, and where they were
        self._idle_minutes = 0
        self._hide_names: dict[str, bool] = {}  # per user, for as long as the application runs

        self.stack = QStackedWidget()
        self.login = LoginView(location, clock, background)
        self.stack.addWidget(self.login)
        self.setCentralWidget(self.stack)

        self.lock_action = QAction(icon("lock"), "Lock", self)
        self.lock_action.setObjectName("lockAction")
        self.lock_action.setShortcut(LOCK_SHORTCUT)
        # Works while a dialog of ours has the focus, too.
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.setToolTip("Lock youthcase now (Ctrl+L)")
        self.lock_action.triggered.connect(lambda: self.lock())
        self.hide_names_action = QAction(icon("eye-off"), "Hide names", self)
        self.hide_names_action.setObjectName("hideNamesAction")
        self.hide_names_action.setCheckable(True)
        self.hide_names_action.setShortcut(HIDE_NAMES_SHORTCUT)
        self.hide_names_action.setToolTip(
            "Show initials instead of names, against people reading over your shoulder (Ctrl+Shift+H)"
        )
        self.hide_names_action.toggled.connect(self._hide_names_toggled)
        self.toolbar = self._build_toolbar()
        self._build_menus()
        self.user_label = QLabel()
        self.user_label.setObjectName("statusUser")
        self.statusBar().setSizeGripEnabled(False)
        self.statusBar().addPermanentWidget(self.user_label)
        self.backups = BackupWatch(background, clock, self)
        self.statusBar().addWidget(BackupStatusLine(self.backups))
        self.backups_button = QPushButton("Backups…")
        self.backups_button.setObjectName("backupsButton")
        self.backups_button.setFlat(True)
        self.backups_button.clicked.connect(self.open_backups)
        self.statusBar().addWidget(self.backups_button)
        self.lock_screen_backups = BackupStatusLine(self.backups)
        self.login.footer.addWidget(self.lock_screen_backups, 0, Qt.AlignmentFlag.AlignHCenter)
        self.login.restore_requested.connect(self.open_restore)

        self.idle_watch = IdleWatch(clock, self)
        self.idle_watch.idle.connect(self._idle_timeout)
        self.lock_key = LockKey(self)
        self.lock_key.pressed.connect(lambda: self.lock())
        self.inactive_timer = QTimer(self)
        self.inactive_timer.setSingleShot(True)
        self.inactive_timer.setInterval(INACTIVE_LOCK_MS)
        self.inactive_timer.timeout.connect(lambda: self.lock("Locked while youthcase was in the background."))
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self.on_application_state)

        self.login.unlocked.connect(self.begin_session)
        self._show_locked_chrome()
        self.login.prepare()

    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar("Session")
        toolbar.setObjectName("sessionToolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        toolbar.setIconSize(QSize(18, 18))
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.toggleViewAction().setEnabled(False)
        brand = QLabel("youthcase")
        brand.setObjectName("brand")
        toolbar.addWidget(brand)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        toolbar.addWidget(spacer)
        toolbar.addAction(self.hide_names_action)
        toolbar.widgetForAction(self.hide_names_action).setObjectName("hideNamesButton")
        self.toolbar_user = QLabel()
        self.toolbar_user.setObjectName("toolbarUser")
        toolbar.addWidget(self.toolbar_user)
        toolbar.addAction(self.lock_action)
        toolbar.widgetForAction(self.lock_action).setObjectName("lockButton")
        edge = QWidget()
        edge.setFixedWidth(8)
        toolbar.addWidget(edge)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        return toolbar

    def _build_menus(self) -> None:
        """Every action with its shortcut. The page-level shortcuts are bound by their pages; the
        menu shows them after a tab (not bound twice, which Qt would call ambiguous)."""
        bar = self.menuBar()
        bar.setObjectName("menuBar")
        session = bar.addMenu("&Session")
        session.addAction(self.lock_action)
        session.addAction(self.hide_names_action)
        session.addSeparator()
        restore = session.addAction("Restore a backup...")
        restore.setObjectName("restoreMenuAction")
        restore.triggered.connect(self.open_restore)
        self.go_menu = bar.addMenu("&Go")
        self.case_menu = bar.addMenu("&Case")
        self.case_menu.aboutToShow.connect(self._update_case_menu)
        self.case_actions: dict[str, QAction] = {}
        for key, text, keys in (
            ("new_case", "New case", shortcuts.NEW_CASE),
            ("search", "Search cases", shortcuts.SEARCH),
            ("new_contact", "New contact", shortcuts.NEW_CONTACT),
            ("back", "Back to the list", shortcuts.BACK),
            ("refresh", "Load again", shortcuts.REFRESH),
        ):
            action = self.case_menu.addAction(f"{text}\t{keys}")
            action.setObjectName(f"{key}MenuAction")
            action.triggered.connect(lambda _checked=False, key=key: self._case_command(key))
            self.case_actions[key] = action
        help_menu = bar.addMenu("&Help")
        self.help_action = help_menu.addAction("Keyboard shortcuts")
        self.help_action.setObjectName("shortcutsAction")
        self.help_action.setShortcut(QKeySequence(shortcuts.HELP))
        self.help_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.help_action.triggered.connect(self.show_shortcuts)

    def _fill_go_menu(self, workspace: Workspace) -> None:
        self.go_menu.clear()
        for number, section in enumerate(workspace.sections, start=1):
            action = self.go_menu.addAction(workspace.title_of(section))
            action.setObjectName(f"go_{section.value}")
            action.setShortcut(QKeySequence(shortcuts.SECTION.format(number)))
            action.triggered.connect(lambda _checked=False, section=section: self._go(section))

    def _go(self, section: Section) -> None:
        if self.workspace is not None and self.workspace.show_section(section):
            self.workspace.focus_first()

    def _update_case_menu(self) -> None:
        workspace = self.workspace
        caseload = workspace.caseload if workspace is not None else None
        showing = caseload is not None and caseload.host.showing_case
        self.case_actions["new_case"].setEnabled(caseload is not None and caseload.can_create)
        self.case_actions["search"].setEnabled(caseload is not None)
        self.case_actions["new_contact"].setEnabled(showing)
        self.case_actions["back"].setEnabled(workspace is not None and workspace.showing_case)
        self.case_actions["refresh"].setEnabled(workspace is not None)

    def _case_command(self, key: str) -> None:
        workspace = self.workspace
        if workspace is None or self.is_locked:
            return
        caseload = workspace.caseload
        if key == "refresh":
            workspace.refresh_current()
        elif key == "back":
            workspace.back_from_case()
        elif caseload is not None and key == "new_contact" and caseload.host.showing_case:
            caseload.case_view.open_new_contact()
        elif caseload is not None and key in ("new_case", "search") and workspace.show_section(Section.CASELOAD):
            caseload.show_list()
            if key == "new_case":
                caseload.open_new_case()
            else:
                caseload.focus_search()

    def show_shortcuts(self) -> ShortcutsDialog:
        """Help > Keyboard shortcuts (F1), from anywhere, locked or not."""
        dialog = self.findChild(ShortcutsDialog)
        if dialog is None:
            dialog = ShortcutsDialog(self)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # --- sizes -----------------------------------------------------------------------------

    def show_fitted(self) -> None:
        """Maximised on a laptop-sized screen, else at the size it has."""
        screen = self.screen()
        if screen is not None and screen.availableGeometry().width() <= MAXIMISE_UP_TO:
            self.showMaximized()
        else:
            self.show()

    def _sizes_key(self, vault: UnlockedVault) -> str:
        return f"accounts/{vault.actor.user_id.hex}"

    def _sized_widgets(self) -> dict[str, QSplitter | QHeaderView]:
        """The splitters and table headers of the workspace, by object name (only named ones)."""
        found: dict[str, QSplitter | QHeaderView] = {}
        if self.workspace is None:
            return found
        for splitter in self.workspace.findChildren(QSplitter):
            if splitter.objectName():
                found[f"splitter/{splitter.objectName()}"] = splitter
        for table in self.workspace.findChildren(QTableView):
            if table.objectName():
                found[f"columns/{table.objectName()}"] = table.horizontalHeader()
        return found

    def _save_sizes(self, vault: UnlockedVault) -> None:
        if self._settings is None:
            return
        key = self._sizes_key(vault)
        self._settings.setValue(f"{key}/window", self.saveGeometry())
        for name, widget in self._sized_widgets().items():
            self._settings.setValue(f"{key}/{name}", widget.saveState())
        self._settings.sync()

    def _restore_sizes(self, vault: UnlockedVault) -> None:
        if self._settings is None:
            return
        key = self._sizes_key(vault)
        window = self._settings.value(f"{key}/window")
        if isinstance(window, QByteArray):
            self.restoreGeometry(window)
        for name, widget in self._sized_widgets().items():
            state = self._settings.value(f"{key}/{name}")
            if isinstance(state, QByteArray):
                widget.restoreState(state)

    # --- state -----------------------------------------------------------------------------

    @property
    def vault(self) -> UnlockedVault | None:
        return self._vault

    @property
    def is_locked(self) -> bool:
        return self._vault is None

    def _show_locked_chrome(self) -> None:
        self.toolbar.setVisible(False)
        self.go_menu.menuAction().setVisible(False)
        self.case_menu.menuAction().setVisible(False)
        self.lock_action.setEnabled(False)
        self.hide_names_action.setEnabled(False)
        self.user_label.clear()
        self.toolbar_user.clear()
        self.statusBar().setVisible(False)
        self.stack.setCurrentWidget(self.login)

    # --- sessions --------------------------------------------------------------------------

    def begin_session(self, opened: OpenedVault) -> None:
        """Show the workspace for a freshly unlocked vault (from the login or the wizard)."""
        # Imported here: the workspace's pages import the services (SQLAlchemy), which must not
        # load on the start-up path. By now the background queue has imported them.
        from youthcase.gui.workspace import Workspace

        vault = opened.vault
        actor = vault.actor
        self._vault = vault
        self._drop_workspace()
        workspace = Workspace(vault, self._background, self._prompts)
        self.workspace = workspace
        self.stack.addWidget(workspace)
        self.stack.setCurrentWidget(workspace)
        if self._resume is not None and self._resume[0] == actor.username:
            workspace.return_to(self._resume[1])
        self._resume = None
        self._restore_sizes(vault)
        workspace.focus_first()

        who = f"{actor.username}  ·  {actor.role.label}"
        if actor.site_codes:
            who += f"  ·  {', '.join(sorted(actor.site_codes))}"
        self.user_label.setText(f"Signed in as {who}")
        self.toolbar_user.setText(actor.username)
        self.statusBar().setVisible(True)
        self.toolbar.setVisible(True)
        self._fill_go_menu(workspace)
        self.go_menu.menuAction().setVisible(True)
        self.case_menu.menuAction().setVisible(workspace.caseload is not None)
        self.lock_action.setEnabled(True)
        reads_cases = workspace.caseload is not None
        self.hide_names_action.setVisible(reads_cases)
        self.hide_names_action.setEnabled(reads_cases)
        hide = self._hide_names.get(actor.username, False)
        self.hide_names_action.blockSignals(True)
        self.hide_names_action.setChecked(hide)
        self.hide_names_action.blockSignals(False)
        workspace.set_hide_names(hide)
        self.backups.begin(vault)
        self.backups_button.setVisible(actor.role is Role.ADMIN and vault.location.path is not None)
        self._idle_minutes = opened.idle_lock_minutes
        self.idle_watch.start(opened.idle_lock_minutes * 60)
        app = QGuiApplication.instance()
        if app is not None:
            app.installEventFilter(self.lock_key)
        self.session_started.emit()

    def lock(self, notice: str = "") -> None:
        """Clear every view, show the lock screen, and drop the keys and engine.

        The views are cleared at once; the keys go at once too unless a background task is
        running, in which case they go as soon as it returns (its result is thrown away).
        """
        vault = self._vault
        if vault is None:
            return
        self._vault = None
        self.idle_watch.stop()
        self.inactive_timer.stop()
        app = QGuiApplication.instance()
        if app is not None:
            app.removeEventFilter(self.lock_key)
        self._save_sizes(vault)
        if self.workspace is not None:
            # Queued as essential tasks ahead of the lock, with the keys still there.
            self.workspace.save_drafts_now()
            self._resume = (vault.actor.username, self.workspace.place())
        self._background.discard_all()  # results of work started before the lock are dropped
        close_windows(self)
        if self.workspace is not None:
            self.workspace.clear()
            self.workspace.setVisible(False)
        self._background.lock_when_safe(vault)
        self.backups.after_lock()  # the copy of the closed files, queued after the lock
        self._show_locked_chrome()
        self.login.prepare(vault.actor.username, notice or "youthcase is locked.")
        self.locked.emit()

    def open_backups(self) -> None:
        if self._vault is not None:
            BackupDialog(self._vault, self.backups, self._prompts, self).open()

    def open_restore(self) -> None:
        dialog = RestoreDialog(self.login.location, self._background, self._prompts, self)
        dialog.restored.connect(self._restored)
        dialog.open()

    def _restored(self, location: VaultLocation) -> None:
        self.login.set_location(location)
        self.login.prepare("", "The restored vault passed its checks: sign in to open it.")

    @property
    def hide_names(self) -> bool:
        return self.hide_names_action.isChecked()

    def _hide_names_toggled(self, hide: bool) -> None:
        if self._vault is None or self.workspace is None:
            return
        self._hide_names[self._vault.actor.username] = hide
        self.workspace.set_hide_names(hide)

    def _drop_workspace(self) -> None:
        if self.workspace is not None:
            self.stack.removeWidget(self.workspace)
            self.workspace.deleteLater()
            self.workspace = None

    def _idle_timeout(self) -> None:
        minutes = self._idle_minutes
        self.lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without activity.")

    def on_application_state(self, state: Qt.ApplicationState) -> None:
        """Suspended or hidden locks at once; in the background (another application in front, or
        the screen locked on platforms that report only that) locks after ``INACTIVE_LOCK_MS``."""
        if state == Qt.ApplicationState.ApplicationSuspended:
            self.lock("Locked because the computer went to sleep.")
        elif state == Qt.ApplicationState.ApplicationHidden:
            self.lock("Locked because youthcase was hidden.")
        elif state == Qt.ApplicationState.ApplicationInactive:
            if not self.is_locked:
                self.inactive_timer.start()
        else:
            self.inactive_timer.stop()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.lock()
        super().closeEvent(event)
