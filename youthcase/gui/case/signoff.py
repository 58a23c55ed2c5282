"""A supervisor's sign-off line under the selected risk assessment or safeguarding concern: who
signed it off and when, or a Sign off button. The sign-offs come with the case's supervision (the
case view hands them in); signing runs on the background queue and is announced as a change."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from youthcase.gui.case.blocks import set_tone
from youthcase.gui.case.context import CaseContext
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.values import instant_text
from youthcase.services.supervision import SignOffView, SupervisionService

SignOff = Callable[[SupervisionService], None]  # runs on the background queue


class SignOffLine(QWidget):
    def __init__(self, context: CaseContext, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.what = what  # "this assessment", "the current version"
        self.can_sign = context.supervises
        self.state = QLabel()
        self.state.setObjectName("signOffState")
        self.state.setWordWrap(True)
        self.button = QPushButton("Sign off…")
        self.button.setObjectName("signOffButton")
        self.button.setToolTip(f"Sign off {what}: your name and the time are recorded")
        self.button.setVisible(self.can_sign)
        self.error = InlineError()
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.state, 1)
        row.addWidget(self.button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        self.record_id: uuid.UUID | None = None
        self.sign: SignOff | None = None
        self.sign_offs: dict[uuid.UUID, SignOffView] | None = None  # None: not loaded yet
        self.label = ""  # which record: "Assessment of 2 Mar 2026", "Current version (2)"
        self.busy = False
        self.button.clicked.connect(self.sign_off)
        self._show()

    def show_target(self, record_id: uuid.UUID | None, sign: SignOff | None, label: str = "This record") -> None:
        self.record_id, self.sign, self.label = record_id, sign, label
        self.error.clear()
        self._show()

    def set_sign_offs(self, sign_offs: dict[uuid.UUID, SignOffView] | None) -> None:
        self.sign_offs = sign_offs
        self.busy = False
        self._show()

    @property
    def signed_off(self) -> SignOffView | None:
        if self.record_id is None or self.sign_offs is None:
            return None
        return self.sign_offs.get(self.record_id)

    def _show(self) -> None:
        done, label = self.signed_off, self.label
        if self.record_id is None or self.sign_offs is None:
            text, tone = "", "hint"
        elif done is not None:
            text = f"{label}: signed off by {done.signed_off_by} on {instant_text(done.signed_off_at)}."
            tone = "good"
        else:
            text, tone = f"{label}: not signed off yet.", "hint"
        self.state.setText(text)
        set_tone(self.state, tone)
        self.button.setEnabled(
            self.can_sign
            and not self.busy
            and self.record_id is not None
            and self.sign_offs is not None
            and done is None
        )
        self.setVisible(self.record_id is not None)

    def sign_off(self) -> None:
        vault, sign = self.context.vault, self.sign
        if vault is None or sign is None or not self.button.isEnabled():
            return
        if not self.context.prompts.confirm(
            self,
            "Sign off",
            f"Sign off {self.what}? Your name and the time are recorded with it, and a sign-off cannot be withdrawn.",
            "Sign off",
        ):
            return
        self.busy = True
        self.button.setEnabled(False)
        self.error.clear()
        self.context.background.run(
            lambda: sign(SupervisionService(vault)),
            name="sign off",
            on_errored=self._failed,
            changes=Changes(supervision=True),
        )

    def _failed(self, error: BaseException) -> None:
        self.busy = False
        self._show()
        self.error.show_message(user_message(error))

    def clear(self) -> None:
        self.set_sign_offs(None)
        self.show_target(None, None)
