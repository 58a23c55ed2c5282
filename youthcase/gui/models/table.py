"""The one base of every table model in the GUI: a list of objects, one per row, in declared
columns.

Each ``Column`` says its header, its cell text and its sort key (``SORT_ROLE``, which the proxies
sort on); the row's object is the ``OBJECT_ROLE``. A model sets its ``columns`` on the class, or in
``__init__`` when they depend on something (the data dictionary, the dashboard's figures, hiding
names), and adds colours, icons, alignment and tooltips in ``other_role``. A load replaces every
row with one reset (``set_rows``): these lists change as a whole. The caseload, which shows a
filtered and sorted view of up to 100,000 rows, keeps its own row order by overriding
``rowCount`` and ``row_at``. Every model is checked with ``QAbstractItemModelTester`` in the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex
T = TypeVar("T")


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    text: Callable[[T], str]
    sort: Callable[[T], Any]
    tip: str | None = None  # the header's tooltip: what the column means


class TableModel(QAbstractTableModel, Generic[T]):
    columns: Sequence[Column[T]] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[T] = []

    # --- contents ----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[T]) -> None:
        """A whole new list: a reset (these lists are short, or change as a whole)."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def clear(self) -> None:
        self.set_rows([])

    @property
    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def row_where(self, wanted: Callable[[T], bool]) -> int | None:
        """The first row whose object ``wanted`` accepts."""
        return next((row for row in range(self.rowCount()) if wanted(self.row_at(row))), None)

    def column_changed(self, column: int, roles: Sequence[int] = (Qt.ItemDataRole.DisplayRole,)) -> None:
        """Every cell of ``column`` shows something else now (names hidden or shown)."""
        if self.rowCount():
            self.dataChanged.emit(self.index(0, column), self.index(self.rowCount() - 1, column), list(roles))

    def all_changed(self, roles: Sequence[int]) -> None:
        if self.rowCount():
            last = self.index(self.rowCount() - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last, list(roles))

    # --- for subclasses ----------------------------------------------------------------------

    def object_of(self, item: T) -> Any:
        """What ``OBJECT_ROLE`` gives for a row: the row's object itself, unless said otherwise."""
        return item

    def other_role(self, item: T, column: int, role: int) -> Any:
        """Other roles (colours, icons, alignment, tooltips)."""
        return None

    def header_role(self, section: int, role: int) -> Any:
        """Header roles other than the text and the tooltip (alignment)."""
        return None

    # --- Qt's model interface ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        if role == Qt.ItemDataRole.ToolTipRole and self.columns[section].tip:
            return self.columns[section].tip
        return self.header_role(section, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self.row_at(index.row())
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(item)
        if role == SORT_ROLE:
            return column.sort(item)
        if role == OBJECT_ROLE:
            return self.object_of(item)
        return self.other_role(item, index.column(), role)


__all__ = ["Column", "TableModel"]
