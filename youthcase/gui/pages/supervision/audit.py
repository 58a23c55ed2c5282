"""The audit trail for supervisors: entries filtered by user, case reference, action and dates,
and a check of the HMAC chain that names the first entry that does not verify.

Entries hold ids, codes and references only (never a name or other personal data), so nothing
here needs hiding. Loading and verifying run on the background queue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.validation import LONDON, FieldError, parse_date
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.models import audit_trail as columns
from youthcase.gui.models.audit_trail import AuditTableModel
from youthcase.gui.tables import name_search, table_view
from youthcase.services.accounts import AccountService
from youthcase.services.audit import AuditAction, ChainReport
from youthcase.services.audit_trail import AuditEntry, AuditTrail
from youthcase.services.vault import UnlockedVault

MOST_ENTRIES = 5_000  # the newest matching entries; narrow the filter for older ones


@dataclass(frozen=True)
class AuditFilter:
    username: str | None = None
    case_reference: str | None = None
    action: str | None = None
    since: dt.date | None = None  # London days, both ends included
    until: dt.date | None = None

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The London days as instants: from the first day's midnight to the midnight after the
        last day (a day with a clock change is 23 or 25 hours long)."""

        def midnight(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(0), tzinfo=LONDON).astimezone(dt.UTC)

        return (
            None if self.since is None else midnight(self.since),
            None if self.until is None else midnight(self.until + dt.timedelta(days=1)),
        )


@dataclass(frozen=True)
class AuditListing:
    wanted: AuditFilter
    entries: list[AuditEntry]
    usernames: list[str]


def load_audit(vault: UnlockedVault, wanted: AuditFilter) -> AuditListing:
    since, until = wanted.bounds()
    entries = AuditTrail(vault).entries(
        wanted.username, wanted.case_reference, wanted.action, since, until, limit=MOST_ENTRIES
    )
    usernames = [account.username for account in AccountService(vault).list_users()]
    return AuditListing(wanted, entries, usernames)


def report_text(report: ChainReport) -> str:
    records = ""
    if report.record_problems:
        records = " Signed records that do not verify: " + "; ".join(report.record_problems) + "."
    if report.intact:
        last = f", up to entry {report.head.sequence:,}" if report.head is not None else ""
        return f"The audit chain is intact: {report.events:,} entries verified{last}.{records}"
    return (
        f"The audit chain is broken at entry {report.first_broken:,}: {report.problem}. "
        f"Entries from there on cannot be trusted. Tell your administrator.{records}"
    )


class AuditViewer(QWidget):
    loaded = Signal()
    verified = Signal(object)  # ChainReport

    def __init__(self, vault: UnlockedVault, background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditViewer")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self.report: ChainReport | None = None
        self._loaded_once = False

        self.user = QComboBox()
        self.user.setObjectName("auditUser")
        self.user.addItem("Anyone", None)
        self.case_reference = QLineEdit()
        self.case_reference.setObjectName("auditCase")
        self.case_reference.setPlaceholderText("such as RLH-26-00001")
        self.case_reference.setClearButtonEnabled(True)
        name_search(self.case_reference, "Case reference")
        self.action = QComboBox()
        self.action.setObjectName("auditAction")
        self.action.addItem("Any action", None)
        for action in AuditAction:
            self.action.addItem(action.value, action.value)
        self.since = QLineEdit()
        self.since.setObjectName("auditSince")
        self.until = QLineEdit()
        self.until.setObjectName("auditUntil")
        for day in (self.since, self.until):
            day.setPlaceholderText("YYYY-MM-DD")
            day.setMaxLength(10)
        self.show_button = QPushButton("Show")
        self.show_button.setObjectName("primaryButton")
        self.show_button.setToolTip("List the entries that match (Enter in any box)")
        self.verify_button = QPushButton("Verify chain")
        self.verify_button.setToolTip("Check every entry's HMAC against the one before it")
        self.chain_state = QLabel()
        self.chain_state.setObjectName("chainState")
        self.chain_state.setWordWrap(True)
        self.chain_state.setVisible(False)
        self.error = InlineError()
        self.loading = busy_bar()
        self.model = AuditTableModel(self)
        self.view = table_view(self.model, "auditTable", sort_column=columns.SEQUENCE, descending=True)
        self.count = QLabel()
        self.count.setObjectName("caseCount")

        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        filters.setVerticalSpacing(2)
        for column, (caption, widget, stretch) in enumerate(
            (
                ("User", self.user, 2),
                ("Case reference", self.case_reference, 2),
                ("Action", self.action, 2),
                ("From", self.since, 1),
                ("To", self.until, 1),
            )
        ):
            label = QLabel(caption)
            label.setObjectName("fieldCaption")
            label.setBuddy(widget)
            filters.addWidget(label, 0, column)
            filters.addWidget(widget, 1, column)
            filters.setColumnStretch(column, stretch)
        filters.addWidget(self.show_button, 1, 5)
        note = QLabel(
            "Entries hold user names, record ids and case references only: never a "
            "young person's name or any other personal data. Newest first."
        )
        note.setObjectName("secondaryText")
        note.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(note, 1)
        top.addWidget(self.verify_button, 0, Qt.AlignmentFlag.AlignTop)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        layout.addLayout(top)
        layout.addWidget(self.chain_state)
        layout.addLayout(filters)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)

        self.show_button.clicked.connect(self.apply_filter)
        self.verify_button.clicked.connect(self.verify)
        for line in (self.case_reference, self.since, self.until):
            line.returnPressed.connect(self.apply_filter)

    # --- filtering and loading -------------------------------------------------------------

    def current_filter(self) -> AuditFilter | None:
        """What the boxes ask for, or None (and a message) when a date cannot be read."""
        days: list[dt.date | None] = []
        for box, what in ((self.since, "From"), (self.until, "To")):
            text = box.text().strip()
            try:
                days.append(parse_date(text) if text else None)
            except FieldError as error:
                self.error.show_message(f"{what}: {error}")
                box.setFocus(Qt.FocusReason.OtherFocusReason)
                return None
        since, until = days
        if since is not None and until is not None and until < since:
            self.error.show_message("The To date is before the From date.")
            return None
        return AuditFilter(
            self.user.currentData(), self.case_reference.text().strip() or None, self.action.currentData(), since, until
        )

    def refresh(self) -> None:
        """Shown for the first time: list the newest entries."""
        if not self._loaded_once:
            self.apply_filter()

    def apply_filter(self) -> None:
        vault = self._vault
        if vault is None:
            return
        wanted = self.current_filter()
        if wanted is None:
            return
        self.error.clear()
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_audit(vault, wanted),
            name="load audit trail",
            on_returned=self._loaded,
            on_errored=self._failed,
        )

    def _loaded(self, listing: AuditListing) -> None:
        self.loading.setVisible(False)
        self._loaded_once = True
        self._fill_users(listing.usernames)
        self.model.set_rows(listing.entries)
        self.model.mark_broken(self.report.first_broken if self.report is not None else None)
        shown = len(listing.entries)
        self.count.setText(
            "No entries match."
            if not shown
            else f"The newest {shown:,} matching entries. Narrow the filter to see older ones."
            if shown >= MOST_ENTRIES
            else f"{shown:,} matching entr{'y' if shown == 1 else 'ies'}."
        )
        self.loaded.emit()

    def _fill_users(self, usernames: list[str]) -> None:
        current = self.user.currentData()
        self.user.blockSignals(True)
        self.user.clear()
        self.user.addItem("Anyone", None)
        for name in usernames:
            self.user.addItem(name, name)
        self.user.setCurrentIndex(max(self.user.findData(current), 0) if current else 0)
        self.user.blockSignals(False)

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.verify_button.setEnabled(True)
        self.error.show_message(user_message(error))

    # --- verifying -------------------------------------------------------------------------

    def verify(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self.verify_button.setEnabled(False)
        self.error.clear()
        self.loading.setVisible(True)
        self._background.run(
            lambda: AuditTrail(vault).verify(),
            name="verify audit chain",
            on_returned=self._verified,
            on_errored=self._failed,
        )

    def _verified(self, report: ChainReport) -> None:
        self.loading.setVisible(False)
        self.verify_button.setEnabled(True)
        self.report = report
        self.chain_state.setText(report_text(report))
        trusted = report.intact and not report.record_problems
        self.chain_state.setProperty("tone", "good" if trusted else "problem")
        self.chain_state.style().unpolish(self.chain_state)
        self.chain_state.style().polish(self.chain_state)
        self.chain_state.setVisible(True)
        self.model.mark_broken(report.first_broken)
        if report.first_broken is not None:
            row = self.model.row_of(report.first_broken)
            if row is not None:
                proxy = self.view.model()
                index = proxy.mapFromSource(self.model.index(row, 0))  # type: ignore[attr-defined]
                self.view.selectRow(index.row())
                self.view.scrollTo(index)
        self.verified.emit(report)

    def clear(self) -> None:
        self.model.clear()
        self.report = None
        self._loaded_once = False
        self.chain_state.clear()
        self.chain_state.setVisible(False)
        self.count.clear()
        self.error.clear()
        self.loading.setVisible(False)
        self.case_reference.clear()
        self.since.clear()
        self.until.clear()
        self._fill_users([])
        self.action.setCurrentIndex(0)
        self._vault = None
