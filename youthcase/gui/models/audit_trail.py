"""Audit trail entries as the supervisors' viewer lists them: who, what kind of record, which id and
which case reference; never a name or any other personal data (the events hold none)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.values import instant_text

if TYPE_CHECKING:
    from youthcase.services.audit_trail import AuditEntry

SEQUENCE, WHEN, USER, ACTION, RECORD, RECORD_ID, CASE = range(7)
BROKEN_COLOUR = "#b42318"
SHORT_ID = 8  # the first hex digits of an id; the tooltip has all of it


def record_text(entity: str | None) -> str:
    """``case_episode`` reads as ``case episode``."""
    return (entity or "").replace("_", " ")


def _record_id(entry: AuditEntry) -> str:
    return entry.entity_id.hex[:SHORT_ID] if entry.entity_id is not None else ""


def _user(entry: AuditEntry) -> str:
    return entry.username or "(no user)"


class AuditTableModel(TableModel["AuditEntry"]):
    columns = (
        Column("No.", lambda e: str(e.sequence), lambda e: e.sequence),
        Column("When", lambda e: instant_text(e.at), lambda e: e.at.timestamp()),
        Column("User", _user, lambda e: _user(e).casefold()),
        Column("Action", lambda e: e.action, lambda e: e.action),
        Column("Record", lambda e: record_text(e.entity), lambda e: e.entity or ""),
        Column("Record id", _record_id, _record_id),
        Column("Case", lambda e: e.case_reference or "", lambda e: e.case_reference or ""),
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._broken: int | None = None  # the first entry that does not verify, once checked

    def clear(self) -> None:
        self._broken = None
        super().clear()

    def row_of(self, sequence: int) -> int | None:
        for row, entry in enumerate(self.rows):
            if entry.sequence == sequence:
                return row
        return None

    def mark_broken(self, sequence: int | None) -> None:
        """After a verification: the first broken entry is shown in red (None: all verified)."""
        self._broken = sequence
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(self.rowCount() - 1, self.columnCount() - 1),
                [Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole],
            )

    def other_role(self, item: AuditEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SEQUENCE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and item.sequence == self._broken:
            return QColor(BROKEN_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole:
            if item.sequence == self._broken:
                return "The chain breaks here: this entry does not verify"
            if column == RECORD_ID and item.entity_id is not None:
                return str(item.entity_id)
        return None
