"""The Risk and needs tab: the assessments, newest first, the change from the first to the latest
(the outcome measure), the selected one in full, and its supervisor's sign-off."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QPushButton, QSplitter, QWidget

from youthcase.domain import codes
from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import RecordSheet, heading_row, record_table, scrolled, secondary, tab_layout
from youthcase.gui.case.context import CaseContext
from youthcase.gui.case.signoff import SignOffLine
from youthcase.gui.changes import Changes
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.models.records import RecordTableModel
from youthcase.gui.tables import selected_object
from youthcase.gui.values import code_label, day_text
from youthcase.services.cases import CaseDetail, RecordView

ASSESSMENT_COLUMNS = ("assessed_on", "stage", "risk_level", "needs_identified", "needs_met")
ASSESSMENT_FIELDS = (
    "assessed_on",
    "stage",
    "risk_level",
    "risk_factors",
    "protective_factors",
    "needs_identified",
    "needs_met",
    "notes",
)


def current_risk(assessments: Sequence[RecordView]) -> str | None:
    if not assessments:
        return None
    latest = max(assessments, key=lambda a: a.values["assessed_on"])
    risk: str = latest.values["risk_level"]
    return risk


def risk_change_text(assessments: Sequence[RecordView]) -> str:
    """First to latest risk, the outcome measure (reduced / same / increased)."""
    if not assessments:
        return "No assessment yet. Record one at the start of support."
    ordered = sorted(assessments, key=lambda a: a.values["assessed_on"])
    first, last = ordered[0].values["risk_level"], ordered[-1].values["risk_level"]
    rank = {item.code: position for position, item in enumerate(codes.RISK_LEVEL)}
    label = dd.RISK_ASSESSMENT["risk_level"]
    if len(ordered) == 1:
        return f"Risk at the start: {code_label(label, first).lower()}."
    change = "reduced" if rank[last] < rank[first] else "increased" if rank[last] > rank[first] else "the same"
    return (
        f"Risk {code_label(label, first).lower()} at the first assessment, "
        f"{code_label(label, last).lower()} at the latest: {change}."
    )


class RiskTab(QWidget):
    title = "Risk and needs"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: CaseDetail | None = None
        layout = tab_layout(self)
        add = QPushButton("Record assessment…")
        add.clicked.connect(self.open_assessment)
        layout.addLayout(heading_row("Risk and needs assessments", add))
        self.change = secondary()
        layout.addWidget(self.change)
        self.model = RecordTableModel(dd.RISK_ASSESSMENT, ASSESSMENT_COLUMNS, self)
        self.view = record_table(self.model, "assessmentTable")
        self.sheet = RecordSheet(dd.RISK_ASSESSMENT, ASSESSMENT_FIELDS[3:])
        self.sheet.setObjectName("notesPanel")
        self.sign_off = SignOffLine(context, "this assessment")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(scrolled(self.sheet))
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(self.sign_off)
        layout.addWidget(split, 1)
        self.view.selectionModel().selectionChanged.connect(self._selected)

    def show_case(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.model.set_rows(detail.assessments)
        self.sheet.clear()
        self.change.setText(risk_change_text(detail.assessments))
        if self.model.rowCount():
            self.view.selectRow(0)

    def clear_case(self) -> None:
        self.detail = None
        self.model.clear()
        self.sheet.clear()
        self.change.clear()
        self.sign_off.clear()

    def _selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        record: RecordView | None = selected_object(self.view)
        self.sheet.show_values(record.values if record else None)
        if record is None:
            self.sign_off.show_target(None, None)
            return
        assessment_id = record.id
        self.sign_off.show_target(
            assessment_id,
            lambda service: service.sign_off_assessment(assessment_id),
            label=f"Assessment of {day_text(record.values['assessed_on'])}",
        )

    def open_assessment(self) -> RecordDialog | None:
        detail = self.detail
        if detail is None:
            return None
        stage = "change" if detail.assessments else "start"
        if detail.status != "open":
            stage = "end"
        return self.context.open_form(
            self,
            detail,
            entity=dd.RISK_ASSESSMENT,
            names=ASSESSMENT_FIELDS,
            title="Risk and needs assessment",
            heading="Record a risk and needs assessment",
            intro="At the start of support, whenever risk changes, and at the end.",
            submit="Save assessment",
            initial={"assessed_on": self.context.today().isoformat(), "stage": stage},
            first_field="risk_level",
            save=lambda service, case_id, values: service.record_assessment(case_id, values),
            changes=Changes(records=True),
        )
