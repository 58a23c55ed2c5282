"""Recording a referral's next milestone: only the steps that can follow its current status are
offered (``domain.referrals.NEXT_STEPS``), the most likely one chosen, dated today.

The date may be moved back but never into the future; "declined" needs the reason. Anything else
the service refuses (a date before the previous step) comes back as its own message, shown in the
form, which stays open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.fields import DictionaryForm
from youthcase.gui.forms.record import add_save_shortcuts
from youthcase.gui.forms.referral import fit_height, lay_out
from youthcase.gui.forms.referral_fields import REFERRAL_STEP
from youthcase.gui.inline import InlineError
from youthcase.gui.models.referrals import last_step_on, ordered_steps, step_label
from youthcase.gui.values import day_text
from youthcase.services.referrals import ReferralView

FUTURE = "the date cannot be in the future"
NEEDS_DECLINE_REASON = "give the reason the service declined the referral"


@dataclass(frozen=True)
class NextStep:
    step: str
    on: dt.date
    decline_reason: str | None
    note: str | None


SaveStep = Callable[[NextStep], object]  # runs on the background queue


class RecordStepDialog(QDialog):
    recorded = Signal(object)  # the NextStep

    def __init__(
        self,
        *,
        referral: ReferralView,
        today: dt.date,
        save: SaveStep,
        background: Background,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordStepDialog")
        self.setWindowTitle("Record next step")
        self.setModal(True)
        self.setMinimumWidth(520)
        self.referral = referral
        self.today = today
        self._save = save
        self._background = background

        heading = QLabel(f"Next step  ·  {referral.service_name}")
        heading.setObjectName("dialogHeading")
        since = last_step_on(referral)
        intro = QLabel(
            f"Now: {step_label(referral.status).lower()}"
            f"{f' on {day_text(since)}' if since else ''}. Only the steps that can "
            "follow are offered."
        )
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)

        self.steps: dict[str, QRadioButton] = {}
        self.step_group = QButtonGroup(self)
        steps_box = QWidget()
        steps_box.setObjectName("stepChoices")
        steps_layout = QVBoxLayout(steps_box)
        steps_layout.setContentsMargins(0, 0, 0, 0)
        steps_layout.setSpacing(6)
        for step in ordered_steps(referral.next_steps):
            button = QRadioButton(step_label(step))
            button.setObjectName(f"step_{step}")
            self.step_group.addButton(button)
            steps_layout.addWidget(button)
            self.steps[step] = button
        self.form = DictionaryForm(REFERRAL_STEP, ("on", "decline_reason", "note"))
        self.form["on"].restore(today.isoformat())
        caption = QLabel("Step *")
        caption.setObjectName("fieldLabel")
        self.form.layout_.insertRow(0, caption, steps_box)

        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit: QPushButton = self.buttons.addButton("Record step", QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit.setToolTip("Enter or Ctrl+Enter")
        self.submit.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        bar = busy_bar()
        self.busy = Busy(bar, [self.form, self.submit, cancel])

        lay_out(self, heading, intro, self.form, self.error, bar, self.buttons)

        self.step_group.buttonToggled.connect(lambda _button, _on: self._step_chosen())
        self.form["on"].left.connect(self._check_date)
        self.buttons.accepted.connect(self.start_save)
        self.buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.start_save)
        if self.steps:
            first = next(iter(self.steps.values()))
            first.setChecked(True)
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        self._step_chosen()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        fit_height(self)

    @property
    def offered(self) -> list[str]:
        return list(self.steps)

    @property
    def chosen_step(self) -> str | None:
        return next((step for step, button in self.steps.items() if button.isChecked()), None)

    def choose(self, step: str) -> None:
        self.steps[step].setChecked(True)

    def _step_chosen(self) -> None:
        declining = self.chosen_step == "declined"
        self.form.layout_.setRowVisible(self.form["decline_reason"], declining)
        if not declining:
            self.form["decline_reason"].restore("")
        fit_height(self)

    def _check_date(self) -> bool:
        """Refuse a future date on the field itself, as soon as it is left."""
        row = self.form["on"]
        if row.has_problem or row.is_empty():
            return not row.has_problem
        try:
            on = row.value()
        except ValueError:
            return False
        if on > self.today:
            row.show_problem(FUTURE)
            return False
        return True

    def start_save(self) -> None:
        if self.busy.active:
            return
        step = self.chosen_step
        values, problems = self.form.values()
        date_ok = not problems and self._check_date()
        if step == "declined" and not values.get("decline_reason"):
            self.form["decline_reason"].show_problem(NEEDS_DECLINE_REASON)
            date_ok = False
        if step is None or problems or not date_ok:
            self.error.show_message("Choose a step." if step is None else "Put right the fields marked in red.")
            first = self.form.first_problem()
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            fit_height(self)
            return
        chosen = NextStep(
            step, values["on"], values.get("decline_reason") if step == "declined" else None, values.get("note")
        )
        self.error.clear()
        self.busy.start()
        save = self._save
        self._background.run(
            lambda: save(chosen),
            name="record referral step",
            on_returned=lambda _result: self._saved(chosen),
            on_errored=self._failed,
            changes=Changes(referrals=True),
        )

    def _saved(self, chosen: NextStep) -> None:
        self.busy.stop()
        self.recorded.emit(chosen)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        self.error.show_message(user_message(error))
        fit_height(self)

    def reject(self) -> None:
        if not self.busy.active:
            super().reject()
