"""The Safeguarding tab: the concerns (each as its current version), the versions of the selected
one (amending adds a version; the earlier ones stay as recorded) and the current version's
sign-off."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QPushButton, QTableView, QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import RecordSheet, heading_row, record_table, scrolled, tab_layout
from youthcase.gui.case.context import CaseContext
from youthcase.gui.case.signoff import SignOffLine
from youthcase.gui.changes import Changes
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.models import OBJECT_ROLE
from youthcase.gui.models.records import ConcernTableModel, VersionListModel
from youthcase.gui.pages import section_title
from youthcase.gui.tables import selected_object
from youthcase.gui.values import edit_text, instant_edit_text
from youthcase.services.cases import CaseDetail, ConcernHistory, RecordView

CONCERN_FIELDS = (
    "raised_at",
    "category",
    "facts",
    "own_words",
    "action_taken",
    "shared_with",
    "shared_on",
    "shared_reference",
    "status",
)
CONCERN_TABLE_HEIGHT = 180
VERSION_LIST_WIDTH = 240


class SafeguardingTab(QWidget):
    title = "Safeguarding"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: CaseDetail | None = None
        layout = tab_layout(self)
        raise_button = QPushButton("Raise concern…")
        raise_button.clicked.connect(self.open_raise_concern)
        self.amend_button = QPushButton("Amend…")
        self.amend_button.setToolTip("Amending adds a new version; earlier versions stay as they were")
        self.amend_button.setEnabled(False)
        self.amend_button.clicked.connect(self.open_amend_concern)
        layout.addLayout(heading_row("Safeguarding concerns", self.amend_button, raise_button))
        self.concerns = ConcernTableModel(self)
        self.concern_view = record_table(self.concerns, "concernTable")
        self.concern_view.setMaximumHeight(CONCERN_TABLE_HEIGHT)
        layout.addWidget(self.concern_view)
        self.sign_off = SignOffLine(context, "the current version")
        layout.addWidget(self.sign_off)
        layout.addWidget(section_title("Versions"))
        versions = QHBoxLayout()
        self.versions = VersionListModel(self)
        self.version_list = self._version_list()
        self.version_sheet = RecordSheet(dd.SAFEGUARDING, CONCERN_FIELDS)
        versions.addWidget(self.version_list)
        versions.addWidget(scrolled(self.version_sheet), 1)
        layout.addLayout(versions, 1)
        self.concern_view.selectionModel().selectionChanged.connect(self._concern_selected)
        self.version_list.selectionModel().selectionChanged.connect(self._version_selected)

    def _version_list(self) -> QTableView:
        view = QTableView()
        view.setObjectName("versionList")
        view.setAccessibleName("Versions of the concern")
        view.horizontalHeader().setAccessibleName("Versions columns")
        view.setModel(self.versions)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setVisible(False)
        view.horizontalHeader().setStretchLastSection(True)
        view.setShowGrid(False)
        view.setFixedWidth(VERSION_LIST_WIDTH)
        return view

    def show_case(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.concerns.set_rows(detail.concerns)
        self.versions.set_history(None)
        self.version_sheet.clear()
        self.amend_button.setEnabled(False)
        if self.concerns.rowCount():
            self.concern_view.selectRow(0)

    def clear_case(self) -> None:
        self.detail = None
        self.concerns.clear()
        self.versions.set_history(None)
        self.version_sheet.clear()
        self.sign_off.clear()

    def _concern_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        history: ConcernHistory | None = selected_object(self.concern_view)
        self.amend_button.setEnabled(history is not None)
        self.versions.set_history(history)
        detail = self.detail
        if history is None or detail is None or not history.versions:
            self.sign_off.show_target(None, None)
        else:
            case_id, concern_id = detail.case_id, history.concern_id
            self.sign_off.show_target(
                history.versions[-1].id,
                lambda service: service.sign_off_concern(case_id, concern_id),
                label=f"Current version ({len(history.versions)})",
            )
        if history is not None:
            self.version_list.selectRow(len(history.versions) - 1)

    def _version_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        rows = self.version_list.selectionModel().selectedRows()
        record: RecordView | None = rows[0].data(OBJECT_ROLE) if rows else None
        self.version_sheet.show_values(record.values if record else None)

    def open_raise_concern(self) -> RecordDialog | None:
        return self.context.open_form(
            self,
            self.detail,
            entity=dd.SAFEGUARDING,
            names=CONCERN_FIELDS,
            title="Safeguarding concern",
            heading="Raise a safeguarding concern",
            intro="Record the facts and the young person's own words. Once saved, a concern is "
            "changed only by adding a new version.",
            submit="Record concern",
            initial={"raised_at": instant_edit_text(self.context.now()), "status": "open"},
            first_field="category",
            save=lambda service, case_id, values: service.raise_concern(case_id, values),
            changes=Changes(records=True),
        )

    def open_amend_concern(self) -> RecordDialog | None:
        history: ConcernHistory | None = selected_object(self.concern_view)
        if history is None:
            return None
        current = history.versions[-1].values
        concern_id = history.concern_id
        initial = {name: edit_text(dd.SAFEGUARDING[name], current.get(name)) for name in CONCERN_FIELDS}
        return self.context.open_form(
            self,
            self.detail,
            entity=dd.SAFEGUARDING,
            names=CONCERN_FIELDS,
            title="Amend safeguarding concern",
            heading=f"Amend the concern: version {len(history.versions) + 1}",
            intro="Saving adds a new version. The earlier versions stay exactly as recorded.",
            submit="Save new version",
            initial=initial,
            first_field="status",
            save=lambda service, case_id, values: service.amend_concern(case_id, concern_id, values),
            changes=Changes(records=True),
        )
