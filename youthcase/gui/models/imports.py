"""The case import's preview: the rows as read, and the problems (row, column, reason)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.rows import RowsModel
from youthcase.gui.values import initials
from youthcase.services.case_import import ImportProblem, PreviewRow, RowStatus

AnyIndex = QModelIndex | QPersistentModelIndex
PROBLEM_COLOUR = "#b42318"
MUTED_COLOUR = "#7b8794"

ROW, STATUS, NAME, DATE_OF_BIRTH, SITE, ARRIVAL, METHOD, LOCATION = range(8)
PREVIEW_HEADERS = ("Row", "Status", "Name", "Date of birth", "Site", "Arrival", "Assault method", "Location type")
_CELL_OF_COLUMN = {
    DATE_OF_BIRTH: "date_of_birth",
    SITE: "site",
    ARRIVAL: "arrival_datetime",
    METHOD: "assault_method",
    LOCATION: "assault_location_type",
}


def _status_text(row: PreviewRow) -> str:
    text = row.status.value
    if row.repeats_row is not None:
        text = f"repeats row {row.repeats_row}"
    elif row.returning and row.status is RowStatus.NEW:
        text = "new case (young person already known)"
    return text[:1].upper() + text[1:]


class PreviewTableModel(RowsModel[PreviewRow]):
    HEADERS = PREVIEW_HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hide_names = False

    def set_hide_names(self, hide: bool) -> None:
        self._hide_names = hide
        if self._rows:
            self.dataChanged.emit(self.index(0, NAME), self.index(len(self._rows) - 1, NAME))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == SORT_ROLE:
            return row.row if column == ROW else self._display(row, column).casefold()
        if role == OBJECT_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            if row.status is RowStatus.INVALID:
                return QColor(PROBLEM_COLOUR)
            if row.status is not RowStatus.NEW:
                return QColor(MUTED_COLOUR)
        return None

    def _display(self, row: PreviewRow, column: int) -> str:
        if column == ROW:
            return str(row.row)
        if column == STATUS:
            return _status_text(row)
        if column == NAME:
            given, family = row.cells.get("given_name", ""), row.cells.get("family_name", "")
            return initials(given, family) if self._hide_names else f"{given} {family}".strip()
        return row.cells.get(_CELL_OF_COLUMN[column], "").strip()


PROBLEM_ROW, PROBLEM_COLUMN, PROBLEM_REASON = range(3)
PROBLEM_HEADERS = ("Row", "Column", "Problem")


class ProblemTableModel(RowsModel[ImportProblem]):
    HEADERS = PROBLEM_HEADERS

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        problem = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == PROBLEM_ROW:
                return "file" if problem.row is None else str(problem.row)
            if column == PROBLEM_COLUMN:
                return problem.column or ""
            return problem.reason[:1].upper() + problem.reason[1:]
        if role == Qt.ItemDataRole.ToolTipRole and column == PROBLEM_REASON:
            return problem.reason
        if role == SORT_ROLE:
            return (problem.row or 0) if column == PROBLEM_ROW else self.data(index)
        if role == OBJECT_ROLE:
            return problem
        return None
