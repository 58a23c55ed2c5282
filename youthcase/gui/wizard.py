"""First run: where to keep the vault, the first administrator, then the recovery key.

Creating the vault (KDF calibration, key slots, database, migrations) runs on the background queue
while the administrator page shows a busy bar; the wizard then moves on by itself. The vault exists
from that moment, so the recovery-key page cannot go back or be cancelled, and Finish stays disabled
until the administrator confirms the key is stored safely.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from youthcase.config import VaultLocation
from youthcase.domain.clock import Clock
from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.clipboard import copy_for_a_while
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.password_rules import PasswordVerdict
from youthcase.gui.prompts import Prompts
from youthcase.gui.tasks import NewVault, OpenedVault, create_new_vault

LOCATION_PAGE, ADMINISTRATOR_PAGE, RECOVERY_PAGE = range(3)
GROUPS_PER_LINE = 5


def key_for_reading(recovery_key: str) -> str:
    """The key in short lines of dash-joined groups, easier to copy by hand than one long line."""
    groups = recovery_key.split("-")
    step = GROUPS_PER_LINE
    lines = ["-".join(groups[i : i + step]) for i in range(0, len(groups), step)]
    return "\n".join(lines)


def _paragraph(text: str, name: str = "secondaryText") -> QLabel:
    label = QLabel(text)
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


class LocationPage(QWizardPage):
    def __init__(self, suggested: VaultLocation, prompts: Prompts) -> None:
        super().__init__()
        self.setTitle("Where to keep the vault")
        self.setSubTitle("youthcase keeps every record in one encrypted vault file.")
        self._prompts = prompts
        self.path = QLineEdit(suggested.url or str(suggested.path))
        self.path.setObjectName("vaultPath")
        self.browse = QPushButton("Browse…")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._browse)
        self.error = InlineError()

        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(QLabel("Vault file"))
        layout.addLayout(row)
        layout.addWidget(
            _paragraph(
                "A small header file is kept beside it (same name, ending in .header); back up both "
                "together. Choose a folder on this computer's encrypted disk, not a shared drive."
            )
        )
        layout.addWidget(self.error)
        layout.addStretch(1)
        self.path.textChanged.connect(self.completeChanged)
        self.path.textChanged.connect(self.error.clear)

    def location(self) -> VaultLocation:
        return VaultLocation.parse(self.path.text().strip())

    def _browse(self) -> None:
        chosen = self._prompts.choose_new_vault_file(self, Path(self.path.text().strip()))
        if chosen is not None:
            self.path.setText(str(chosen))

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return bool(self.path.text().strip())

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        location = self.location()
        if location.path is not None and (location.path.exists() or location.header_path.exists()):
            self.error.show_message("A file with that name already exists. Choose another name.")
            return False
        if location.path is not None and location.path.is_dir():
            self.error.show_message("That is a folder. Add a file name, such as youthcase.vault.")
            return False
        return True


class AdministratorPage(QWizardPage):
    """Collects the first administrator; pressing 'Create vault' runs the creation."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self._wizard = wizard
        self.setTitle("The first administrator")
        self.setSubTitle("This account adds staff and sites. Administrators cannot read case records.")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "Create vault")
        self.username = QLineEdit()
        self.username.setObjectName("adminUsername")
        self.username.setPlaceholderText("for example  a.admin")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation = QLineEdit()
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.verdict = PasswordVerdict()
        self.error = InlineError()
        bar = busy_bar()
        self.busy = Busy(bar, [self.username, self.password, self.confirmation])
        self.progress = _paragraph("Creating the encrypted vault. This takes a few seconds.")
        self.progress.setVisible(False)

        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        form.addRow("Confirm password", self.confirmation)
        form.addRow("", self.verdict)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(bar)
        layout.addStretch(1)
        for field in (self.username, self.password, self.confirmation):
            field.textChanged.connect(self._judge)

    def _judge(self) -> None:
        self.verdict.judge(self.password.text(), self.confirmation.text(), self.username.text().strip())
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.verdict.acceptable and bool(self.username.text().strip()) and not self.busy.active

    def validatePage(self) -> bool:  # noqa: N802 - Qt's name
        if self._wizard.opened is not None:
            return True
        self.error.clear()
        self.busy.start()
        self.progress.setVisible(True)
        self.completeChanged.emit()
        self._wizard.start_creating(self.username.text().strip(), self.password.text())
        return False  # the wizard moves on when the vault exists

    def creation_failed(self, message: str) -> None:
        self.busy.stop()
        self.progress.setVisible(False)
        self.error.show_message(message)
        self.completeChanged.emit()

    def forget_passwords(self) -> None:
        self.password.clear()
        self.confirmation.clear()


class RecoveryKeyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Store the recovery key")
        self.setSubTitle("The only way to reset a forgotten password. It is shown once.")
        self.key = QLabel()
        self.key.setObjectName("recoveryKey")
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.key.setWordWrap(True)
        # The family comes from here, the size from the stylesheet (#recoveryKey).
        self.key.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self._recovery_key = ""
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self._copy)
        self.copied = QLabel()
        self.copied.setObjectName("secondaryText")
        self.stored = QCheckBox("I have stored the recovery key safely")
        self.stored.setObjectName("storedSafely")
        self.stored.toggled.connect(self.completeChanged)

        copy_row = QHBoxLayout()
        copy_row.addWidget(self.copy_button)
        copy_row.addWidget(self.copied, 1)
        layout = QVBoxLayout(self)
        layout.setSpacing(12)
        layout.addWidget(self.key)
        layout.addLayout(copy_row)
        layout.addWidget(
            _paragraph(
                "Print this page or write the key down, and keep it locked away from the computer, or "
                "save it in your organisation's password manager. Anyone with this key and the vault "
                "file can reset any account's password. youthcase does not keep a copy you can see "
                "again."
            )
        )
        layout.addStretch(1)
        layout.addWidget(self.stored)

    def show_key(self, recovery_key: str) -> None:
        self._recovery_key = recovery_key
        self.key.setText(key_for_reading(recovery_key))

    def _copy(self) -> None:
        copy_for_a_while(self._recovery_key)
        self.copied.setText("Copied. The clipboard is cleared in 30 seconds.")

    def isComplete(self) -> bool:  # noqa: N802 - Qt's name
        return self.stored.isChecked()

    def forget_key(self) -> None:
        self._recovery_key = ""
        self.key.clear()


class FirstRunWizard(QWizard):
    """Creates a vault; afterwards ``opened`` holds it, unlocked as the first administrator."""

    def __init__(
        self,
        suggested: VaultLocation,
        clock: Clock,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunWizard")
        self.setWindowTitle("Set up youthcase")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setMinimumSize(640, 520)
        self._clock = clock
        self._background = background
        self.opened: OpenedVault | None = None
        self.location_page = LocationPage(suggested, prompts)
        self.administrator_page = AdministratorPage(self)
        self.recovery_page = RecoveryKeyPage()
        self.setPage(LOCATION_PAGE, self.location_page)
        self.setPage(ADMINISTRATOR_PAGE, self.administrator_page)
        self.setPage(RECOVERY_PAGE, self.recovery_page)

    def start_creating(self, username: str, password: str) -> None:
        location, clock = self.location_page.location(), self._clock
        self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        self.button(QWizard.WizardButton.CancelButton).setEnabled(False)
        self._background.run(
            lambda: create_new_vault(location, clock, username, password),
            name="create vault",
            on_returned=self._created,
            on_errored=self._creation_failed,
        )

    def _created(self, new_vault: NewVault) -> None:
        self.opened = new_vault.opened  # the recovery key is kept only by the label, until Finish
        self.administrator_page.busy.stop()
        self.administrator_page.progress.setVisible(False)
        self.administrator_page.forget_passwords()
        self.recovery_page.show_key(new_vault.recovery_key)
        self.setOption(QWizard.WizardOption.NoCancelButton, True)  # the vault exists now
        self.next()

    def _creation_failed(self, error: BaseException) -> None:
        self.button(QWizard.WizardButton.BackButton).setEnabled(True)
        self.button(QWizard.WizardButton.CancelButton).setEnabled(True)
        self.administrator_page.creation_failed(user_message(error))

    def reject(self) -> None:
        """Cancel is only possible before the vault exists (or while it is being created: no)."""
        if self.opened is not None or self.administrator_page.busy.active:
            return
        super().reject()

    def accept(self) -> None:
        self.recovery_page.forget_key()
        super().accept()
