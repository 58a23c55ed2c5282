"""The supervisors' table models without any widget: the dashboard (figures, definitions, the cases
behind each cell, the totals row last in either sort order), the audit trail, notes and actions,
closures; and the bar chart's numbers."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.bar_chart import BarChart
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models import audit_trail as audit_columns
from youthcase.gui.models.audit_trail import AuditTableModel
from youthcase.gui.models.dashboard import (
    CASES_ROLE,
    NAME,
    TOTALS_ROLE,
    DashboardProxy,
    DashboardTableModel,
    two_lines,
)
from youthcase.gui.models.supervision import ActionTableModel, NoteTableModel, first_line
from youthcase.services.audit_trail import AuditEntry
from youthcase.services.dashboard import FIGURES, DashboardRow
from youthcase.services.supervision import ActionView, NoteView

pytestmark = pytest.mark.gui

A, B, C, D = (uuid.UUID(int=n) for n in range(1, 5))


def unit(name: str, **cases: set[uuid.UUID]) -> DashboardRow:
    return DashboardRow(uuid.uuid4(), name, {key: frozenset(ids) for key, ids in cases.items()})


def dashboard_model() -> DashboardTableModel:
    model = DashboardTableModel("Worker", FIGURES)
    model.set_rows(
        [unit("bola", open={A, B}, no_contact_14_days={B}), unit("wendy", open={C, D, A}, high_risk={C})],
        unit("All", open={A, B, C, D}, no_contact_14_days={B}, high_risk={C}),
    )
    return model


def test_a_column_per_figure_with_its_definition() -> None:
    model = dashboard_model()
    assert model.columnCount() == 1 + len(FIGURES) and model.rowCount() == 3
    header = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert header[NAME] == "Worker"
    assert [text.replace("\n", " ") for text in header[1:]] == [f.label for f in FIGURES]
    for column, figure in enumerate(FIGURES, start=1):
        assert model.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == figure.definition
    assert model.headerData(NAME, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) is None


def test_each_cell_counts_the_cases_behind_it() -> None:
    model = dashboard_model()
    no_contact = model.column_of("no_contact_14_days")
    assert model.index(0, NAME).data() == "bola"
    assert model.index(0, no_contact).data() == "1"
    assert model.index(0, no_contact).data(CASES_ROLE) == frozenset({B})
    assert model.index(0, no_contact).data(SORT_ROLE) == 1
    assert model.index(1, no_contact).data() == "0"  # a figure nobody has is 0, in grey
    assert model.index(1, no_contact).data(CASES_ROLE) == frozenset()
    assert model.index(1, no_contact).data(Qt.ItemDataRole.ForegroundRole).name() == "#9aa5b1"
    assert model.index(0, no_contact).data(Qt.ItemDataRole.ForegroundRole).name() == "#b42318"
    assert model.index(0, model.column_of("open")).data(Qt.ItemDataRole.ForegroundRole) is None
    assert "Click to list them" in model.index(0, no_contact).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(0, NAME).data(CASES_ROLE) == frozenset()  # the name is not a figure
    assert model.index(0, NAME).data(OBJECT_ROLE).name == "bola"


def test_the_totals_row_is_last_and_bold() -> None:
    model = dashboard_model()
    assert model.index(2, NAME).data() == "All" and model.index(2, NAME).data(TOTALS_ROLE)
    assert model.index(2, NAME).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, NAME).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(2, model.column_of("open")).data() == "4"
    assert model.row_named("wendy") == 1 and model.row_named("nobody") is None


@pytest.mark.parametrize("order", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_sorting_keeps_the_totals_row_last(order: Qt.SortOrder) -> None:
    model = dashboard_model()
    proxy = DashboardProxy(model)
    column = model.column_of("open")
    proxy.sort(column, order)
    names = [proxy.index(row, NAME).data() for row in range(proxy.rowCount())]
    assert names[-1] == "All"
    expected = ["bola", "wendy"] if order == Qt.SortOrder.AscendingOrder else ["wendy", "bola"]
    assert names[:-1] == expected
    assert proxy.unit_at(0).name == expected[0]
    assert proxy.figure_at(column) is FIGURES[0] and proxy.figure_at(NAME) is None
    assert proxy.cases_at(proxy.index(2, column)) == frozenset({A, B, C, D})


def test_ties_sort_by_name() -> None:
    model = dashboard_model()
    proxy = DashboardProxy(model)
    proxy.sort(model.column_of("assessment_overdue"), Qt.SortOrder.AscendingOrder)
    assert [proxy.index(row, NAME).data() for row in range(3)] == ["bola", "wendy", "All"]


def test_an_empty_dashboard_has_no_rows() -> None:
    model = dashboard_model()
    model.clear()
    assert model.rowCount() == 0


def test_two_line_headings() -> None:
    assert two_lines("No contact in 14 days") == "No contact\nin 14 days"
    assert two_lines("Safeguarding to sign off") == "Safeguarding\nto sign off"
    assert two_lines("Open") == "Open"


def entry(sequence: int, **fields: object) -> AuditEntry:
    values: dict[str, object] = {
        "at": dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC),
        "username": "sam",
        "action": "sign-off",
        "entity": "risk_assessment",
        "entity_id": A,
        "case_reference": None,
    }
    values.update(fields)
    return AuditEntry(sequence, **values)  # type: ignore[arg-type]


def test_audit_entries_show_ids_and_references_only() -> None:
    model = AuditTableModel()
    model.set_rows(
        [
            entry(7, entity="case_episode", case_reference="RLH-26-00001"),
            entry(6, username=None, action="login failed", entity=None, entity_id=None),
        ]
    )
    row = [model.index(0, column).data() for column in range(model.columnCount())]
    assert row == ["7", "2 Mar 2026 09:30", "sam", "sign-off", "case episode", A.hex[:8], "RLH-26-00001"]
    assert model.index(0, audit_columns.RECORD_ID).data(Qt.ItemDataRole.ToolTipRole) == str(A)
    assert model.index(1, audit_columns.USER).data() == "(no user)"
    assert model.index(1, audit_columns.RECORD_ID).data() == ""
    assert model.index(0, audit_columns.SEQUENCE).data(SORT_ROLE) == 7
    model.mark_broken(6)
    assert model.index(1, audit_columns.ACTION).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(0, audit_columns.ACTION).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.row_of(6) == 1 and model.row_of(99) is None


def action(description: str, due: dt.date, done: dt.date | None = None, overdue: bool = False) -> ActionView:
    return ActionView(uuid.uuid4(), A, description, "wendy", due, done, overdue)


def test_notes_and_their_actions() -> None:
    held = dt.date(2026, 3, 2)
    note = NoteView(
        uuid.uuid4(),
        held,
        "sam",
        "Talked about college.\nAnd safety.",
        None,
        (
            action("Send the CAMHS referral", dt.date(2026, 3, 1), overdue=True),
            action("Call mum", dt.date(2026, 3, 5)),
            action("Book the review", dt.date(2026, 2, 20), done=dt.date(2026, 2, 21)),
        ),
    )
    notes = NoteTableModel()
    notes.set_rows([note])
    assert [notes.index(0, c).data() for c in range(notes.columnCount())] == [
        "2 Mar 2026",
        "sam",
        "Talked about college.",
        "",
        "2 open, 1 done",
    ]
    actions = ActionTableModel()
    actions.set_notes([note])
    # Open actions first, soonest due first; done ones last, in grey.
    assert [actions.index(r, 0).data() for r in range(3)] == ["Send the CAMHS referral", "Call mum", "Book the review"]
    assert [actions.index(r, ActionTableModel.STATE).data() for r in range(3)] == [
        "Overdue",
        "Open",
        "Done 21 Feb 2026",
    ]
    assert actions.index(0, ActionTableModel.DUE).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert actions.index(1, ActionTableModel.DUE).data(Qt.ItemDataRole.ForegroundRole) is None
    assert actions.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert actions.index(0, ActionTableModel.FROM).data() == "2 Mar 2026"
    assert first_line("x" * 100, limit=10) == "xxxxxxxxx…"


def test_the_bar_chart_says_its_numbers(qtbot) -> None:
    chart = BarChart("No open cases.")
    qtbot.addWidget(chart)
    assert chart.accessibleDescription() == "No open cases."
    chart.set_bars([("wendy", 9), ("bola", 4), ("nobody", -1)])
    assert chart.bars == [("wendy", 9), ("bola", 4), ("nobody", 0)]
    assert chart.toolTip() == "wendy: 9\nbola: 4\nnobody: 0"
    assert chart.sizeHint().height() > BarChart().sizeHint().height()
    chart.resize(400, chart.sizeHint().height())
    assert not chart.grab().isNull()  # paints without complaint
