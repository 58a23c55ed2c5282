"""Tables of one case's records (contacts, assessments, concerns, goals, follow-ups).

Columns are data-dictionary fields, so headers are the dictionary's labels and cells are shown the
way ``youthcase.gui.values`` shows that kind of value. A few dozen rows per case: a reset per load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon

from youthcase.domain import dictionary as dd
from youthcase.domain.dictionary import EntitySpec, FieldKind, FieldSpec
from youthcase.gui.icons import icon
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.rows import RowsModel
from youthcase.gui.values import display

if TYPE_CHECKING:
    from youthcase.services.cases import ConcernHistory, RecordView

AnyIndex = QModelIndex | QPersistentModelIndex
FAILED_COLOUR = "#b42318"


def sort_value(spec: FieldSpec, value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, dt.date):
        return value.toordinal()
    if spec.kind in (FieldKind.INTEGER, FieldKind.BOOLEAN):
        return int(value)
    return display(spec, value).casefold()


class RecordTableModel(RowsModel[Any]):
    """Records (``RecordView`` or what a subclass reads ``values_of``) in dictionary columns."""

    def __init__(self, entity: EntitySpec, columns: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entity = entity
        self.columns = tuple(entity[name] for name in columns)

    def headers(self) -> Sequence[str]:
        return [spec.label for spec in self.columns]

    def set_records(self, records: Sequence[Any]) -> None:
        self.set_rows(records)

    def record_at(self, row: int) -> Any:
        return self.row_at(row)

    def values_of(self, record: Any) -> dict[str, Any]:
        values: dict[str, Any] = record.values
        return values

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record = self._rows[index.row()]
        spec = self.columns[index.column()]
        value = self.values_of(record).get(spec.name)
        if role == Qt.ItemDataRole.DisplayRole:
            return display(spec, value)
        if role == SORT_ROLE:
            return sort_value(spec, value)
        if role == OBJECT_ROLE:
            return record
        if role == Qt.ItemDataRole.ToolTipRole and spec.kind is FieldKind.CODES and value:
            return display(spec, value).replace(", ", "\n")
        return None


class ContactTableModel(RecordTableModel):
    """The contact timeline: failed attempts carry a red mark and say so."""

    COLUMNS = ("contact_at", "successful", "medium", "contact_with", "duration_minutes", "topics", "follow_up_due")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(dd.CONTACT, self.COLUMNS, parent)
        self._icons: dict[bool, QIcon] = {}

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        made = bool(self.values_of(self._rows[index.row()]).get("successful"))
        column = self.columns[index.column()].name
        if column == "successful":
            if role == Qt.ItemDataRole.DisplayRole:
                return "Contact made" if made else "Attempt failed"
            if role == Qt.ItemDataRole.DecorationRole:
                if made not in self._icons:
                    self._icons[made] = icon("made" if made else "failed")
                return self._icons[made]
        if role == Qt.ItemDataRole.ForegroundRole and not made:
            return QColor(FAILED_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and not made and column == "successful":
            return "A failed attempt: it counts as an attempt, not as contact"
        return super().data(index, role)


class ConcernTableModel(RecordTableModel):
    """Safeguarding concerns, each shown as its current (latest) version."""

    COLUMNS = ("raised_at", "category", "status", "shared_with", "shared_on")
    VERSIONS = len(COLUMNS)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(dd.SAFEGUARDING, self.COLUMNS, parent)

    def values_of(self, record: ConcernHistory) -> dict[str, Any]:
        values: dict[str, Any] = record.versions[-1].values
        return values

    def headers(self) -> Sequence[str]:
        return [*super().headers(), "Versions"]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == self.VERSIONS:
            history: ConcernHistory = self._rows[index.row()]
            if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
                count = len(history.versions)
                return count if role == SORT_ROLE else str(count)
            if role == OBJECT_ROLE:
                return history
            return None
        return super().data(index, role)


def version_label(number: int, latest: int) -> str:
    text = "Version 1 (as first recorded)" if number == 1 else f"Version {number}"
    return text + ("  ·  current" if number == latest and latest > 1 else "")


class VersionListModel(QAbstractTableModel):
    """The versions of one safeguarding concern, oldest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._versions: list[RecordView] = []

    def set_history(self, history: ConcernHistory | None) -> None:
        self.beginResetModel()
        self._versions = list(history.versions) if history else []
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._versions)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return version_label(index.row() + 1, len(self._versions))
        if role == OBJECT_ROLE:
            return self._versions[index.row()]
        return None
