"""The login window, which is also the lock screen: user name, password, Unlock.

Unlocking (the KDF, opening and migrating the database) runs on the background queue while a busy
bar shows. Wrong user names and wrong passwords get the service's one generic message; repeated
failures get the lock-out delay, counted down. A temporary password must be replaced (in the
``ChangePasswordDialog``) before ``unlocked`` is emitted.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from youthcase.config import VaultLocation
from youthcase.domain.clock import Clock
from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.errors import user_message
from youthcase.gui.forms.change_password import ChangePasswordDialog
from youthcase.gui.icons import icon
from youthcase.gui.inline import InlineError
from youthcase.gui.tasks import OpenedVault, change_own_password, describe_location, unlock_vault
from youthcase.gui.windows import order_tabs
from youthcase.services.errors import LockedOut


class LoginView(QWidget):
    unlocked = Signal(object)  # OpenedVault, ready to use (no temporary password left)
    restore_requested = Signal()

    def __init__(
        self, location: VaultLocation, clock: Clock, background: Background, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginView")
        self.location = location
        self._clock = clock
        self._background = background
        self._retry_at: float | None = None
        self.change_password_dialog: ChangePasswordDialog | None = None

        logo = QLabel()
        logo.setPixmap(icon("youthcase").pixmap(56, 56))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        title = QLabel("youthcase")
        title.setObjectName("appTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.notice.setVisible(False)

        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.username.setObjectName("username")
        self.username.setPlaceholderText("User name")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setObjectName("password")
        self.password.setPlaceholderText("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("primaryButton")
        self.error = InlineError()
        bar = busy_bar()
        self.busy = Busy(bar, [self.username, self.password, self.unlock_button])
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._tick)

        card = QFrame()
        card.setObjectName("loginCard")
        card.setFixedWidth(400)
        inner = QVBoxLayout(card)
        inner.setContentsMargins(36, 32, 36, 28)
        inner.setSpacing(10)
        inner.addWidget(logo)
        inner.addWidget(title)
        subtitle = QLabel("Sign in to open the vault")
        subtitle.setObjectName("secondaryText")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        inner.addWidget(subtitle)
        inner.addSpacing(8)
        inner.addWidget(self.notice)
        inner.addWidget(self._caption("User name"))
        inner.addWidget(self.username)
        inner.addWidget(self._caption("Password"))
        inner.addWidget(self.password)
        inner.addSpacing(6)
        inner.addWidget(self.unlock_button)
        inner.addWidget(bar)
        inner.addWidget(self.error)

        self.where = QLabel()
        self.where.setObjectName("vaultLocation")
        self.where.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_location(location)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addSpacing(12)
        outer.addWidget(self.where, 0, Qt.AlignmentFlag.AlignHCenter)
        self.restore_button = QPushButton("Restore a backup…")
        self.restore_button.setObjectName("restoreBackupButton")
        self.restore_button.setFlat(True)
        self.restore_button.clicked.connect(self.restore_requested)
        self.footer = QVBoxLayout()  # the backup status (``gui.backups``), under the vault's place
        self.footer.addWidget(self.restore_button, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addLayout(self.footer)
        outer.addStretch(1)

        self.username.returnPressed.connect(self._username_entered)
        self.password.returnPressed.connect(self.start_unlock)
        self.unlock_button.clicked.connect(self.start_unlock)

    def set_location(self, location: VaultLocation) -> None:
        """The vault this window unlocks (the wizard may have created it somewhere else)."""
        self.location = location
        self.where.setText(f"Vault: {describe_location(location)}")

    @staticmethod
    def _caption(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("fieldCaption")
        return label

    def prepare(self, username: str = "", notice: str = "") -> None:
        """Reset for a new sign-in: empty password, optional user name and a notice on top."""
        self.password.clear()
        self.error.clear()
        self.username.setText(username)
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        (self.password if username else self.username).setFocus()

    def _username_entered(self) -> None:
        if self.password.text():
            self.start_unlock()
        else:
            self.password.setFocus()

    # --- unlocking -------------------------------------------------------------------------

    def start_unlock(self) -> None:
        if self.busy.active or self._retry_at is not None:
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username or not password:
            self.error.show_message("Enter your user name and password.")
            (self.password if username else self.username).setFocus()
            return
        self.error.clear()
        self.busy.start()
        location, clock = self.location, self._clock
        self._background.run(
            lambda: unlock_vault(location, clock, username, password),
            name="unlock",
            on_returned=self._opened,
            on_errored=self._failed,
        )

    def _opened(self, opened: OpenedVault) -> None:
        self.busy.stop()
        if opened.vault.actor.must_change_password:
            self._require_new_password(opened)
            return
        self.password.clear()
        self.notice.setVisible(False)
        self.unlocked.emit(opened)

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        self.password.clear()
        self.password.setFocus()
        if isinstance(error, LockedOut):
            self._retry_at = self._clock.monotonic() + error.retry_after_seconds
            self.unlock_button.setEnabled(False)
            self._tick()
            self._countdown.start()
        else:
            self.error.show_message(user_message(error))

    def _tick(self) -> None:
        if self._retry_at is None:
            return
        remaining = math.ceil(self._retry_at - self._clock.monotonic())
        if remaining <= 0:
            self._retry_at = None
            self._countdown.stop()
            self.unlock_button.setEnabled(True)
            self.error.show_message("You can try again now.")
            return
        unit = "second" if remaining == 1 else "seconds"
        self.error.show_message(f"Too many failed attempts. Try again in {remaining} {unit}.")

    # --- temporary passwords ---------------------------------------------------------------

    def _require_new_password(self, opened: OpenedVault) -> None:
        vault = opened.vault
        dialog = ChangePasswordDialog(
            vault.actor.username,
            self.password.text(),
            lambda old, new: change_own_password(vault, old, new),
            self._background,
            self,
        )
        self.password.clear()
        self.change_password_dialog = dialog

        def finished(result: int) -> None:
            self.change_password_dialog = None
            dialog.deleteLater()
            if result == ChangePasswordDialog.DialogCode.Accepted:
                self.unlocked.emit(opened)
            else:
                self._background.lock_when_safe(vault)
                self.prepare(vault.actor.username, "Your password was not changed, so the vault was locked again.")

        dialog.finished.connect(finished)
        order_tabs(dialog)
        dialog.open()
