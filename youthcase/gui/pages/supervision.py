"""Supervision: the dashboard by worker and by site, the cases behind each figure (reassigned from
there, all or nothing), the closures waiting for approval, and the audit trail.

One background task loads the overview (the dashboard, the closures, the referrals waiting and the
staff list); a click on a figure loads the cases behind it from the caseload. After every action
the overview loads again, and the list of cases is worked out afresh from the new dashboard. A case
opens in this page, so Back returns to the list it was opened from.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain import codes
from youthcase.domain import dictionary as dd
from youthcase.domain.referrals import AWAITING_SERVICE
from youthcase.gui.background import Background
from youthcase.gui.bar_chart import BarChart
from youthcase.gui.busy import busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.forms.supervision import RETURN_CLOSURE, reassign_entity, staff_codes
from youthcase.gui.icons import icon
from youthcase.gui.inline import InlineError
from youthcase.gui.models import caseload as caseload_columns
from youthcase.gui.models.caseload import (
    CaseloadEntry,
    CaseloadFilter,
    CaseloadProxy,
    CaseloadTableModel,
    StatusFilter,
    build_entries,
)
from youthcase.gui.models.dashboard import NAME, DashboardProxy, DashboardTableModel
from youthcase.gui.models.supervision import ClosureTableModel
from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout
from youthcase.gui.pages.access import AccessPanel
from youthcase.gui.pages.audit_viewer import AuditViewer
from youthcase.gui.pages.case_view import CaseView, load_detail
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import selected_object, table_view
from youthcase.gui.values import code_label
from youthcase.services.accounts import AccountService, AccountSummary
from youthcase.services.cases import CaseDetail, CaseService
from youthcase.services.dashboard import FIGURES, Dashboard, DashboardRow, DashboardService, Figure
from youthcase.services.referrals import ReferralService
from youthcase.services.sites import SiteService, SiteSummary
from youthcase.services.supervision import ClosureRequestView, SupervisionService
from youthcase.services.vault import UnlockedVault

DASHBOARD_TAB, CLOSURES_TAB, AUDIT_TAB, ACCESS_TAB = range(4)
BY_WORKER, BY_SITE, IN_TOTAL = "worker", "site", "total"
ROW_HEIGHT = 30
HEADER_PADDING = 26  # the stylesheet's 8 + 11 px, and a little air
SORT_ARROW = 16  # more for the column the table is sorted by


@dataclass(frozen=True)
class SupervisionOverview:
    dashboard: Dashboard
    closures: list[ClosureRequestView]
    referrals_waiting: list[tuple[str, int]]  # service type label, count; most first
    staff: list[AccountSummary]
    sites: list[SiteSummary]


def load_overview(vault: UnlockedVault) -> SupervisionOverview:
    """Runs on the background queue each time the page opens and after every action."""
    dashboard = DashboardService(vault).dashboard()
    closures = SupervisionService(vault).closure_requests(pending_only=True)
    waiting = Counter(
        service_label(view.service_type) for view in ReferralService(vault).board() if view.status in AWAITING_SERVICE
    )
    return SupervisionOverview(
        dashboard,
        closures,
        sorted(waiting.items(), key=lambda item: (-item[1], item[0])),
        AccountService(vault).list_users(),
        SiteService(vault).list_sites(),
    )


def service_label(service_type: str) -> str:
    try:
        return codes.SERVICE_TYPE.label(service_type)
    except KeyError:
        return service_type


def load_cases(vault: UnlockedVault, case_ids: frozenset[uuid.UUID]) -> list[CaseloadEntry]:
    """The caseload rows of these cases: open cases first; closed ones only when some are."""
    rows = [row for row in CaseService(vault).caseload(include_closed=False) if row.case_id in case_ids]
    if len(rows) < len(case_ids):
        rows = [row for row in CaseService(vault).caseload(include_closed=True) if row.case_id in case_ids]
    return build_entries(rows)


@dataclass(frozen=True)
class Drill:
    """Which figure of which row the listed cases are behind."""

    breakdown: str  # BY_WORKER, BY_SITE or IN_TOTAL
    unit: str  # the worker's user name or the site's code ("All" in total)
    figure: Figure
    case_ids: frozenset[uuid.UUID]

    @property
    def title(self) -> str:
        if self.breakdown == BY_WORKER:
            return f"{self.figure.label}  ·  {self.unit}'s cases"
        if self.breakdown == BY_SITE:
            return f"{self.figure.label}  ·  {self.unit}"
        return f"{self.figure.label}  ·  all your sites"


def _rows_of(dashboard: Dashboard, breakdown: str) -> Sequence[DashboardRow]:
    if breakdown == BY_WORKER:
        return dashboard.by_worker
    if breakdown == BY_SITE:
        return dashboard.by_site
    return (dashboard.totals,)


def refreshed(drill: Drill, dashboard: Dashboard) -> Drill:
    """The same figure of the same row in a newer dashboard (no cases once the row is gone)."""
    for row in _rows_of(dashboard, drill.breakdown):
        if row.name == drill.unit:
            return replace(drill, case_ids=row.cases.get(drill.figure.key, frozenset()))
    return replace(drill, case_ids=frozenset())


class FigureTable(QTableView):
    """A dashboard table as tall as its rows (the page scrolls, the table does not). Each figure
    column is as wide as its two-line heading; the name column takes what is left, and a scroll
    bar appears when the window is too narrow for every figure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._widths: list[int] = []  # each column's own width; the name column's is its least
        self.least_name = 0  # the other table's name column, so that the figures line up
        self.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self.fit_columns())

    def measure(self) -> None:
        """After a load: the width each column needs (headings in the header's bold font)."""
        model = self.model()
        self.ensurePolished()
        bold = self.font()
        bold.setBold(True)
        heading = QFontMetrics(bold)
        widths = []
        for column in range(model.columnCount()):
            lines = str(model.headerData(column, Qt.Orientation.Horizontal) or "").split("\n")
            text = max(heading.horizontalAdvance(line) for line in lines)
            widths.append(max(text + HEADER_PADDING, self.sizeHintForColumn(column)))
        self._widths = widths
        self.fit_columns()

    @property
    def name_width(self) -> int:
        return self._widths[NAME] if self._widths else 0

    def fit_columns(self) -> None:
        if not self._widths:
            return
        header = self.horizontalHeader()
        widths = list(self._widths)
        widths[NAME] = max(widths[NAME], self.least_name)
        sorted_by = header.sortIndicatorSection()
        if sorted_by != NAME and 0 <= sorted_by < len(widths):
            widths[sorted_by] += SORT_ARROW  # the arrow sits beside the heading
        widths[NAME] += max(self.viewport().width() - sum(widths), 0)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = self.model().rowCount() if self.model() is not None else 0
        height = self.horizontalHeader().sizeHint().height() + rows * ROW_HEIGHT + 2 * self.frameWidth()
        if self.horizontalHeader().length() > self.viewport().width():
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_columns()


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def _chart_box(title: str, chart: BarChart) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(10, 12, 10, 8)
    layout.addWidget(chart)
    return box


class SupervisionPage(QWidget):
    loaded = Signal()  # an overview arrived and is shown
    cases_listed = Signal()  # the cases behind a figure are shown
    case_opened = Signal(object)  # case id

    def __init__(
        self,
        spec: SectionSpec,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionPage")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.overview: SupervisionOverview | None = None
        self.drill: Drill | None = None
        self.hide_names = False
        self._came_from_cases = False
        background.notice.changed.connect(self._vault_changed)

        self.by_worker = DashboardTableModel("Worker", FIGURES, self)
        self.by_site = DashboardTableModel("Site", FIGURES, self)
        self.worker_view = self._dashboard_view(self.by_worker, "dashboardByWorker")
        self.site_view = self._dashboard_view(self.by_site, "dashboardBySite")
        self.caseload_chart = BarChart("No open cases.")
        self.caseload_chart.setObjectName("caseloadChart")
        self.referrals_chart = BarChart("No referrals waiting.")
        self.referrals_chart.setObjectName("referralsChart")
        self.closures = ClosureTableModel(self)
        self.closure_view = table_view(self.closures, "closureTable", sort_column=2)
        self.closure_view.doubleClicked.connect(lambda _index: self.open_selected_closure_case())
        self.open_closure_case_button = QPushButton("Open case")
        self.return_button = QPushButton("Return with comment…")
        self.approve_button = QPushButton("Approve")
        self.approve_button.setObjectName("primaryButton")
        self.closure_error = InlineError()
        self.closure_empty = QLabel("No closures are waiting for approval.")
        self.closure_empty.setObjectName("secondaryText")
        self.audit = AuditViewer(vault, background)
        self.access = AccessPanel(vault, background, prompts)
        self.access.loaded.connect(self._access_loaded)
        self.error = InlineError()
        self.loading = busy_bar()

        self.overview_panel = self._build_overview(spec)
        self.cases_panel = self._build_cases_panel()
        self._case_view: CaseView | None = None  # made when a case first opens
        self.stack = QStackedWidget()
        self.stack.setObjectName("supervisionStack")
        for panel in (self.overview_panel, self.cases_panel):
            self.stack.addWidget(panel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        self.closure_view.selectionModel().selectionChanged.connect(self._closure_selected)
        self.open_closure_case_button.clicked.connect(self.open_selected_closure_case)
        self.approve_button.clicked.connect(self.approve_selected)
        self.return_button.clicked.connect(lambda: self.open_return_selected())
        self.tabs.currentChanged.connect(self._tab_changed)
        self._closure_selected()

    # --- building --------------------------------------------------------------------------

    def _dashboard_view(self, model: DashboardTableModel, name: str) -> FigureTable:
        view = FigureTable()
        table_view(DashboardProxy(model, self), name, stretch_last=False, view=view)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)  # one figure
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # see FigureTable
        view.setSortingEnabled(True)
        view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        view.clicked.connect(lambda index, v=view: self._figure_clicked(v, index))
        view.activated.connect(lambda index, v=view: self._figure_clicked(v, index))
        return view

    def _build_overview(self, spec: SectionSpec) -> QWidget:
        panel = QWidget()
        panel.setObjectName("supervisionOverview")
        layout = page_layout(panel)
        page_header(
            layout,
            spec.title,
            "Caseloads and risk across the workers and sites you supervise. Click a "
            "figure to list the cases behind it; hover over a heading for its definition.",
        )
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addSpacing(4)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("supervisionTabs")
        self.tabs.addTab(self._build_dashboard_tab(), "Dashboard")
        self.tabs.addTab(self._build_closures_tab(), "Closures to approve")
        self.tabs.addTab(self.audit, "Audit trail")
        self.tabs.addTab(self.access, "Access")
        layout.addWidget(self.tabs, 1)
        return panel

    def _build_dashboard_tab(self) -> QWidget:
        body = QWidget()
        body.setObjectName("dashboardBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        charts = QHBoxLayout()
        charts.setSpacing(16)
        charts.addWidget(_chart_box("Open cases by worker", self.caseload_chart), 1)
        charts.addWidget(_chart_box("Referrals waiting on a service", self.referrals_chart), 1)
        layout.addLayout(charts)
        layout.addSpacing(8)
        layout.addWidget(_caption("By worker"))
        layout.addWidget(self.worker_view)
        layout.addSpacing(8)
        layout.addWidget(_caption("By site"))
        layout.addWidget(self.site_view)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("dashboardScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        scroll.viewport().setAutoFillBackground(False)  # the tab's white shows through
        body.setAutoFillBackground(False)
        return scroll

    def _build_closures_tab(self) -> QWidget:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(8)
        row = QHBoxLayout()
        row.addWidget(_caption("Closures waiting for you"))
        row.addStretch(1)
        for button in (self.open_closure_case_button, self.return_button, self.approve_button):
            row.addWidget(button)
        layout.addLayout(row)
        note = QLabel(
            "Approving closes the case with the reason the worker gave. Returning "
            "sends it back to them with your comment; the case stays open."
        )
        note.setObjectName("secondaryText")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(self.closure_error)
        layout.addWidget(self.closure_empty)
        layout.addWidget(self.closure_view, 1)
        return body

    def _build_cases_panel(self) -> QWidget:
        panel = QWidget()
        panel.setObjectName("supervisionCases")
        self.back_button = QPushButton(icon("back"), "Supervision")
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip("Back to the dashboard (Esc)")
        self.cases_title = QLabel()
        self.cases_title.setObjectName("pageTitle")
        self.cases_definition = QLabel()
        self.cases_definition.setObjectName("pageSummary")
        self.cases_definition.setWordWrap(True)
        self.case_model = CaseloadTableModel(self)
        self.case_model.apply_filter(CaseloadFilter(status=StatusFilter.ALL))
        self.case_proxy = CaseloadProxy(self.case_model, self)
        self.case_list = table_view(self.case_proxy, "drillCaseTable", many=True)
        column, order = self.case_model.sort_order  # the caseload proxy sorts in bulk itself
        self.case_list.horizontalHeader().setSortIndicator(column, order)
        self.case_list.setSortingEnabled(True)
        self.reassign_button = QPushButton("Reassign…")
        self.reassign_button.setObjectName("primaryButton")
        self.reassign_button.setToolTip(
            "Move the selected cases to another worker: all of them, or none if any cannot move"
        )
        self.open_case_button = QPushButton("Open case")
        self.cases_count = QLabel()
        self.cases_count.setObjectName("caseCount")
        self.cases_error = InlineError()
        self.cases_loading = busy_bar()

        layout = page_layout(panel)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch(1)
        layout.addLayout(back_row)
        title_row = QHBoxLayout()
        heading = QVBoxLayout()
        heading.addWidget(self.cases_title)
        heading.addWidget(self.cases_definition)
        title_row.addLayout(heading, 1)
        title_row.addWidget(self.open_case_button, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addWidget(self.reassign_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(title_row)
        layout.addWidget(self.cases_loading)
        layout.addWidget(self.cases_error)
        layout.addWidget(self.case_list, 1)
        layout.addWidget(self.cases_count)

        self.back_button.clicked.connect(self.show_overview)
        self.reassign_button.clicked.connect(lambda: self.open_reassign())
        self.open_case_button.clicked.connect(self._open_selected_case)
        self.case_list.doubleClicked.connect(self._case_activated)
        self.case_list.activated.connect(self._case_activated)
        self.case_list.selectionModel().selectionChanged.connect(self._cases_selected)
        back = QShortcut(QKeySequence("Escape"), panel)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.show_overview)
        self._cases_selected()
        return panel

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """The section was opened: what a supervisor reviews is always loaded afresh."""
        self.reload()
        self.access.reload()  # the tab says how many people wait and keys are due

    def reload(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_overview(vault), name="load supervision", on_returned=self._loaded, on_errored=self._failed
        )

    def _loaded(self, overview: SupervisionOverview) -> None:
        self.loading.setVisible(False)
        self.error.clear()
        self.overview = overview
        dashboard = overview.dashboard
        self.by_worker.set_rows(dashboard.by_worker, dashboard.totals)
        self.by_site.set_rows(dashboard.by_site, dashboard.totals)
        views = (self.worker_view, self.site_view)
        for view in views:
            view.measure()
        for view in views:
            view.least_name = max(other.name_width for other in views)
            view.fit_columns()
        open_by_worker = sorted(
            ((row.name, row.count("open")) for row in dashboard.by_worker if row.count("open")),
            key=lambda bar: (-bar[1], bar[0]),
        )
        self.caseload_chart.set_bars(open_by_worker)
        self.referrals_chart.set_bars(overview.referrals_waiting)
        self.closures.set_items(overview.closures)
        waiting = len(overview.closures)
        self.tabs.setTabText(CLOSURES_TAB, f"Closures to approve ({waiting})" if waiting else "Closures to approve")
        self.closure_empty.setVisible(not waiting)
        self.closure_view.setVisible(bool(waiting))
        if waiting and not self.closure_view.selectionModel().hasSelection():
            self.closure_view.selectRow(0)
        self._closure_selected()
        self.loaded.emit()
        if self.drill is not None and self.stack.currentWidget() is not self.overview_panel:
            self.list_cases(refreshed(self.drill, dashboard))

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def _vault_changed(self, changes: Changes) -> None:
        """An operation succeeded: the figures may differ (opening the page loads them anyway)."""
        if self.isVisible() and (changes.caseload or changes.referrals or changes.accounts):
            self.reload()

    def _tab_changed(self, index: int) -> None:
        if index == AUDIT_TAB:
            self.audit.refresh()
        elif index == ACCESS_TAB:
            self.access.reload()

    def _access_loaded(self) -> None:
        waiting = self.access.attention
        self.tabs.setTabText(ACCESS_TAB, f"Access ({waiting})" if waiting else "Access")

    # --- the cases behind a figure -----------------------------------------------------------

    def _figure_clicked(self, view: QTableView, index: QModelIndex) -> None:
        proxy = view.model()
        assert isinstance(proxy, DashboardProxy)
        figure = proxy.figure_at(index.column())
        if figure is None or not index.isValid():
            return
        unit = proxy.unit_at(index.row())
        if proxy.dashboard.is_totals(proxy.mapToSource(index).row()):
            breakdown = IN_TOTAL
        else:
            breakdown = BY_WORKER if view is self.worker_view else BY_SITE
        cases = proxy.cases_at(index)
        if not cases:
            return
        drill = Drill(breakdown, unit.name, figure, cases)
        if drill == self.drill and self.cases_loading.isVisible():
            return  # a click and an activation of the same cell
        self.list_cases(drill)

    def list_cases(self, drill: Drill) -> None:
        """Show the list for ``drill`` and load its cases (the caseload rows, names and all)."""
        vault = self._vault
        if vault is None:
            return
        self.drill = drill
        self.cases_title.setText(drill.title)
        self.cases_definition.setText(drill.figure.definition)
        self.cases_error.clear()
        if self.stack.currentWidget() is self.overview_panel:
            self.stack.setCurrentWidget(self.cases_panel)
        if not drill.case_ids:
            self.case_model.clear()
            self._cases_selected()
            self._update_cases_count()
            self.cases_listed.emit()
            return
        self.cases_loading.setVisible(True)
        case_ids = drill.case_ids
        self._background.run(
            lambda: load_cases(vault, case_ids),
            name="load cases",
            on_returned=lambda entries: self._cases_loaded(drill, entries),
            on_errored=self._cases_failed,
        )

    def _cases_loaded(self, drill: Drill, entries: list[CaseloadEntry]) -> None:
        if drill != self.drill:
            return  # another figure was chosen meanwhile
        self.cases_loading.setVisible(False)
        selected = set(self.selected_case_ids())
        # A column that says the same on every row says nothing.
        self.case_list.setColumnHidden(caseload_columns.SITE, len({e.row.site_code for e in entries}) <= 1)
        self.case_list.setColumnHidden(caseload_columns.WORKER, drill.breakdown == BY_WORKER)
        self.case_model.set_entries(entries)
        for row in range(self.case_proxy.rowCount()):
            if self.case_proxy.case_at(row).case_id in selected:
                self.case_list.selectionModel().select(
                    self.case_proxy.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
                )
        self._cases_selected()
        self._update_cases_count()
        self.cases_listed.emit()

    def _cases_failed(self, error: BaseException) -> None:
        self.cases_loading.setVisible(False)
        self.cases_error.show_message(user_message(error))

    def _update_cases_count(self) -> None:
        shown = self.case_proxy.rowCount()
        self.cases_count.setText(
            f"{shown} case{'s' if shown != 1 else ''}. Select several (Ctrl or Shift) to reassign them together."
            if shown
            else "No cases any more: the figure is down to 0."
        )

    def selected_case_ids(self) -> list[uuid.UUID]:
        rows = sorted(index.row() for index in self.case_list.selectionModel().selectedRows())
        return [self.case_proxy.case_at(row).case_id for row in rows]

    def _cases_selected(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        chosen = len(self.selected_case_ids())
        self.reassign_button.setEnabled(chosen > 0)
        self.reassign_button.setText(f"Reassign {chosen} cases…" if chosen > 1 else "Reassign…")
        self.open_case_button.setEnabled(chosen == 1)

    def show_overview(self) -> None:
        self.stack.setCurrentWidget(self.overview_panel)
        self.drill = None
        self.case_model.clear()
        self.worker_view.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- reassigning -------------------------------------------------------------------------

    def open_reassign(self) -> RecordDialog | None:
        vault, overview = self._vault, self.overview
        case_ids = self.selected_case_ids()
        if vault is None or overview is None or not case_ids:
            return None
        entries = [entry for entry in map(self.case_model.find, case_ids) if entry is not None]
        listed = ", ".join(entry.row.reference for entry in entries)
        workers = {entry.row.worker for entry in entries}
        staff = staff_codes(overview.staff, sites=vault.actor.site_codes, exclude=workers if len(workers) == 1 else ())
        count = len(case_ids)
        cases = f"{count} case{'s' if count != 1 else ''}"
        intro = (
            f"{listed}. Either every case moves or none does: if one cannot go to the "
            "worker you choose, nothing changes and the reason shows here."
            if count > 1
            else f"{listed} moves to the worker you choose. The reason is kept with it."
        )
        dialog = RecordDialog(
            entity=reassign_entity(staff),
            names=("to_worker", "reason"),
            title="Reassign cases",
            heading=f"Reassign {cases}",
            intro=intro,
            submit_label=f"Reassign {cases}",
            save=lambda values: SupervisionService(vault).reassign(case_ids, values["to_worker"], values["reason"]),
            background=self._background,
            prompts=self._prompts,
            changes=Changes(assignments=True),
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    # --- closures ----------------------------------------------------------------------------

    def selected_closure(self) -> ClosureRequestView | None:
        found: ClosureRequestView | None = selected_object(self.closure_view)
        return found

    def _closure_selected(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        chosen = self.selected_closure() is not None
        for button in (self.open_closure_case_button, self.return_button, self.approve_button):
            button.setEnabled(chosen)

    def approve_selected(self) -> None:
        vault, request = self._vault, self.selected_closure()
        if vault is None or request is None:
            return
        reason = code_label(dd.CASE["closure_reason"], request.reason).lower()
        if not self._prompts.confirm(
            self,
            "Approve closure",
            f"Approve closing {request.case_reference} ({reason}), as {request.requested_by} "
            "asked? The case closes today; it can be reopened later.",
            "Approve closure",
        ):
            return
        request_id = request.request_id
        self._deciding(True)
        self._background.run(
            lambda: SupervisionService(vault).decide_closure(request_id, True),
            name="approve closure",
            on_returned=lambda _r: self._decided(),
            on_errored=self._decision_failed,
            changes=Changes(supervision=True, cases=True),
        )

    def open_return_selected(self) -> RecordDialog | None:
        vault, request = self._vault, self.selected_closure()
        if vault is None or request is None:
            return None
        request_id = request.request_id
        dialog = RecordDialog(
            entity=RETURN_CLOSURE,
            names=("comment",),
            title="Return closure request",
            heading=f"Return {request.case_reference} to {request.requested_by}",
            intro="The case stays open. Your comment shows on the case for the worker.",
            submit_label="Return to worker",
            save=lambda values: SupervisionService(vault).decide_closure(request_id, False, values["comment"]),
            background=self._background,
            prompts=self._prompts,
            changes=Changes(supervision=True),
            parent=self,
        )
        dialog.saved.connect(lambda _result: self._decided())
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _deciding(self, busy: bool) -> None:
        self.loading.setVisible(busy)
        self.closure_error.clear()
        for button in (self.open_closure_case_button, self.return_button, self.approve_button):
            button.setEnabled(not busy)

    def _decided(self) -> None:
        self._deciding(False)
        self.closure_view.clearSelection()  # the change notice loads the overview again

    def _decision_failed(self, error: BaseException) -> None:
        self._deciding(False)
        self._closure_selected()
        self.closure_error.show_message(user_message(error))

    def open_selected_closure_case(self) -> None:
        request = self.selected_closure()
        if request is not None:
            self.open_case(request.case_id, from_cases=False)

    # --- one case ----------------------------------------------------------------------------

    @property
    def case_view(self) -> CaseView:
        """The case view, made the first time a case opens here."""
        if self._case_view is None:
            vault = self._vault
            assert vault is not None, "no case view once the vault has locked"
            view = CaseView(vault, self._background, self._prompts)
            view.back_button.setText("Back")
            view.back_button.setToolTip("Back to the list (Esc)")
            view.back_requested.connect(self.back_from_case)
            self.stack.addWidget(view)
            self._case_view = view
        return self._case_view

    def _case_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case(self.case_proxy.case_at(index.row()).case_id, from_cases=True)

    def _open_selected_case(self) -> None:
        chosen = self.selected_case_ids()
        if len(chosen) == 1:
            self.open_case(chosen[0], from_cases=True)

    @property
    def site_names(self) -> dict[str, str]:
        return {} if self.overview is None else {s.code: s.name for s in self.overview.sites}

    def open_case(self, case_id: uuid.UUID, from_cases: bool = True) -> None:
        vault = self._vault
        if vault is None:
            return
        self._came_from_cases = from_cases
        bar, error = (self.cases_loading, self.cases_error) if from_cases else (self.loading, self.closure_error)
        bar.setVisible(True)
        error.clear()

        def failed(problem: BaseException) -> None:
            bar.setVisible(False)
            error.show_message(user_message(problem))

        def shown(detail: CaseDetail) -> None:
            bar.setVisible(False)
            view = self.case_view
            view.site_names = self.site_names
            view.set_hide_names(self.hide_names)
            view.show_detail(detail)
            view.tabs.setCurrentIndex(0)
            self.stack.setCurrentWidget(view)
            view.tabs.setFocus(Qt.FocusReason.OtherFocusReason)
            self.case_opened.emit(detail.case_id)

        self._background.run(
            lambda: load_detail(vault, case_id), name="open case", on_returned=shown, on_errored=failed
        )

    def back_from_case(self) -> None:
        if self._came_from_cases and self.drill is not None:
            self.stack.setCurrentWidget(self.cases_panel)
            self.case_list.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.stack.setCurrentWidget(self.overview_panel)
        if self._case_view is not None:
            self._case_view.clear_detail()

    # --- the workspace's calls ---------------------------------------------------------------

    def set_hide_names(self, hide: bool) -> None:
        self.hide_names = hide
        self.case_model.set_hide_names(hide)
        if self._case_view is not None:
            self._case_view.set_hide_names(hide)

    def save_drafts_now(self) -> None:
        if self._case_view is not None:
            self._case_view.save_drafts_now()

    def clear(self) -> None:
        """The vault locked: forget the figures, the cases, the audit trail and any open form."""
        for dialog in self.findChildren(QDialog):
            dialog.done(QDialog.DialogCode.Rejected)
        if self._case_view is not None:
            self._case_view.clear()
        self.audit.clear()
        self.access.clear()
        self.by_worker.clear()
        self.by_site.clear()
        self.caseload_chart.clear()
        self.referrals_chart.clear()
        self.closures.clear()
        self.case_model.clear()
        self.overview = None
        self.drill = None
        for error in (self.error, self.closure_error, self.cases_error):
            error.clear()
        for bar in (self.loading, self.cases_loading):
            bar.setVisible(False)
        self.tabs.setTabText(CLOSURES_TAB, "Closures to approve")
        self.tabs.setTabText(ACCESS_TAB, "Access")
        self.tabs.setCurrentIndex(DASHBOARD_TAB)
        self.stack.setCurrentWidget(self.overview_panel)
        self._vault = None


__all__ = ["SupervisionPage", "load_overview"]
