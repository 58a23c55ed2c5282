"""Referrals out as tables: one case's referrals, the board across the caseload, the service
directory; and the milestone timeline of one referral. Tested without widgets.

The case tab and the board share ``ReferralTableModel`` (the tab hides the case column) and
``ReferralProxy``: a board holds at most a few thousand open referrals, so the filter is a Python
``filterAcceptsRow`` and sorting compares ``SORT_ROLE`` values in C++. A load replaces every row
(reset); nothing is edited in place.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QIcon

from youthcase.domain import codes
from youthcase.domain.referrals import TERMINAL
from youthcase.gui.icons import icon
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.values import day_text

if TYPE_CHECKING:
    from youthcase.services.referrals import ReferralView
    from youthcase.services.service_directory import ServiceEntry

AnyIndex = QModelIndex | QPersistentModelIndex

CASE, SERVICE, TYPE, URGENCY, STATUS, WAITING, LAST_STEP = range(7)
STOPPED = frozenset({"declined", "withdrawn", "did_not_attend"})
OVERDUE_COLOUR = "#b42318"
FINISHED_COLOUR = "#7b8794"
OVERDUE_TIP = (
    "Overdue: nothing recorded within the service's chase interval. Chase the service and record what it says."
)
WAITING_TIP = "Days since the referral was sent, until help starts"

# The services young people are referred to most, and where waits matter most: listed first.
PRIORITY_TYPES = ("camhs", "rehabilitation")
# Table cells: the full labels are in the tooltip.
SHORT_TYPE_LABELS = {
    "camhs": "CAMHS",
    "rehabilitation": "Rehabilitation",
    "ete": "Education or work",
    "sport_mentoring": "Sport or mentoring",
    "domestic_abuse": "Domestic abuse",
}
SHORT_STEP_LABELS = {"appointment_offered": "Appointment offered", "help_started": "Help started"}

_STEP_RANK = {item.code: rank for rank, item in enumerate(codes.REFERRAL_STEP)}
_URGENCY_RANK = {item.code: rank for rank, item in enumerate(codes.REFERRAL_URGENCY)}


def _label(code_list: codes.CodeList, code: str | None) -> str:
    if code is None:
        return ""
    try:
        return code_list.label(code)
    except KeyError:
        return code


def type_rank(service_type: str) -> tuple[int, int]:
    """CAMHS and rehabilitation first, then the code list's order."""
    position = next((i for i, c in enumerate(codes.SERVICE_TYPE) if c.code == service_type), 99)
    priority = PRIORITY_TYPES.index(service_type) if service_type in PRIORITY_TYPES else 99
    return priority, position


def ordered_types(types: Iterable[str]) -> list[str]:
    return sorted(set(types), key=type_rank)


def type_label(service_type: str, short: bool = False) -> str:
    if short and service_type in SHORT_TYPE_LABELS:
        return SHORT_TYPE_LABELS[service_type]
    return _label(codes.SERVICE_TYPE, service_type)


def step_label(step: str, short: bool = False) -> str:
    if short and step in SHORT_STEP_LABELS:
        return SHORT_STEP_LABELS[step]
    return _label(codes.REFERRAL_STEP, step)


def ordered_steps(steps: Iterable[str]) -> list[str]:
    """Steps in the pathway's order (sent, acknowledged, accepted, ... withdrawn last)."""
    return sorted(steps, key=lambda step: _STEP_RANK.get(step, 99))


def days_text(days: int) -> str:
    return f"{days} day{'s' if days != 1 else ''}"


def waiting_text(view: ReferralView) -> str:
    if view.status == "drafted":
        return "Not sent"
    if view.days_waiting is None:
        return ""
    return days_text(view.days_waiting)


def last_step_on(view: ReferralView) -> dt.date | None:
    return view.milestones[-1].on if view.milestones else None


def status_text(view: ReferralView) -> str:
    text = step_label(view.status)
    return f"{text}, overdue" if view.overdue else text


# --- referrals ------------------------------------------------------------------------------


def _type_sort(service_type: str) -> int:
    priority, position = type_rank(service_type)
    return priority * 100 + position


def _last_step_sort(view: ReferralView) -> int:
    last = last_step_on(view)
    return last.toordinal() if last else 0


REFERRAL_COLUMNS: tuple[Column[ReferralView], ...] = (  # in the order of the constants above
    Column("Case", lambda v: v.case_reference, lambda v: v.case_reference.casefold()),
    Column("Service", lambda v: v.service_name, lambda v: v.service_name.casefold()),
    Column("Type", lambda v: type_label(v.service_type, short=True), lambda v: _type_sort(v.service_type)),
    Column("Urgency", lambda v: _label(codes.REFERRAL_URGENCY, v.urgency), lambda v: _URGENCY_RANK.get(v.urgency, -1)),
    # Overdue shows as the flag, red text and the tooltip: the words would crowd the column.
    Column("Status", lambda v: step_label(v.status, short=True), lambda v: _STEP_RANK.get(v.status, 99)),
    Column("Waiting", waiting_text, lambda v: -1 if v.days_waiting is None else v.days_waiting, WAITING_TIP),
    Column("Last step", lambda v: day_text(last_step_on(v)), _last_step_sort),
)


class ReferralTableModel(TableModel["ReferralView"]):
    """Referrals as the service returns them (the board: overdue first, longest waiting next)."""

    columns = REFERRAL_COLUMNS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._flag: QIcon | None = None

    def find(self, referral_id: uuid.UUID) -> ReferralView | None:
        return next((r for r in self._rows if r.referral_id == referral_id), None)

    def other_role(self, view: ReferralView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole and column == STATUS and view.overdue:
            if self._flag is None:
                self._flag = icon("flag")
            return self._flag
        if role == Qt.ItemDataRole.ForegroundRole:
            if view.overdue and column in (STATUS, WAITING):
                return QColor(OVERDUE_COLOUR)
            return QColor(FINISHED_COLOUR) if view.status in TERMINAL else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if view.overdue and column in (STATUS, WAITING):
                return f"{step_label(view.status)}. {OVERDUE_TIP}"
            return {
                STATUS: step_label(view.status),
                TYPE: type_label(view.service_type),
                SERVICE: view.service_name,
            }.get(column)
        return None


class Showing(enum.Enum):
    OPEN = "Open referrals"
    OVERDUE = "Overdue only"
    FINISHED = "Finished"
    ALL = "All, including finished"


@dataclass(frozen=True)
class ReferralFilter:
    service_type: str | None = None
    showing: Showing = Showing.OPEN
    status: str | None = None  # one step code (current status), or None for any

    @property
    def needs_finished(self) -> bool:
        """Whether finished referrals (not loaded by default) must be loaded to answer."""
        return self.showing in (Showing.FINISHED, Showing.ALL) or self.status in TERMINAL

    def accepts(self, view: ReferralView) -> bool:
        if self.service_type is not None and view.service_type != self.service_type:
            return False
        if self.status is not None:
            return view.status == self.status
        finished = view.status in TERMINAL
        if self.showing is Showing.OPEN:
            return not finished
        if self.showing is Showing.OVERDUE:
            return view.overdue
        if self.showing is Showing.FINISHED:
            return finished
        return True


def status_choices() -> list[tuple[str, ReferralFilter]]:
    """The board's status filter: open, overdue, each open status, finished, everything."""
    choices = [(Showing.OPEN.value, ReferralFilter()), (Showing.OVERDUE.value, ReferralFilter(showing=Showing.OVERDUE))]
    choices += [
        (f"Status: {step_label(step)}", ReferralFilter(status=step))
        for step in ordered_steps(_STEP_RANK)
        if step not in TERMINAL
    ]
    choices += [
        (Showing.FINISHED.value, ReferralFilter(showing=Showing.FINISHED)),
        (Showing.ALL.value, ReferralFilter(showing=Showing.ALL)),
    ]
    return choices


class ReferralProxy(QSortFilterProxyModel):
    def __init__(self, source: ReferralTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.referrals = source
        self._filter = ReferralFilter(showing=Showing.ALL)

    @property
    def current_filter(self) -> ReferralFilter:
        return self._filter

    def set_filter(self, wanted: ReferralFilter) -> None:
        if wanted == self._filter:
            return
        self.beginFilterChange()
        self._filter = wanted
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        return self._filter.accepts(self.referrals.row_at(source_row))

    def referral_at(self, row: int) -> ReferralView:
        view: ReferralView = self.index(row, 0).data(OBJECT_ROLE)
        return view

    def row_of(self, referral_id: uuid.UUID) -> int | None:
        for row in range(self.rowCount()):
            if self.referral_at(row).referral_id == referral_id:
                return row
        return None


def status_summary(referrals: Sequence[ReferralView]) -> str:
    """``12 open: 3 overdue · 2 drafted · 4 sent …`` for the board's heading."""
    open_ones = [r for r in referrals if r.status not in TERMINAL]
    if not open_ones:
        return "No open referrals."
    overdue = sum(1 for r in open_ones if r.overdue)
    parts = [f"{overdue} overdue"] if overdue else []
    for step in ordered_steps({r.status for r in open_ones}):
        count = sum(1 for r in open_ones if r.status == step)
        parts.append(f"{count} {step_label(step, short=True).lower()}")
    return f"{len(open_ones)} open: " + "  ·  ".join(parts)


# --- one referral's timeline ---------------------------------------------------------------


class Mark(enum.Enum):
    DONE = "done"
    CURRENT = "current"
    OVERDUE = "overdue"
    STOPPED = "stopped"  # declined, withdrawn, did not attend
    NEXT = "next"


@dataclass(frozen=True)
class TimelineEntry:
    on: dt.date | None
    title: str
    detail: str
    mark: Mark


def timeline(view: ReferralView) -> list[TimelineEntry]:
    """The milestones in order; the last is current (or overdue); then what can come next."""
    entries = []
    last = len(view.milestones) - 1
    for position, milestone in enumerate(view.milestones):
        details = []
        if milestone.decline_reason:
            details.append(f"Reason: {_label(codes.DECLINE_REASON, milestone.decline_reason)}")
        if milestone.note:
            details.append(milestone.note)
        if position < last:
            mark = Mark.DONE
        elif view.overdue:
            mark = Mark.OVERDUE
        else:
            mark = Mark.STOPPED if view.status in STOPPED else Mark.CURRENT
        entries.append(TimelineEntry(milestone.on, milestone.label, "\n".join(details), mark))
    if view.next_steps:
        names = [step_label(step).lower() for step in ordered_steps(view.next_steps)]
        wording = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
        entries.append(TimelineEntry(None, "Next", wording[:1].upper() + wording[1:], Mark.NEXT))
    return entries


def referral_facts(view: ReferralView, chase_interval_days: int | None) -> list[str]:
    """The derived figures (one definition: ``domain.referrals``) in words."""
    facts = []
    if view.overdue:
        interval = f"{days_text(chase_interval_days)}, " if chase_interval_days else ""
        facts.append(
            f"Overdue: nothing recorded within the service's chase interval "
            f"({interval}counted from the last step). Chase the service."
        )
    if view.status == "drafted":
        facts.append("Not sent yet: record 'Sent' once it has gone.")
    if view.status == "declined":
        facts.append("Declined: put right what the service said, then re-refer.")
    if view.days_waiting is not None:
        facts.append(f"Waiting {days_text(view.days_waiting)} since it was sent.")
    if view.days_to_first_response is not None:
        facts.append(f"First response {days_text(view.days_to_first_response)} after sending.")
    if view.days_to_help_started is not None:
        facts.append(f"Help started {days_text(view.days_to_help_started)} after sending.")
    if view.consent_overridden:
        facts.append("Made without recorded consent to share; the override reason was recorded and audited.")
    if view.re_referral_of is not None:
        facts.append("A re-referral after an earlier referral was declined.")
    return facts


# --- the service directory -----------------------------------------------------------------

(SERVICE_TYPE_COLUMN, SERVICE_NAME, PROVIDER, BOROUGH, CHASE_AFTER, SERVICE_STATUS) = range(6)
SERVICE_COLUMNS: tuple[Column[ServiceEntry], ...] = (
    Column("Type", lambda s: type_label(s.service_type, short=True), lambda s: _type_sort(s.service_type)),
    Column("Service", lambda s: s.name, lambda s: s.name.casefold()),
    Column("Provider", lambda s: s.provider or "", lambda s: (s.provider or "").casefold()),
    Column("Borough", lambda s: _label(codes.BOROUGH, s.borough), lambda s: _label(codes.BOROUGH, s.borough)),
    Column("Chase after", lambda s: days_text(s.chase_interval_days), lambda s: s.chase_interval_days),
    Column("Status", lambda s: "Active" if s.active else "Inactive", lambda s: not s.active),
)


class ServiceTableModel(TableModel["ServiceEntry"]):
    """The directory as administrators keep it (inactive services too, greyed)."""

    columns = SERVICE_COLUMNS

    def other_role(self, service: ServiceEntry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and not service.active:
            return QColor(FINISHED_COLOUR)
        return None


def service_choice_label(service: ServiceEntry) -> str:
    """How the referral form lists a service: name, provider and borough when known."""
    parts = [service.name]
    if service.provider:
        parts.append(service.provider)
    if service.borough:
        parts.append(_label(codes.BOROUGH, service.borough))
    return "  ·  ".join(parts)
