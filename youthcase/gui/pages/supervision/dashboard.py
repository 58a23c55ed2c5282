"""The Dashboard tab: open cases by worker and referrals waiting as charts, then the figures by
worker and by site. A click (or Enter) on a figure asks for the cases behind it (``chosen``)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from youthcase.gui.bar_chart import BarChart
from youthcase.gui.models.dashboard import NAME, DashboardProxy, DashboardTableModel
from youthcase.gui.pages import section_title
from youthcase.gui.pages.supervision.drill import BY_SITE, BY_WORKER, IN_TOTAL, Drill
from youthcase.gui.pages.supervision.figure_table import ROW_HEIGHT, FigureTable
from youthcase.gui.pages.supervision.overview import SupervisionOverview
from youthcase.gui.tables import table_view
from youthcase.services.dashboard import FIGURES


def _chart_box(title: str, chart: BarChart) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(10, 12, 10, 8)
    layout.addWidget(chart)
    return box


class DashboardTab(QScrollArea):
    chosen = Signal(object)  # the Drill of a figure clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboardScroll")
        self.by_worker = DashboardTableModel("Worker", FIGURES, self)
        self.by_site = DashboardTableModel("Site", FIGURES, self)
        self.worker_view = self._figure_table(self.by_worker, "dashboardByWorker")
        self.site_view = self._figure_table(self.by_site, "dashboardBySite")
        self.caseload_chart = BarChart("No open cases.")
        self.caseload_chart.setObjectName("caseloadChart")
        self.referrals_chart = BarChart("No referrals waiting.")
        self.referrals_chart.setObjectName("referralsChart")

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
        layout.addWidget(section_title("By worker"))
        layout.addWidget(self.worker_view)
        layout.addSpacing(8)
        layout.addWidget(section_title("By site"))
        layout.addWidget(self.site_view)
        layout.addStretch(1)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(body)
        self.viewport().setAutoFillBackground(False)  # the tab's white shows through
        body.setAutoFillBackground(False)

    def _figure_table(self, model: DashboardTableModel, name: str) -> FigureTable:
        view = FigureTable()
        table_view(DashboardProxy(model, self), name, stretch_last=False, view=view)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)  # one figure
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # see FigureTable
        view.setSortingEnabled(True)
        view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
        view.clicked.connect(lambda index, v=view: self._clicked(v, index))
        view.activated.connect(lambda index, v=view: self._clicked(v, index))
        return view

    def show_overview(self, overview: SupervisionOverview) -> None:
        dashboard = overview.dashboard
        names = {person.username: person.full_name for person in overview.staff if person.full_name}
        self.by_worker.display_names = names  # people by their names, not their log-in names
        self.by_worker.set_rows(dashboard.by_worker, dashboard.totals)
        self.by_site.set_rows(dashboard.by_site, dashboard.totals)
        views = (self.worker_view, self.site_view)
        for view in views:
            view.measure()
        for view in views:
            view.least_name = max(other.name_width for other in views)
            view.fit_columns()
        open_by_worker = sorted(
            ((names.get(row.name, row.name), row.count("open")) for row in dashboard.by_worker if row.count("open")),
            key=lambda bar: (-bar[1], bar[0]),
        )
        self.caseload_chart.set_bars(open_by_worker)
        self.referrals_chart.set_bars(overview.referrals_waiting)

    def _clicked(self, view: FigureTable, index: QModelIndex) -> None:
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
        if cases:
            self.chosen.emit(Drill(breakdown, unit.name, figure, cases, proxy.dashboard.shown_name(unit)))

    def clear(self) -> None:
        self.by_worker.clear()
        self.by_site.clear()
        self.caseload_chart.clear()
        self.referrals_chart.clear()


__all__ = ["DashboardTab"]
