"""Referrals: every referral out across the cases the user may see, the ones to chase first.

The board loads open referrals (the service orders them overdue first, then longest waiting);
finished ones load when the status filter asks for them. Filtering by service type and status runs
in the proxy, sorting on the header. Double-click or Enter opens the case at its Referrals tab,
in the caseload page's case host like any other case.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from youthcase.domain import codes
from youthcase.gui import shortcuts
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.case.referral_detail import referral_table
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.models.referrals import (
    ReferralFilter,
    ReferralProxy,
    ReferralTableModel,
    ordered_types,
    status_choices,
    status_summary,
    type_label,
)
from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout
from youthcase.gui.prompts import Prompts
from youthcase.gui.windows import close_windows
from youthcase.services.referrals import ReferralService, ReferralView
from youthcase.services.vault import UnlockedVault

REFRESH_SHORTCUT = shortcuts.REFRESH
SUMMARY = (
    "Referrals out from the cases you can see, the ones to chase first: overdue when the "
    "service has not responded within its chase interval."
)


@dataclass(frozen=True)
class BoardListing:
    referrals: list[ReferralView]
    include_finished: bool

    @property
    def overdue(self) -> int:
        return sum(1 for view in self.referrals if view.overdue)


def load_board(vault: UnlockedVault, include_finished: bool) -> BoardListing:
    return BoardListing(ReferralService(vault).board(include_finished=include_finished), include_finished)


class ReferralsBoardPage(QWidget):
    open_case_requested = Signal(object)  # case id
    overdue_counted = Signal(int)  # a fresh count came with the listing
    loaded = Signal()

    def __init__(
        self,
        spec: SectionSpec,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("referralsPage")
        self.spec = spec
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self._loaded_finished: bool | None = None  # None: nothing loaded yet
        background.notice.changed.connect(self._vault_changed)

        self.model = ReferralTableModel(self)
        self.proxy = ReferralProxy(self.model, self)
        self.proxy.set_filter(ReferralFilter())
        self.view = referral_table(self.proxy, "referralBoard")
        self.service_type = QComboBox()
        self.service_type.setObjectName("serviceTypeFilter")
        self.service_type.addItem("All service types", None)
        for service_type in ordered_types(c.code for c in codes.SERVICE_TYPE):
            self.service_type.addItem(type_label(service_type), service_type)
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        for text, wanted in status_choices():
            self.status.addItem(text, wanted)
        self.summary = QLabel()
        self.summary.setObjectName("referralSummary")
        self.count = QLabel()
        self.count.setObjectName("caseCount")
        self.error = InlineError()
        self.loading = busy_bar()

        layout = page_layout(self)
        page_header(layout, spec.title, SUMMARY)
        layout.addSpacing(8)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.service_type, 2)
        filters.addWidget(self.status, 2)
        filters.addStretch(1)
        layout.addLayout(filters)
        layout.addWidget(self.summary)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)

        self.service_type.currentIndexChanged.connect(self._filters_changed)
        self.status.currentIndexChanged.connect(self._filters_changed)
        self.view.activated.connect(self._activated)  # double-click or Enter
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        refresh = QShortcut(QKeySequence(REFRESH_SHORTCUT), self)
        refresh.setContext(Qt.ShortcutContext.WindowShortcut)
        refresh.activated.connect(self.reload)
        self._update_count()

    # --- loading ---------------------------------------------------------------------------

    @property
    def has_loaded(self) -> bool:
        return self._loaded_finished is not None

    def refresh(self) -> None:
        """The section was opened: referrals move on elsewhere, so always load afresh."""
        self.reload()

    def reload(self) -> None:
        vault = self._vault
        if vault is None:
            return
        include_finished = self.proxy.current_filter.needs_finished
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_board(vault, include_finished),
            name="load referrals",
            on_returned=self._loaded,
            on_errored=self._failed,
        )

    def _loaded(self, listing: BoardListing) -> None:
        self.loading.setVisible(False)
        self.error.clear()
        self._loaded_finished = listing.include_finished
        selected = self.selected()
        self.model.set_rows(listing.referrals)
        if selected is not None:
            row = self.proxy.row_of(selected.referral_id)
            if row is not None:
                self.view.selectRow(row)
        self.summary.setText(status_summary(listing.referrals))
        self._update_count()
        self.overdue_counted.emit(listing.overdue)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def _vault_changed(self, changes: Changes) -> None:
        """Referrals moved on, or the cases behind them: on screen, load again (opening does)."""
        if self.isVisible() and (changes.referrals or changes.access or changes.assignments):
            self.reload()

    def clear(self) -> None:
        """The vault locked: forget every referral."""
        close_windows(self)
        self.model.clear()
        self.summary.clear()
        self.error.clear()
        self.loading.setVisible(False)
        self._vault = None
        self._loaded_finished = None
        self._update_count()

    # --- filtering and opening -------------------------------------------------------------

    def current_filter(self) -> ReferralFilter:
        wanted: ReferralFilter = self.status.currentData()
        return replace(wanted, service_type=self.service_type.currentData())

    def _filters_changed(self, _index: int) -> None:
        wanted = self.current_filter()
        self.proxy.set_filter(wanted)
        self._update_count()
        if wanted.needs_finished and self._loaded_finished is False:
            self.reload()  # finished referrals were not loaded yet

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        scope = "open referrals loaded" if self._loaded_finished is False else "referrals loaded"
        self.count.setText(
            f"Showing {shown:,} of {total:,} {scope}  ·  double-click a referral to open its case"
            if total
            else ("No referrals yet." if self._loaded_finished is not None else "")
        )

    def selected(self) -> ReferralView | None:
        rows = self.view.selectionModel().selectedRows()
        return self.proxy.referral_at(rows[0].row()) if rows else None

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case_requested.emit(self.proxy.referral_at(index.row()).case_id)
