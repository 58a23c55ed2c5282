"""The cases behind one figure of the dashboard (a worker's, a site's or everyone's), reassigned
from here, all or nothing, or opened one at a time.

A click on a figure makes a ``Drill``; its cases load from the caseload (names and all). After
every change the overview loads again and the same figure of the same row is listed afresh
(``refreshed``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.forms.supervision import reassign_entity, staff_codes
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
from youthcase.gui.pages import page_layout
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import table_view
from youthcase.gui.windows import open_form
from youthcase.services.accounts import AccountSummary
from youthcase.services.cases import CaseService
from youthcase.services.dashboard import Dashboard, DashboardRow, Figure
from youthcase.services.supervision import SupervisionService
from youthcase.services.vault import UnlockedVault

BY_WORKER, BY_SITE, IN_TOTAL = "worker", "site", "total"


@dataclass(frozen=True)
class Drill:
    """Which figure of which row the listed cases are behind."""

    breakdown: str  # BY_WORKER, BY_SITE or IN_TOTAL
    unit: str  # the worker's user name or the site's code ("All" in total)
    figure: Figure
    case_ids: frozenset[uuid.UUID]
    shown: str = ""  # the worker's full name, as the dashboard shows them

    @property
    def title(self) -> str:
        if self.breakdown == BY_WORKER:
            return f"{self.figure.label}  ·  {self.shown or self.unit}'s cases"
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


def load_cases(vault: UnlockedVault, case_ids: frozenset[uuid.UUID]) -> list[CaseloadEntry]:
    """The caseload rows of these cases: open cases first; closed ones only when some are."""
    rows = [row for row in CaseService(vault).caseload(include_closed=False) if row.case_id in case_ids]
    if len(rows) < len(case_ids):
        rows = [row for row in CaseService(vault).caseload(include_closed=True) if row.case_id in case_ids]
    return build_entries(rows)


class DrillPanel(QWidget):
    listed = Signal()  # the cases behind the figure are shown
    back_requested = Signal()  # Back or Esc: to the dashboard
    open_case_requested = Signal(object)  # case id

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supervisionCases")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.drill: Drill | None = None
        self.staff: list[AccountSummary] = []  # whom cases can go to, from the overview

        self.back_button = QPushButton(icon("back"), "Supervision")
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip("Back to the dashboard (Esc)")
        self.title = QLabel()
        self.title.setObjectName("pageTitle")
        self.definition = QLabel()
        self.definition.setObjectName("pageSummary")
        self.definition.setWordWrap(True)
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
        self.count = QLabel()
        self.count.setObjectName("caseCount")
        self.error = InlineError()
        self.loading = busy_bar()

        layout = page_layout(self)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch(1)
        layout.addLayout(back_row)
        title_row = QHBoxLayout()
        heading = QVBoxLayout()
        heading.addWidget(self.title)
        heading.addWidget(self.definition)
        title_row.addLayout(heading, 1)
        title_row.addWidget(self.open_case_button, 0, Qt.AlignmentFlag.AlignBottom)
        title_row.addWidget(self.reassign_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout.addLayout(title_row)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.case_list, 1)
        layout.addWidget(self.count)

        self.back_button.clicked.connect(self.back_requested)
        self.reassign_button.clicked.connect(lambda: self.open_reassign())
        self.open_case_button.clicked.connect(self._open_selected)
        self.case_list.doubleClicked.connect(self._activated)
        self.case_list.activated.connect(self._activated)
        self.case_list.selectionModel().selectionChanged.connect(self._selected)
        back = QShortcut(QKeySequence("Escape"), self)
        back.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        back.activated.connect(self.back_requested)
        self._selected()

    # --- listing -----------------------------------------------------------------------------

    def list_cases(self, drill: Drill) -> None:
        """Show the title of ``drill`` and load its cases (the caseload rows, names and all)."""
        vault = self._vault
        if vault is None:
            return
        self.drill = drill
        self.title.setText(drill.title)
        self.definition.setText(drill.figure.definition)
        self.error.clear()
        if not drill.case_ids:
            self.case_model.clear()
            self._selected()
            self._update_count()
            self.listed.emit()
            return
        self.loading.setVisible(True)
        case_ids = drill.case_ids
        self._background.run(
            lambda: load_cases(vault, case_ids),
            name="load cases",
            on_returned=lambda entries: self._loaded(drill, entries),
            on_errored=self._failed,
        )

    def _loaded(self, drill: Drill, entries: list[CaseloadEntry]) -> None:
        if drill != self.drill:
            return  # another figure was chosen meanwhile
        self.loading.setVisible(False)
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
        self._selected()
        self._update_count()
        self.listed.emit()

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def _update_count(self) -> None:
        shown = self.case_proxy.rowCount()
        self.count.setText(
            f"{shown} case{'s' if shown != 1 else ''}. Select several (Ctrl or Shift) to reassign them together."
            if shown
            else "No cases any more: the figure is down to 0."
        )

    def forget(self) -> None:
        """Back at the dashboard: no figure is listed."""
        self.drill = None
        self.case_model.clear()

    # --- selection and opening ---------------------------------------------------------------

    def selected_case_ids(self) -> list[uuid.UUID]:
        rows = sorted(index.row() for index in self.case_list.selectionModel().selectedRows())
        return [self.case_proxy.case_at(row).case_id for row in rows]

    def _selected(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        chosen = len(self.selected_case_ids())
        self.reassign_button.setEnabled(chosen > 0)
        self.reassign_button.setText(f"Reassign {chosen} cases…" if chosen > 1 else "Reassign…")
        self.open_case_button.setEnabled(chosen == 1)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_case_requested.emit(self.case_proxy.case_at(index.row()).case_id)

    def _open_selected(self) -> None:
        chosen = self.selected_case_ids()
        if len(chosen) == 1:
            self.open_case_requested.emit(chosen[0])

    # --- reassigning -------------------------------------------------------------------------

    def open_reassign(self) -> RecordDialog | None:
        vault = self._vault
        case_ids = self.selected_case_ids()
        if vault is None or not case_ids:
            return None
        entries = [entry for entry in map(self.case_model.find, case_ids) if entry is not None]
        listed = ", ".join(entry.row.reference for entry in entries)
        workers = {entry.row.worker for entry in entries}
        staff = staff_codes(self.staff, sites=vault.actor.site_codes, exclude=workers if len(workers) == 1 else ())
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
        open_form(dialog)
        return dialog

    # --- the page's calls --------------------------------------------------------------------

    def set_hide_names(self, hide: bool) -> None:
        self.case_model.set_hide_names(hide)

    def clear(self) -> None:
        """The vault locked."""
        self.forget()
        self.staff = []
        self.error.clear()
        self.loading.setVisible(False)
        self._vault = None


__all__ = ["BY_SITE", "BY_WORKER", "IN_TOTAL", "Drill", "DrillPanel", "load_cases", "refreshed"]
