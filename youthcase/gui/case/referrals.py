"""The Referrals tab of a case: the young person's referrals out, each with its milestone timeline,
and the actions that move them on (new referral, next step, re-refer, the letter).

Everything the tab reads or writes runs on the background queue (``load_case_referrals`` and the
small functions beside it); results for a case no longer shown are dropped. The forms announce
what they change (``youthcase.gui.changes``); the case view then loads the tab again.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QWidget,
)

from youthcase.gui.busy import busy_bar
from youthcase.gui.case.blocks import heading_row, tab_layout
from youthcase.gui.case.context import CaseContext
from youthcase.gui.case.referral_detail import ReferralDetail, referral_table
from youthcase.gui.errors import user_message
from youthcase.gui.forms.referral import NewReferral, NewReferralDialog
from youthcase.gui.forms.referral_step import NextStep, RecordStepDialog
from youthcase.gui.inline import InlineError
from youthcase.gui.models import referrals as columns
from youthcase.gui.models.referrals import ReferralProxy, ReferralTableModel
from youthcase.gui.values import day_text
from youthcase.gui.windows import close_windows, open_form
from youthcase.services.cases import CaseDetail, CaseService
from youthcase.services.referrals import ReferralService, ReferralView
from youthcase.services.service_directory import ServiceDirectory, ServiceEntry
from youthcase.services.vault import UnlockedVault

TABLE_HEIGHT = 160


# --- background work -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseReferrals:
    case_id: uuid.UUID
    referrals: list[ReferralView]
    services: list[ServiceEntry]  # the whole directory, inactive services too (chase intervals)


def load_case_referrals(vault: UnlockedVault, case_id: uuid.UUID) -> CaseReferrals:
    return CaseReferrals(
        case_id,
        ReferralService(vault).referrals_for_case(case_id),
        ServiceDirectory(vault).list_services(active_only=False),
    )


def create_referral(
    vault: UnlockedVault, case_id: uuid.UUID, new: NewReferral, consent_day: dt.date | None
) -> uuid.UUID:
    """Record consent to share first when the worker said the young person agreed."""
    if new.record_consent:
        consent: dict[str, object] = {"consent_share": True}
        if consent_day is not None:
            consent["consent_recorded_on"] = consent_day
        CaseService(vault).update_case(case_id, consent)
    return ReferralService(vault).create_referral(
        case_id,
        new.service_id,
        new.urgency,
        new.reason,
        consent_override_reason=new.consent_override_reason,
        re_referral_of=new.re_referral_of,
    )


def record_step(vault: UnlockedVault, referral_id: uuid.UUID, step: NextStep) -> None:
    ReferralService(vault).record_step(
        referral_id, step.step, on=step.on, decline_reason=step.decline_reason, note=step.note
    )


def save_letter(vault: UnlockedVault, referral_id: uuid.UUID, path: Path) -> Path:
    """The service writes the PDF where the user chose (atomically) and audits the export."""
    ReferralService(vault).save_letter(referral_id, path)
    return path


def letter_file_name(case_reference: str, service_name: str) -> str:
    """``RLH-26-00042 referral to Southwark CAMHS.pdf``: no names of the young person."""
    service = re.sub(r"[^\w .-]+", "-", service_name).strip(" .-") or "service"
    return f"{case_reference} referral to {service}.pdf"


# --- the tab -------------------------------------------------------------------------------------


class ReferralsTab(QWidget):
    loaded = Signal()

    title = "Referrals"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.case_id: uuid.UUID | None = None
        self.case_reference = ""
        self.consent_share = False
        self.consent_recorded_on: dt.date | None = None
        self.services: list[ServiceEntry] = []
        self._select_next: uuid.UUID | None = None
        self._letter_folder: Path | None = None
        self.recording = context.records

        self.new_button = QPushButton("New referral…")
        self.new_button.setObjectName("newReferralButton")
        self.step_button = QPushButton("Record next step…")
        self.step_button.setObjectName("recordStepButton")
        self.re_refer_button = QPushButton("Re-refer…")
        self.re_refer_button.setObjectName("reReferButton")
        self.re_refer_button.setToolTip("Refer again after the service declined")
        self.letter_button = QPushButton("Save letter…")
        self.letter_button.setObjectName("saveLetterButton")
        self.letter_button.setToolTip("Save the referral letter as a PDF where you choose")
        for button in (self.new_button, self.step_button, self.re_refer_button):
            button.setVisible(self.recording)
        self.consent_line = QLabel()
        self.consent_line.setObjectName("secondaryText")
        self.consent_line.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error = InlineError()
        self.loading = busy_bar()

        self.model = ReferralTableModel(self)
        self.proxy = ReferralProxy(self.model, self)
        self.view = referral_table(self.proxy, "referralTable")
        self.view.setColumnHidden(columns.CASE, True)
        self.detail = ReferralDetail()
        detail_scroll = QScrollArea()
        detail_scroll.setObjectName("referralDetailScroll")
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)

        heading = heading_row(
            "Referrals out", self.letter_button, self.re_refer_button, self.step_button, self.new_button
        )
        self.view.setMaximumHeight(TABLE_HEIGHT)  # a handful of referrals a case; then it scrolls
        layout = tab_layout(self)
        layout.addLayout(heading)
        layout.addWidget(self.consent_line)
        layout.addWidget(self.notice)
        layout.addWidget(self.error)
        layout.addWidget(self.loading)
        layout.addWidget(self.view)
        layout.addWidget(detail_scroll, 1)

        self.new_button.clicked.connect(lambda: self.open_new_referral())
        self.step_button.clicked.connect(lambda: self.open_record_step())
        self.re_refer_button.clicked.connect(lambda: self.open_re_referral())
        self.letter_button.clicked.connect(lambda: self.save_letter())
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._update_buttons()

    # --- showing ---------------------------------------------------------------------------

    def show_case(self, detail: CaseDetail) -> None:
        """The case view shows ``detail``: load its referrals (kept selected when reloading)."""
        same = detail.case_id == self.case_id
        if not same:
            self.clear_case()
        self.case_id = detail.case_id
        self.case_reference = detail.reference
        values = detail.case.values
        self.consent_share = bool(values.get("consent_share"))
        self.consent_recorded_on = values.get("consent_recorded_on")
        if self.consent_share:
            when = f" on {day_text(self.consent_recorded_on)}" if self.consent_recorded_on else ""
            self.consent_line.setText(f"Consent to share information with other services was recorded{when}.")
        else:
            self.consent_line.setText(
                "No consent to share is recorded on this case: a new "
                "referral asks you to record it, or to give a reason to "
                "refer without it."
            )
        self.reload()

    def reload(self) -> None:
        vault, case_id = self.context.vault, self.case_id
        if vault is None or case_id is None:
            return
        self.loading.setVisible(True)
        self._update_buttons()
        self.context.background.run(
            lambda: load_case_referrals(vault, case_id),
            name="load referrals",
            on_returned=self._loaded,
            on_errored=self._failed,
        )

    def _loaded(self, loaded: CaseReferrals) -> None:
        if loaded.case_id != self.case_id:
            return  # another case is shown by now
        self.loading.setVisible(False)
        self.services = loaded.services
        keep = self._select_next or self.selected_id()
        self._select_next = None
        self.model.set_rows(list(reversed(loaded.referrals)))  # newest first
        if (keep is None or not self.select_referral(keep)) and self.proxy.rowCount():
            self.view.selectRow(0)
        self._selection_changed()
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))
        self._update_buttons()

    def selected(self) -> ReferralView | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.referral_at(rows[0].row()) if rows else None

    def selected_id(self) -> uuid.UUID | None:
        chosen = self.selected()
        return chosen.referral_id if chosen else None

    def select_referral(self, referral_id: uuid.UUID) -> bool:
        row = self.proxy.row_of(referral_id)
        if row is None:
            return False
        self.view.selectRow(row)
        return True

    def service_of(self, view: ReferralView) -> ServiceEntry | None:
        return next((s for s in self.services if s.service_id == view.service_id), None)

    def _selection_changed(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        chosen = self.selected()
        empty = (
            ""
            if self.model.rowCount()
            else (
                "No referrals yet. Refer the young person on with New referral: CAMHS and physical "
                "rehabilitation come first in the list."
            )
        )
        self.detail.show_referral(chosen, self.service_of(chosen) if chosen else None, empty)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = self.selected()
        # Not while loading: the directory and the statuses shown may be about to change.
        ready = self.context.vault is not None and self.case_id is not None and self.loading.isHidden()
        self.new_button.setEnabled(ready)
        self.step_button.setEnabled(ready and chosen is not None and bool(chosen.next_steps))
        self.step_button.setToolTip(
            ""
            if chosen is None or chosen.next_steps
            else f"This referral is {chosen.status_label.lower()}: no further steps"
        )
        self.re_refer_button.setEnabled(ready and chosen is not None and chosen.status == "declined")
        self.letter_button.setEnabled(ready and chosen is not None)

    def clear_case(self) -> None:
        """Forget the case (another opens, or none)."""
        close_windows(self)
        self.case_id = None
        self.case_reference = ""
        self.consent_share = False
        self.consent_recorded_on = None
        self.services = []
        self._select_next = None
        self.model.clear()
        self.consent_line.clear()
        self.notice.clear()
        self.notice.setVisible(False)
        self.error.clear()
        self.loading.setVisible(False)
        self.detail.show_referral(None)
        self._update_buttons()

    # --- actions ---------------------------------------------------------------------------

    def _after_change(self, select: uuid.UUID | None, notice: str = "") -> None:
        if self.case_id is None:
            return
        self._select_next = select
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.error.clear()  # the change notice loads the referrals again

    def open_new_referral(self, earlier: ReferralView | None = None) -> NewReferralDialog | None:
        vault, case_id = self.context.vault, self.case_id
        if vault is None or case_id is None or not self.recording:
            return None
        consent_day = None if self.consent_recorded_on else self.context.today()

        def save(new: NewReferral) -> uuid.UUID:
            return create_referral(vault, case_id, new, consent_day)

        dialog = NewReferralDialog(
            case_reference=self.case_reference,
            consent_share=self.consent_share,
            services=self.services,
            save=save,
            background=self.context.background,
            prompts=self.context.prompts,
            earlier=earlier,
            parent=self,
        )
        dialog.created.connect(self._created)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def _created(self, referral_id: uuid.UUID, _consent_recorded: bool) -> None:
        self._after_change(referral_id, "Referral drafted. Record 'Sent' when it has gone (Record next step).")

    def open_re_referral(self) -> NewReferralDialog | None:
        chosen = self.selected()
        if chosen is None or chosen.status != "declined":
            return None
        return self.open_new_referral(earlier=chosen)

    def open_record_step(self) -> RecordStepDialog | None:
        vault, chosen = self.context.vault, self.selected()
        if vault is None or chosen is None or not chosen.next_steps or not self.recording:
            return None
        referral_id = chosen.referral_id
        dialog = RecordStepDialog(
            referral=chosen,
            today=self.context.today(),
            save=lambda step: record_step(vault, referral_id, step),
            background=self.context.background,
            parent=self,
        )
        dialog.recorded.connect(lambda _step: self._after_change(referral_id))
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def save_letter(self) -> None:
        """Ask where (through ``Prompts``); the service writes the PDF there and audits it."""
        vault, chosen = self.context.vault, self.selected()
        if vault is None or chosen is None:
            return
        folder = self._letter_folder or Path.home()
        path = self.context.prompts.choose_letter_file(
            self, folder / letter_file_name(self.case_reference, chosen.service_name)
        )
        if path is None:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        self._letter_folder = path.parent
        referral_id, case_id = chosen.referral_id, self.case_id
        self.loading.setVisible(True)
        self.error.clear()
        self.context.background.run(
            lambda: save_letter(vault, referral_id, path),
            name="save referral letter",
            on_returned=lambda saved: self._letter_saved(case_id, saved),
            on_errored=self._failed,
        )

    def _letter_saved(self, case_id: uuid.UUID | None, path: Path) -> None:
        self.loading.setVisible(False)
        if case_id != self.case_id:
            return
        self.notice.setText(f"Letter saved: {path}")
        self.notice.setVisible(True)
