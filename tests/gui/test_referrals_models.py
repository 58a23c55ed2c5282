"""The referral table models, filters and timeline without any widget."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.case.referrals import letter_file_name
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models import referrals as columns
from youthcase.gui.models.referrals import (
    Mark,
    ReferralFilter,
    ReferralProxy,
    ReferralTableModel,
    ServiceTableModel,
    Showing,
    ordered_types,
    referral_facts,
    status_choices,
    status_summary,
    timeline,
)
from youthcase.gui.overdue_referrals import overdue_tip, overdue_title
from youthcase.services.referrals import MilestoneView, ReferralView
from youthcase.services.service_directory import ServiceEntry

pytestmark = pytest.mark.gui
DAY = dt.date(2026, 3, 2)
NEXT = {
    "drafted": ("sent", "withdrawn"),
    "sent": ("acknowledged", "accepted", "declined", "withdrawn"),
    "accepted": ("appointment_offered", "help_started", "withdrawn"),
    "declined": (),
    "completed": (),
    "help_started": ("completed", "did_not_attend", "withdrawn"),
}


def referral(
    reference: str,
    service: str,
    service_type: str,
    *steps: str,
    overdue: bool = False,
    waiting: int | None = None,
    urgency: str = "routine",
    **extra: object,
) -> ReferralView:
    milestones = tuple(
        MilestoneView(
            step, DAY - dt.timedelta(days=len(steps) - i), "no_capacity" if step == "declined" else None, None
        )
        for i, step in enumerate(("drafted", *steps))
    )
    status = milestones[-1].step
    values: dict[str, object] = {
        "referral_id": uuid.uuid4(),
        "case_id": uuid.uuid4(),
        "case_reference": reference,
        "service_id": uuid.uuid4(),
        "service_name": service,
        "service_type": service_type,
        "urgency": urgency,
        "reason": "Reason.",
        "consent_overridden": False,
        "status": status,
        "milestones": milestones,
        "days_waiting": waiting,
        "days_to_first_response": None,
        "days_to_help_started": None,
        "overdue": overdue,
        "next_steps": NEXT[status],
        "re_referral_of": None,
    }
    values.update(extra)
    return ReferralView(**values)  # type: ignore[arg-type]


@pytest.fixture
def board() -> list[ReferralView]:
    return [
        referral("RLH-26-00002", "KCH Trauma Rehab", "rehabilitation", "sent", overdue=True, waiting=9),
        referral("RLH-26-00001", "Southwark CAMHS", "camhs", "sent", "accepted", waiting=20, urgency="urgent"),
        referral("RLH-26-00003", "Box Up Crime", "sport_mentoring"),
        referral("RLH-26-00001", "Lambeth CAMHS", "camhs", "sent", "declined"),
    ]


def _column(model, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> list[Any]:
    return [model.index(row, column).data(role) for row in range(model.rowCount())]


def test_cells_say_what_a_worker_needs(board) -> None:
    model = ReferralTableModel()
    model.set_rows(board)
    assert model.rowCount() == 4 and model.columnCount() == len(columns.REFERRAL_COLUMNS)
    assert _column(model, columns.TYPE) == ["Rehabilitation", "CAMHS", "Sport or mentoring", "CAMHS"]
    assert _column(model, columns.STATUS) == ["Sent", "Accepted", "Drafted", "Declined"]
    assert _column(model, columns.WAITING) == ["9 days", "20 days", "Not sent", ""]
    assert model.index(0, columns.LAST_STEP).data() == "2 Mar 2026"
    assert model.index(0, columns.STATUS).data(Qt.ItemDataRole.DecorationRole) is not None
    assert model.index(1, columns.STATUS).data(Qt.ItemDataRole.DecorationRole) is None
    assert model.index(0, columns.WAITING).data(Qt.ItemDataRole.ForegroundRole).name() == columns.OVERDUE_COLOUR
    assert model.index(0, columns.CASE).data(Qt.ItemDataRole.ForegroundRole) is None
    assert (
        model.index(3, columns.CASE).data(Qt.ItemDataRole.ForegroundRole).name() == columns.FINISHED_COLOUR
    )  # finished rows are greyed
    assert (
        model.index(1, columns.TYPE).data(Qt.ItemDataRole.ToolTipRole) == "CAMHS (child and adolescent mental health)"
    )
    assert model.index(2, 0).data(OBJECT_ROLE) is board[2]
    assert model.headerData(columns.WAITING, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole).startswith(
        "Days since"
    )


def test_sorting_uses_the_sort_role(board) -> None:
    model = ReferralTableModel()
    model.set_rows(board)
    proxy = ReferralProxy(model)
    proxy.set_filter(ReferralFilter(showing=Showing.ALL))
    assert [proxy.referral_at(r) for r in range(4)] == board  # the service's order until sorted
    proxy.sort(columns.WAITING, Qt.SortOrder.DescendingOrder)
    assert _column(proxy, columns.WAITING) == ["20 days", "9 days", "Not sent", ""]
    proxy.sort(columns.URGENCY, Qt.SortOrder.DescendingOrder)
    assert proxy.index(0, columns.URGENCY).data() == "Urgent"
    proxy.sort(columns.TYPE, Qt.SortOrder.AscendingOrder)  # CAMHS, then rehabilitation first
    assert _column(proxy, columns.TYPE)[:3] == ["CAMHS", "CAMHS", "Rehabilitation"]
    proxy.sort(columns.STATUS, Qt.SortOrder.AscendingOrder)  # the pathway's order
    assert _column(proxy, columns.STATUS) == ["Drafted", "Sent", "Accepted", "Declined"]
    assert isinstance(proxy.index(0, columns.LAST_STEP).data(SORT_ROLE), int)


def test_filters_by_type_and_status(board) -> None:
    model = ReferralTableModel()
    model.set_rows(board)
    proxy = ReferralProxy(model)
    proxy.set_filter(ReferralFilter())  # open referrals
    assert proxy.rowCount() == 3
    proxy.set_filter(ReferralFilter(service_type="camhs"))
    assert _column(proxy, columns.SERVICE) == ["Southwark CAMHS"]
    proxy.set_filter(ReferralFilter(service_type="camhs", showing=Showing.ALL))
    assert proxy.rowCount() == 2
    proxy.set_filter(ReferralFilter(showing=Showing.OVERDUE))
    assert _column(proxy, columns.SERVICE) == ["KCH Trauma Rehab"]
    proxy.set_filter(ReferralFilter(status="drafted"))
    assert _column(proxy, columns.SERVICE) == ["Box Up Crime"]
    proxy.set_filter(ReferralFilter(showing=Showing.FINISHED))
    assert _column(proxy, columns.SERVICE) == ["Lambeth CAMHS"]
    assert proxy.row_of(board[3].referral_id) == 0 and proxy.row_of(board[0].referral_id) is None


def test_the_status_filter_offers_open_states_then_finished() -> None:
    labels = [label for label, _ in status_choices()]
    assert labels[:3] == ["Open referrals", "Overdue only", "Status: Drafted"]
    assert labels[-2:] == ["Finished", "All, including finished"]
    assert "Status: Completed" not in labels
    needs = {label: wanted.needs_finished for label, wanted in status_choices()}
    assert needs["Finished"] and needs["All, including finished"] and not needs["Overdue only"]


def test_the_summary_counts_open_referrals_by_status(board) -> None:
    assert status_summary(board) == "3 open: 1 overdue  ·  1 drafted  ·  1 sent  ·  1 accepted"
    assert status_summary(board[3:]) == "No open referrals."


def test_the_timeline_marks_done_current_and_next(board) -> None:
    entries = timeline(board[0])
    assert [(e.title, e.mark) for e in entries] == [("Drafted", Mark.DONE), ("Sent", Mark.OVERDUE), ("Next", Mark.NEXT)]
    assert entries[-1].detail == "Acknowledged, accepted, declined or withdrawn"
    declined = timeline(board[3])
    assert declined[-1].mark is Mark.STOPPED and declined[-1].detail == "Reason: No capacity"
    assert timeline(board[1])[-1].detail == ("First appointment offered, help started / first attended or withdrawn")


def test_facts_in_words(board) -> None:
    overdue = referral_facts(board[0], 7)
    assert overdue[0].startswith(
        "Overdue: nothing recorded within the service's chase interval (7 days, counted from the last step)"
    )
    assert "Waiting 9 days since it was sent." in overdue
    assert referral_facts(board[2], 21) == ["Not sent yet: record 'Sent' once it has gone."]
    assert referral_facts(board[3], 14)[0].startswith("Declined:")
    overridden = referral("X", "S", "gp", consent_overridden=True, re_referral_of=uuid.uuid4())
    assert referral_facts(overridden, None)[-2:] == [
        "Made without recorded consent to share; the override reason was recorded and audited.",
        "A re-referral after an earlier referral was declined.",
    ]


def test_the_service_directory_model() -> None:
    def entry(service_type: str, name: str, days: int, active: bool = True) -> ServiceEntry:
        return ServiceEntry(uuid.uuid4(), service_type, name, "NHS", "southwark", None, None, None, days, active)

    model = ServiceTableModel()
    model.set_rows(
        [
            entry("gp", "Practice", 14),
            entry("camhs", "Southwark CAMHS", 14),
            entry("rehabilitation", "Rehab", 7, active=False),
        ]
    )
    assert _column(model, columns.SERVICE_TYPE_COLUMN) == ["GP", "CAMHS", "Rehabilitation"]
    assert _column(model, columns.BOROUGH) == ["Southwark"] * 3
    assert _column(model, columns.CHASE_AFTER) == ["14 days", "14 days", "7 days"]
    assert _column(model, columns.SERVICE_STATUS) == ["Active", "Active", "Inactive"]
    assert model.index(2, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    ranks = _column(model, columns.SERVICE_TYPE_COLUMN, SORT_ROLE)
    assert ranks[1] < ranks[2] < ranks[0]  # CAMHS, rehabilitation, then the rest
    model.clear()
    assert model.rowCount() == 0


def test_small_wordings() -> None:
    assert ordered_types(["gp", "rehabilitation", "housing", "camhs"]) == ["camhs", "rehabilitation", "housing", "gp"]
    assert overdue_title("Referrals", 3) == "Referrals (3 overdue)"
    assert overdue_title("Referrals", 0) == overdue_title("Referrals", None) == "Referrals"
    assert overdue_tip(1).startswith("1 referral has")
    assert overdue_tip(2).startswith("2 referrals have") and overdue_tip(None) == ""
    assert (
        letter_file_name("RLH-26-00042", "Southwark CAMHS / Lambeth")
        == "RLH-26-00042 referral to Southwark CAMHS - Lambeth.pdf"
    )
