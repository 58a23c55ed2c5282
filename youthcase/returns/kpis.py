"""The KPIs: each defined once, here, for the monthly return and the supervisor dashboard.

Every figure is a SQL aggregate over plain coded columns (codes, dates, instants, durations): no
encrypted column is read and nothing is decrypted, so a return over 100,000 cases takes seconds.
Results are raw, unrounded counts (``Tally``) and value distributions (``Distribution``), keyed by
*unit* (a site, or a worker for the dashboard), by month of a ``Window`` and by category. Disclosure
control happens later, in ``youthcase.returns.disclosure``; nothing here is fit to publish as is.

``DEFINITIONS`` holds the exact wording of every measure. The PDF's methodology page and
docs/returns.md are generated from it, so each definition is written once, next to its query.

Months are London calendar months. A case belongs to the month in which its arrival at A&E falls in
London local time: 00:30 BST on 1 April is 23:30 UTC on 31 March and belongs to April. Instants are
compared with the month's bounds converted to UTC (so months with a clock change have 743 or 745
hours); calendar days (closure dates, referral milestones) are compared with the month's days.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Uuid,
    and_,
    case,
    cast,
    extract,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from youthcase.domain import codes
from youthcase.domain.caseload_rules import ASSESSMENT_DUE_DAYS, NO_CONTACT_DAYS, RE_ATTENDANCE_DAYS
from youthcase.domain.validation import LONDON
from youthcase.storage.models import (
    CaseEpisode,
    CasePerson,
    CaseStatusChange,
    Contact,
    Incident,
    Referral,
    ReferralMilestone,
    RiskAssessment,
    SafeguardingConcern,
    ServiceProvider,
)

# --- months -------------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Month:
    """A London calendar month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 2000 <= self.year <= 2999:
            raise ValueError("write the month as YYYY-MM, such as 2026-03")

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-03`` (``YYYY-MM``); ``ValueError`` with a plain message otherwise."""
        parts = text.strip().split("-")
        if (
            len(parts) != 2
            or len(parts[0]) != 4
            or len(parts[1]) != 2
            or not (parts[0].isdigit() and parts[1].isdigit())
        ):
            raise ValueError("write the month as YYYY-MM, such as 2026-03")
        return cls(int(parts[0]), int(parts[1]))

    @classmethod
    def containing(cls, instant: dt.datetime) -> Month:
        local = instant.astimezone(LONDON)
        return cls(local.year, local.month)

    def plus(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        return self.first_day.strftime("%B %Y")

    @property
    def short_label(self) -> str:
        return self.first_day.strftime("%b %y")

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.plus(1).first_day - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        """Midnight London time on the 1st, as UTC (clocks change at 01:00, never at midnight)."""
        return dt.datetime(self.year, self.month, 1, tzinfo=LONDON).astimezone(dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return self.plus(1).start

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Window:
    """Consecutive months, oldest first: the return's month and the eleven before it, for trends."""

    months: tuple[Month, ...]

    def __post_init__(self) -> None:
        if not self.months or any(b != a.plus(1) for a, b in zip(self.months, self.months[1:], strict=False)):
            raise ValueError("a window is one or more consecutive months")

    @classmethod
    def ending(cls, month: Month, length: int = 12) -> Window:
        return cls(tuple(month.plus(offset) for offset in range(1 - length, 1)))

    @classmethod
    def single(cls, month: Month) -> Window:
        return cls((month,))

    @property
    def last(self) -> Month:
        return self.months[-1]

    @property
    def start(self) -> dt.datetime:
        return self.months[0].start

    @property
    def end(self) -> dt.datetime:
        return self.months[-1].end

    @property
    def first_day(self) -> dt.date:
        return self.months[0].first_day

    @property
    def last_day(self) -> dt.date:
        return self.months[-1].last_day

    def __len__(self) -> int:
        return len(self.months)


# --- results ------------------------------------------------------------------------------------

ALL = None
"""Pass as ``unit`` or ``category`` to add up every unit or category."""


class Tally:
    """Unrounded counts by (unit, month index in the window, category), with totals over units
    and categories. Categories of one tally partition what it counts unless its docs say not."""

    def __init__(self, cells: Mapping[tuple[uuid.UUID, int, str], int] | None = None) -> None:
        self.cells: dict[tuple[uuid.UUID, int, str], int] = {}
        self._totals: dict[tuple[uuid.UUID | None, int, str | None], int] = defaultdict(int)
        for key, value in (cells or {}).items():
            self.add(*key, value)

    def add(self, unit: uuid.UUID, month: int, category: str, value: int) -> None:
        if not value:
            return
        key = (unit, month, category)
        self.cells[key] = self.cells.get(key, 0) + value
        for total in ((unit, month, category), (None, month, category), (unit, month, None), (None, month, None)):
            self._totals[total] += value

    def count(self, month: int, unit: uuid.UUID | None = ALL, category: str | None = ALL) -> int:
        return self._totals.get((unit, month, category), 0)

    def categories(self) -> set[str]:
        return {category for _, _, category in self.cells}

    def shifted(self, months: int) -> Tally:
        """The same counts with every month index moved by ``months`` (to merge windows)."""
        return Tally({(unit, month + months, category): value for (unit, month, category), value in self.cells.items()})

    def __repr__(self) -> str:
        return f"Tally({self.cells!r})"


class Distribution:
    """Unrounded whole-day values by (unit, month), kept as histograms so that the median of any
    grouping (one site, all sites) is exact."""

    def __init__(self) -> None:
        self.histograms: dict[tuple[uuid.UUID, int], Counter[int]] = defaultdict(Counter)

    def add(self, unit: uuid.UUID, month: int, value: int, times: int = 1) -> None:
        self.histograms[unit, month][value] += times

    def values(self, month: int, unit: uuid.UUID | None = ALL) -> Counter[int]:
        merged: Counter[int] = Counter()
        for (u, m), histogram in self.histograms.items():
            if m == month and (unit is None or u == unit):
                merged.update(histogram)
        return merged

    def cases(self, month: int, unit: uuid.UUID | None = ALL) -> int:
        return sum(self.values(month, unit).values())

    def median(self, month: int, unit: uuid.UUID | None = ALL) -> float | None:
        return histogram_median(self.values(month, unit))


def histogram_median(histogram: Mapping[int, int]) -> float | None:
    """The median of the values a histogram counts (mean of the two middle values when even)."""
    total = sum(histogram.values())
    if total == 0:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        count = histogram[value]
        while wanted and wanted[0] < seen + count:
            found.append(value)
            wanted.pop(0)
        seen += count
    return statistics.fmean(found)


@dataclass(frozen=True)
class CaseloadFlow:
    """Status changes in each month and the open caseload at each month end."""

    changes: Tally  # categories: opened, reopened, closed
    closure_reasons: Tally  # closures by reason code
    open_at_month_end: Tally  # category ""
    open_at_month_start: Tally  # category ""


@dataclass(frozen=True)
class ContactFigures:
    attempts: Tally  # every contact and attempt, by medium
    successful: Tally  # successful contacts, by medium
    direct: Tally  # successful contacts with the young person or their parent or carer ("")
    direct_minutes: Tally  # their total duration in minutes ("")


@dataclass(frozen=True)
class ReferralsOut:
    by_service: Tally  # referrals sent, by service type
    by_status: Tally  # the same referrals, by current status


@dataclass(frozen=True)
class SafeguardingFigures:
    raised: Tally  # by category
    shared: Tally  # shared with at least one agency, by category
    shared_with: Tally  # by agency: NOT a partition (a concern shared twice counts twice)


@dataclass(frozen=True)
class NeedsFigures:
    recorded: Tally  # need areas recorded (identified or met) at the last assessment, by area
    met: Tally  # of which met, by area


@dataclass(frozen=True)
class OutcomeFigures:
    risk_change: Tally  # reduced, same, increased, not_assessed_twice
    needs: NeedsFigures


@dataclass(frozen=True)
class IncidentFigures:
    method: Tally
    location: Tally
    day_of_week: Tally  # categories 0 (Sunday) .. 6, or not_known
    time_band: Tally  # 00-05, 06-11, 12-17, 18-23, or not_known


@dataclass(frozen=True)
class ProfileFigures:
    age_band: Tally
    sex: Tally
    ethnic_group: Tally


@dataclass(frozen=True)
class CaseloadSnapshot:
    """The dashboard's caseload figures for one unit, now."""

    open: int
    high_risk: int
    no_recent_contact: int


# --- categories ---------------------------------------------------------------------------------

NOT_KNOWN = "not_known"
FIRST_CONTACT_BANDS = ("within_24h", "24_to_48h", "over_48h", "not_yet")
AGE_BANDS = ((10, 13), (14, 17), (18, 21), (22, 25))
TIME_BANDS = ("00-05", "06-11", "12-17", "18-23")
DAYS_OF_WEEK = ("1", "2", "3", "4", "5", "6", "0")  # Monday first; SQL numbers Sunday 0
DAY_NAMES = {
    "0": "Sunday",
    "1": "Monday",
    "2": "Tuesday",
    "3": "Wednesday",
    "4": "Thursday",
    "5": "Friday",
    "6": "Saturday",
}
RISK_CHANGES = ("reduced", "same", "increased", "not_assessed_twice")
RE_ATTENDANCE = ("re_attendance", "first_in_12_months")
DIRECT_WORK_WITH = ("young_person", "parent_carer")
WAITING_SERVICES = ("camhs", "rehabilitation")


# --- the unit a figure is counted for -----------------------------------------------------------


class Unit(Enum):
    SITE = "site"
    WORKER = "worker"


@dataclass(frozen=True)
class Scope:
    """Which cases count, and what they are grouped by. The return groups by site; the supervisor
    dashboard can group by the case's assigned worker and narrow to its sites."""

    unit: Unit = Unit.SITE
    site_ids: frozenset[uuid.UUID] | None = None
    worker_ids: frozenset[uuid.UUID] | None = None

    def unit_column(self) -> Any:
        return CaseEpisode.site_id if self.unit is Unit.SITE else CaseEpisode.worker_id

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.site_ids is not None:
            found.append(CaseEpisode.site_id.in_(self.site_ids))
        if self.worker_ids is not None:
            found.append(CaseEpisode.worker_id.in_(self.worker_ids))
        return found


# --- backend-neutral SQL for time ---------------------------------------------------------------


def _summer_time_spans(low: dt.datetime, high: dt.datetime) -> list[tuple[dt.datetime, dt.datetime, int]]:
    """The spans between ``low`` and ``high`` (UTC) when London is ahead of UTC: (start, end,
    minutes ahead). Found from the time-zone database, so no rule is written here."""

    def ahead(instant: dt.datetime) -> int:
        offset = instant.astimezone(LONDON).utcoffset()
        return int(offset.total_seconds() // 60) if offset else 0

    def change_between(a: dt.datetime, b: dt.datetime) -> dt.datetime:
        while b - a > dt.timedelta(seconds=1):
            middle = a + (b - a) / 2
            if ahead(middle) == ahead(a):
                a = middle
            else:
                b = middle
        return b.replace(microsecond=0)

    spans: list[tuple[dt.datetime, dt.datetime, int]] = []
    start: dt.datetime | None = low if ahead(low) else None
    day = dt.timedelta(days=1)
    at = low
    while at < high:
        following = min(at + day, high)
        if ahead(following) != ahead(at):
            changed = change_between(at, following)
            if start is not None:
                spans.append((start, changed, ahead(start)))
            start = changed if ahead(following) else None
        at = following
    if start is not None:
        spans.append((start, high, ahead(start)))
    return spans


ASSAULT_LOOKBACK_DAYS = 27 * 366
"""How far before a return's window an instant is still placed in London time on SQLite (PostgreSQL
converts any instant itself): longer than anyone the service supports (10-25) has been alive."""


class _Sql:
    """Expressions whose SQL differs between SQLite and PostgreSQL."""

    def __init__(self, dialect: str, window: Window) -> None:
        self.sqlite = dialect == "sqlite"
        self.window = window
        self._spans: list[tuple[dt.datetime, dt.datetime, int]] | None = None

    def seconds_between(self, later: Any, earlier: Any) -> ColumnElement[Any]:
        if self.sqlite:
            return func.round((func.julianday(later) - func.julianday(earlier)) * 86400.0)
        return extract("epoch", later - earlier)

    def days_between(self, later: Any, earlier: Any) -> ColumnElement[Any]:
        """Whole days between two calendar-day (DATE) columns."""
        if self.sqlite:
            return cast(func.round(func.julianday(later) - func.julianday(earlier)), Integer)
        return cast(later - earlier, Integer)

    def _london_sqlite(self, instant: Any, fmt: str) -> ColumnElement[Any]:
        if self._spans is None:
            # Assaults happen before arrival, possibly long before: cover every year a young person
            # of the service's ages (up to 25) can have lived, newest first (most instants are recent).
            earliest = self.window.start - dt.timedelta(days=ASSAULT_LOOKBACK_DAYS)
            self._spans = _summer_time_spans(earliest, self.window.end)[::-1]
        shift = (
            case(
                *(
                    (and_(instant >= start, instant < end), f"+{minutes} minutes")
                    for start, end, minutes in self._spans
                ),
                else_="+0 minutes",
            )
            if self._spans
            else literal("+0 minutes")
        )
        return func.strftime(fmt, instant, shift)

    def london_hour(self, instant: Any) -> ColumnElement[Any]:
        if self.sqlite:
            return cast(self._london_sqlite(instant, "%H"), Integer)
        return cast(extract("hour", func.timezone("Europe/London", instant)), Integer)

    def london_weekday(self, instant: Any) -> ColumnElement[Any]:
        """0 = Sunday .. 6 = Saturday, in London."""
        if self.sqlite:
            return cast(self._london_sqlite(instant, "%w"), Integer)
        return cast(extract("dow", func.timezone("Europe/London", instant)), Integer)


def _month_index(value: Any, bounds: Sequence[Any], low: int, high: int) -> Any:
    """Which of the months ``low``..``high`` ``value`` falls in, given each month's exclusive
    upper bound: a binary search written as nested CASEs (4 comparisons for 12 months, not 12)."""
    if low == high:
        return literal(low, Integer)
    middle = (low + high) // 2
    return case(
        (value < bounds[middle], _month_index(value, bounds, low, middle)),
        else_=_month_index(value, bounds, middle + 1, high),
    )


def _month_of_instant(window: Window, instant: Any) -> ColumnElement[Any]:
    """The index in the window of the London month an instant falls in (rows are pre-filtered)."""
    return cast(_month_index(instant, [month.end for month in window.months], 0, len(window) - 1), Integer)


def _month_of_day(window: Window, day: Any) -> ColumnElement[Any]:
    bounds = [month.plus(1).first_day for month in window.months]
    return cast(_month_index(day, bounds, 0, len(window) - 1), Integer)


def _in_window_instant(window: Window, instant: Any) -> ColumnElement[bool]:
    return and_(instant >= window.start, instant < window.end)


def _in_window_day(window: Window, day: Any) -> ColumnElement[bool]:
    return and_(day >= window.first_day, day <= window.last_day)


_RISK_ORDER = {"low": 1, "medium": 2, "high": 3}


# --- the queries ----------------------------------------------------------------------------------


class Kpis:
    """The KPI queries for one window of months and one scope, on an open session.

    Use it as a context manager (``with Kpis(...) as kpis:``): on SQLite it keeps a temporary
    table for the queries' life, dropped on leaving."""

    def __init__(self, session: Session, window: Window, scope: Scope | None = None) -> None:
        self.session = session
        self.window = window
        self.scope = scope or Scope()
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        self.sql = _Sql("sqlite" if self.sqlite else "postgresql", window)
        self.unit = self.scope.unit_column()
        self._unit_table: Table | None = None
        self._units: Any = None

    def __enter__(self) -> Kpis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._unit_table is not None:
            self._unit_table.drop(self.session.connection())
            self._unit_table = None
            self._units = None

    def for_window(self, window: Window) -> Kpis:
        """The same scope over other months, sharing this one's units (closed with this one)."""
        other = Kpis(self.session, window, self.scope)
        other._units = self.units
        return other

    @property
    def units(self) -> Any:
        """Each case in scope with its unit, for the queries that start from contacts, status
        changes, referrals or concerns. On SQLite a temporary table (in memory) filled once from
        the narrow covering index ix_case_episode_unit: looking every row's case up in the wide,
        encrypted case table instead decrypts a page per case and is several times slower.
        Elsewhere a plain common table expression, which the planner joins as it likes."""
        if self._units is not None:
            return self._units
        cases = select(CaseEpisode.id, self.unit).where(*self.scope.conditions())
        if not self.sqlite:
            self._units = cases.with_only_columns(CaseEpisode.id.label("case_id"), self.unit.label("unit")).cte(
                "case_unit"
            )
            return self._units
        table = Table(
            f"case_unit_{uuid.uuid4().hex}",
            MetaData(),
            Column("case_id", Uuid, primary_key=True),
            Column("unit", Uuid),
            prefixes=["TEMPORARY"],
            sqlite_with_rowid=False,
        )
        connection = self.session.connection()
        table.create(connection)
        connection.execute(insert(table).from_select(["case_id", "unit"], cases))
        self._unit_table = self._units = table
        return table

    def _rows(self, query: Select[Any]) -> Sequence[Any]:
        return self.session.execute(query).all()

    def _cases(self, *columns: Any) -> Select[Any]:
        return select(*columns).select_from(CaseEpisode).where(*self.scope.conditions())

    def _by_unit(self, base: Any, case_id: Any, *columns: Any) -> Select[Any]:
        """Columns from rows of ``base`` (contacts, changes...) of cases in scope, with their unit."""
        return select(self.units.c.unit, *columns).select_from(base).join(self.units, self.units.c.case_id == case_id)

    def _received(self, *columns: Any) -> Select[Any]:
        """Cases received in the window: their arrival falls in one of its months."""
        return self._cases(self.unit, _month_of_instant(self.window, CaseEpisode.arrival_at), *columns).where(
            _in_window_instant(self.window, CaseEpisode.arrival_at)
        )

    @staticmethod
    def _tally(rows: Iterable[Any]) -> Tally:
        """Rows of (unit, month, category, count) into a Tally."""
        tally = Tally()
        for unit, month, category, count in rows:
            tally.add(unit, month, str(category), count)
        return tally

    # referrals and first contact --------------------------------------------------------------

    def referrals_received(self) -> Tally:
        """Cases whose arrival falls in the month, by referral source."""
        query = self._received(CaseEpisode.referral_source, func.count()).group_by(
            self.unit, literal_column("2"), CaseEpisode.referral_source
        )
        return self._tally(self._rows(query))

    def time_to_first_contact(self) -> Tally:
        """Cases received, by the time from arrival to the first successful contact."""
        seconds = self.sql.seconds_between(CaseEpisode.first_contact_at, CaseEpisode.arrival_at)
        band = case(
            (CaseEpisode.first_contact_at.is_(None), "not_yet"),
            (seconds <= 24 * 3600, "within_24h"),
            (seconds <= 48 * 3600, "24_to_48h"),
            else_="over_48h",
        )
        query = self._received(band, func.count()).group_by(self.unit, literal_column("2"), literal_column("3"))
        return self._tally(self._rows(query))

    def engagement(self) -> Tally:
        """Cases received, by their engagement outcome now."""
        query = self._received(CaseEpisode.engagement, func.count()).group_by(
            self.unit, literal_column("2"), CaseEpisode.engagement
        )
        return self._tally(self._rows(query))

    def re_attendance(self) -> Tally:
        """Cases received, split by whether the same young person had an earlier case arriving in
        the 365 days before this one."""
        earlier = CaseEpisode.__table__.alias("earlier")
        within = self.sql.seconds_between(CaseEpisode.arrival_at, earlier.c.arrival_at) <= RE_ATTENDANCE_DAYS * 86400
        returning = (
            select(earlier.c.id)
            .where(earlier.c.person_id == CaseEpisode.person_id, earlier.c.arrival_at < CaseEpisode.arrival_at, within)
            .exists()
        )
        category = case((returning, "re_attendance"), else_="first_in_12_months")
        query = self._received(category, func.count()).group_by(self.unit, literal_column("2"), literal_column("3"))
        return self._tally(self._rows(query))

    # caseload ---------------------------------------------------------------------------------

    def caseload_flow(self) -> CaseloadFlow:
        """Opened, reopened and closed in each month (by status-change day) and the open caseload
        at each month end: the balance of openings and closures up to that day. The service keeps
        each case's changes alternating in date order, so the balance is 0 or 1 per case."""
        window = self.window
        change = CaseStatusChange.change
        query = (
            self._by_unit(
                CaseStatusChange,
                CaseStatusChange.case_id,
                _month_of_day(window, CaseStatusChange.changed_on),
                change,
                func.coalesce(CaseStatusChange.reason, ""),
                func.count(),
            )
            .where(_in_window_day(window, CaseStatusChange.changed_on))
            .group_by(self.units.c.unit, literal_column("2"), change, literal_column("4"))
        )
        changes, reasons = Tally(), Tally()
        for unit, month, kind, reason, count in self._rows(query):
            changes.add(unit, month, kind, count)
            if kind == "closed":
                reasons.add(unit, month, reason or NOT_KNOWN, count)
        # Open before the window: the cases whose openings outnumber their closures by then (a
        # few hundred), found from the narrow history table before looking up their unit.
        open_before = (
            select(CaseStatusChange.case_id)
            .where(CaseStatusChange.changed_on < window.first_day)
            .group_by(CaseStatusChange.case_id)
            .having(func.sum(case((change == "closed", -1), else_=1)) > 0)
            .subquery("open_before")
        )
        balance_before = self._by_unit(open_before, open_before.c.case_id, func.count()).group_by(self.units.c.unit)
        running: dict[uuid.UUID, int] = {unit: int(total) for unit, total in self._rows(balance_before)}
        units = set(running) | {unit for unit, _, _ in changes.cells}
        at_start, at_end = Tally(), Tally()
        for month in range(len(window)):
            for unit in units:
                at_start.add(unit, month, "", running.get(unit, 0))
                running[unit] = (
                    running.get(unit, 0)
                    + changes.count(month, unit, "opened")
                    + changes.count(month, unit, "reopened")
                    - changes.count(month, unit, "closed")
                )
                at_end.add(unit, month, "", running[unit])
        return CaseloadFlow(changes, reasons, at_end, at_start)

    def _closures(self, *columns: Any) -> Select[Any]:
        """Closure events in the window, joined to their case."""
        return self._by_unit(
            CaseStatusChange,
            CaseStatusChange.case_id,
            _month_of_day(self.window, CaseStatusChange.changed_on),
            *columns,
        ).where(CaseStatusChange.change == "closed", _in_window_day(self.window, CaseStatusChange.changed_on))

    def length_of_support(self) -> Distribution:
        """For each closure: days from the case's opening day (the London day of arrival)."""
        opened = CaseStatusChange.__table__.alias("opened")
        days = self.sql.days_between(CaseStatusChange.changed_on, opened.c.changed_on)
        query = (
            self._closures(days, func.count())
            .join(opened, and_(opened.c.case_id == CaseStatusChange.case_id, opened.c.change == "opened"))
            .group_by(self.units.c.unit, literal_column("2"), literal_column("3"))
        )
        distribution = Distribution()
        for unit, month, value, count in self._rows(query):
            distribution.add(unit, month, int(value), count)
        return distribution

    # direct work ------------------------------------------------------------------------------

    def contacts(self, by_medium: bool = True) -> ContactFigures:
        """Contacts and attempts dated in the month (London), by medium (category "" when not
        ``by_medium``: cheaper for trends); direct work is the successful ones with the young
        person or their parent or carer."""
        direct = and_(Contact.successful, Contact.contact_with.in_(DIRECT_WORK_WITH))
        medium = Contact.medium if by_medium else literal("", String)
        query = (
            self._by_unit(
                Contact,
                Contact.case_id,
                _month_of_instant(self.window, Contact.contact_at),
                medium,
                Contact.successful,
                case((direct, 1), else_=0),
                func.coalesce(func.sum(Contact.duration_minutes), 0),
                func.count(),
            )
            .where(_in_window_instant(self.window, Contact.contact_at), ~Contact.struck_out)  # not in error
            .group_by(
                self.units.c.unit, literal_column("2"), literal_column("3"), Contact.successful, literal_column("5")
            )
        )
        attempts, successful, direct_count, minutes = Tally(), Tally(), Tally(), Tally()
        for unit, month, medium, made, is_direct, total_minutes, count in self._rows(query):
            attempts.add(unit, month, medium, count)
            if made:
                successful.add(unit, month, medium, count)
            if is_direct:
                direct_count.add(unit, month, "", count)
                minutes.add(unit, month, "", int(total_minutes))
        return ContactFigures(attempts, successful, direct_count, minutes)

    # referrals out ----------------------------------------------------------------------------

    def _milestone_days(self) -> Any:
        """Per referral: the day it was sent and the first day help started."""
        step = ReferralMilestone.step
        return (
            select(
                ReferralMilestone.referral_id.label("referral_id"),
                func.min(case((step == "sent", ReferralMilestone.occurred_on))).label("sent_on"),
                func.min(case((step == "help_started", ReferralMilestone.occurred_on))).label("started_on"),
            )
            .where(step.in_(("sent", "help_started")))
            .group_by(ReferralMilestone.referral_id)
            .subquery("milestone_days")
        )

    def referrals_out(self) -> ReferralsOut:
        """Referrals whose 'sent' milestone falls in the month, by service type and by status now."""
        days = self._milestone_days()
        query = (
            self._by_unit(
                Referral,
                Referral.case_id,
                _month_of_day(self.window, days.c.sent_on),
                ServiceProvider.service_type,
                Referral.status,
                func.count(),
            )
            .join(days, days.c.referral_id == Referral.id)
            .join(ServiceProvider, ServiceProvider.id == Referral.service_id)
            .where(_in_window_day(self.window, days.c.sent_on))
            .group_by(self.units.c.unit, literal_column("2"), ServiceProvider.service_type, Referral.status)
        )
        by_service, by_status = Tally(), Tally()
        for unit, month, service, status, count in self._rows(query):
            by_service.add(unit, month, service, count)
            by_status.add(unit, month, status, count)
        return ReferralsOut(by_service, by_status)

    def days_to_help_started(self) -> dict[str, Distribution]:
        """By service type: for referrals whose help started (first attended) in the month, days
        from sent to help started: ``domain.referrals.days_to_help_started`` in SQL."""
        days = self._milestone_days()
        waited = self.sql.days_between(days.c.started_on, days.c.sent_on)
        query = (
            self._by_unit(
                Referral,
                Referral.case_id,
                _month_of_day(self.window, days.c.started_on),
                ServiceProvider.service_type,
                waited,
                func.count(),
            )
            .join(days, days.c.referral_id == Referral.id)
            .join(ServiceProvider, ServiceProvider.id == Referral.service_id)
            .where(_in_window_day(self.window, days.c.started_on), days.c.sent_on.is_not(None))
            .group_by(self.units.c.unit, literal_column("2"), ServiceProvider.service_type, literal_column("4"))
        )
        result: dict[str, Distribution] = defaultdict(Distribution)
        for unit, month, service, value, count in self._rows(query):
            result[service].add(unit, month, int(value), count)
        return dict(result)

    # safeguarding -----------------------------------------------------------------------------

    def safeguarding(self) -> SafeguardingFigures:
        """Concerns, each at its latest version, raised in the month (London), by category; and
        whether and with whom they were shared."""
        latest = (
            select(
                SafeguardingConcern.concern_id.label("concern_id"),
                func.max(SafeguardingConcern.version).label("version"),
            )
            .group_by(SafeguardingConcern.concern_id)
            .subquery("latest")
        )
        shared_with = func.coalesce(cast(SafeguardingConcern.shared_with, String), "")
        query = (
            self._by_unit(
                SafeguardingConcern,
                SafeguardingConcern.case_id,
                _month_of_instant(self.window, SafeguardingConcern.raised_at),
                SafeguardingConcern.category,
                shared_with,
                func.count(),
            )
            .join(
                latest,
                and_(
                    latest.c.concern_id == SafeguardingConcern.concern_id,
                    latest.c.version == SafeguardingConcern.version,
                ),
            )
            .where(_in_window_instant(self.window, SafeguardingConcern.raised_at))
            .group_by(self.units.c.unit, literal_column("2"), SafeguardingConcern.category, literal_column("4"))
        )
        raised, shared, agencies = Tally(), Tally(), Tally()
        for unit, month, category, with_whom, count in self._rows(query):
            raised.add(unit, month, category, count)
            parts = [part for part in with_whom.split(";") if part]
            if parts:
                shared.add(unit, month, category, count)
            for agency in parts:
                agencies.add(unit, month, agency, count)
        return SafeguardingFigures(raised, shared, agencies)

    # outcomes at closure ----------------------------------------------------------------------

    def outcomes_at_closure(self) -> OutcomeFigures:
        """For each closure: the risk level at the case's first and last assessment (by assessment
        day, then time recorded) and the needs recorded and met at the last one.

        One row per closure comes back (correlated look-ups on the assessments' covering index),
        tallied here: a few thousand rows of codes a month, nothing decrypted."""

        def assessment(*columns: Any, last: bool) -> Any:
            order = (RiskAssessment.assessed_on, RiskAssessment.created_at, RiskAssessment.id)
            text = columns[0]
            for column in columns[1:]:
                text = text + literal("|", String) + func.coalesce(cast(column, String), "")
            return (
                select(text)
                .where(RiskAssessment.case_id == CaseStatusChange.case_id)
                .order_by(*((c.desc() for c in order) if last else order))
                .limit(1)
                .scalar_subquery()
            )

        first = assessment(cast(RiskAssessment.id, String), RiskAssessment.risk_level, last=False)
        last = assessment(
            cast(RiskAssessment.id, String),
            RiskAssessment.risk_level,
            RiskAssessment.needs_identified,
            RiskAssessment.needs_met,
            last=True,
        )
        risk, recorded, met = Tally(), Tally(), Tally()
        for unit, month, first_text, last_text in self._rows(self._closures(first, last)):
            if first_text is None or last_text is None:
                risk.add(unit, month, "not_assessed_twice", 1)
                continue
            first_id, first_level = first_text.split("|")[:2]
            last_id, last_level, identified, met_codes = last_text.split("|")
            if first_id == last_id:
                risk.add(unit, month, "not_assessed_twice", 1)
            else:
                before, after = _RISK_ORDER.get(first_level, 0), _RISK_ORDER.get(last_level, 0)
                risk.add(unit, month, "reduced" if after < before else "increased" if after > before else "same", 1)
            met_set = {code for code in met_codes.split(";") if code}
            for area in met_set | {code for code in identified.split(";") if code}:
                recorded.add(unit, month, area, 1)
            for area in met_set:
                met.add(unit, month, area, 1)
        return OutcomeFigures(risk, NeedsFigures(recorded, met))

    def risk_change(self) -> Tally:
        return self.outcomes_at_closure().risk_change

    def needs(self) -> NeedsFigures:
        return self.outcomes_at_closure().needs

    # index incidents and the young people ----------------------------------------------------

    def incidents(self) -> IncidentFigures:
        """The index incidents of cases received in the month: method, location type, and the day
        of week and time band of the assault in London (not known when its time is not recorded)."""
        assault = Incident.assault_at
        hour = self.sql.london_hour(assault)
        band = case(
            (assault.is_(None), NOT_KNOWN),
            (hour < 6, TIME_BANDS[0]),
            (hour < 12, TIME_BANDS[1]),
            (hour < 18, TIME_BANDS[2]),
            else_=TIME_BANDS[3],
        )
        weekday = case((assault.is_(None), NOT_KNOWN), else_=cast(self.sql.london_weekday(assault), String))
        query = (
            self._received(Incident.assault_method, Incident.assault_location_type, weekday, band, func.count())
            .join(Incident, Incident.case_id == CaseEpisode.id)
            .group_by(
                self.unit,
                literal_column("2"),
                Incident.assault_method,
                Incident.assault_location_type,
                literal_column("5"),
                literal_column("6"),
            )
        )
        method, location, day, time_band = Tally(), Tally(), Tally(), Tally()
        for unit, month, how, where, weekday_code, band_code, count in self._rows(query):
            method.add(unit, month, how, count)
            location.add(unit, month, where, count)
            day.add(unit, month, str(weekday_code), count)
            time_band.add(unit, month, band_code, count)
        return IncidentFigures(method, location, day, time_band)

    def new_case_profile(self) -> ProfileFigures:
        """Cases received in the month: age band at arrival, sex, and broad ethnic group."""
        age = CaseEpisode.age_at_arrival
        band = case(*((and_(age >= low, age <= high), f"{low}-{high}") for low, high in AGE_BANDS), else_=NOT_KNOWN)
        query = (
            self._received(band, CasePerson.sex, CasePerson.ethnicity, func.count())
            .join(CasePerson, CasePerson.case_id == CaseEpisode.id)
            .group_by(self.unit, literal_column("2"), literal_column("3"), CasePerson.sex, CasePerson.ethnicity)
        )
        ages, sexes, groups = Tally(), Tally(), Tally()
        for unit, month, age_band, sex, ethnicity, count in self._rows(query):
            ages.add(unit, month, age_band, count)
            sexes.add(unit, month, sex, count)
            groups.add(unit, month, ethnic_group(ethnicity), count)
        return ProfileFigures(ages, sexes, groups)


def ethnic_group(code: str) -> str:
    """One of the five broad groups (White, Mixed, Asian, Black, Other) or Not known."""
    return codes.ETHNICITY.group(code) if code in codes.ETHNICITY else "Not known"


ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not known")


@contextlib.contextmanager
def page_cache(session: Session, mebibytes: int = 256) -> Iterator[None]:
    """On SQLite, a larger page cache while a return's queries run: they read the same case pages
    many times, and every page read from a SQLCipher file is decrypted and authenticated again
    once it has left the cache. The previous size is put back afterwards."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    previous = session.execute(text("PRAGMA cache_size")).scalar()
    session.execute(text(f"PRAGMA cache_size = -{int(mebibytes) * 1024}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(previous or -2000)}"))


def caseload_snapshot(
    session: Session, now: dt.datetime, scope: Scope | None = None
) -> dict[uuid.UUID, CaseloadSnapshot]:
    """The dashboard's live figures per unit: open cases, those at high risk now, and those with no
    successful contact for 14 days (``caseload_rules.no_recent_successful_contact`` in SQL)."""
    scope = scope or Scope()
    unit = scope.unit_column()
    query = (
        select(
            unit,
            func.count(),
            func.sum(case((high_risk_now(), 1), else_=0)),
            func.sum(case((no_recent_successful_contact(now), 1), else_=0)),
        )
        .where(open_case(), *scope.conditions())
        .group_by(unit)
    )
    return {row[0]: CaseloadSnapshot(int(row[1]), int(row[2] or 0), int(row[3] or 0)) for row in session.execute(query)}


# --- case conditions: the dashboard's figures, defined once ---------------------------------------


def open_case() -> ColumnElement[bool]:
    return CaseEpisode.status == "open"


def high_risk_now() -> ColumnElement[bool]:
    """Open, and the most recent risk assessment says high."""
    return and_(open_case(), CaseEpisode.current_risk == "high")


def no_recent_successful_contact(now: dt.datetime) -> ColumnElement[bool]:
    """Open, and no successful contact for 14 days, counting from opening when there was none
    (``caseload_rules.no_recent_successful_contact``, in SQL)."""
    since = func.coalesce(CaseEpisode.last_successful_contact_at, CaseEpisode.opened_at)
    return and_(open_case(), since < now - dt.timedelta(days=NO_CONTACT_DAYS))


def next_action_overdue(now: dt.datetime) -> ColumnElement[bool]:
    """Open, with a next action due before today (London)."""
    today = now.astimezone(LONDON).date()
    return and_(open_case(), CaseEpisode.next_action_due < today)


def assessment_overdue(now: dt.datetime) -> ColumnElement[bool]:
    """Open for more than ``ASSESSMENT_DUE_DAYS`` days with no risk assessment recorded yet."""
    return and_(
        open_case(),
        CaseEpisode.current_risk.is_(None),
        CaseEpisode.opened_at < now - dt.timedelta(days=ASSESSMENT_DUE_DAYS),
    )


def arrived_between(start: dt.datetime, end: dt.datetime) -> ColumnElement[bool]:
    return and_(CaseEpisode.arrival_at >= start, CaseEpisode.arrival_at < end)


# --- definitions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    key: str
    title: str
    text: str


@dataclass(frozen=True)
class DefinitionGroup:
    title: str
    definitions: tuple[Definition, ...] = field(default_factory=tuple)


GENERAL = (
    "Each figure is for one London calendar month, for each site and for all sites together. "
    "Instants (arrival, contacts, safeguarding concerns, assaults) are stored in UTC and placed in a "
    "month, a day of the week and a time band by their London local time: an arrival at 00:30 on the "
    "1st belongs to that month even when it is 23:30 UTC on the last day of the previous month, and a "
    "month with a clock change has 743 or 745 hours. Calendar days (closure dates, referral "
    "milestones, reopening days) are counted in the month they fall in.",
    "A case (case episode) is one referral into the service. A young person referred again has a "
    "new case; the person is matched across cases by the person record, never by name in the return.",
    "Figures are read from the records when the return is produced: outcomes recorded later (a "
    "first contact, a closure) change the figures of earlier months in later returns.",
    "No names, dates of birth, NHS numbers, addresses or postcodes, free text or exact dates are "
    "published: only counts, rates and medians by month, site and coded category. Borough of "
    "residence is not published: with 33 boroughs most cells would be small enough to identify.",
)

DEFINITIONS: tuple[DefinitionGroup, ...] = (
    DefinitionGroup(
        "Referrals and first contact",
        (
            Definition(
                "referrals_received",
                "Referrals received",
                "Cases whose arrival at A&E (date and time) falls in the month, London time. "
                "Breakdown: referral source.",
            ),
            Definition(
                "contacted_24h",
                "Contacted within 24 hours",
                "Of the referrals received in the month, those whose first successful contact "
                "(a contact recorded as made, with anyone) was no more than 24 hours after the "
                "arrival. Failed attempts do not count. Percentage: of referrals received.",
            ),
            Definition(
                "contacted_48h",
                "Contacted within 48 hours",
                "As above, within 48 hours of arrival (includes those within 24 hours).",
            ),
            Definition(
                "first_contact",
                "Time to first successful contact",
                "Referrals received in the month by the time from arrival to the first successful "
                "contact: within 24 hours, 24 to 48 hours, over 48 hours, or none yet.",
            ),
            Definition(
                "engagement",
                "Engagement outcome",
                "Referrals received in the month by their engagement outcome as recorded when the "
                "return is produced: engaged, declined, unable to contact, contact attempted, not "
                "yet contacted, transferred. Percentages: of referrals received.",
            ),
            Definition(
                "re_attendance",
                "Re-attendances within 12 months",
                "Referrals received in the month whose young person (matched on the person "
                "record, not the case) had an earlier case arriving no more than 365 days before "
                "this arrival. Percentage: of referrals received.",
            ),
        ),
    ),
    DefinitionGroup(
        "Caseload",
        (
            Definition(
                "open_start",
                "Open at start of month",
                "Cases open at the end of the day before the month's first day (see below).",
            ),
            Definition(
                "new_cases",
                "New cases",
                "Cases opened in the month. A case opens on the London day of its arrival, so "
                "this equals referrals received; it is listed to show the caseload's flow.",
            ),
            Definition("reopened", "Reopened", "Reopenings of closed cases, by the day the case was reopened."),
            Definition(
                "closed",
                "Closed",
                "Closures, by closure date (a case closed, reopened and closed again in one month "
                "counts twice). Breakdown: closure reason.",
            ),
            Definition(
                "open_end",
                "Open caseload at month end",
                "Cases open at the end of the month's last day: from the case's status history "
                "(opened, closed, reopened, each with its day), openings and reopenings up to "
                "that day outnumber closures. Open at start + new + reopened - closed = open at "
                "end.",
            ),
            Definition(
                "length_of_support",
                "Median length of support (days)",
                "For the closures in the month: whole days from the London day of arrival to the "
                "closure date; the median (the mean of the middle two when their number is even), "
                "from unrounded data.",
            ),
        ),
    ),
    DefinitionGroup(
        "Direct work",
        (
            Definition(
                "contacts",
                "Contacts and attempts",
                "Contacts and contact attempts whose date and time falls in the month (London), "
                "failed attempts included, for cases at the site. Breakdown: medium.",
            ),
            Definition("successful_contacts", "Successful contacts", "Of those, contacts recorded as made."),
            Definition(
                "direct_hours",
                "Hours of direct work",
                "Total duration of the successful contacts with the young person or their "
                "parent or carer in the month, in hours (a contact without a duration adds "
                "nothing). Published like a count (rounded to the base; small totals "
                "suppressed), and withheld when the number of those contacts is suppressed.",
            ),
        ),
    ),
    DefinitionGroup(
        "Referrals to other services",
        (
            Definition(
                "referrals_out",
                "Referrals sent",
                "Referrals whose 'sent' milestone falls in the month (drafts never sent are not "
                "counted). Breakdowns: service type; status now (the last milestone recorded).",
            ),
            Definition(
                "waiting_camhs",
                "Median days waiting: CAMHS",
                "Referrals to CAMHS whose help started (first attended) in the month: days from "
                "the day sent to the first day help started; the median, from unrounded data. "
                "The same definition as the referrals board and the dashboard.",
            ),
            Definition(
                "waiting_rehabilitation",
                "Median days waiting: rehabilitation",
                "As for CAMHS, for referrals to physical rehabilitation services.",
            ),
        ),
    ),
    DefinitionGroup(
        "Safeguarding",
        (
            Definition(
                "concerns_raised",
                "Safeguarding concerns raised",
                "Concerns, each counted once at its latest version, whose date and time raised "
                "falls in the month (London). Breakdown: category.",
            ),
            Definition(
                "concerns_shared",
                "Concerns shared with another agency",
                "Of those, concerns whose latest version records sharing with at least one "
                "agency. Breakdown by agency: a concern shared with two agencies counts under "
                "each. Percentage: of concerns raised.",
            ),
        ),
    ),
    DefinitionGroup(
        "Outcomes at closure",
        (
            Definition(
                "risk_change",
                "Risk change, first to last assessment",
                "For the closures in the month: the risk level (low < medium < high) at the "
                "case's last risk assessment compared with its first (ordered by assessment day, "
                "then time recorded): reduced, same or increased; cases with fewer than two "
                "assessments are 'not assessed twice'. Percentage reduced: of the closures "
                "assessed at least twice.",
            ),
            Definition(
                "needs_met",
                "Needs met",
                "For the closures in the month, at the case's last assessment, per need area: "
                "the cases with the need recorded (identified or met) and those with it met. "
                "Percentage: met of recorded.",
            ),
        ),
    ),
    DefinitionGroup(
        "Index incidents",
        (
            Definition(
                "incident_method",
                "Assault method",
                "The index incidents (one per case) of referrals received in the month, by "
                "assault method (ISTV minimum dataset); free-text descriptions are never used.",
            ),
            Definition(
                "incident_location",
                "Assault location type",
                "The same incidents by type of location (never the location itself).",
            ),
            Definition(
                "incident_day",
                "Day of week of the assault",
                "The same incidents by the day of the week of the assault, London time; not "
                "known when the assault time was not recorded.",
            ),
            Definition(
                "incident_time",
                "Time band of the assault",
                "The same incidents by the hour of the assault, London time, in bands of six "
                "hours: 00-05, 06-11, 12-17, 18-23; not known when not recorded.",
            ),
        ),
    ),
    DefinitionGroup(
        "Young people (new cases)",
        (
            Definition(
                "age_band",
                "Age band at arrival",
                "New cases (referrals received in the month) by the young person's age at "
                "arrival (from the date of birth, or the estimated age): 10-13, 14-17, 18-21, "
                "22-25.",
            ),
            Definition("sex", "Sex", "New cases by sex / stated gender (NHS codes)."),
            Definition(
                "ethnic_group",
                "Ethnic group",
                "New cases by ethnic category (NHS data dictionary) rolled up into the five "
                "broad groups White, Mixed, Asian, Black, Other, and Not known.",
            ),
        ),
    ),
)


def definition(key: str) -> Definition:
    for group in DEFINITIONS:
        for item in group.definitions:
            if item.key == key:
                return item
    raise KeyError(key)


__all__ = [
    "ALL",
    "AGE_BANDS",
    "DAYS_OF_WEEK",
    "DAY_NAMES",
    "DEFINITIONS",
    "ETHNIC_GROUPS",
    "FIRST_CONTACT_BANDS",
    "GENERAL",
    "RE_ATTENDANCE",
    "RISK_CHANGES",
    "TIME_BANDS",
    "WAITING_SERVICES",
    "CaseloadFlow",
    "CaseloadSnapshot",
    "ContactFigures",
    "Definition",
    "DefinitionGroup",
    "Distribution",
    "IncidentFigures",
    "Kpis",
    "Month",
    "NeedsFigures",
    "ProfileFigures",
    "ReferralsOut",
    "SafeguardingFigures",
    "Scope",
    "Tally",
    "Unit",
    "Window",
    "caseload_snapshot",
    "definition",
    "ethnic_group",
    "histogram_median",
]
