"""The caseload model and its proxy, headless: columns, sorting, search, filters, hidden names, and
the 14-day flag computed by the service with a fake clock."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.caseload import (
    AGE,
    ARRIVAL,
    ENGAGEMENT,
    HEADERS,
    LAST_CONTACT,
    NAME,
    NEXT_ACTION,
    NO_CONTACT_TIP,
    NO_RISK,
    OVERDUE_TIP,
    REFERENCE,
    RISK,
    Attention,
    CaseloadFilter,
    CaseloadProxy,
    CaseloadTableModel,
    StatusFilter,
    build_entries,
)
from youthcase.gui.values import search_key
from youthcase.services.cases import CaseloadRow, CaseService

from .conftest import new_case, record_cases, signed_in

pytestmark = pytest.mark.gui
NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def row(
    reference: str,
    given: str,
    family: str,
    *,
    age: int | None = 16,
    site: str = "RLH",
    days_ago: float = 1,
    status: str = "open",
    risk: str | None = None,
    engagement: str = "engaged",
    contact_days_ago: float | None = None,
    next_action: dt.date | None = None,
    no_contact: bool = False,
    overdue: bool = False,
) -> CaseloadRow:
    contact = None if contact_days_ago is None else NOW - dt.timedelta(days=contact_days_ago)
    return CaseloadRow(
        uuid.uuid4(),
        reference,
        given,
        family,
        age,
        site,
        "wendy",
        NOW - dt.timedelta(days=days_ago),
        engagement,
        status,
        risk,
        contact,
        next_action,
        no_contact,
        overdue,
    )


ROWS = [
    row("RLH-26-00001", "Jamal", "Okafor", age=16, days_ago=1, risk="high", contact_days_ago=0.5),
    row("RLH-26-00002", "Zoë", "O'Brien", age=17, days_ago=3, risk=None, engagement="declined", no_contact=True),
    row(
        "KCH-26-00001",
        "Kwame",
        "Mensah",
        age=None,
        site="KCH",
        days_ago=2,
        risk="low",
        next_action=dt.date(2026, 2, 27),
        overdue=True,
    ),
    row("RLH-25-00417", "Chloé", "Durand", age=20, days_ago=200, status="closed", risk="medium", contact_days_ago=150),
]


def proxy_for(rows: list[CaseloadRow]) -> CaseloadProxy:
    model = CaseloadTableModel()
    model.set_entries(build_entries(rows))
    return CaseloadProxy(model)


def references(proxy: CaseloadProxy) -> list[str]:
    return [proxy.index(r, REFERENCE).data() for r in range(proxy.rowCount())]


def everything(proxy: CaseloadProxy, text: str = "") -> None:
    proxy.set_filter(CaseloadFilter(text, StatusFilter.ALL))


def test_columns_display_and_roles(qtbot) -> None:
    proxy = proxy_for(ROWS)
    model = proxy.caseload
    assert model.columnCount() == len(HEADERS)
    assert model.headerData(NEXT_ACTION, Qt.Orientation.Horizontal) == "Next action"
    # Open cases only by default, newest arrival first.
    assert references(proxy) == ["RLH-26-00001", "KCH-26-00001", "RLH-26-00002"]
    first = proxy.index(0, NAME)
    assert first.data() == "Jamal Okafor"
    assert proxy.index(0, ARRIVAL).data() == "1 Mar 2026 09:30"  # 09:30 UTC is 09:30 GMT
    assert proxy.index(0, RISK).data() == "High"
    assert proxy.index(2, RISK).data() == "Not assessed"
    assert proxy.index(2, ENGAGEMENT).data() == "Declined"
    assert proxy.index(1, AGE).data() == ""
    assert proxy.index(2, LAST_CONTACT).data() == "None yet"
    assert first.data(OBJECT_ROLE) is proxy.case_at(0)
    assert proxy.case_at(0).reference == "RLH-26-00001"
    assert proxy.index(0, ARRIVAL).data(SORT_ROLE) == (NOW - dt.timedelta(days=1)).timestamp()


def test_sorting_keeps_empty_values_last_in_both_directions(qtbot) -> None:
    proxy = proxy_for(ROWS)
    everything(proxy)
    proxy.sort(AGE, Qt.SortOrder.AscendingOrder)
    assert references(proxy) == ["RLH-26-00001", "RLH-26-00002", "RLH-25-00417", "KCH-26-00001"]
    proxy.sort(AGE, Qt.SortOrder.DescendingOrder)
    assert references(proxy) == ["RLH-25-00417", "RLH-26-00002", "RLH-26-00001", "KCH-26-00001"]
    proxy.sort(RISK, Qt.SortOrder.DescendingOrder)  # by level, not alphabetically
    assert references(proxy) == ["RLH-26-00001", "RLH-25-00417", "KCH-26-00001", "RLH-26-00002"]
    proxy.sort(NAME, Qt.SortOrder.AscendingOrder)  # family name, then given name
    assert references(proxy) == ["RLH-25-00417", "KCH-26-00001", "RLH-26-00002", "RLH-26-00001"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zoe", ["RLH-26-00002"]),  # accents do not matter
        ("ZOË", ["RLH-26-00002"]),
        ("obrien", ["RLH-26-00002"]),  # nor does punctuation
        ("o'brien", ["RLH-26-00002"]),
        ("chloe", ["RLH-25-00417"]),
        ("jam oka", ["RLH-26-00001"]),  # every word must match, anywhere
        ("oka jam", ["RLH-26-00001"]),
        ("kch-26", ["KCH-26-00001"]),
        ("rlh2600001", ["RLH-26-00001"]),
        ("  ", ["RLH-26-00001", "KCH-26-00001", "RLH-26-00002", "RLH-25-00417"]),
        ("nobody", []),
    ],
)
def test_search_is_case_accent_and_punctuation_insensitive(qtbot, text: str, expected: list[str]) -> None:
    proxy = proxy_for(ROWS)
    everything(proxy, text)
    assert references(proxy) == expected


def test_typing_on_narrows_and_deleting_widens_again(qtbot) -> None:
    """The model filters only the rows still shown while the search grows; the result must be the
    same as filtering everything afresh."""
    proxy = proxy_for(ROWS)
    everything(proxy)
    seen = []
    for text in ("o", "ok", "oka", "ok", "o", "", "r", "rl", "rlh-2"):
        proxy.set_search(text)
        seen.append(references(proxy))
        fresh = proxy_for(ROWS)
        everything(fresh, text)
        assert references(fresh) == seen[-1], text
    assert seen[2] == ["RLH-26-00001"]
    assert len(seen[5]) == 4


def test_filters(qtbot) -> None:
    proxy = proxy_for(ROWS)
    proxy.set_filter(CaseloadFilter(status=StatusFilter.CLOSED))
    assert references(proxy) == ["RLH-25-00417"]
    proxy.set_filter(CaseloadFilter(status=StatusFilter.ALL, site="KCH"))
    assert references(proxy) == ["KCH-26-00001"]
    proxy.set_filter(CaseloadFilter(status=StatusFilter.ALL, risk="medium"))
    assert references(proxy) == ["RLH-25-00417"]
    proxy.set_filter(CaseloadFilter(risk=NO_RISK))
    assert references(proxy) == ["RLH-26-00002"]
    proxy.set_filter(CaseloadFilter(attention=Attention.FLAGGED))
    assert references(proxy) == ["KCH-26-00001", "RLH-26-00002"]
    proxy.set_filter(CaseloadFilter(attention=Attention.NO_CONTACT))
    assert references(proxy) == ["RLH-26-00002"]
    proxy.set_filter(CaseloadFilter(attention=Attention.OVERDUE))
    assert references(proxy) == ["KCH-26-00001"]
    proxy.set_filter(CaseloadFilter("zoe", attention=Attention.OVERDUE))
    assert references(proxy) == []


def test_flags_show_an_icon_a_colour_and_say_why(qtbot) -> None:
    proxy = proxy_for(ROWS)
    everything(proxy)
    rows = {proxy.case_at(r).reference: r for r in range(proxy.rowCount())}
    quiet, overdue, fine = rows["RLH-26-00002"], rows["KCH-26-00001"], rows["RLH-26-00001"]
    assert proxy.index(quiet, REFERENCE).data(Qt.ItemDataRole.DecorationRole) is not None
    assert NO_CONTACT_TIP in proxy.index(quiet, REFERENCE).data(Qt.ItemDataRole.ToolTipRole)
    assert proxy.index(quiet, LAST_CONTACT).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert OVERDUE_TIP in proxy.index(overdue, NEXT_ACTION).data(Qt.ItemDataRole.ToolTipRole)
    assert proxy.index(overdue, NEXT_ACTION).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert proxy.index(fine, REFERENCE).data(Qt.ItemDataRole.DecorationRole) is None
    assert proxy.index(fine, REFERENCE).data(Qt.ItemDataRole.ToolTipRole) is None


def test_hidden_names_leave_only_initials_in_the_display(qtbot) -> None:
    proxy = proxy_for(ROWS)
    everything(proxy)
    model = proxy.caseload
    changed = []
    model.dataChanged.connect(lambda top, bottom, roles: changed.append((top.column(), bottom.column())))
    model.set_hide_names(True)
    assert changed == [(NAME, NAME)]
    shown = " ".join(
        str(model.index(r, c).data(role) or "")
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)
    )
    for name in ("Jamal", "Okafor", "Zoë", "O'Brien", "Kwame", "Mensah", "Chloé", "Durand"):
        assert name not in shown
    assert [model.index(r, NAME).data() for r in range(model.rowCount())] == ["J. O.", "K. M.", "Z. O.", "C. D."]
    model.set_hide_names(False)
    assert model.index(0, NAME).data() == "Jamal Okafor"


def test_clear_empties_the_model(qtbot) -> None:
    proxy = proxy_for(ROWS)
    proxy.caseload.clear()
    assert proxy.rowCount() == 0 and proxy.caseload.total == 0


def test_search_key() -> None:
    assert search_key("  Zoë   O'Brien ") == "zoe obrien"
    assert search_key("RLH-26-00042") == "rlh2600042"
    assert search_key("ŁUKASZ Müller-Lüdenscheidt") == "łukasz mullerludenscheidt"


def test_fourteen_days_without_contact_flags_the_case(qtbot, vault, clock) -> None:
    """The service computes the flag with the vault's clock; the model shows it."""
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))

    def flagged() -> tuple[bool, bool]:
        with signed_in(vault.location, clock, vault.worker) as unlocked:
            [listed] = CaseService(unlocked).caseload()
        proxy = proxy_for([listed])
        decoration = proxy.index(0, REFERENCE).data(Qt.ItemDataRole.DecorationRole)
        return listed.no_recent_contact, decoration is not None

    assert flagged() == (False, False)
    clock.advance(14 * 86400)
    assert flagged() == (False, False)  # exactly 14 days: not yet
    clock.advance(60)
    assert flagged() == (True, True)
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        CaseService(unlocked).add_contact(
            case_id,
            {
                "contact_at": clock.now() - dt.timedelta(minutes=10),
                "medium": "phone",
                "successful": False,
                "contact_with": "young_person",
            },
        )
    assert flagged() == (True, True)  # a failed attempt is not contact
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        CaseService(unlocked).add_contact(
            case_id,
            {
                "contact_at": clock.now() - dt.timedelta(minutes=5),
                "medium": "phone",
                "successful": True,
                "contact_with": "young_person",
            },
        )
    assert flagged() == (False, False)
