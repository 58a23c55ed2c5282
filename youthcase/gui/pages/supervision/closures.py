"""The Closures to approve tab: the closures workers asked for, approved (the case closes) or
returned with a comment (it stays open), and each case opened from here."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelection, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui.background import Background
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.forms.supervision import RETURN_CLOSURE
from youthcase.gui.inline import InlineError
from youthcase.gui.models.supervision import ClosureTableModel
from youthcase.gui.pages import section_title
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import selected_object, table_view
from youthcase.gui.values import code_label
from youthcase.gui.windows import open_form
from youthcase.services.supervision import ClosureRequestView, SupervisionService
from youthcase.services.vault import UnlockedVault

TITLE = "Closures to approve"


class ClosuresTab(QWidget):
    open_case_requested = Signal(object)  # case id

    def __init__(
        self,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        busy: QWidget,
        parent: QWidget | None = None,
    ) -> None:
        """``busy`` is the page's busy bar, shown while a decision is saved."""
        super().__init__(parent)
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self._busy = busy
        self.closures = ClosureTableModel(self)
        self.closure_view = table_view(self.closures, "closureTable", sort_column=2)
        self.open_case_button = QPushButton("Open case")
        self.return_button = QPushButton("Return with comment…")
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("primaryButton")
        self.error = InlineError()
        self.empty = QLabel("No closures are waiting for approval.")
        self.empty.setObjectName("secondaryText")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        row = QHBoxLayout()
        row.addWidget(section_title("Closures waiting for you"))
        row.addStretch(1)
        for button in (self.open_case_button, self.return_button, self.approve_button):
            row.addWidget(button)
        layout.addLayout(row)
        note = QLabel(
            "Approving closes the case with the reason the worker gave. Returning "
            "sends it back to them with your comment; the case stays open."
        )
        note.setObjectName("secondaryText")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(self.empty)
        layout.addWidget(self.closure_view, 1)

        self.closure_view.doubleClicked.connect(lambda _index: self.open_selected_case())
        self.closure_view.selectionModel().selectionChanged.connect(self._selected)
        self.open_case_button.clicked.connect(self.open_selected_case)
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button.clicked.connect(lambda: self.open_return_selected())
        self._selected()

    def show_closures(self, closures: list[ClosureRequestView]) -> str:
        """The closures waiting; the tab's title, with their count."""
        self.closures.set_rows(closures)
        waiting = len(closures)
        self.empty.setVisible(not waiting)
        self.closure_view.setVisible(bool(waiting))
        if waiting and not self.closure_view.selectionModel().hasSelection():
            self.closure_view.selectRow(0)
        self._selected()
        return f"{TITLE} ({waiting})" if waiting else TITLE

    def selected_closure(self) -> ClosureRequestView | None:
        found: ClosureRequestView | None = selected_object(self.closure_view)
        return found

    def _selected(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        chosen = self.selected_closure() is not None
        for button in (self.open_case_button, self.return_button, self.approve_button):
            button.setEnabled(chosen)

    def open_selected_case(self) -> None:
        request = self.selected_closure()
        if request is not None:
            self.open_case_requested.emit(request.case_id)

    def approve_selected(self) -> None:
        vault, request = self._vault, self.selected_closure()
        if vault is None or request is None:
            return
        reason = code_label(dd.CASE["closure_reason"], request.reason).lower()
        if not self._prompts.confirm(
            self,
            "Approve closure",
            f"Approve closing {request.case_reference} ({reason}), as {request.requested_by} "
            "asked? The case closes today; it can be reopened later.",
            "Approve closure",
        ):
            return
        request_id = request.request_id
        self._deciding(True)
        self._background.run(
            lambda: SupervisionService(vault).decide_closure(request_id, True),
            name="approve closure",
            on_returned=lambda _r: self._decided(),
            on_errored=self._failed,
            changes=Changes(supervision=True, cases=True),
        )

    def open_return_selected(self) -> RecordDialog | None:
        vault, request = self._vault, self.selected_closure()
        if vault is None or request is None:
            return None
        request_id: uuid.UUID = request.request_id
        dialog = RecordDialog(
            entity=RETURN_CLOSURE,
            names=("comment",),
            title="Return closure request",
            heading=f"Return {request.case_reference} to {request.requested_by}",
            intro="The case stays open. Your comment shows on the case for the worker.",
            submit_label="Return to worker",
            save=lambda values: SupervisionService(vault).decide_closure(request_id, False, values["comment"]),
            background=self._background,
            prompts=self._prompts,
            changes=Changes(supervision=True),
            parent=self,
        )
        dialog.saved.connect(lambda _result: self._decided())
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def _deciding(self, busy: bool) -> None:
        self._busy.setVisible(busy)
        self.error.clear()
        for button in (self.open_case_button, self.return_button, self.approve_button):
            button.setEnabled(not busy)

    def _decided(self) -> None:
        self._deciding(False)
        self.closure_view.clearSelection()  # the change notice loads the overview again

    def _failed(self, error: BaseException) -> None:
        self._deciding(False)
        self._selected()
        self.error.show_message(user_message(error))

    def clear(self) -> None:
        """The vault locked."""
        self.closures.clear()
        self.error.clear()
        self._vault = None


__all__ = ["TITLE", "ClosuresTab"]
