"""Every table model keeps Qt's model contract (``QAbstractItemModelTester``): loaded, sorted
behind a proxy, changed in place and cleared. The tester reports through Qt warnings, and a Qt
warning fails the test (tests/gui/conftest.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QSortFilterProxyModel, Qt
from PySide6.QtTest import QAbstractItemModelTester

from youthcase.domain import dictionary as dd
from youthcase.domain.sites import SiteKind
from youthcase.gui.case.history import HistoryItem, HistoryModel
from youthcase.gui.models import SORT_ROLE
from youthcase.gui.models.accounts import AccountTableModel
from youthcase.gui.models.audit_trail import AuditTableModel
from youthcase.gui.models.caseload import CaseloadFilter, CaseloadProxy, CaseloadTableModel, build_entries
from youthcase.gui.models.dashboard import DashboardProxy, DashboardTableModel
from youthcase.gui.models.imports import PreviewTableModel, ProblemTableModel
from youthcase.gui.models.records import ConcernTableModel, ContactTableModel, RecordTableModel, VersionListModel
from youthcase.gui.models.referrals import ReferralProxy, ReferralTableModel, ServiceTableModel
from youthcase.gui.models.sites import SiteTableModel
from youthcase.gui.models.supervision import ActionTableModel, ClosureTableModel, NoteTableModel
from youthcase.gui.models.table import TableModel
from youthcase.gui.pages.supervision.access import Admission, AdmissionModel
from youthcase.services.case_import import ImportProblem, PreviewRow, RowStatus
from youthcase.services.cases import ConcernHistory, RecordView
from youthcase.services.dashboard import FIGURES
from youthcase.services.service_directory import ServiceEntry
from youthcase.services.sites import SiteSummary
from youthcase.services.supervision import ClosureRequestView, NoteView

from .test_caseload_model import ROWS
from .test_models import _account
from .test_referrals_models import referral
from .test_supervision_models import A, B, action, entry, unit

pytestmark = pytest.mark.gui
WHEN = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.ToolTipRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole,
    SORT_ROLE,
)


def record(**values: Any) -> RecordView:
    return RecordView(uuid.uuid4(), values)


def contact(successful: bool, hours_ago: int) -> RecordView:
    return record(
        contact_at=WHEN - dt.timedelta(hours=hours_ago),
        successful=successful,
        medium="bedside",
        contact_with="young_person",
        topics=("safety", "education"),
    )


CONCERN = ConcernHistory(
    uuid.uuid4(),
    [
        record(raised_at=WHEN, category="exploitation", status="open"),
        record(raised_at=WHEN, category="exploitation", status="closed", shared_with=("social_care",)),
    ],
)
NOTE = NoteView(uuid.uuid4(), WHEN.date(), "sam", "Talked.", "Decided.", (action("Call mum", WHEN.date()),))


def caseload() -> TableModel[Any]:
    model = CaseloadTableModel()
    model.set_rows(build_entries(ROWS))
    return model


def change_caseload(model: Any) -> None:
    model.apply_filter(CaseloadFilter(search="o"))
    model.set_hide_names(True)
    model.sort(0, Qt.SortOrder.AscendingOrder)


def dashboard() -> TableModel[Any]:
    model = DashboardTableModel("Worker", FIGURES)
    model.set_rows([unit("wendy", open={A, B}, high_risk={A}), unit("bola")], unit("All", open={A, B}))
    return model


def preview() -> TableModel[Any]:
    model = PreviewTableModel()
    model.set_rows(
        [
            PreviewRow(2, {"given_name": "Jamal", "family_name": "Okafor", "site": "RLH"}, {}, RowStatus.NEW),
            PreviewRow(3, {"given_name": "Ade"}, None, RowStatus.INVALID, repeats_row=2),
        ]
    )
    return model


def versions() -> TableModel[Any]:
    model = VersionListModel()
    model.set_history(CONCERN)
    return model


def actions() -> TableModel[Any]:
    model = ActionTableModel()
    model.set_notes([NOTE])
    return model


def loaded(model: TableModel[Any], rows: list[Any]) -> Callable[[], TableModel[Any]]:
    def make() -> TableModel[Any]:
        model.set_rows(rows)
        return model

    return make


def nothing(_model: Any) -> None:
    pass


# Each: how to make a loaded model, and what changes it in place besides a reload and a clear.
MODELS: dict[str, tuple[Callable[[], TableModel[Any]], Callable[[Any], None]]] = {
    "caseload": (caseload, change_caseload),
    "dashboard": (dashboard, nothing),
    "preview": (preview, lambda model: model.set_hide_names(True)),
    "versions": (versions, lambda model: model.set_history(None)),
    "actions": (actions, nothing),
    "accounts": (lambda: loaded(AccountTableModel(), [_account("wendy"), _account("old", active=False)])(), nothing),
    "sites": (
        lambda: loaded(
            SiteTableModel(), [SiteSummary(uuid.uuid4(), "RLH", "Royal London", SiteKind.MAJOR_TRAUMA_CENTRE, True)]
        )(),
        nothing,
    ),
    "audit": (lambda: loaded(AuditTableModel(), [entry(2), entry(1, username=None)])(), lambda m: m.mark_broken(1)),
    "problems": (
        lambda: loaded(
            ProblemTableModel(), [ImportProblem(3, "site", "unknown site"), ImportProblem(None, None, "empty")]
        )(),
        nothing,
    ),
    "assessments": (
        lambda: loaded(
            RecordTableModel(dd.RISK_ASSESSMENT, ("assessed_on", "stage", "risk_level", "needs_identified")),
            [record(assessed_on=WHEN.date(), stage="start", risk_level="high", needs_identified=("housing",))],
        )(),
        nothing,
    ),
    "contacts": (lambda: loaded(ContactTableModel(), [contact(True, 1), contact(False, 3)])(), nothing),
    "concerns": (lambda: loaded(ConcernTableModel(), [CONCERN])(), nothing),
    "referrals": (
        lambda: loaded(ReferralTableModel(), [referral("RLH-26-00001", "CAMHS", "camhs", "sent", overdue=True)])(),
        nothing,
    ),
    "services": (
        lambda: loaded(
            ServiceTableModel(),
            [ServiceEntry(uuid.uuid4(), "camhs", "Southwark CAMHS", "NHS", "southwark", None, None, None, 14, True)],
        )(),
        nothing,
    ),
    "notes": (lambda: loaded(NoteTableModel(), [NOTE])(), nothing),
    "history": (
        lambda: loaded(
            HistoryModel(), [HistoryItem(WHEN, "Contact made", "Bedside"), HistoryItem(WHEN.date(), "Assault", "")]
        )(),
        nothing,
    ),
    "closures": (
        lambda: loaded(
            ClosureTableModel(),
            [ClosureRequestView(uuid.uuid4(), A, "RLH-26-00001", "wendy", WHEN, "goals_met", "Done.", "pending", None)],
        )(),
        nothing,
    ),
    "admissions": (lambda: loaded(AdmissionModel(), [Admission("wale", "RLH", "worker")])(), nothing),
}


def proxy_of(model: TableModel[Any]) -> QSortFilterProxyModel:
    """The proxy a view puts the model behind: its own, or one sorting on the sort role."""
    if isinstance(model, CaseloadTableModel):
        return CaseloadProxy(model)
    if isinstance(model, DashboardTableModel):
        return DashboardProxy(model)
    if isinstance(model, ReferralTableModel):
        return ReferralProxy(model)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def every_cell(model: QAbstractItemModel) -> None:
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            for role in ROLES:
                model.index(row, column).data(role)
    for column in range(model.columnCount()):
        for role in ROLES:
            model.headerData(column, Qt.Orientation.Horizontal, role)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_model_keeps_qts_contract(qtbot, name: str) -> None:
    make, change = MODELS[name]
    model = make()
    assert model.rowCount() > 0 and model.columnCount() > 0
    proxy = proxy_of(model)
    mode = QAbstractItemModelTester.FailureReportingMode.Warning
    testers = [QAbstractItemModelTester(model, mode), QAbstractItemModelTester(proxy, mode)]
    every_cell(proxy)
    for column in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            proxy.sort(column, order)
            every_cell(proxy)
    change(model)
    every_cell(proxy)
    model.set_rows(model.rows)
    model.clear()
    assert model.rowCount() == 0 and proxy.rowCount() == 0
    every_cell(proxy)
    assert len(testers) == 2
