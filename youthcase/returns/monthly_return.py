"""The anonymised monthly return as data: sections of measures by site and month, every value
already through disclosure control. The PDF and the CSV are two renderings of this one model.

``build_return`` runs the KPI queries (``youthcase.returns.kpis``) once over the 12-month window,
grouped by site, then publishes each figure with ``youthcase.returns.disclosure``: counts, rates
from the rounded counts, medians from unrounded data. Nothing else in the model is a number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy.orm import Session

from youthcase.domain import codes
from youthcase.domain.validation import LONDON
from youthcase.returns import disclosure
from youthcase.returns.disclosure import STANDARD, DisclosureRule, Published
from youthcase.returns.kpis import (
    AGE_BANDS,
    DAY_NAMES,
    DAYS_OF_WEEK,
    DEFINITIONS,
    ETHNIC_GROUPS,
    GENERAL,
    NOT_KNOWN,
    TIME_BANDS,
    CaseloadFlow,
    ContactFigures,
    Distribution,
    IncidentFigures,
    Kpis,
    Month,
    NeedsFigures,
    ProfileFigures,
    ReferralsOut,
    SafeguardingFigures,
    Scope,
    Tally,
    Window,
    definition,
)

ALL_SITES = "ALL"
ALL_SITES_LABEL = "All sites"
TREND_MONTHS = 12

COUNT, PERCENT, MEDIAN_DAYS, HOURS = "count", "percent", "median days", "hours"

QUERY_STEPS = 15
T = TypeVar("T")
F = TypeVar("F")

Progress = Callable[[float, str], None]
"""Called with the fraction done (0 to 1) and what is happening, for a progress bar."""


@dataclass(frozen=True)
class SiteColumn:
    code: str  # a site code, or ALL_SITES
    name: str
    site_id: uuid.UUID | None  # None: every site together


@dataclass(frozen=True)
class Line:
    """One published measure (or one category of its breakdown), for every column and month."""

    section: str
    measure: str
    breakdown: str  # "" for the measure itself; "Dimension: category" for a breakdown
    unit: str
    definition: str  # a key of kpis.DEFINITIONS
    values: dict[tuple[str, str], Published]  # (column code, month key) -> value
    headline: bool = False
    trend: bool = False
    heading: str = ""  # the sub-heading a table shows it under (default: "<measure>: by <dimension>")
    short_label: str = ""  # its row label under that sub-heading (default: the category)

    @property
    def label(self) -> str:
        if self.short_label:
            return self.short_label
        return self.breakdown.partition(": ")[2] if self.breakdown else self.measure

    @property
    def group(self) -> str:
        if self.heading or not self.breakdown:
            return self.heading
        return f"{self.measure}: by {self.breakdown.partition(': ')[0].lower()}"

    def value(self, column: str, month: Month) -> Published:
        return self.values[column, month.key]


@dataclass(frozen=True)
class Section:
    title: str
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class MonthlyReturn:
    month: Month
    window: Window
    columns: tuple[SiteColumn, ...]
    sections: tuple[Section, ...]
    rule: DisclosureRule
    produced_at: dt.datetime
    chain_head: str
    return_id: uuid.UUID
    produced_by_role: str = ""

    @property
    def partial(self) -> bool:
        """Produced before the month ended: its figures will still change."""
        return self.produced_at < self.month.end

    @property
    def title(self) -> str:
        return f"Anonymised monthly return, {self.month.label}" + (" (partial month)" if self.partial else "")

    @property
    def period(self) -> str:
        """The month, and for a partial month what the figures run to."""
        if not self.partial:
            return self.month.label
        to = self.produced_at.astimezone(LONDON)
        return f"{self.month.label}, partial: figures to {to.day} {to:%B %Y %H:%M} (the month has not ended)"

    @property
    def overall(self) -> SiteColumn:
        """The column for the whole return: all sites, or the one site asked for."""
        return self.columns[0]

    @property
    def sites(self) -> tuple[SiteColumn, ...]:
        return tuple(c for c in self.columns if c.site_id is not None)

    def lines(self) -> Iterator[Line]:
        for section in self.sections:
            yield from section.lines

    def headlines(self) -> list[Line]:
        return [line for line in self.lines() if line.headline]

    def trend_lines(self) -> list[Line]:
        return [line for line in self.lines() if line.trend]

    def find(self, measure: str, breakdown: str = "", unit: str = COUNT) -> Line:
        for line in self.lines():
            if (line.measure, line.breakdown, line.unit) == (measure, breakdown, unit):
                return line
        raise KeyError((measure, breakdown, unit))


# --- building -----------------------------------------------------------------------------------


@dataclass
class _Builder:
    window: Window
    columns: tuple[SiteColumn, ...]
    rule: DisclosureRule
    sections: list[Section] = field(default_factory=list)
    _title: str = ""
    _lines: list[Line] = field(default_factory=list)

    def section(self, title: str) -> None:
        if self._lines:
            self.sections.append(Section(self._title, tuple(self._lines)))
        self._title, self._lines = title, []

    def finish(self) -> tuple[Section, ...]:
        self.section("")
        return tuple(self.sections)

    def line(
        self,
        measure: str,
        key: str,
        unit: str,
        compute: Callable[[uuid.UUID | None, int], Published],
        breakdown: str = "",
        headline: bool = False,
        trend: bool = False,
        heading: str = "",
        short_label: str = "",
    ) -> None:
        months = range(len(self.window)) if trend else (len(self.window) - 1,)
        values = {
            (column.code, self.window.months[m].key): compute(column.site_id, m)
            for column in self.columns
            for m in months
        }
        self._lines.append(
            Line(self._title, measure, breakdown, unit, key, values, headline, trend, heading, short_label)
        )

    # publishing helpers: every number goes through disclosure here

    def count(self, tally: Tally, category: str | None = None) -> Callable[[uuid.UUID | None, int], Published]:
        return lambda unit, month: disclosure.count(tally.count(month, unit, category), self.rule)

    def rate(
        self,
        top: Tally,
        bottom: Tally,
        top_categories: Sequence[str] | None = None,
        bottom_categories: Sequence[str] | None = None,
    ) -> Callable[[uuid.UUID | None, int], Published]:
        def compute(unit: uuid.UUID | None, month: int) -> Published:
            return disclosure.rate(
                _sum(top, unit, month, top_categories), _sum(bottom, unit, month, bottom_categories), self.rule
            )

        return compute

    def total(self, tally: Tally, categories: Sequence[str]) -> Callable[[uuid.UUID | None, int], Published]:
        return lambda unit, month: disclosure.count(_sum(tally, unit, month, categories), self.rule)

    def median(self, distribution: Distribution) -> Callable[[uuid.UUID | None, int], Published]:
        return lambda unit, month: disclosure.median(
            distribution.median(month, unit), distribution.cases(month, unit), self.rule
        )

    def breakdown(
        self, measure: str, key: str, dimension: str, tally: Tally, categories: Sequence[tuple[str, str]]
    ) -> None:
        for code, label in categories:
            self.line(measure, key, COUNT, self.count(tally, code), breakdown=f"{dimension}: {label}")


def _sum(tally: Tally, unit: uuid.UUID | None, month: int, categories: Sequence[str] | None) -> int:
    if categories is None:
        return tally.count(month, unit)
    return sum(tally.count(month, unit, category) for category in categories)


def _hours(minutes: Tally, contacts: Tally, rule: DisclosureRule) -> Callable[[uuid.UUID | None, int], Published]:
    """Hours published like a count, withheld when the number of contacts behind them is."""

    def compute(unit: uuid.UUID | None, month: int) -> Published:
        behind = disclosure.count(contacts.count(month, unit), rule)
        if behind.withheld:
            return Published(disclosure.SUPPRESSED, None)
        return disclosure.hours(minutes.count(month, unit), rule)

    return compute


def _shifted(figures: F, months: int) -> F:
    """Figures of a one-month window moved to the return month's place in the 12-month window."""
    if isinstance(figures, Tally):
        return figures.shifted(months)  # type: ignore[return-value]
    moved = {f.name: _shifted(getattr(figures, f.name), months) for f in dataclasses.fields(figures)}  # type: ignore[arg-type]
    return type(figures)(**moved)


def _codes(code_list: codes.CodeList) -> list[tuple[str, str]]:
    return [(item.code, item.label) for item in code_list]


def _count_everything(kpis: Kpis, month_only: Kpis, report: Progress) -> _Figures:
    """Every query the return needs, in order, with progress."""
    last = len(kpis.window) - 1

    done = [0]

    def step(name: str, query: Callable[[], T]) -> T:
        report(0.8 * done[0] / QUERY_STEPS, f"Counting {name}")
        done[0] += 1
        return query()

    received = step("referrals", kpis.referrals_received)
    first = step("first contacts", kpis.time_to_first_contact)
    engagement = step("engagement", kpis.engagement)
    again = step("re-attendance", kpis.re_attendance)
    flow = step("the caseload", kpis.caseload_flow)
    support = step("length of support", kpis.length_of_support)
    contact_trend = step("contacts", lambda: kpis.contacts(by_medium=False))
    contacts = _shifted(step("contacts by medium", month_only.contacts), last)
    out = step("referrals out", kpis.referrals_out)
    waiting = step("waiting times", kpis.days_to_help_started)
    concerns = step("safeguarding concerns", kpis.safeguarding)
    outcomes = _shifted(step("outcomes at closure", month_only.outcomes_at_closure), last)
    risk, needs = outcomes.risk_change, outcomes.needs
    incidents = _shifted(step("incidents", month_only.incidents), last)
    profile = _shifted(step("young people", month_only.new_case_profile), last)
    return _Figures(
        received,
        first,
        engagement,
        again,
        flow,
        support,
        contact_trend,
        contacts,
        out,
        waiting,
        concerns,
        risk,
        needs,
        incidents,
        profile,
    )


@dataclass(frozen=True)
class _Figures:
    received: Tally
    first: Tally
    engagement: Tally
    again: Tally
    flow: CaseloadFlow
    support: Distribution
    contact_trend: ContactFigures
    contacts: ContactFigures
    out: ReferralsOut
    waiting: dict[str, Distribution]
    concerns: SafeguardingFigures
    risk: Tally
    needs: NeedsFigures
    incidents: IncidentFigures
    profile: ProfileFigures


def build_return(
    session: Session,
    month: Month,
    columns: Sequence[SiteColumn],
    rule: DisclosureRule,
    produced_at: dt.datetime,
    chain_head: str,
    return_id: uuid.UUID,
    progress: Progress | None = None,
) -> MonthlyReturn:
    """Run the KPI queries for ``month`` and the 11 months before it and publish every figure.

    ``columns``: one site (a return for that site alone) or ALL_SITES first, then each site."""
    report = progress or (lambda fraction, message: None)
    window = Window.ending(month, TREND_MONTHS)
    site_ids = [c.site_id for c in columns if c.site_id is not None]
    single = len(columns) == 1 and columns[0].site_id is not None
    scope = Scope(site_ids=frozenset(site_ids) if single else None)
    kpis = Kpis(session, window, scope)  # the trend measures, over 12 months
    try:
        month_only = kpis.for_window(Window.single(month))  # the breakdowns, for the month only
        figures = _count_everything(kpis, month_only, report)
    finally:
        kpis.close()
    received, first, engagement, again = figures.received, figures.first, figures.engagement, figures.again
    flow, support, contact_trend, contacts = figures.flow, figures.support, figures.contact_trend, figures.contacts
    out, waiting, concerns, risk, needs = figures.out, figures.waiting, figures.concerns, figures.risk, figures.needs
    incidents, profile = figures.incidents, figures.profile
    report(0.8, "Applying disclosure control")

    b = _Builder(window, tuple(columns), rule)
    title = definition

    b.section("Referrals and first contact")
    b.line(title("referrals_received").title, "referrals_received", COUNT, b.count(received), headline=True, trend=True)
    b.breakdown(
        title("referrals_received").title,
        "referrals_received",
        "Referral source",
        received,
        _codes(codes.REFERRAL_SOURCE),
    )
    for hours, bands in ((24, ["within_24h"]), (48, ["within_24h", "24_to_48h"])):
        key = f"contacted_{hours}h"
        name = title(key).title
        b.line(name, key, COUNT, b.total(first, bands), trend=True)
        b.line(name, key, PERCENT, b.rate(first, received, bands), headline=True, trend=True)
    b.breakdown(
        title("first_contact").title,
        "first_contact",
        "Time",
        first,
        [
            ("within_24h", "Within 24 hours"),
            ("24_to_48h", "24 to 48 hours"),
            ("over_48h", "Over 48 hours"),
            ("not_yet", "No successful contact yet"),
        ],
    )
    engaged = title("engagement").title
    b.breakdown(engaged, "engagement", "Outcome", engagement, _codes(codes.ENGAGEMENT))
    for code in ("engaged", "declined", "unable_to_contact"):
        b.line(
            engaged,
            "engagement",
            PERCENT,
            b.rate(engagement, received, [code]),
            breakdown=f"Outcome: {codes.ENGAGEMENT.label(code)}",
            headline=code == "engaged",
            trend=code == "engaged",
        )
    name = title("re_attendance").title
    b.line(name, "re_attendance", COUNT, b.count(again, "re_attendance"), trend=True)
    b.line(name, "re_attendance", PERCENT, b.rate(again, received, ["re_attendance"]), headline=True, trend=True)

    b.section("Caseload")
    b.line(title("open_start").title, "open_start", COUNT, b.count(flow.open_at_month_start))
    b.line(title("new_cases").title, "new_cases", COUNT, b.count(flow.changes, "opened"), trend=True)
    b.line(title("reopened").title, "reopened", COUNT, b.count(flow.changes, "reopened"), headline=True, trend=True)
    b.line(title("closed").title, "closed", COUNT, b.count(flow.changes, "closed"), headline=True, trend=True)
    b.breakdown(
        title("closed").title,
        "closed",
        "Reason",
        flow.closure_reasons,
        [*_codes(codes.CLOSURE_REASON), (NOT_KNOWN, "Not recorded")],
    )
    b.line(title("open_end").title, "open_end", COUNT, b.count(flow.open_at_month_end), headline=True, trend=True)
    b.line(
        title("length_of_support").title, "length_of_support", MEDIAN_DAYS, b.median(support), headline=True, trend=True
    )

    b.section("Direct work")
    b.line(title("contacts").title, "contacts", COUNT, b.count(contact_trend.attempts), headline=True, trend=True)
    b.breakdown(title("contacts").title, "contacts", "Medium", contacts.attempts, _codes(codes.CONTACT_MEDIUM))
    b.line(
        title("successful_contacts").title, "successful_contacts", COUNT, b.count(contact_trend.successful), trend=True
    )
    b.line(
        title("direct_hours").title,
        "direct_hours",
        HOURS,
        _hours(contact_trend.direct_minutes, contact_trend.direct, rule),
        headline=True,
        trend=True,
    )

    b.section("Referrals to other services")
    sent = title("referrals_out").title
    b.line(sent, "referrals_out", COUNT, b.count(out.by_service), headline=True, trend=True)
    b.breakdown(sent, "referrals_out", "Service", out.by_service, _codes(codes.SERVICE_TYPE))
    b.breakdown(sent, "referrals_out", "Status now", out.by_status, _codes(codes.REFERRAL_STEP))
    for service in ("camhs", "rehabilitation"):
        key = f"waiting_{service}"
        b.line(
            title(key).title,
            key,
            MEDIAN_DAYS,
            b.median(waiting.get(service, Distribution())),
            headline=True,
            trend=True,
        )

    b.section("Safeguarding")
    raised = title("concerns_raised").title
    b.line(raised, "concerns_raised", COUNT, b.count(concerns.raised), headline=True, trend=True)
    b.breakdown(raised, "concerns_raised", "Category", concerns.raised, _codes(codes.SAFEGUARDING_CATEGORY))
    shared = title("concerns_shared").title
    b.line(shared, "concerns_shared", COUNT, b.count(concerns.shared), trend=True)
    b.line(shared, "concerns_shared", PERCENT, b.rate(concerns.shared, concerns.raised))
    b.breakdown(shared, "concerns_shared", "Agency", concerns.shared_with, _codes(codes.SAFEGUARDING_SHARED_WITH))

    b.section("Outcomes at closure")
    change = title("risk_change").title
    b.breakdown(
        change,
        "risk_change",
        "Risk",
        risk,
        [
            ("reduced", "Reduced"),
            ("same", "Same"),
            ("increased", "Increased"),
            ("not_assessed_twice", "Not assessed twice"),
        ],
    )
    b.line(
        change,
        "risk_change",
        PERCENT,
        b.rate(risk, risk, ["reduced"], ["reduced", "same", "increased"]),
        breakdown="Risk: Reduced",
        headline=True,
    )
    met = title("needs_met").title
    for code, label in _codes(codes.NEED_AREA):
        heading = f"{met}: {label.lower()}"
        b.line(
            met,
            "needs_met",
            COUNT,
            b.count(needs.recorded, code),
            breakdown=f"Recorded: {label}",
            heading=heading,
            short_label="Recorded (identified or met)",
        )
        b.line(
            met,
            "needs_met",
            COUNT,
            b.count(needs.met, code),
            breakdown=f"Met: {label}",
            heading=heading,
            short_label="Met",
        )
        b.line(
            met,
            "needs_met",
            PERCENT,
            b.rate(needs.met, needs.recorded, [code], [code]),
            breakdown=f"Met: {label}",
            heading=heading,
            short_label="Met",
        )

    b.section("Index incidents")
    b.breakdown(
        title("incident_method").title, "incident_method", "Method", incidents.method, _codes(codes.ASSAULT_METHOD)
    )
    b.breakdown(
        title("incident_location").title,
        "incident_location",
        "Location type",
        incidents.location,
        _codes(codes.ASSAULT_LOCATION_TYPE),
    )
    b.breakdown(
        title("incident_day").title,
        "incident_day",
        "Day",
        incidents.day_of_week,
        [*((day, DAY_NAMES[day]) for day in DAYS_OF_WEEK), (NOT_KNOWN, "Not known")],
    )
    b.breakdown(
        title("incident_time").title,
        "incident_time",
        "Time band",
        incidents.time_band,
        [*((band, band.replace("-", ":00-") + ":59") for band in TIME_BANDS), (NOT_KNOWN, "Not known")],
    )

    b.section("Young people (new cases)")
    b.breakdown(
        title("age_band").title,
        "age_band",
        "Age",
        profile.age_band,
        [*((f"{low}-{high}", f"{low}-{high}") for low, high in AGE_BANDS), (NOT_KNOWN, "Not known")],
    )
    b.breakdown(title("sex").title, "sex", "Sex", profile.sex, _codes(codes.SEX))
    b.breakdown(
        title("ethnic_group").title,
        "ethnic_group",
        "Group",
        profile.ethnic_group,
        [(group, group) for group in ETHNIC_GROUPS],
    )

    report(0.9, "Laying out the return")
    return MonthlyReturn(month, window, tuple(columns), b.finish(), rule, produced_at, chain_head, return_id)


# --- methodology ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodNote:
    heading: str
    paragraphs: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...] = ()  # (measure, definition)


def methodology(rule: DisclosureRule) -> list[MethodNote]:
    """Every definition and the suppression rule, for the PDF and docs/returns.md alike."""
    notes = [
        MethodNote("How the figures are made", GENERAL),
        MethodNote(
            "Disclosure control",
            (
                rule.describe(),
                "Percentages are shown to the nearest whole number. A dash (-) means there was nothing "
                "to measure, such as a percentage of no cases; * means the figure is withheld.",
                "Each site's figures and the all-sites figures are rounded separately, so a total can "
                "differ from the sum of its parts by a few; this is intended. Hours of direct work are "
                "rounded and suppressed like a count and withheld when the number of contacts behind "
                "them is suppressed.",
            ),
        ),
    ]
    for group in DEFINITIONS:
        notes.append(MethodNote(group.title, (), tuple((d.title, d.text) for d in group.definitions)))
    return notes


__all__ = [
    "ALL_SITES",
    "ALL_SITES_LABEL",
    "COUNT",
    "HOURS",
    "MEDIAN_DAYS",
    "PERCENT",
    "Line",
    "MethodNote",
    "MonthlyReturn",
    "Progress",
    "Section",
    "SiteColumn",
    "build_return",
    "methodology",
    "methodology_markdown",
]


def methodology_markdown(rule: DisclosureRule = STANDARD) -> str:
    """The methodology as Markdown, for docs/returns.md (between its GENERATED markers)."""
    lines: list[str] = []
    for note in methodology(rule):
        lines += [f"### {note.heading}", ""]
        for text in note.paragraphs:
            lines += [text, ""]
        for title, text in note.definitions:
            lines += [f"- **{title}.** {text}"]
        if note.definitions:
            lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(methodology_markdown(), end="")
