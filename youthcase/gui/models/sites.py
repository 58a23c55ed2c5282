"""Sites (major trauma centres and A&E departments) as the Administration page lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from youthcase.domain.sites import SiteKind
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE

if TYPE_CHECKING:
    from youthcase.services.sites import SiteSummary

CODE, NAME, KIND, STATUS = range(4)
HEADERS = ("Code", "Name", "Kind", "Status")
KIND_LABELS = {
    SiteKind.MAJOR_TRAUMA_CENTRE: "Major trauma centre",
    SiteKind.EMERGENCY_DEPARTMENT: "A&E department",
}

AnyIndex = QModelIndex | QPersistentModelIndex


class SiteTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._sites: list[SiteSummary] = []

    def set_sites(self, sites: Sequence[SiteSummary]) -> None:
        self.beginResetModel()
        self._sites = list(sites)
        self.endResetModel()

    def clear(self) -> None:
        self.set_sites([])

    def sites(self) -> list[SiteSummary]:
        return list(self._sites)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._sites)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        site = self._sites[index.row()]
        if role == OBJECT_ROLE:
            return site
        if role in (Qt.ItemDataRole.DisplayRole, SORT_ROLE):
            text = self._display(site, index.column())
            return text.casefold() if role == SORT_ROLE else text
        return None

    @staticmethod
    def _display(site: SiteSummary, column: int) -> str:
        if column == CODE:
            return site.code
        if column == NAME:
            return site.name
        if column == KIND:
            return KIND_LABELS[site.kind]
        return "Active" if site.active else "Closed"
