"""Staff accounts as the Administration page lists them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from youthcase.gui.models.table import Column, TableModel

if TYPE_CHECKING:
    from youthcase.services.accounts import AccountSummary

USERNAME, FULL_NAME, ROLE, SITES, STATUS, CREATED = range(6)
DISABLED_COLOUR = "#8a8f98"


def account_status(account: AccountSummary) -> str:
    if not account.active:
        return "Disabled"
    if account.must_change_password:
        return "Temporary password"
    return "Active"


def _text_column(header: str, text: Any) -> Column[AccountSummary]:
    return Column(header, text, lambda a: text(a).casefold())


class AccountTableModel(TableModel["AccountSummary"]):
    """A whole new list from the service each load: a reset rather than a diff (a few dozen rows)."""

    columns = (
        _text_column("User name", lambda a: a.username),
        _text_column("Full name", lambda a: a.full_name or ""),
        _text_column("Role", lambda a: a.role.label),
        _text_column("Sites", lambda a: ", ".join(a.site_codes)),
        _text_column("Status", account_status),
        Column("Created", lambda a: a.created_at.astimezone().strftime("%d %b %Y"), lambda a: a.created_at.timestamp()),
    )

    def other_role(self, account: AccountSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not account.active:
            return QColor(DISABLED_COLOUR)
        return None
