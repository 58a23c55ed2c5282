"""Automatic backups in the window: the copy after each lock, the age of the last good backup,
and an administrator's folder choice and "Back up now".

``BackupWatch`` runs every backup and every look at the folder on the background queue (the copy
reads the vault file, so it must not run beside vault work; the queue runs one task at a time,
after the lock itself). Progress comes back through a signal Qt queues to the GUI thread. Nothing
here touches a key: the plan (which folder, which vault) is read while the vault is open.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.clock import Clock
from youthcase.gui.background import Background
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.prompts import Prompts

if TYPE_CHECKING:
    from youthcase.services.auto_backup import BackupPlan, BackupResult, BackupStatus
    from youthcase.services.vault import UnlockedVault

REFRESH_MS = 5 * 60 * 1000


def describe_age(age: dt.timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''} ago"
    hours = minutes // 60
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    return f"{hours // 24} days ago"


def describe_status(status: BackupStatus) -> str:
    if status.problem is not None:
        return f"Backups: {status.problem}. Check the drive or share, or choose another folder."
    if status.last_good is None or status.age is None:
        return f"No backup of this vault yet in {status.folder}."
    when = status.last_good.made_at.astimezone(dt.UTC).strftime("%d %b %H:%M UTC").lstrip("0")
    text = f"Last good backup {describe_age(status.age)} ({when})"
    return text + (": over a day old." if status.needs_attention else ".")


class _Progress(QObject):
    """Created on the GUI thread; the worker emits, Qt queues the call to the GUI thread."""

    moved = Signal(int)  # percent


class BackupWatch(QObject):
    """One per window: knows the current vault's plan and says what the folder holds."""

    status_changed = Signal(object)  # BackupStatus
    progress = Signal(int)  # percent of the running backup, -1 when none runs
    failed = Signal(str)  # a backup that could not be made, in a sentence

    def __init__(self, background: Background, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self._clock = clock
        self.plan: BackupPlan | None = None  # as the GUI thread last heard it
        self._worker_plan: BackupPlan | None = None  # only the worker thread writes and reads this
        self._had_session = False  # a vault was unlocked in this window: locks back it up
        self.status: BackupStatus | None = None
        self._progress = _Progress(self)
        self._progress.moved.connect(self.progress)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def begin(self, vault: UnlockedVault) -> None:
        """Read the plan for a freshly unlocked vault (off the GUI thread), then the folder."""
        from youthcase.services.auto_backup import plan_for

        self._had_session = True

        def read() -> BackupPlan | None:
            self._worker_plan = plan_for(vault)
            return self._worker_plan

        # Essential: a lock right after the unlock must not drop it (the copy after it needs it).
        self._background.run(read, name="backup plan", on_returned=self._planned, essential=True)

    def _planned(self, plan: BackupPlan | None) -> None:
        self.plan = plan
        if plan is not None:
            self._timer.start()
            self.refresh()

    def refresh(self) -> None:
        plan, clock = self.plan, self._clock
        if plan is None:
            return
        from youthcase.services.auto_backup import backup_status

        self._background.run(
            lambda: backup_status(plan, clock), name="backup status", on_returned=self._show, essential=True
        )

    def _show(self, status: BackupStatus) -> None:
        self.status = status
        self.status_changed.emit(status)

    def after_lock(self) -> None:
        """Queue the copy of the closed vault (it runs after the lock, which is queued first)."""
        if not self._had_session:
            return
        from youthcase.services.auto_backup import BackupResult, Outcome, back_up_closed

        clock, reporter = self._clock, self._reporter()

        def copy() -> BackupResult:
            plan = self._worker_plan  # set by the plan task, which ran before on the same worker
            return BackupResult(Outcome.NOT_DUE) if plan is None else back_up_closed(plan, clock, reporter)

        self.progress.emit(0)
        self._background.run(
            copy,
            name="automatic backup",
            on_returned=self._done,
            on_errored=self._errored,
            essential=True,  # survives the discard of the next lock
        )

    def back_up_now(self, vault: UnlockedVault) -> None:
        from youthcase.services.auto_backup import back_up_now

        self.progress.emit(0)
        reporter = self._reporter()
        self._background.run(
            lambda: back_up_now(vault, reporter), name="back up now", on_returned=self._done, on_errored=self._errored
        )

    def set_folder(self, vault: UnlockedVault, folder: Path) -> None:
        from youthcase.services.auto_backup import BackupSettings, plan_for

        def choose() -> BackupPlan | None:
            BackupSettings(vault).set_folder(folder)
            self._worker_plan = plan_for(vault)
            return self._worker_plan

        self._background.run(choose, name="backup folder", on_returned=self._planned, on_errored=self._errored)

    def _reporter(self) -> _Reporter:
        return _Reporter(self._progress)

    def _done(self, _result: BackupResult) -> None:
        self.progress.emit(-1)
        self.refresh()

    def _errored(self, error: BaseException) -> None:
        self.progress.emit(-1)
        self.failed.emit(user_message(error))
        self.refresh()


class _Reporter:
    """The progress callback the worker calls: emits only when the whole percent moves."""

    def __init__(self, signal_owner: _Progress) -> None:
        self._owner = signal_owner
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        percent = 100 * done // total if total else 100
        if percent != self._last:
            self._last = percent
            self._owner.moved.emit(percent)


class BackupStatusLine(QWidget):
    """The age of the last good backup, or a warning; a small bar while a backup runs."""

    def __init__(self, watch: BackupWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupStatus")
        self.label = QLabel()
        self.label.setObjectName("backupStatusText")
        self.label.setWordWrap(False)
        self.bar = QProgressBar()
        self.bar.setObjectName("backupProgress")
        self.bar.setRange(0, 100)
        self.bar.setFixedWidth(120)
        self.bar.setFixedHeight(12)
        self.bar.setTextVisible(False)
        self.bar.setVisible(False)
        self.bar.setAccessibleName("Backup progress")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        watch.status_changed.connect(self.show_status)
        watch.progress.connect(self.show_progress)
        watch.failed.connect(self.show_failure)
        if watch.status is not None:
            self.show_status(watch.status)

    def show_status(self, status: BackupStatus) -> None:
        self._say(describe_status(status), "problem" if status.needs_attention else "hint")

    def _say(self, text: str, tone: str) -> None:
        self.label.setText(text)
        self.label.setProperty("tone", tone)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)

    def show_progress(self, percent: int) -> None:
        self.bar.setVisible(percent >= 0)
        if percent >= 0:
            self.bar.setValue(percent)
            self.label.setText(f"Backing up… {percent}%")

    def show_failure(self, text: str) -> None:
        self._say(f"The backup failed: {text}", "problem")


class BackupDialog(QDialog):
    """An administrator's backups: the folder (a network share or removable drive), "Back up now"."""

    def __init__(
        self, vault: UnlockedVault, watch: BackupWatch, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle("Backups")
        self._vault = vault
        self._watch = watch
        self._prompts = prompts
        explain = QLabel(
            "After every lock, and when youthcase closes, a copy of the locked vault goes to the backup "
            "folder (at most one an hour). Choose a network share or a removable drive, not this computer's "
            "own disk. Older copies are thinned out and deleted after a year."
        )
        explain.setWordWrap(True)
        explain.setObjectName("secondaryText")
        self.folder = QLabel()
        self.folder.setObjectName("backupFolder")
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = BackupStatusLine(watch)
        self.choose_button = QPushButton("Choose folder…")
        self.choose_button.setObjectName("chooseBackupFolder")
        self.now_button = QPushButton("Back up now")
        self.now_button.setObjectName("backUpNow")
        self.error = InlineError()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.choose_button)
        row.addWidget(self.now_button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.folder)
        layout.addWidget(self.status)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.choose_button.clicked.connect(self._choose)
        self.now_button.clicked.connect(self._back_up_now)
        watch.status_changed.connect(self._show_folder)
        watch.failed.connect(self.error.show_message)
        if watch.status is not None:
            self._show_folder(watch.status)
        self.setMinimumWidth(600)
        self.adjustSize()  # tall enough for the wrapped explanation at that width

    def _show_folder(self, status: BackupStatus) -> None:
        self.folder.setText(f"Folder: {status.folder}")

    def _choose(self) -> None:
        current = self._watch.plan.folder if self._watch.plan is not None else Path.home()
        chosen = self._prompts.choose_backup_folder(self, current)
        if chosen is not None:
            self.error.clear()
            self._watch.set_folder(self._vault, chosen)

    def _back_up_now(self) -> None:
        self.error.clear()
        self._watch.back_up_now(self._vault)


def missing_commits_banner(notice: str | None) -> QLabel:
    """Committed changes are missing from the vault (it ends before the head anchored at the last
    lock): said on its own, above every page, with the newest backup to restore."""
    banner = QLabel()
    banner.setObjectName("missingCommitsWarning")
    banner.setProperty("tone", "problem")
    banner.setWordWrap(True)
    banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if notice:
        text = notice[:1].upper() + notice[1:]
        banner.setText(f"{text}. Nothing more should be recorded here until your administrator has looked at this.")
    banner.setVisible(bool(notice))
    return banner
