"""Staff accounts as the Administration page lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.rows import RowsModel

if TYPE_CHECKING:
    from youthcase.services.accounts import AccountSummary

USERNAME, FULL_NAME, ROLE, SITES, STATUS, CREATED = range(6)
DISABLED_COLOUR = "#8a8f98"
HEADERS = ("User name", "Full name", "Role", "Sites", "Status", "Created")

AnyIndex = QModelIndex | QPersistentModelIndex


def account_status(account: AccountSummary) -> str:
    if not account.active:
        return "Disabled"
    if account.must_change_password:
        return "Temporary password"
    return "Active"


class AccountTableModel(RowsModel["AccountSummary"]):
    HEADERS = HEADERS

    def set_accounts(self, accounts: Sequence[AccountSummary]) -> None:
        """A whole new list from the service: reset rather than diff (it is a few dozen rows)."""
        self.set_rows(accounts)

    def account_at(self, row: int) -> AccountSummary:
        return self.row_at(row)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        account = self._rows[index.row()]
        column = index.column()
        if role == OBJECT_ROLE:
            return account
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(account, column)
        if role == SORT_ROLE:
            if column == CREATED:
                return account.created_at.timestamp()
            return (self._display(account, column) or "").casefold()
        if role == Qt.ItemDataRole.ForegroundRole and not account.active:
            return QColor(DISABLED_COLOUR)
        return None

    @staticmethod
    def _display(account: AccountSummary, column: int) -> str | None:
        if column == USERNAME:
            return account.username
        if column == FULL_NAME:
            return account.full_name or ""
        if column == ROLE:
            return account.role.label
        if column == SITES:
            return ", ".join(account.site_codes)
        if column == STATUS:
            return account_status(account)
        if column == CREATED:
            return account.created_at.astimezone().strftime("%d %b %Y")
        return None
