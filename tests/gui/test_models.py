"""Table models, headless: columns, display text, sort and object roles."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import QSortFilterProxyModel, Qt

from youthcase.domain.roles import Role
from youthcase.domain.sites import SiteKind
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.accounts import (
    CREATED,
    FULL_NAME,
    ROLE,
    SITES,
    STATUS,
    USERNAME,
    AccountTableModel,
)
from youthcase.gui.models.sites import KIND, SiteTableModel
from youthcase.services.accounts import AccountSummary
from youthcase.services.sites import SiteSummary

pytestmark = pytest.mark.gui


def _account(name: str, *, active: bool = True, temporary: bool = False, day: int = 1) -> AccountSummary:
    return AccountSummary(
        uuid.uuid4(),
        name,
        None,
        Role.WORKER,
        ("KCH", "RLH"),
        active,
        temporary,
        dt.datetime(2026, 1, day, 12, tzinfo=dt.UTC),
    )


def test_account_columns_and_roles(qtbot) -> None:
    model = AccountTableModel()
    accounts = [_account("wendy"), _account("old", active=False), _account("new", temporary=True)]
    model.set_rows(accounts)
    assert model.rowCount() == 3 and model.columnCount() == 6
    assert model.headerData(USERNAME, Qt.Orientation.Horizontal) == "User name"
    assert model.index(0, USERNAME).data() == "wendy"
    assert model.index(0, FULL_NAME).data() == ""
    assert model.index(0, ROLE).data() == "Youth worker"
    assert model.index(0, SITES).data() == "KCH, RLH"
    assert [model.index(r, STATUS).data() for r in range(3)] == ["Active", "Disabled", "Temporary password"]
    assert model.index(1, USERNAME).data(OBJECT_ROLE) is accounts[1]
    assert model.index(1, USERNAME).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_accounts_sort_by_the_sort_role(qtbot) -> None:
    model = AccountTableModel()
    model.set_rows([_account("b", day=3), _account("A", day=2), _account("c", day=1)])
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    proxy.sort(USERNAME)
    assert [proxy.index(r, USERNAME).data() for r in range(3)] == ["A", "b", "c"]
    proxy.sort(CREATED)
    assert [proxy.index(r, USERNAME).data() for r in range(3)] == ["c", "A", "b"]


def test_clear_empties_the_model(qtbot) -> None:
    model = AccountTableModel()
    model.set_rows([_account("wendy")])
    model.clear()
    assert model.rowCount() == 0


def test_site_columns(qtbot) -> None:
    model = SiteTableModel()
    model.set_rows([SiteSummary(uuid.uuid4(), "NMH", "North Middlesex", SiteKind.EMERGENCY_DEPARTMENT, True)])
    assert model.index(0, KIND).data() == "A&E department"
    assert model.index(0, 3).data() == "Active"
    model.clear()
    assert model.rowCount() == 0
