"""Adding a priority A&E department to the sites list."""

from __future__ import annotations

from collections.abc import Callable

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
from youthcase.gui.changes import Changes
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.forms.saving import SavingDialog
from youthcase.gui.inline import InlineError

SaveSite = Callable[[str, str], object]  # (code, name); runs on the background queue


class AddSiteDialog(SavingDialog):
    def __init__(self, save: SaveSite, background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addSiteDialog")
        self.setWindowTitle("Add A&E department")
        self.setModal(True)
        self.setMinimumWidth(440)
        self._save = save
        self._background = background

        heading = QLabel("Add an A&E department")
        heading.setObjectName("dialogHeading")
        intro = QLabel("A priority emergency department where youth workers take referrals.")
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)
        self.code = QLineEdit()
        self.code.setPlaceholderText("2-16 letters or digits, such as NMH")
        self.code.setMaxLength(16)
        self.name = QLineEdit()
        self.name.setPlaceholderText("for example  North Middlesex University Hospital")
        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit = self.buttons.addButton("Add department", QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.setDefault(True)
        self.submit.setEnabled(False)
        bar = busy_bar()
        self.busy = Busy(bar, [self.code, self.name, self.submit, cancel])

        form = QFormLayout()
        form.addRow("Code", self.code)
        form.addRow("Name", self.name)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*DIALOG_MARGINS)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(bar)
        layout.addWidget(self.buttons)

        self.code.textChanged.connect(self._judge)
        self.name.textChanged.connect(self._judge)
        self.buttons.accepted.connect(self._start_save)
        self.buttons.rejected.connect(self.reject)

    def _judge(self) -> None:
        self.submit.setEnabled(bool(self.code.text().strip()) and bool(self.name.text().strip()))

    def _start_save(self) -> None:
        if not self.submit.isEnabled() or self.busy.active:
            return
        code, name, save = self.code.text(), self.name.text(), self._save
        self._save_in_background(lambda: save(code, name), "add site", Changes(sites=True))
