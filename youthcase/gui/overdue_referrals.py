"""How many referrals are overdue, for the main window's navigation ("Referrals (3 overdue)").

Counted on the background queue when a session starts and after every change to referrals or to
the cases they belong to (the change notice); the board hands in the figure that comes with its
own listing. Locking clears it (the workspace's
``clear``); a result that arrives after the lock is dropped by the queue.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from youthcase.gui.background import Background
from youthcase.gui.changes import Changes
from youthcase.services.referrals import ReferralService
from youthcase.services.vault import UnlockedVault


def overdue_title(title: str, count: int | None) -> str:
    return f"{title} ({count} overdue)" if count else title


def overdue_tip(count: int | None) -> str:
    if not count:
        return ""
    return (
        f"{count} referral{' has' if count == 1 else 's have'} had nothing recorded within "
        "the service's chase interval: chase them"
    )


def count_overdue(vault: UnlockedVault) -> int:
    return ReferralService(vault).overdue_count()


class OverdueReferrals(QObject):
    counted = Signal(object)  # the number overdue, or None when cleared

    def __init__(self, vault: UnlockedVault, background: Background, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._vault: UnlockedVault | None = vault
        self._background = background
        self.count: int | None = None
        background.notice.changed.connect(self._vault_changed)

    def _vault_changed(self, changes: Changes) -> None:
        if changes.referrals or changes.access or changes.assignments:  # which referrals I see
            self.refresh()

    def refresh(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self._background.run(
            lambda: count_overdue(vault),
            name="count overdue referrals",
            on_returned=self.set_count,
            on_errored=lambda _error: None,
        )

    def set_count(self, count: int) -> None:
        if self._vault is None:
            return
        self.count = count
        self.counted.emit(count)

    def clear(self) -> None:
        self._vault = None
        self.count = None
        self.counted.emit(None)
