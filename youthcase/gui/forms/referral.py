"""A new referral out (or a re-referral after a decline): the service from the directory, the
urgency and the reason, through the consent gate.

Services are picked by type first, CAMHS and physical rehabilitation at the top. When the case has
no recorded consent to share, the form says so and asks for one of two things: record the young
person's consent on the case now, or give a reason to refer without it (stored on the referral and
audited by the service). The save runs on the background queue; what the service refuses is shown
in the form, which stays open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
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
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.forms.fields import DictionaryForm
from youthcase.gui.forms.record import add_save_shortcuts
from youthcase.gui.forms.referral_fields import REFERRAL
from youthcase.gui.inline import InlineError
from youthcase.gui.models.referrals import (
    days_text,
    ordered_types,
    service_choice_label,
    type_label,
)
from youthcase.gui.prompts import Prompts
from youthcase.gui.values import day_text
from youthcase.services.referrals import ReferralView
from youthcase.services.service_directory import ServiceEntry

NO_SERVICES = (
    "The service directory has no active services yet. An administrator adds them "
    "under Administration, Service directory."
)
CHOOSE_CONSENT = "Choose one: record consent to share, or refer without it and give the reason."
FIX_FIELDS = "Put right the fields marked in red."


@dataclass(frozen=True)
class NewReferral:
    service_id: uuid.UUID
    urgency: str
    reason: str
    consent_override_reason: str | None
    record_consent: bool  # record consent to share on the case first
    re_referral_of: uuid.UUID | None


SaveReferral = Callable[[NewReferral], uuid.UUID]  # runs on the background queue


def lay_out(dialog: QDialog, *widgets: QWidget) -> None:
    """A referral form's widgets top to bottom, with the margins every dialog here has."""
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(*DIALOG_MARGINS)
    layout.setSpacing(12)
    for widget in widgets:
        layout.addWidget(widget)


def fit_height(dialog: QDialog) -> None:
    """Grow the dialog so every row shows after its content grew (messages, a row shown).

    Qt's minimum size for a window leaves out how tall wrapped text is at the window's width, so
    a new message would squeeze the rows together instead of making the window taller.
    """
    layout = dialog.layout()
    if layout is not None:
        layout.activate()
    wanted = dialog.heightForWidth(dialog.width()) if dialog.hasHeightForWidth() else dialog.sizeHint().height()
    if wanted > dialog.height():
        dialog.resize(dialog.width(), wanted)


class ChoiceRow(QWidget):
    """A fixed list to choose from, with a help line under it, laid out like a dictionary field."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName(name)
        self.message = QLabel()
        self.message.setObjectName("fieldHelp")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.combo)
        layout.addWidget(self.message)
        self.setFocusProxy(self.combo)

    def set_help(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


def declined_intro(earlier: ReferralView) -> str:
    declined = next((m for m in reversed(earlier.milestones) if m.step == "declined"), None)
    when = f" on {day_text(declined.on)}" if declined else ""
    return (
        f"{earlier.service_name} declined the referral{when}. Put right what it said, then "
        "refer again, to the same service or another. The new referral is linked to the "
        "declined one."
    )


class NewReferralDialog(QDialog):
    created = Signal(object, bool)  # the referral's id; whether consent was recorded on the case

    def __init__(
        self,
        *,
        case_reference: str,
        consent_share: bool,
        services: Sequence[ServiceEntry],
        save: SaveReferral,
        background: Background,
        prompts: Prompts,
        earlier: ReferralView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newReferralDialog")
        what = "Re-refer" if earlier else "New referral"
        self.setWindowTitle(what)
        self.setModal(True)
        self.setMinimumWidth(600)
        self._save = save
        self._background = background
        self._prompts = prompts
        self.earlier = earlier
        self.consent_share = consent_share
        self.services = [s for s in services if s.active]

        heading = QLabel(f"{what}  ·  {case_reference}")
        heading.setObjectName("dialogHeading")
        intro = QLabel(
            declined_intro(earlier)
            if earlier
            else "Refer the young person on. CAMHS and physical rehabilitation are listed first."
        )
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)

        self.form = DictionaryForm(REFERRAL, ("urgency", "reason"))
        self.type_row = ChoiceRow("serviceType")
        self.service_row = ChoiceRow("service")
        self.service_type = self.type_row.combo
        self.service = self.service_row.combo
        for position, (label, row) in enumerate((("Service type *", self.type_row), ("Service *", self.service_row))):
            caption = QLabel(label)
            caption.setObjectName("fieldLabel")
            caption.setBuddy(row.combo)
            self.form.layout_.insertRow(position, caption, row)
        for service_type in ordered_types(s.service_type for s in self.services):
            self.service_type.addItem(type_label(service_type), service_type)

        self.consent_panel = self._build_consent_panel()
        self.consent_panel.setVisible(not consent_share)
        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit: QPushButton = self.buttons.addButton(
            "Re-refer" if earlier else "Create referral", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.submit.setToolTip("Ctrl+Enter")
        self.submit.setDefault(True)
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        bar = busy_bar()
        self.busy = Busy(bar, [self.form, self.consent_panel, self.submit, cancel])
        note = QLabel(
            "* required  ·  Ctrl+Enter saves  ·  A referral starts as drafted: record 'Sent' once it has gone."
        )
        note.setObjectName("secondaryText")
        note.setWordWrap(True)

        lay_out(self, heading, intro, self.form, self.consent_panel, self.error, bar, note, self.buttons)

        self.service_type.currentIndexChanged.connect(self._type_chosen)
        self.service.currentIndexChanged.connect(self._service_chosen)
        self.buttons.accepted.connect(self.start_save)
        self.buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.start_save)

        self.form["urgency"].restore(earlier.urgency if earlier else "routine")
        if earlier is not None:
            self.form["reason"].restore(earlier.reason)
            self.choose_service(earlier.service_id, earlier.service_type)
        else:
            self._type_chosen(self.service_type.currentIndex())
        self._pristine = self._raw()
        if not self.services:
            self.error.show_message(NO_SERVICES)
            self.submit.setEnabled(False)
        self.service_type.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        fit_height(self)

    def _build_consent_panel(self) -> QFrame:
        panel = QFrame()
        panel.setObjectName("returningPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.setSpacing(6)
        text = QLabel(
            "No consent to share information is recorded on this case. A referral "
            "shares the young person's details with another service."
        )
        text.setObjectName("consentWarning")
        text.setWordWrap(True)
        self.record_consent = QRadioButton("The young person agrees to share: record consent to share on the case now")
        self.record_consent.setObjectName("recordConsent")
        self.override = QRadioButton("Refer without consent, for this reason (it is audited):")
        self.override.setObjectName("overrideConsent")
        group = QButtonGroup(panel)
        group.addButton(self.record_consent)
        group.addButton(self.override)
        self.override_form = DictionaryForm(REFERRAL, ("consent_override_reason",))
        self.override_form.setEnabled(False)
        self.override.toggled.connect(self._consent_choice)
        self.record_consent.toggled.connect(self._consent_choice)
        layout.addWidget(text)
        layout.addWidget(self.record_consent)
        layout.addWidget(self.override)
        layout.addWidget(self.override_form)
        return panel

    # --- choosing --------------------------------------------------------------------------

    def _type_chosen(self, _index: int) -> None:
        wanted = self.service_type.currentData()
        self.service.blockSignals(True)
        self.service.clear()
        for service in sorted((s for s in self.services if s.service_type == wanted), key=lambda s: s.name.casefold()):
            self.service.addItem(service_choice_label(service), str(service.service_id))
        self.service.blockSignals(False)
        self.service.setCurrentIndex(0 if self.service.count() else -1)
        self._service_chosen(self.service.currentIndex())

    def _service_chosen(self, _index: int) -> None:
        service = self.chosen_service()
        self.service_row.set_help(
            f"Chased after {days_text(service.chase_interval_days)} without a step recorded." if service else ""
        )

    def choose_service(self, service_id: uuid.UUID, service_type: str | None = None) -> bool:
        """Pick a service (its type first); False when it is not offered (inactive, unknown)."""
        service = next((s for s in self.services if s.service_id == service_id), None)
        type_index = self.service_type.findData(service.service_type if service else service_type)
        if type_index >= 0:
            self.service_type.setCurrentIndex(type_index)
            self._type_chosen(type_index)
        if service is None:
            return False
        self.service.setCurrentIndex(self.service.findData(str(service_id)))
        return True

    def chosen_service(self) -> ServiceEntry | None:
        chosen = self.service.currentData()  # the id as text: combo data compares as text
        return next((s for s in self.services if str(s.service_id) == chosen), None)

    def _consent_choice(self, _checked: bool) -> None:
        overriding = self.override.isChecked()
        self.override_form.setEnabled(overriding)
        if not overriding:
            self.override_form.clear_problems()
        if self.error.text() == CHOOSE_CONSENT:
            self.error.clear()

    # --- saving ----------------------------------------------------------------------------

    def _override_reason(self) -> tuple[str | None, str]:
        """The reason to refer without consent, and what is wrong with the consent part."""
        if self.consent_share or self.record_consent.isChecked():
            return None, ""
        if not self.override.isChecked():
            return None, CHOOSE_CONSENT
        values, problems = self.override_form.values()
        reason: str | None = values.get("consent_override_reason")
        if problems:
            return None, FIX_FIELDS
        if not reason:
            self.override_form["consent_override_reason"].show_problem("give the reason to refer without consent")
            return None, FIX_FIELDS
        return reason, ""

    def start_save(self) -> None:
        if self.busy.active or not self.submit.isEnabled():
            return
        service = self.chosen_service()
        if service is None:
            self.error.show_message("Choose a service.")
            return
        values, problems = self.form.values()
        override, consent_problem = self._override_reason()
        if problems or consent_problem:
            self.error.show_message(FIX_FIELDS if problems else consent_problem)
            first = self.form.first_problem() or self.override_form.first_problem()
            if first is not None:
                first.setFocus(Qt.FocusReason.OtherFocusReason)
            fit_height(self)
            return
        referral = NewReferral(
            service_id=service.service_id,
            urgency=values["urgency"],
            reason=values["reason"],
            consent_override_reason=override,
            record_consent=not self.consent_share and self.record_consent.isChecked(),
            re_referral_of=self.earlier.referral_id if self.earlier else None,
        )
        self.error.clear()
        self.busy.start()
        save = self._save
        self._background.run(
            lambda: save(referral),
            name="create referral",
            on_returned=lambda referral_id: self._saved(referral_id, referral),
            on_errored=self._failed,
            changes=Changes(referrals=True, cases=referral.record_consent),
        )

    def _saved(self, referral_id: uuid.UUID, referral: NewReferral) -> None:
        self.busy.stop()
        self.created.emit(referral_id, referral.record_consent)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        self.error.show_message(user_message(error))
        fit_height(self)

    # --- leaving ---------------------------------------------------------------------------

    def _raw(self) -> tuple[object, ...]:
        return (self.service.currentData(), self.form.raw(), self.override_form.raw())

    def reject(self) -> None:
        """Cancel or Esc: with something typed in, ask first."""
        if self.busy.active:
            return
        if self._raw() != self._pristine and not self._prompts.confirm(
            self, self.windowTitle(), "Discard this referral? It will not be kept.", "Discard"
        ):
            return
        super().reject()
