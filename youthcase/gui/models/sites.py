"""Sites (major trauma centres and A&E departments) as the Administration page lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from youthcase.domain.sites import SiteKind
from youthcase.gui.models.table import Column, TableModel

if TYPE_CHECKING:
    from youthcase.services.sites import SiteSummary

CODE, NAME, KIND, STATUS = range(4)
KIND_LABELS = {
    SiteKind.MAJOR_TRAUMA_CENTRE: "Major trauma centre",
    SiteKind.EMERGENCY_DEPARTMENT: "A&E department",
}


def _status(site: SiteSummary) -> str:
    return "Active" if site.active else "Closed"


class SiteTableModel(TableModel["SiteSummary"]):
    columns = (
        Column("Code", lambda s: s.code, lambda s: s.code.casefold()),
        Column("Name", lambda s: s.name, lambda s: s.name.casefold()),
        Column("Kind", lambda s: KIND_LABELS[s.kind], lambda s: KIND_LABELS[s.kind].casefold()),
        Column("Status", _status, lambda s: _status(s).casefold()),
    )
