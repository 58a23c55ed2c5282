"""The case import's preview: the rows as read, and the problems (row, column, reason)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.values import initials
from youthcase.services.case_import import ImportProblem, PreviewRow, RowStatus

PROBLEM_COLOUR = "#b42318"
MUTED_COLOUR = "#7b8794"

ROW, STATUS, NAME, DATE_OF_BIRTH, SITE, ARRIVAL, METHOD, LOCATION = range(8)


def _status_text(row: PreviewRow) -> str:
    text = row.status.value
    if row.repeats_row is not None:
        text = f"repeats row {row.repeats_row}"
    elif row.returning and row.status is RowStatus.NEW:
        text = "new case (young person already known)"
    return text[:1].upper() + text[1:]


def _cell(name: str) -> Any:
    return lambda row: row.cells.get(name, "").strip()


def _text_column(header: str, text: Any) -> Column[PreviewRow]:
    return Column(header, text, lambda row: text(row).casefold())


class PreviewTableModel(TableModel[PreviewRow]):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._hide_names = False
        self.columns = (
            Column("Row", lambda row: str(row.row), lambda row: row.row),
            _text_column("Status", _status_text),
            _text_column("Name", self._name),
            _text_column("Date of birth", _cell("date_of_birth")),
            _text_column("Site", _cell("site")),
            _text_column("Arrival", _cell("arrival_datetime")),
            _text_column("Assault method", _cell("assault_method")),
            _text_column("Location type", _cell("assault_location_type")),
        )

    def set_hide_names(self, hide: bool) -> None:
        self._hide_names = hide
        self.column_changed(NAME)

    def _name(self, row: PreviewRow) -> str:
        given, family = row.cells.get("given_name", ""), row.cells.get("family_name", "")
        return initials(given, family) if self._hide_names else f"{given} {family}".strip()

    def other_role(self, row: PreviewRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and column == STATUS:
            if row.status is RowStatus.INVALID:
                return QColor(PROBLEM_COLOUR)
            if row.status is not RowStatus.NEW:
                return QColor(MUTED_COLOUR)
        return None


PROBLEM_ROW, PROBLEM_COLUMN, PROBLEM_REASON = range(3)


def _reason(problem: ImportProblem) -> str:
    return problem.reason[:1].upper() + problem.reason[1:]


class ProblemTableModel(TableModel[ImportProblem]):
    columns = (
        Column("Row", lambda p: "file" if p.row is None else str(p.row), lambda p: p.row or 0),
        Column("Column", lambda p: p.column or "", lambda p: p.column or ""),
        Column("Problem", _reason, _reason),
    )

    def other_role(self, problem: ImportProblem, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == PROBLEM_REASON:
            return problem.reason
        return None
