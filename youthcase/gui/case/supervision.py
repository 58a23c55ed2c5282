"""The Supervision tab of a case: the notes and their actions, and sharing the case.

Everyone who may read the case sees the notes; the owner of an action (or a supervisor) marks it
done. Supervisors add notes with actions and share the case with another worker. The sign-offs
load with the notes (``loaded``): the case view hands them to the sign-off lines on the Risk and
Safeguarding tabs (``youthcase.gui.case.signoff``). Everything loads and saves on the background
queue; after a save the change notice loads the case again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.roles import Permission
from youthcase.gui.busy import busy_bar
from youthcase.gui.case.blocks import heading_row
from youthcase.gui.case.context import CaseContext
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.forms.supervision import SupervisionNoteDialog, share_entity, staff_codes
from youthcase.gui.inline import InlineError
from youthcase.gui.models.supervision import ActionTableModel, CaseAction, NoteTableModel
from youthcase.gui.tables import selected_object, table_view
from youthcase.gui.values import day_text
from youthcase.gui.windows import open_form
from youthcase.services.accounts import AccountService, AccountSummary
from youthcase.services.cases import CaseDetail
from youthcase.services.permissions import allowed
from youthcase.services.supervision import (
    ActionInput,
    NoteView,
    SignOffView,
    SupervisionService,
)
from youthcase.services.vault import UnlockedVault


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


class SupervisionTab(QWidget):
    loaded = Signal(object)  # CaseSupervision, shown

    title = "Supervision"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionTab")
        self.context = context
        self.supervises = context.supervises
        self.username = context.username
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

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addLayout(heading_row("Supervision notes", self.share_button, self.add_note_button))
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
        actions_layout.addLayout(heading_row("Actions", self.done_button))
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
        vault, case_id = self.context.vault, self.case_id
        if vault is None or case_id is None:
            return
        self.loading.setVisible(True)
        self.context.background.run(
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
        self.notes.set_rows(data.notes)
        self.action_table.set_notes(data.notes)
        if self.action_table.rowCount():
            self.action_view.selectRow(0)  # the most pressing: open, soonest due
        if self.notes.rowCount():
            self.note_view.selectRow(0)
        else:
            self.note_text.setText("No supervision notes yet.")
        self._action_selected()
        self.loaded.emit(data)

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
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
        vault, chosen = self.context.vault, self.selected_action()
        if vault is None or chosen is None or not self.done_button.isEnabled():
            return
        action_id = chosen.action.action_id
        self.done_button.setEnabled(False)
        self.loading.setVisible(True)
        self.context.background.run(
            lambda: SupervisionService(vault).complete_action(action_id),
            name="complete action",
            on_errored=self._failed,
            changes=Changes(supervision=True),
        )

    def open_add_note(self) -> SupervisionNoteDialog | None:
        vault, detail, data = self.context.vault, self.detail, self.data
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
            today=self.context.today(),
            save=save,
            background=self.context.background,
            prompts=self.context.prompts,
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def open_share(self) -> RecordDialog | None:
        vault, detail, data = self.context.vault, self.detail, self.data
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
            background=self.context.background,
            prompts=self.context.prompts,
            changes=Changes(assignments=True),
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog
