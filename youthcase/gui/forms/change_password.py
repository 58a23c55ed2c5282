"""The password change a temporary password forces before anything else can be opened."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.forms.saving import SavingDialog
from youthcase.gui.inline import InlineError
from youthcase.gui.password_rules import PasswordVerdict

ChangePassword = Callable[[str, str], None]  # (old, new); runs on the background queue


class ChangePasswordDialog(SavingDialog):
    """New password twice, checked as you type; the old one is the password just used to log in."""

    def __init__(
        self,
        username: str,
        old_password: str,
        change: ChangePassword,
        background: Background,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle("Choose your own password")
        self.setModal(True)
        self.setMinimumWidth(460)
        self._username = username
        self._old_password = old_password
        self._change = change
        self._background = background

        heading = QLabel("Choose your own password")
        heading.setObjectName("dialogHeading")
        intro = QLabel(
            f"You signed in as <b>{username}</b> with a temporary password. Choose a password only "
            "you know before you continue."
        )
        intro.setWordWrap(True)
        self.new_password = QLineEdit()
        self.new_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmation = QLineEdit()
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        self.verdict = PasswordVerdict()
        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit = self.buttons.addButton("Change password", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_out = self.buttons.addButton("Sign out", QDialogButtonBox.ButtonRole.RejectRole)
        self.submit.setDefault(True)
        self.sign_out.setAutoDefault(False)  # Enter never signs out, even with the focus on it
        self.submit.setEnabled(False)
        bar = busy_bar()
        self.busy = Busy(bar, [self.new_password, self.confirmation, self.submit, self.sign_out])

        form = QFormLayout()
        form.addRow("New password", self.new_password)
        form.addRow("Confirm", self.confirmation)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*DIALOG_MARGINS)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.verdict)
        layout.addWidget(self.error)
        layout.addWidget(bar)
        layout.addWidget(self.buttons)

        self.new_password.textChanged.connect(self._judge)
        self.confirmation.textChanged.connect(self._judge)
        self.buttons.accepted.connect(self._start_change)
        self.buttons.rejected.connect(self.reject)

    def _judge(self) -> None:
        ok = self.verdict.judge(self.new_password.text(), self.confirmation.text(), self._username)
        self.submit.setEnabled(ok)

    def _start_change(self) -> None:
        if not self.verdict.acceptable or self.busy.active:
            return
        old, new, change = self._old_password, self.new_password.text(), self._change
        self._save_in_background(lambda: change(old, new), "change password")

    def _failed(self, error: BaseException) -> None:
        """A refused password: type another one straight away."""
        super()._failed(error)
        self.new_password.setFocus(Qt.FocusReason.OtherFocusReason)
        self.new_password.selectAll()

    def done(self, result: int) -> None:
        """Every way out forgets the passwords typed here and the old one."""
        self._old_password = ""
        self.new_password.clear()
        self.confirmation.clear()
        super().done(result)
