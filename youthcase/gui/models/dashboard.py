"""The supervisor dashboard as tables: one row per worker (or site), a column per figure, and the
totals row, which stays last however the table is sorted.

Each figure cell carries the cases behind it (``CASES_ROLE``), so a click can list them. A few
dozen rows: a reset per load, and a Python ``lessThan`` is cheap enough here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont

from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.table import Column, TableModel

if TYPE_CHECKING:
    from youthcase.services.dashboard import DashboardRow, Figure

NAME = 0  # the worker or site; the figures follow, in the order of ``FIGURES``
CASES_ROLE = Qt.ItemDataRole.UserRole + 3  # the frozenset of case ids behind a figure cell
TOTALS_ROLE = Qt.ItemDataRole.UserRole + 4  # True on the totals row
# Figures where any case at all wants a supervisor's eye: shown in the flag colour when non-zero.
ATTENTION = frozenset(
    {
        "high_risk",
        "no_contact_14_days",
        "assessment_overdue",
        "action_overdue",
        "referrals_overdue",
        "safeguarding_awaiting_sign_off",
        "closures_awaiting_approval",
    }
)
FLAG_COLOUR = "#b42318"
ZERO_COLOUR = "#9aa5b1"

AnyIndex = QModelIndex | QPersistentModelIndex


def two_lines(label: str) -> str:
    """A figure's label over two lines, as even as the words allow: nine figures fit across."""
    words = label.split()
    if len(words) < 2:
        return label
    best = min(range(1, len(words)), key=lambda cut: max(len(" ".join(words[:cut])), len(" ".join(words[cut:]))))
    return f"{' '.join(words[:best])}\n{' '.join(words[best:])}"


def _figure_column(figure: Figure) -> Column[DashboardRow]:
    key = figure.key
    return Column(
        two_lines(figure.label), lambda unit: str(unit.count(key)), lambda unit: unit.count(key), figure.definition
    )


class DashboardTableModel(TableModel["DashboardRow"]):
    """Rows of one breakdown (by worker or by site) and the totals row after them."""

    def __init__(self, unit: str, figures: Sequence[Figure], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.unit = unit  # "Worker" or "Site": the first column's header
        self.figures = tuple(figures)
        self.display_names: dict[str, str] = {}  # a worker's log-in name -> full name, as shown
        self.columns = (
            Column(unit, self.shown_name, lambda row: self.shown_name(row).casefold()),
            *(_figure_column(figure) for figure in self.figures),
        )
        self._totals: DashboardRow | None = None
        self._bold: QFont | None = None

    # --- contents ----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[DashboardRow], totals: DashboardRow | None = None) -> None:
        """A freshly loaded dashboard: reset (every number may have changed)."""
        self._totals = totals
        super().set_rows([*rows, totals] if totals is not None else rows)

    def shown_name(self, row: DashboardRow) -> str:
        return self.display_names.get(row.name, row.name)

    def is_totals(self, row: int) -> bool:
        return self._totals is not None and row == self.rowCount() - 1

    def figure_at(self, column: int) -> Figure | None:
        return self.figures[column - 1] if column > NAME else None

    def column_of(self, key: str) -> int:
        for position, figure in enumerate(self.figures, start=1):
            if figure.key == key:
                return position
        raise KeyError(key)

    def row_named(self, name: str) -> int | None:
        return self.row_where(lambda row: row.name == name)

    def cases_at(self, row: int, column: int) -> frozenset[uuid.UUID]:
        figure = self.figure_at(column)
        if figure is None:
            return frozenset()
        return self.row_at(row).cases.get(figure.key, frozenset())

    # --- the roles beyond text and sorting ---------------------------------------------------

    def header_role(self, section: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole:
            side = Qt.AlignmentFlag.AlignLeft if section == NAME else Qt.AlignmentFlag.AlignRight
            return int(side | Qt.AlignmentFlag.AlignVCenter)
        return None

    def other_role(self, unit: DashboardRow, column: int, role: int) -> Any:
        figure = self.figure_at(column)
        totals = unit is self._totals
        if role == CASES_ROLE:
            return frozenset() if figure is None else unit.cases.get(figure.key, frozenset())
        if role == TOTALS_ROLE:
            return totals
        if role == Qt.ItemDataRole.FontRole and totals:
            if self._bold is None:
                self._bold = QFont()
                self._bold.setBold(True)
            return self._bold
        if figure is None:
            return None
        count = unit.count(figure.key)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            if count == 0:
                return QColor(ZERO_COLOUR)
            return QColor(FLAG_COLOUR) if figure.key in ATTENTION else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if count == 0:
                return f"{figure.label}: none"
            whose = "in total" if totals else f"for {unit.name}"
            return f"{figure.label} {whose}: {count} case{'s' if count != 1 else ''}. Click to list them."
        return None


class DashboardProxy(QSortFilterProxyModel):
    """Sorts on ``SORT_ROLE`` and keeps the totals row last in either direction."""

    def __init__(self, source: DashboardTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.dashboard = source

    def lessThan(self, left: AnyIndex, right: AnyIndex) -> bool:  # noqa: N802 - Qt's name
        left_total = self.dashboard.is_totals(left.row())
        right_total = self.dashboard.is_totals(right.row())
        if left_total or right_total:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            # Ascending puts "less" first: the totals row is greater than everything; descending
            # puts "greater" first: the totals row is less than everything.
            return right_total if ascending else left_total
        left_key, right_key = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if left_key == right_key:  # ties by name, so the order is stable
            names = (self.dashboard.index(left.row(), NAME), self.dashboard.index(right.row(), NAME))
            return bool(names[0].data(SORT_ROLE) < names[1].data(SORT_ROLE))
        return bool(left_key < right_key)

    def cases_at(self, index: QModelIndex) -> frozenset[uuid.UUID]:
        cases: frozenset[uuid.UUID] = index.data(CASES_ROLE) or frozenset()
        return cases

    def figure_at(self, column: int) -> Figure | None:
        return self.dashboard.figure_at(column)

    def unit_at(self, row: int) -> DashboardRow:
        unit: DashboardRow = self.index(row, NAME).data(OBJECT_ROLE)
        return unit
