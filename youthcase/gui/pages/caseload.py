"""Caseload: the cases I can see, searched as I type and filtered; a case opens in the same page
(its ``CaseHost``).

Loading reads and decrypts the caseload on the background queue and builds every search and sort
key there too, so a keystroke only runs list comprehensions over ready-made keys (see
``youthcase.gui.models.caseload``). Open cases load first; closed ones when the status filter asks
for them. Drafts left by a lock or a crash are offered at the top of the page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain import codes
from youthcase.domain.codes import Code
from youthcase.domain.roles import Permission, Role
from youthcase.gui import shortcuts
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.case.host import CaseHost, TabChoice
from youthcase.gui.case.view import CaseView, load_detail
from youthcase.gui.changes import Changes
from youthcase.gui.drafts import NEW_CASE_FORM, NEW_CONTACT_FORM, discard_draft
from youthcase.gui.errors import user_message
from youthcase.gui.forms.import_cases import ImportDialog
from youthcase.gui.forms.new_case import NewCaseDialog
from youthcase.gui.icons import icon
from youthcase.gui.inline import InlineError
from youthcase.gui.models import caseload as columns
from youthcase.gui.models.caseload import (
    NO_RISK,
    Attention,
    CaseloadEntry,
    CaseloadFilter,
    CaseloadProxy,
    CaseloadTableModel,
    StatusFilter,
    build_entries,
    sorted_positions,
)
from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import name_search
from youthcase.gui.values import instant_text
from youthcase.gui.windows import close_windows, open_form
from youthcase.services.cases import CaseDetail, CaseService
from youthcase.services.drafts import DraftService, SavedDraft
from youthcase.services.permissions import allowed
from youthcase.services.sites import SiteService, SiteSummary
from youthcase.services.vault import UnlockedVault

NEW_CASE_SHORTCUT = shortcuts.NEW_CASE
SEARCH_SHORTCUT = shortcuts.SEARCH
REFRESH_SHORTCUT = shortcuts.REFRESH
DEBOUNCE_FROM_ROWS = 5_000  # below this many cases every keystroke filters at once
DEBOUNCE_MS = 60
# The widest text each column usually holds: widths are measured once from these, never from the
# rows (measuring 100,000 rows would stall the GUI thread). The name column takes what is left,
# and at least its sample's width (narrower windows scroll sideways).
COLUMN_SAMPLES = {
    columns.REFERENCE: "RLH-26-00000",
    columns.NAME: "Oluwaseun Ade",
    columns.AGE: "25",
    columns.SITE: "RLH",
    columns.WORKER: "a.worker.name",
    columns.ARRIVAL: "28 Sep 2026 23:59",
    columns.ENGAGEMENT: "Unable to contact",
    columns.RISK: "Not assessed",
    columns.LAST_CONTACT: "28 Sep 2026",
    columns.NEXT_ACTION: "28 Sep 2026",
}
CELL_PADDING = 28  # the stylesheet's 8 px either side, the style's margins, and a little air
HEADER_PADDING = 30  # the header's padding and its sort arrow
ICON_SPACE = 24  # the flag in the reference column
DRAFT_FORMS = (NEW_CASE_FORM, NEW_CONTACT_FORM)


@dataclass(frozen=True)
class DraftOffer:
    form: str
    subject_id: uuid.UUID | None
    saved_at: dt.datetime


@dataclass(frozen=True)
class CaseloadListing:
    entries: list[CaseloadEntry]
    order: list[int]  # the entries in the sort order asked for, computed off the GUI thread
    sort: tuple[int, Qt.SortOrder]
    include_closed: bool
    sites: list[SiteSummary]
    drafts: list[DraftOffer]


def load_caseload(vault: UnlockedVault, include_closed: bool, sort: tuple[int, Qt.SortOrder]) -> CaseloadListing:
    """Read, decrypt and prepare the caseload: runs on the background queue."""
    rows = CaseService(vault).caseload(include_closed=include_closed)
    entries = build_entries(rows)
    drafts = [
        DraftOffer(form, subject, saved_at)
        for form, subject, saved_at in DraftService(vault).list_mine()
        if form in DRAFT_FORMS
    ]
    drafts.sort(key=lambda d: d.saved_at, reverse=True)
    return CaseloadListing(
        entries, sorted_positions(entries, *sort), sort, include_closed, SiteService(vault).list_sites(), drafts
    )


def restore_contact(vault: UnlockedVault, case_id: uuid.UUID) -> tuple[CaseDetail, SavedDraft | None]:
    return load_detail(vault, case_id), DraftService(vault).load(NEW_CONTACT_FORM, case_id)


def site_choices(sites: Sequence[SiteSummary], mine: Sequence[str]) -> list[Code]:
    """Active sites for a new case, the user's own first, as code and "code · name"."""
    active = [s for s in sites if s.active]
    active.sort(key=lambda s: (s.code not in mine, s.code))
    return [Code(s.code, f"{s.code} · {s.name}") for s in active]


class DraftBanner(QFrame):
    restore = Signal(object)  # DraftOffer
    discard = Signal(object)

    def __init__(self, offer: DraftOffer, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("draftBanner")
        self.offer = offer
        text = QLabel(
            f"You have {what}, saved {instant_text(offer.saved_at)} when youthcase "
            "locked or closed. Restore it to carry on."
        )
        text.setWordWrap(True)
        self.restore_button = QPushButton("Restore")
        self.restore_button.setObjectName("primaryButton")
        self.discard_button = QPushButton("Discard")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.addWidget(text, 1)
        layout.addWidget(self.discard_button)
        layout.addWidget(self.restore_button)
        self.restore_button.clicked.connect(lambda: self.restore.emit(self.offer))
        self.discard_button.clicked.connect(lambda: self.discard.emit(self.offer))


class CaseloadPage(QWidget):
    loaded = Signal()  # a listing arrived and is shown
    case_opened = Signal(object)  # case id, once its detail is shown

    def __init__(
        self,
        spec: SectionSpec,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseloadPage")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.hide_names = False
        self.sites: list[SiteSummary] = []
        self._loaded_closed: bool | None = None  # None: nothing loaded yet
        self._stale = True
        self.banners: list[DraftBanner] = []
        role = vault.actor.role
        background.notice.changed.connect(self._vault_changed)

        self.model = CaseloadTableModel(self)
        self.proxy = CaseloadProxy(self.model, self)
        self.view = self._build_view(role)
        self.view.viewport().installEventFilter(self)
        self.view.horizontalHeader().sectionResized.connect(
            lambda column, _old, _new: self._fit_name_column() if column != columns.NAME else None
        )

        self.search = QLineEdit()
        self.search.setObjectName("caseSearch")
        self.search.setPlaceholderText("Search names and references  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        name_search(self.search, "Search cases")
        self.search.installEventFilter(self)
        self.status = self._combo("statusFilter", [(s.value, s) for s in StatusFilter])
        self.site = self._combo("siteFilter", [("All sites", None)])
        self.risk = self._combo(
            "riskFilter",
            [
                ("Any risk", None),
                *((f"{c.label} risk", c.code) for c in reversed(codes.RISK_LEVEL.codes)),
                ("Not assessed", NO_RISK),
            ],
        )
        self.attention = self._combo(
            "attentionFilter", [(a.value if a is not Attention.ANY else "Any state", a) for a in Attention]
        )
        self.count = QLabel()
        self.count.setObjectName("caseCount")

        self.new_case_button = QPushButton("New case…")
        self.new_case_button.setObjectName("primaryButton")
        self.new_case_button.setToolTip(f"Record a new case ({NEW_CASE_SHORTCUT})")
        self.import_button = QPushButton("Import cases…")
        self.import_button.setToolTip("Import cases from a spreadsheet saved as CSV")
        recording = allowed(vault.actor, Permission.RECORD_CASES)
        self.new_case_button.setVisible(recording)
        self.import_button.setVisible(allowed(vault.actor, Permission.IMPORT_CASES))
        self.error = InlineError()
        self.loading = busy_bar()

        self.list_panel = QWidget()
        self.list_panel.setObjectName("caseloadList")
        layout = page_layout(self.list_panel)
        title_row = QHBoxLayout()
        heading = QVBoxLayout()
        page_header(
            heading,
            spec.title,
            "Your cases at your sites. Flagged rows need attention: no successful contact "
            "in 14 days, or an overdue action."
            if role is Role.WORKER
            else "Every case at the sites you supervise. Flagged rows need attention: no "
            "successful contact in 14 days, or an overdue action.",
        )
        title_row.addLayout(heading, 1)
        title_row.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addWidget(self.new_case_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(title_row)
        self.banner_area = QVBoxLayout()
        self.banner_area.setSpacing(6)
        layout.addLayout(self.banner_area)
        layout.addSpacing(8)
        filters = QHBoxLayout()
        filters.setSpacing(8)
        filters.addWidget(self.search, 3)
        for combo in (self.status, self.site, self.risk, self.attention):
            filters.addWidget(combo, 1)
        layout.addLayout(filters)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count)

        self.host = CaseHost(vault, background, prompts, back_text="Caseload", back_tip="Back to the caseload (Esc)")
        self.host.setObjectName("caseloadStack")
        self.host.addWidget(self.list_panel)
        self.host.opened.connect(self.case_opened)
        self.host.closed.connect(self._back_at_list)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.host)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_search)
        self.search.textChanged.connect(self._search_typed)
        for combo in (self.status, self.site, self.risk, self.attention):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.view.activated.connect(self._activated)
        self.view.doubleClicked.connect(self._activated)
        self.model.modelReset.connect(self._update_count)
        self.new_case_button.clicked.connect(lambda: self.open_new_case())
        self.import_button.clicked.connect(lambda: self.open_import())
        self._shortcut(SEARCH_SHORTCUT, self.focus_search)
        self._shortcut(REFRESH_SHORTCUT, self.reload)
        self.can_create = recording
        if recording:
            self._shortcut(NEW_CASE_SHORTCUT, lambda: self.open_new_case())
        self._update_count()

    # --- building --------------------------------------------------------------------------

    def _build_view(self, role: Role) -> QTableView:
        view = QTableView()
        view.setObjectName("caseloadTable")
        view.setAccessibleName("Cases")
        view.horizontalHeader().setAccessibleName("Cases columns")
        view.setModel(self.proxy)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTabKeyNavigation(False)
        vertical = view.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 100,000 rows: no measuring
        vertical.setDefaultSectionSize(30)
        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        view.ensurePolished()  # the stylesheet's font, which the widths are measured in
        cell = view.fontMetrics()
        bold = view.font()
        bold.setBold(True)
        heading = QFontMetrics(bold)
        for column, sample in COLUMN_SAMPLES.items():
            width = max(
                cell.horizontalAdvance(sample) + CELL_PADDING,
                heading.horizontalAdvance(columns.HEADERS[column]) + HEADER_PADDING,
            )
            header.resizeSection(column, width + (ICON_SPACE if column == columns.REFERENCE else 0))
        self._name_width = header.sectionSize(columns.NAME)
        view.setColumnHidden(columns.WORKER, role is Role.WORKER)
        sort_column, order = self.model.sort_order
        header.setSortIndicator(sort_column, order)
        view.setSortingEnabled(True)  # after the indicator: enabling sorts by the indicator
        return view

    def _combo(self, name: str, items: Sequence[tuple[str, Any]]) -> QComboBox:
        combo = QComboBox()
        combo.setObjectName(name)
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def _shortcut(self, keys: str, slot: Any) -> None:
        """Anywhere in the main window while this page shows (hidden pages' shortcuts sleep)."""
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)

    # --- loading ---------------------------------------------------------------------------

    @property
    def has_loaded(self) -> bool:
        """A listing has arrived since the page was made (or last cleared)."""
        return self._loaded_closed is not None

    def refresh(self) -> None:
        """The section was opened: load unless what is shown is current."""
        if self._stale or self._loaded_closed is None:
            self.reload()

    def reload(self) -> None:
        vault = self._vault
        if vault is None:
            return
        include_closed = self.proxy.current_filter.status is not StatusFilter.OPEN
        sort = self.model.sort_order
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_caseload(vault, include_closed, sort),
            name="load caseload",
            on_returned=self._loaded,
            on_errored=self._failed,
        )

    def _loaded(self, listing: CaseloadListing) -> None:
        self.loading.setVisible(False)
        self.error.clear()
        self._stale = False
        self._loaded_closed = listing.include_closed
        self.sites = listing.sites
        self._fill_site_filter(listing.entries)
        # One site for every case (most workers): the column would say the same on every row.
        single_site = len({e.row.site_code for e in listing.entries}) <= 1
        self.view.setColumnHidden(columns.SITE, single_site)
        self.site.setVisible(not single_site)
        self._fit_name_column()
        self.host.site_names = {s.code: s.name for s in listing.sites}
        selected = self.selected_case_id()
        order = listing.order if listing.sort == self.model.sort_order else None
        self.model.set_entries(listing.entries, order)
        if selected is not None:
            self.select_case(selected)
        self._show_drafts(listing.drafts)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def _fill_site_filter(self, entries: Sequence[CaseloadEntry]) -> None:
        current = self.site.currentData()
        codes_seen = sorted(
            {e.row.site_code for e in entries} | set(self._vault.actor.site_codes if self._vault else ())
        )
        self.site.blockSignals(True)
        self.site.clear()
        self.site.addItem("All sites", None)
        for code in codes_seen:
            self.site.addItem(code, code)
        index = self.site.findData(current) if current is not None else 0
        self.site.setCurrentIndex(max(index, 0))
        self.site.blockSignals(False)

    def clear(self) -> None:
        """The vault locked: forget every case, name, search and open form."""
        close_windows(self)
        self._debounce.stop()
        self.model.clear()
        self.host.clear()
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.proxy.set_filter(replace(self.proxy.current_filter, search=""))
        self._clear_banners()
        self.error.clear()
        self.loading.setVisible(False)
        self._vault = None
        self._loaded_closed = None
        self._update_count()

    # --- searching and filtering -----------------------------------------------------------

    def _search_typed(self, _text: str) -> None:
        if self.model.total >= DEBOUNCE_FROM_ROWS:
            self._debounce.start()
        else:
            self.apply_search()

    def apply_search(self) -> None:
        self._debounce.stop()
        self.proxy.set_search(self.search.text())
        self._after_filter()

    def current_filter(self) -> CaseloadFilter:
        return CaseloadFilter(
            self.search.text(),
            self.status.currentData(),
            self.site.currentData(),
            self.risk.currentData(),
            self.attention.currentData(),
        )

    def _filters_changed(self, _index: int) -> None:
        wanted = self.current_filter()
        self.proxy.set_filter(wanted)
        self._after_filter()
        if wanted.status is not StatusFilter.OPEN and self._loaded_closed is False:
            self.reload()  # closed cases were not loaded yet

    def _after_filter(self) -> None:
        if self.proxy.rowCount() and not self.view.selectionModel().hasSelection():
            self.view.selectRow(0)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.total
        scope = "open cases loaded" if self._loaded_closed is False else "cases loaded"
        self.count.setText(
            f"Showing {shown:,} of {total:,} {scope}"
            if total
            else ("No cases yet." if self._loaded_closed is not None else "")
        )

    def focus_search(self) -> None:
        self.show_list()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _fit_name_column(self) -> None:
        """The name column fills the width the others leave (never narrower than its sample)."""
        header = self.view.horizontalHeader()
        others = sum(
            header.sectionSize(c) for c in range(header.count()) if c != columns.NAME and not header.isSectionHidden(c)
        )
        spare = self.view.viewport().width() - others
        header.blockSignals(True)
        header.resizeSection(columns.NAME, max(self._name_width, spare))
        header.blockSignals(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """From the search box: Down moves into the table, Enter opens the highlighted case."""
        if watched is self.view.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_name_column()
            return False
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Down and self.proxy.rowCount():
                self.apply_search()
                self.view.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.view.selectionModel().hasSelection():
                    self.view.selectRow(0)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.apply_search()
                case_id = self.selected_case_id() or (self.proxy.case_at(0).case_id if self.proxy.rowCount() else None)
                if case_id is not None:
                    self.open_case(case_id)
                return True
        return super().eventFilter(watched, event)

    # --- selection and opening ---------------------------------------------------------------

    @property
    def case_view(self) -> CaseView:
        return self.host.view

    def selected_case_id(self) -> uuid.UUID | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.proxy.case_at(rows[0].row()).case_id

    def select_case(self, case_id: uuid.UUID) -> None:
        row = self.model.row_of(case_id)
        if row is not None:
            self.view.selectRow(row)
            self.view.scrollTo(self.proxy.index(row, 0))

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case(self.proxy.case_at(index.row()).case_id)

    def open_case(self, case_id: uuid.UUID, at: TabChoice | None = None) -> None:
        """Load the case on the background queue; show it, or say why not (nothing is shown)."""
        self.host.open_case(case_id, busy=self.loading, error=self.error, at=at)

    def present_case(self, detail: CaseDetail) -> CaseView:
        return self.host.present(detail)

    def show_list(self) -> None:
        self.host.back()

    def _back_at_list(self, case_id: uuid.UUID | None) -> None:
        if case_id is not None:
            self.select_case(case_id)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if self._stale:
            self.reload()

    def _vault_changed(self, changes: Changes) -> None:
        """Another operation succeeded: load again now if the list is on screen, else next time."""
        if not changes.caseload:
            return
        self._stale = True
        if self.isVisible() and not self.host.showing_case:
            self.reload()

    # --- new cases, drafts, import ----------------------------------------------------------

    def open_new_case(self, restored: dict[str, Any] | None = None) -> NewCaseDialog | None:
        vault = self._vault
        if vault is None:
            return None
        existing = self.findChild(NewCaseDialog)
        if existing is not None and existing.isVisible():
            existing.raise_()
            return existing
        dialog = NewCaseDialog(
            vault,
            self._background,
            self._prompts,
            site_choices(self.sites, sorted(vault.actor.site_codes)),
            hide_names=self.hide_names,
            restored=restored,
            parent=self,
        )
        dialog.created.connect(self._case_created)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def _case_created(self, detail: CaseDetail) -> None:
        self.present_case(detail)

    def open_import(self) -> ImportDialog | None:
        vault = self._vault
        if vault is None:
            return None
        dialog = ImportDialog(vault, self._background, self._prompts, hide_names=self.hide_names, parent=self)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        dialog.choose_file()
        return dialog

    def _show_drafts(self, drafts: Sequence[DraftOffer]) -> None:
        self._clear_banners()
        for offer in drafts:
            if offer.form == NEW_CASE_FORM:
                what = "an unsaved new case"
            else:
                entry = self.model.find(offer.subject_id) if offer.subject_id else None
                what = f"an unsaved contact for {entry.row.reference}" if entry else "an unsaved contact"
            banner = DraftBanner(offer, what)
            banner.restore.connect(self.restore_draft)
            banner.discard.connect(self.discard_draft)
            self.banner_area.addWidget(banner)
            # In the Tab order where they show, after New case (not at the end: made last).
            before = self.banners[-1].restore_button if self.banners else self.new_case_button
            QWidget.setTabOrder(before, banner.discard_button)
            QWidget.setTabOrder(banner.discard_button, banner.restore_button)
            self.banners.append(banner)
        if self.banners and self.isVisible() and not self.search.hasFocus():
            self.banners[0].restore_button.setFocus(Qt.FocusReason.OtherFocusReason)  # what is waiting

    def _clear_banners(self) -> None:
        for banner in self.banners:
            self.banner_area.removeWidget(banner)
            banner.deleteLater()
        self.banners = []

    def _remove_banner(self, offer: DraftOffer) -> None:
        for banner in list(self.banners):
            if banner.offer == offer:
                self.banners.remove(banner)
                self.banner_area.removeWidget(banner)
                banner.deleteLater()

    def restore_draft(self, offer: DraftOffer) -> None:
        vault = self._vault
        if vault is None:
            return
        self._remove_banner(offer)
        self.loading.setVisible(True)
        if offer.form == NEW_CASE_FORM:
            self._background.run(
                lambda: DraftService(vault).load(NEW_CASE_FORM, None),
                name="load draft",
                on_returned=self._new_case_draft,
                on_errored=self._failed,
            )
        elif offer.subject_id is not None:
            case_id = offer.subject_id
            self._background.run(
                lambda: restore_contact(vault, case_id),
                name="load draft",
                on_returned=self._contact_draft,
                on_errored=self._draft_failed,
            )

    def _draft_failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def _new_case_draft(self, draft: SavedDraft | None) -> None:
        self.loading.setVisible(False)
        if draft is not None:
            self.open_new_case(restored=dict(draft.values))

    def _contact_draft(self, loaded: tuple[CaseDetail, SavedDraft | None]) -> None:
        detail, draft = loaded
        self.loading.setVisible(False)
        view = self.present_case(detail)
        if draft is not None:
            view.open_new_contact(restored=dict(draft.values))

    def discard_draft(self, offer: DraftOffer) -> None:
        vault = self._vault
        if vault is None:
            return
        if not self._prompts.confirm(
            self, "Discard draft", "Discard this unsaved form? It cannot be recovered.", "Discard"
        ):
            return
        self._remove_banner(offer)
        self._background.run(
            lambda: discard_draft(vault, offer.form, offer.subject_id), name="discard draft", on_errored=self._failed
        )

    def save_drafts_now(self) -> None:
        """Right before a lock: queue a last save of every open form that keeps a draft."""
        for dialog in self.findChildren(NewCaseDialog):
            dialog.save_draft_now()
        self.host.save_drafts_now()

    # --- hide names ------------------------------------------------------------------------

    def set_hide_names(self, hide: bool) -> None:
        self.hide_names = hide
        self.model.set_hide_names(hide)
        self.host.set_hide_names(hide)
        for dialog in self.findChildren(NewCaseDialog):
            dialog.set_hide_names(hide)
        for importer in self.findChildren(ImportDialog):
            importer.set_hide_names(hide)


__all__ = ["CaseloadPage", "load_caseload"]
