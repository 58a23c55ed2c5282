"""Tables of one case's records (contacts, assessments, concerns, goals, follow-ups) and the
versions of one safeguarding concern.

Columns are data-dictionary fields, so headers are the dictionary's labels and cells are shown the
way ``youthcase.gui.values`` shows that kind of value. A few dozen rows per case: a reset per load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QIcon

from youthcase.domain import dictionary as dd
from youthcase.domain.dictionary import EntitySpec, FieldKind, FieldSpec
from youthcase.gui.icons import icon
from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.values import display

if TYPE_CHECKING:
    from youthcase.services.cases import ConcernHistory, RecordView

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


class RecordTableModel(TableModel[Any]):
    """Records (``RecordView``, or what a subclass reads with ``values_of``) in dictionary columns."""

    def __init__(self, entity: EntitySpec, names: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.entity = entity
        self.specs = tuple(entity[name] for name in names)
        self.columns: list[Column[Any]] = [self._column(spec) for spec in self.specs]

    def _column(self, spec: FieldSpec) -> Column[Any]:
        return Column(
            spec.label,
            lambda record: display(spec, self.values_of(record).get(spec.name)),
            lambda record: sort_value(spec, self.values_of(record).get(spec.name)),
        )

    def values_of(self, record: Any) -> dict[str, Any]:
        values: dict[str, Any] = record.values
        return values

    def other_role(self, record: Any, column: int, role: int) -> Any:
        if column >= len(self.specs):
            return None
        spec = self.specs[column]
        value = self.values_of(record).get(spec.name)
        if role == Qt.ItemDataRole.ToolTipRole and spec.kind is FieldKind.CODES and value:
            return display(spec, value).replace(", ", "\n")
        return None


class ContactTableModel(RecordTableModel):
    """The contact timeline: failed attempts carry a red mark and say so."""

    COLUMNS = ("contact_at", "successful", "medium", "contact_with", "duration_minutes", "topics", "follow_up_due")
    MADE = COLUMNS.index("successful")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(dd.CONTACT, self.COLUMNS, parent)
        self._icons: dict[bool, QIcon] = {}
        made = self.columns[self.MADE]
        self.columns[self.MADE] = Column(made.header, self._outcome, made.sort)

    def _outcome(self, record: Any) -> str:
        outcome = "Contact made" if self._made(record) else "Attempt failed"
        return f"{outcome} (struck out: recorded in error)" if self.values_of(record).get("struck_out") else outcome

    def _made(self, record: Any) -> bool:
        return bool(self.values_of(record).get("successful"))

    def other_role(self, record: Any, column: int, role: int) -> Any:
        made = self._made(record)
        if column == self.MADE and role == Qt.ItemDataRole.DecorationRole:
            if made not in self._icons:
                self._icons[made] = icon("made" if made else "failed")
            return self._icons[made]
        if role == Qt.ItemDataRole.ForegroundRole and not made:
            return QColor(FAILED_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and not made and column == self.MADE:
            return "A failed attempt: it counts as an attempt, not as contact"
        return super().other_role(record, column, role)


class ConcernTableModel(RecordTableModel):
    """Safeguarding concerns, each shown as its current (latest) version, and how many versions."""

    COLUMNS = ("raised_at", "category", "status", "shared_with", "shared_on")
    VERSIONS = len(COLUMNS)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(dd.SAFEGUARDING, self.COLUMNS, parent)
        self.columns.append(Column("Versions", lambda h: str(len(h.versions)), lambda h: len(h.versions)))

    def values_of(self, record: ConcernHistory) -> dict[str, Any]:
        values: dict[str, Any] = record.versions[-1].values
        return values


def version_label(number: int, latest: int) -> str:
    text = "Version 1 (as first recorded)" if number == 1 else f"Version {number}"
    return text + ("  ·  current" if number == latest and latest > 1 else "")


@dataclass(frozen=True)
class Version:
    number: int
    latest: int
    record: RecordView


class VersionListModel(TableModel[Version]):
    """The versions of one safeguarding concern, oldest first; each row's object is its record."""

    columns = (Column("Version", lambda v: version_label(v.number, v.latest), lambda v: v.number),)

    def set_history(self, history: ConcernHistory | None) -> None:
        versions = list(history.versions) if history else []
        self.set_rows([Version(number, len(versions), record) for number, record in enumerate(versions, start=1)])

    def object_of(self, item: Version) -> Any:
        return item.record
