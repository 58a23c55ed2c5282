"""Sites (major trauma centres and A&E departments) as the Administration page lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from youthcase.domain.sites import SiteKind
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.rows import RowsModel

if TYPE_CHECKING:
    from youthcase.services.sites import SiteSummary

CODE, NAME, KIND, STATUS = range(4)
HEADERS = ("Code", "Name", "Kind", "Status")
KIND_LABELS = {
    SiteKind.MAJOR_TRAUMA_CENTRE: "Major trauma centre",
    SiteKind.EMERGENCY_DEPARTMENT: "A&E department",
}

AnyIndex = QModelIndex | QPersistentModelIndex


class SiteTableModel(RowsModel["SiteSummary"]):
    HEADERS = HEADERS

    def set_sites(self, sites: Sequence[SiteSummary]) -> None:
        self.set_rows(sites)

    def sites(self) -> list[SiteSummary]:
        return list(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        site = self._rows[index.row()]
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
