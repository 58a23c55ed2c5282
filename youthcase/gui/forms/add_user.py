"""Adding a staff account: user name, role, sites, optional full name and a temporary password."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.roles import Role
from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.forms.saving import SavingDialog
from youthcase.gui.inline import InlineError
from youthcase.gui.password_rules import PasswordVerdict

if TYPE_CHECKING:
    from youthcase.services.sites import SiteSummary


@dataclass(frozen=True)
class NewAccount:
    username: str
    role: Role
    site_codes: tuple[str, ...]
    full_name: str | None
    temporary_password: str


SaveAccount = Callable[[NewAccount], object]  # runs on the background queue


class AddUserDialog(SavingDialog):
    ROLE_ORDER = (Role.WORKER, Role.SUPERVISOR, Role.ADMIN)

    def __init__(
        self, sites: Sequence[SiteSummary], save: SaveAccount, background: Background, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle("Add user")
        self.setModal(True)
        self.setMinimumWidth(500)
        self._save = save
        self._background = background

        heading = QLabel("Add a staff account")
        heading.setObjectName("dialogHeading")
        intro = QLabel("They will choose their own password the first time they sign in.")
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)

        self.username = QLineEdit()
        self.username.setPlaceholderText("for example  j.okafor")
        self.role = QComboBox()
        for role in self.ROLE_ORDER:
            self.role.addItem(role.label, role)
        self.full_name = QLineEdit()
        self.full_name.setPlaceholderText("optional; stored encrypted")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.show_password = QCheckBox("Show")
        self.verdict = PasswordVerdict()

        self.site_boxes: dict[str, QCheckBox] = {}
        site_group = QGroupBox("Sites they work at or supervise")
        site_layout = QVBoxLayout(site_group)
        for site in sites:
            if site.active:
                box = QCheckBox(f"{site.code}  ·  {site.name}")
                self.site_boxes[site.code] = box
                site_layout.addWidget(box)

        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit = self.buttons.addButton("Add user", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.setDefault(True)
        self.submit.setEnabled(False)
        bar = busy_bar()
        self.busy = Busy(
            bar,
            [
                self.username,
                self.role,
                self.full_name,
                self.password,
                self.show_password,
                site_group,
                self.submit,
                cancel,
            ],
        )

        form = QFormLayout()
        form.addRow("User name", self.username)
        form.addRow("Role", self.role)
        form.addRow("Full name", self.full_name)
        form.addRow("Temporary password", self.password)
        form.addRow("", self.show_password)
        form.addRow("", self.verdict)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*DIALOG_MARGINS)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(site_group)
        layout.addWidget(self.error)
        layout.addWidget(bar)
        layout.addWidget(self.buttons)

        self.username.textChanged.connect(self._judge)
        self.password.textChanged.connect(self._judge)
        self.show_password.toggled.connect(self._toggle_echo)
        self.buttons.accepted.connect(self._start_save)
        self.buttons.rejected.connect(self.reject)

    def account(self) -> NewAccount:
        full_name = self.full_name.text().strip() or None
        return NewAccount(
            self.username.text().strip(),
            self.role.currentData(),
            tuple(code for code, box in self.site_boxes.items() if box.isChecked()),
            full_name,
            self.password.text(),
        )

    def _toggle_echo(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.password.setEchoMode(mode)

    def _judge(self) -> None:
        password = self.password.text()
        ok = self.verdict.judge(password, password, self.username.text().strip())
        self.submit.setEnabled(ok and bool(self.username.text().strip()))

    def _start_save(self) -> None:
        if not self.submit.isEnabled() or self.busy.active:
            return
        account, save = self.account(), self._save
        self._save_in_background(lambda: save(account), "add user", Changes(accounts=True))

    def done(self, result: int) -> None:
        """Every way out (including a lock closing the dialog) forgets the typed password."""
        self.password.clear()
        super().done(result)
