"""Supervision of one case, inside the case view: the notes and their actions, and sign-off.

Everyone who may read the case sees the notes; the owner of an action (or a supervisor) marks it
done. Supervisors add notes with actions, share the case with another worker, and sign off risk
assessments and the current version of each safeguarding concern (the sign-off lines sit on the
Risk and Safeguarding tabs; this tab keeps them up to date). Everything loads and saves on the
background queue; after a save the case view loads the case again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.caseload_rules import london_today
from youthcase.domain.roles import Permission
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.forms.supervision import SupervisionNoteDialog, share_entity, staff_codes
from youthcase.gui.inline import InlineError
from youthcase.gui.models.supervision import ActionTableModel, CaseAction, NoteTableModel
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import selected_object, table_view
from youthcase.gui.values import day_text, instant_text
from youthcase.services.accounts import AccountService, AccountSummary
from youthcase.services.cases import CaseDetail, ConcernHistory, RecordView
from youthcase.services.permissions import allowed
from youthcase.services.supervision import (
    ActionInput,
    NoteView,
    SignOffView,
    SupervisionService,
)
from youthcase.services.vault import UnlockedVault

SignOff = Callable[[SupervisionService], None]  # runs on the background queue


@dataclass(frozen=True)
class CaseSupervision:
    case_id: uuid.UUID
    notes: list[NoteView]
    sign_offs: dict[uuid.UUID, SignOffView]
    staff: list[AccountSummary]  # to choose action owners and colleagues: supervisors only


def load_case_supervision(vault: UnlockedVault, case_id: uuid.UUID) -> CaseSupervision:
    service = SupervisionService(vault)
    staff = AccountService(vault).list_users() if allowed(vault.actor, Permission.SUPERVISE) else []
    return CaseSupervision(case_id, service.notes_for_case(case_id), service.sign_offs(case_id), staff)


def _polish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class SignOffLine(QWidget):
    """Under an assessment or a concern: who signed it off and when, or a Sign off button."""

    signed = Signal()

    def __init__(self, what: str, can_sign: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what  # "this assessment", "the current version"
        self.can_sign = can_sign
        self.state = QLabel()
        self.state.setObjectName("signOffState")
        self.state.setWordWrap(True)
        self.button = QPushButton("Sign off…")
        self.button.setObjectName("signOffButton")
        self.button.setToolTip(f"Sign off {what}: your name and the time are recorded")
        self.button.setVisible(can_sign)
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
        self.state.setProperty("tone", tone)
        _polish(self.state)
        self.button.setEnabled(
            self.can_sign
            and not self.busy
            and self.record_id is not None
            and self.sign_offs is not None
            and done is None
        )
        self.setVisible(self.record_id is not None)


class SupervisionTab(QWidget):
    loaded = Signal(object)  # CaseSupervision, shown

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionTab")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.supervises = allowed(vault.actor, Permission.SUPERVISE)
        self.username = vault.actor.username
        self.detail: CaseDetail | None = None
        self.data: CaseSupervision | None = None

        self.share_button = QPushButton("Share with…")
        self.share_button.setToolTip("Let another worker read and record on this case")
        self.add_note_button = QPushButton("Add supervision note…")
        self.add_note_button.setObjectName("primaryButton")
        for button in (self.share_button, self.add_note_button):
            button.setVisible(self.supervises)
        self.intro = QLabel(
            "Notes from supervision of this case, newest first. Each action has an owner and a "
            "due date; overdue actions flag the case."
            if self.supervises
            else "Your supervisor's notes on this case. Mark an action done once you have done it."
        )
        self.intro.setObjectName("secondaryText")
        self.intro.setWordWrap(True)
        self.notes = NoteTableModel(self)
        self.note_view = table_view(
            self.notes, "supervisionNoteTable", sort_column=0, descending=True, stretch_last=False
        )
        for column in (NoteTableModel.DISCUSSION, NoteTableModel.DECISIONS):
            self.note_view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.note_text = QLabel()
        self.note_text.setObjectName("notesPanel")
        self.note_text.setWordWrap(True)
        self.note_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.note_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_button = QPushButton("Mark done")
        self.done_button.setToolTip("The selected action is done (today)")
        self.done_button.setEnabled(False)
        self.action_table = ActionTableModel(self)
        self.action_view = table_view(self.action_table, "supervisionActionTable", stretch_last=False)
        self.action_view.horizontalHeader().setSectionResizeMode(
            ActionTableModel.DESCRIPTION, QHeaderView.ResizeMode.Stretch
        )
        self.error = InlineError()
        self.loading = busy_bar()
        self.assessment_sign_off = SignOffLine("this assessment", self.supervises)
        self.concern_sign_off = SignOffLine("the current version", self.supervises)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(self._heading("Supervision notes", self.share_button, self.add_note_button))
        layout.addWidget(self.intro)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.note_view)
        split.addWidget(self.note_text)
        actions = QWidget()
        actions_layout = QVBoxLayout(actions)
        actions_layout.setContentsMargins(0, 6, 0, 0)
        actions_layout.setSpacing(6)
        actions_layout.addLayout(self._heading("Actions", self.done_button))
        actions_layout.addWidget(self.action_view, 1)
        split.addWidget(actions)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 1)
        split.setStretchFactor(2, 2)
        layout.addWidget(split, 1)

        self.add_note_button.clicked.connect(lambda: self.open_add_note())
        self.share_button.clicked.connect(lambda: self.open_share())
        self.done_button.clicked.connect(self.complete_selected_action)
        self.note_view.selectionModel().selectionChanged.connect(self._note_selected)
        self.action_view.selectionModel().selectionChanged.connect(self._action_selected)
        for line in (self.assessment_sign_off, self.concern_sign_off):
            line.button.clicked.connect(lambda _checked=False, line=line: self.sign_off(line))

    @staticmethod
    def _heading(title: str, *buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        caption = QLabel(title)
        caption.setObjectName("sectionTitle")
        row.addWidget(caption)
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        return row

    # --- loading ---------------------------------------------------------------------------

    @property
    def case_id(self) -> uuid.UUID | None:
        return None if self.detail is None else self.detail.case_id

    def show_case(self, detail: CaseDetail) -> None:
        """A case (or the same case again, after a save) is shown: load its supervision."""
        if self.case_id != detail.case_id:
            self.clear_case()
        self.detail = detail
        self.reload()

    def reload(self) -> None:
        vault, case_id = self._vault, self.case_id
        if vault is None or case_id is None:
            return
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_case_supervision(vault, case_id),
            name="load supervision",
            on_returned=self._loaded,
            on_errored=self._failed,
        )

    def _loaded(self, data: CaseSupervision) -> None:
        if data.case_id != self.case_id:
            return  # another case was opened meanwhile
        self.loading.setVisible(False)
        self.error.clear()
        self.data = data
        self.notes.set_items(data.notes)
        self.action_table.set_notes(data.notes)
        if self.action_table.rowCount():
            self.action_view.selectRow(0)  # the most pressing: open, soonest due
        if self.notes.rowCount():
            self.note_view.selectRow(0)
        else:
            self.note_text.setText("No supervision notes yet.")
        for line in (self.assessment_sign_off, self.concern_sign_off):
            line.set_sign_offs(data.sign_offs)
        self._action_selected()
        self.loaded.emit(data)

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        for line in (self.assessment_sign_off, self.concern_sign_off):
            line.busy = False
            line.set_sign_offs(line.sign_offs)
        self.done_button.setEnabled(False)
        self.error.show_message(user_message(error))
        self._action_selected()

    def clear_case(self) -> None:
        self.detail = None
        self.data = None
        self.notes.clear()
        self.action_table.clear()
        self.note_text.clear()
        self.error.clear()
        self.loading.setVisible(False)
        for line in (self.assessment_sign_off, self.concern_sign_off):
            line.set_sign_offs(None)
            line.show_target(None, None)

    def clear(self) -> None:
        """The vault locked (the case view closes the dialogs)."""
        self.clear_case()
        self._vault = None

    # --- notes and actions -----------------------------------------------------------------

    def _note_selected(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        note: NoteView | None = selected_object(self.note_view)
        if note is None:
            self.note_text.setText("" if self.notes.rowCount() else "No supervision notes yet.")
            return
        parts = [f"Supervision on {day_text(note.held_on)} with {note.supervisor}"]
        parts.append(f"Discussion: {note.discussion}" if note.discussion else "No discussion noted.")
        parts.append(f"Decisions: {note.decisions}" if note.decisions else "No decisions noted.")
        self.note_text.setText("\n\n".join(parts))

    def selected_action(self) -> CaseAction | None:
        found: CaseAction | None = selected_object(self.action_view)
        return found

    def _action_selected(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        chosen = self.selected_action()
        mine = chosen is not None and (self.supervises or chosen.action.owner == self.username)
        self.done_button.setEnabled(
            mine and chosen is not None and chosen.action.done_on is None and not self.loading.isVisible()
        )
        if chosen is not None and not mine:
            self.done_button.setToolTip(f"Only {chosen.action.owner} or a supervisor can mark this action done")
        else:
            self.done_button.setToolTip("The selected action is done (today)")

    def complete_selected_action(self) -> None:
        vault, chosen = self._vault, self.selected_action()
        if vault is None or chosen is None or not self.done_button.isEnabled():
            return
        action_id = chosen.action.action_id
        self.done_button.setEnabled(False)
        self.loading.setVisible(True)
        self._background.run(
            lambda: SupervisionService(vault).complete_action(action_id),
            name="complete action",
            on_errored=self._failed,
            changes=Changes(supervision=True),
        )

    def _today(self) -> dt.date:
        vault = self._vault
        return london_today(vault.clock.now() if vault is not None else dt.datetime.now(dt.UTC))

    def open_add_note(self) -> SupervisionNoteDialog | None:
        vault, detail, data = self._vault, self.detail, self.data
        if vault is None or detail is None or data is None or not self.supervises:
            return None
        case_id = detail.case_id

        def save(
            held_on: dt.date, discussion: str | None, decisions: str | None, actions: Sequence[ActionInput]
        ) -> object:
            return SupervisionService(vault).add_note(case_id, held_on, discussion, decisions, actions)

        dialog = SupervisionNoteDialog(
            heading=f"Supervision note  ·  {detail.reference}",
            staff=staff_codes(data.staff, sites=[detail.site_code], names_only=True),
            default_owner=detail.worker,
            today=self._today(),
            save=save,
            background=self._background,
            prompts=self._prompts,
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def open_share(self) -> RecordDialog | None:
        vault, detail, data = self._vault, self.detail, self.data
        if vault is None or detail is None or data is None or not self.supervises:
            return None
        case_id = detail.case_id
        staff = staff_codes(data.staff, sites=[detail.site_code], exclude=[detail.worker, self.username])
        dialog = RecordDialog(
            entity=share_entity(staff),
            names=("colleague",),
            title="Share case",
            heading=f"Share {detail.reference}",
            intro=f"The case stays with {detail.worker}. The colleague you choose can read it "
            "and record on it too, for example while its worker is on leave.",
            submit_label="Share case",
            save=lambda values: SupervisionService(vault).share_case(case_id, values["colleague"]),
            background=self._background,
            prompts=self._prompts,
            changes=Changes(assignments=True),
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # --- sign-off --------------------------------------------------------------------------

    def assessment_selected(self, record: RecordView | None) -> None:
        """The case view's assessment selection changed: the sign-off line follows it."""
        if record is None:
            self.assessment_sign_off.show_target(None, None)
            return
        assessment_id = record.id
        self.assessment_sign_off.show_target(
            assessment_id,
            lambda service: service.sign_off_assessment(assessment_id),
            label=f"Assessment of {day_text(record.values['assessed_on'])}",
        )

    def concern_selected(self, history: ConcernHistory | None) -> None:
        """The current version of the selected concern is what a supervisor signs off."""
        case_id = self.case_id
        if history is None or case_id is None or not history.versions:
            self.concern_sign_off.show_target(None, None)
            return
        concern_id = history.concern_id
        self.concern_sign_off.show_target(
            history.versions[-1].id,
            lambda service: service.sign_off_concern(case_id, concern_id),
            label=f"Current version ({len(history.versions)})",
        )

    def sign_off(self, line: SignOffLine) -> None:
        vault, sign = self._vault, line.sign
        if vault is None or sign is None or not line.button.isEnabled():
            return
        if not self._prompts.confirm(
            self,
            "Sign off",
            f"Sign off {line.what}? Your name and the time are recorded with it, and a sign-off cannot be withdrawn.",
            "Sign off",
        ):
            return
        line.busy = True
        line.button.setEnabled(False)
        line.error.clear()

        def failed(error: BaseException) -> None:
            line.busy = False
            line.set_sign_offs(line.sign_offs)
            line.error.show_message(user_message(error))

        self._background.run(
            lambda: sign(SupervisionService(vault)),
            name="sign off",
            on_errored=failed,
            changes=Changes(supervision=True),
        )
