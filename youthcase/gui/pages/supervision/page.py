"""Supervision: tabs for the dashboard, the closures waiting, the audit trail and access; the cases
behind a figure; and the case host, so Back returns to the list a case was opened from.

One background task loads the overview each time the page opens and after every change any
screen announces (the change notice); the listed cases are then worked out afresh from the new
dashboard.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.case.host import CaseHost, TabChoice
from youthcase.gui.case.view import CaseView
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout
from youthcase.gui.pages.supervision.access import AccessPanel
from youthcase.gui.pages.supervision.audit import AuditViewer
from youthcase.gui.pages.supervision.closures import TITLE as CLOSURES_TITLE
from youthcase.gui.pages.supervision.closures import ClosuresTab
from youthcase.gui.pages.supervision.dashboard import DashboardTab
from youthcase.gui.pages.supervision.drill import Drill, DrillPanel, refreshed
from youthcase.gui.pages.supervision.overview import SupervisionOverview, load_overview
from youthcase.gui.prompts import Prompts
from youthcase.gui.windows import close_windows
from youthcase.services.vault import UnlockedVault

DASHBOARD_TAB, CLOSURES_TAB, AUDIT_TAB, ACCESS_TAB = range(4)
SUMMARY = (
    "Caseloads and risk across the workers and sites you supervise. Click a "
    "figure to list the cases behind it; hover over a heading for its definition."
)


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
        self.overview: SupervisionOverview | None = None
        self.hide_names = False
        background.notice.changed.connect(self._vault_changed)

        self.error = InlineError()
        self.loading = busy_bar()
        self.dashboard = DashboardTab()
        self.closures_tab = ClosuresTab(vault, background, prompts, busy=self.loading)
        self.audit = AuditViewer(vault, background)
        self.access = AccessPanel(vault, background, prompts)
        self.overview_panel = QWidget()
        self.overview_panel.setObjectName("supervisionOverview")
        layout = page_layout(self.overview_panel)
        page_header(layout, spec.title, SUMMARY)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addSpacing(4)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("supervisionTabs")
        self.tabs.addTab(self.dashboard, "Dashboard")
        self.tabs.addTab(self.closures_tab, CLOSURES_TITLE)
        self.tabs.addTab(self.audit, "Audit trail")
        self.tabs.addTab(self.access, "Access")
        layout.addWidget(self.tabs, 1)
        self.cases_panel = DrillPanel(vault, background, prompts)

        self.host = CaseHost(vault, background, prompts, back_text="Back", back_tip="Back to the list (Esc)")
        self.host.setObjectName("supervisionStack")
        self.host.addWidget(self.overview_panel)
        self.host.addWidget(self.cases_panel)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.host)

        self.dashboard.chosen.connect(self._figure_chosen)
        self.cases_panel.listed.connect(self.cases_listed)
        self.cases_panel.back_requested.connect(self.show_overview)
        self.cases_panel.open_case_requested.connect(lambda case_id: self.open_case(case_id, from_cases=True))
        self.closures_tab.open_case_requested.connect(lambda case_id: self.open_case(case_id, from_cases=False))
        self.access.loaded.connect(self._access_loaded)
        self.host.opened.connect(self.case_opened)
        self.host.closed.connect(self._back_from_case)
        self.tabs.currentChanged.connect(self._tab_changed)

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
        self.host.site_names = {s.code: s.name for s in overview.sites}
        self.cases_panel.staff = overview.staff
        self.dashboard.show_overview(overview)
        self.tabs.setTabText(CLOSURES_TAB, self.closures_tab.show_closures(overview.closures))
        self.loaded.emit()
        drill = self.cases_panel.drill
        if drill is not None and self.host.currentWidget() is not self.overview_panel:
            self.cases_panel.list_cases(refreshed(drill, overview.dashboard))

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

    # --- the cases behind a figure, and one case ---------------------------------------------

    @property
    def drill(self) -> Drill | None:
        return self.cases_panel.drill

    def _figure_chosen(self, drill: Drill) -> None:
        if drill == self.cases_panel.drill and self.cases_panel.loading.isVisible():
            return  # a click and an activation of the same cell
        self.list_cases(drill)

    def list_cases(self, drill: Drill) -> None:
        self.host.setCurrentWidget(self.cases_panel)
        self.cases_panel.list_cases(drill)

    def show_overview(self) -> None:
        self.host.setCurrentWidget(self.overview_panel)
        self.cases_panel.forget()
        self.dashboard.worker_view.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def case_view(self) -> CaseView:
        return self.host.view

    def open_case(self, case_id: uuid.UUID, from_cases: bool = True, at: TabChoice | None = None) -> None:
        if from_cases:
            self.host.open_case(case_id, busy=self.cases_panel.loading, error=self.cases_panel.error, at=at)
        else:
            self.host.open_case(case_id, busy=self.loading, error=self.closures_tab.error, at=at)

    def _back_from_case(self, _case_id: uuid.UUID | None) -> None:
        if self.host.currentWidget() is self.cases_panel:
            self.cases_panel.case_list.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- the workspace's calls ---------------------------------------------------------------

    def set_hide_names(self, hide: bool) -> None:
        self.hide_names = hide
        self.cases_panel.set_hide_names(hide)
        self.host.set_hide_names(hide)

    def save_drafts_now(self) -> None:
        self.host.save_drafts_now()

    def clear(self) -> None:
        """The vault locked: forget the figures, the cases, the audit trail and any open form."""
        close_windows(self)
        self.host.clear()
        self.audit.clear()
        self.access.clear()
        self.dashboard.clear()
        self.closures_tab.clear()
        self.cases_panel.clear()
        self.overview = None
        self.error.clear()
        self.loading.setVisible(False)
        self.tabs.setTabText(CLOSURES_TAB, CLOSURES_TITLE)
        self.tabs.setTabText(ACCESS_TAB, "Access")
        self.tabs.setCurrentIndex(DASHBOARD_TAB)
        self._vault = None


__all__ = ["ACCESS_TAB", "AUDIT_TAB", "CLOSURES_TAB", "DASHBOARD_TAB", "SupervisionPage"]
