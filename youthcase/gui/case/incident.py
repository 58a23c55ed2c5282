"""The Incident tab: the violent injury that brought the young person in, read-only."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import RecordSheet, ScrolledTab, secondary
from youthcase.gui.case.context import CaseContext
from youthcase.gui.pages import section_title
from youthcase.services.cases import CaseDetail

INCIDENT_FIELDS = (
    "assault_at",
    "assault_method",
    "assault_method_other",
    "assault_location_type",
    "assault_location_description",
    "injury_description",
)


class IncidentTab(ScrolledTab):
    title = "Incident"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = self.column
        layout.addWidget(section_title("Index incident"))
        layout.addWidget(secondary("The violent injury that brought the young person in (ISTV minimum dataset)."))
        self.sheet = RecordSheet(dd.INCIDENT, INCIDENT_FIELDS)
        layout.addWidget(self.sheet)
        layout.addStretch(1)

    def show_case(self, detail: CaseDetail) -> None:
        self.sheet.show_values(detail.incident.values if detail.incident else None)

    def clear_case(self) -> None:
        self.sheet.clear()
