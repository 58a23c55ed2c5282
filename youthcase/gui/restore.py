"""Restoring a backup from the lock screen, with a preview first.

Choose a backup, prove you may open it (your password, or the recovery key), and see what it holds
before anything is written: when it was made, how many cases, and its last audit event (time and
action only, nothing personal). The restore then goes to a new file; a file that exists is only
replaced after an explicit confirmation. The restored vault is checked (``youthcase check``) before
the dialog says it is done. Opening, checking and writing run on the background queue.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from youthcase.config import VaultLocation
from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.prompts import Prompts

if TYPE_CHECKING:
    from youthcase.services.backup import BackupPreview, RestoredVault, RestoreSecret
    from youthcase.services.integrity import CheckReport


def _when(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%d %b %Y %H:%M UTC").lstrip("0")


def describe_preview(preview: BackupPreview) -> str:
    kind = "automatic, after a lock" if preview.automatic else "made by hand"
    cases = f"{preview.cases:,} case{'s' if preview.cases != 1 else ''}"
    last = (
        "no audit events"
        if preview.last_event is None
        else (f"last audit event: {preview.last_event[1]}, {_when(preview.last_event[0])}")
    )
    return f"Backup made {_when(preview.created_at)} ({kind}) · {cases} · {last}"


def _preview(source: Path, secret: RestoreSecret) -> BackupPreview:
    from youthcase.services.backup import preview_backup

    return preview_backup(source, secret)


def _restore(source: Path, target: Path, secret: RestoreSecret, replace: bool) -> tuple[RestoredVault, CheckReport]:
    from youthcase.services.backup import check_vault_at, restore_vault

    restored = restore_vault(source, target, secret, replace)
    return restored, check_vault_at(restored.location, secret.username, secret.secret)


class RestoreDialog(QDialog):
    restored = Signal(object)  # VaultLocation of the restored vault, which passed its checks

    def __init__(
        self, current: VaultLocation, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore a backup")
        self._background = background
        self._prompts = prompts
        self._folder = current.path.parent / "backups" if current.path is not None else Path.home()
        self._previewed: BackupPreview | None = None

        self.source = QLineEdit()
        self.source.setObjectName("backupSource")
        self.source.setPlaceholderText("The backup file (.ycbackup)")
        self.source.setAccessibleName("Backup file")
        self.browse_source = QPushButton("Choose…")
        self.username = QLineEdit()
        self.username.setObjectName("restoreUsername")
        self.username.setAccessibleName("User name")
        self.secret = QLineEdit()
        self.secret.setObjectName("restoreSecret")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName("Password or recovery key")
        self.use_recovery_key = QCheckBox("Use the recovery key instead of an account")
        self.use_recovery_key.setObjectName("useRecoveryKey")
        self.preview_button = QPushButton("Preview")
        self.preview_button.setObjectName("previewBackup")
        self.preview = QLabel()
        self.preview.setObjectName("backupPreview")
        self.preview.setWordWrap(True)
        self.target = QLineEdit(str(_free_name(self._folder.parent / "restored.vault")))
        self.target.setObjectName("restoreTarget")
        self.target.setAccessibleName("Restore to")
        self.browse_target = QPushButton("Choose…")
        self.restore_button = QPushButton("Restore and check")
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setEnabled(False)
        self.outcome = QLabel()
        self.outcome.setObjectName("restoreOutcome")
        self.outcome.setWordWrap(True)
        self.error = InlineError()
        bar = busy_bar()
        self.busy = Busy(
            bar, [self.source, self.username, self.secret, self.preview_button, self.restore_button, self.target]
        )
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Backup", _row(self.source, self.browse_source))
        form.addRow("User name", self.username)
        self.secret_caption = QLabel("Password")
        form.addRow(self.secret_caption, self.secret)
        form.addRow("", self.use_recovery_key)
        form.addRow("", self.preview_button)
        form.addRow("Holds", self.preview)
        form.addRow("Restore to", _row(self.target, self.browse_target))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.restore_button)
        layout.addWidget(bar)
        layout.addWidget(self.outcome)
        layout.addWidget(self.error)
        layout.addWidget(close)

        self.browse_source.clicked.connect(self._choose_source)
        self.browse_target.clicked.connect(self._choose_target)
        self.use_recovery_key.toggled.connect(self._recovery_toggled)
        self.preview_button.clicked.connect(self.start_preview)
        self.restore_button.clicked.connect(self.start_restore)
        self.source.textChanged.connect(self._forget_preview)
        self.resize(640, self.sizeHint().height())

    def _choose_source(self) -> None:
        chosen = self._prompts.choose_backup_file(self, self._folder)
        if chosen is not None:
            self.source.setText(str(chosen))

    def _choose_target(self) -> None:
        chosen = self._prompts.choose_restored_vault_file(self, Path(self.target.text()))
        if chosen is not None:
            self.target.setText(str(chosen))

    def _recovery_toggled(self, recovery: bool) -> None:
        self.username.setEnabled(not recovery)
        self.secret.setAccessibleName("Recovery key" if recovery else "Password")
        self.secret_caption.setText("Recovery key" if recovery else "Password")
        self._forget_preview()

    def _forget_preview(self) -> None:
        self._previewed = None
        self.preview.clear()
        self.restore_button.setEnabled(False)

    def _secret(self) -> RestoreSecret | None:
        from youthcase.services.backup import RestoreSecret

        recovery = self.use_recovery_key.isChecked()
        username = None if recovery else self.username.text().strip().lower()
        if not self.source.text().strip() or not self.secret.text() or username == "":
            self.error.show_message("Choose a backup, and enter a user name and password (or the recovery key).")
            return None
        return RestoreSecret(username, self.secret.text().strip() if recovery else self.secret.text())

    def start_preview(self) -> None:
        secret = self._secret()
        if secret is None:
            return
        self.error.clear()
        self.busy.start()
        source = Path(self.source.text().strip())
        self._background.run(
            lambda: _preview(source, secret), name="backup preview", on_returned=self._show, on_errored=self._failed
        )

    def _show(self, preview: BackupPreview) -> None:
        self.busy.stop()
        self._previewed = preview
        self.preview.setText(describe_preview(preview))
        self.restore_button.setEnabled(True)

    def start_restore(self) -> None:
        secret, preview = self._secret(), self._previewed
        if secret is None or preview is None:
            return
        target = Path(self.target.text().strip()).expanduser()
        replace = target.exists() or target.with_name(target.name + ".header").exists()
        if replace and not self._prompts.confirm(
            self,
            "Replace a vault?",
            f"{target} already exists. Replace it with the backup made {_when(preview.created_at)}? "
            "Everything recorded there since is lost unless another backup holds it.",
            "Replace it",
        ):
            return
        self.error.clear()
        self.busy.start()
        source = Path(self.source.text().strip())
        self._background.run(
            lambda: _restore(source, target, secret, replace),
            name="restore",
            on_returned=self._restored,
            on_errored=self._failed,
        )

    def _restored(self, outcome: tuple[RestoredVault, CheckReport]) -> None:
        self.busy.stop()
        self.secret.clear()
        restored, report = outcome
        if not report.sound:
            findings = "; ".join(str(finding) for finding in report.findings[:5])
            self.outcome.setText(f"Restored to {restored.location.path}, but it does not pass its checks: {findings}")
            self.outcome.setProperty("tone", "problem")
            return
        self.outcome.setText(
            f"Restored to {restored.location.path}: {restored.cases:,} cases; it passes every check. "
            "Sign in to open it."
        )
        self.outcome.setProperty("tone", "good")
        self.restore_button.setEnabled(False)
        self.restored.emit(restored.location)

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        if self._previewed is None:
            self.restore_button.setEnabled(False)
        self.error.show_message(user_message(error))


def _row(field: QWidget, button: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button)
    return row


def _free_name(path: Path) -> Path:
    """``restored.vault``, or ``restored-2.vault`` and so on: a name nothing uses yet."""
    candidate, number = path, 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
    return candidate
