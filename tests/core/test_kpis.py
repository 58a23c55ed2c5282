"""Each KPI against the hand-built scenario (tests/core/return_scenario.py), on both backends.

The window is January-April 2026: index 0 January, 1 February, 2 March, 3 April.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain import referrals as referral_rules
from youthcase.domain.roles import Role
from youthcase.returns.kpis import (
    Distribution,
    Kpis,
    Month,
    Scope,
    Unit,
    Window,
    _summer_time_spans,
    caseload_snapshot,
    histogram_median,
)
from youthcase.services.cases import CaseService
from youthcase.services.vault import UnlockedVault

from .return_scenario import Scenario, build

JAN, FEB, MAR, APR = range(4)
WINDOW = Window.ending(Month(2026, 4), 4)


@pytest.fixture
def scenario(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> Scenario:
    return build(admin_vault, location, clock)


@pytest.fixture
def kpis(scenario: Scenario) -> Iterator[Kpis]:
    with scenario.admin.session() as session, Kpis(session, WINDOW) as kpis:
        yield kpis


# --- months and time, no database ---------------------------------------------------------------


def test_months_are_london_calendar_months() -> None:
    april = Month.parse("2026-04")
    assert april.start == dt.datetime(2026, 3, 31, 23, 0, tzinfo=dt.UTC)  # midnight BST
    assert april.end == dt.datetime(2026, 4, 30, 23, 0, tzinfo=dt.UTC)
    assert Month(2026, 3).start == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)  # midnight GMT
    assert (Month(2026, 3).end - Month(2026, 3).start) == dt.timedelta(days=31, hours=-1)
    assert (Month(2026, 10).end - Month(2026, 10).start) == dt.timedelta(days=31, hours=1)
    assert Month.containing(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)) == april
    assert Month(2026, 12).plus(1) == Month(2027, 1) and Month(2026, 1).plus(-1) == Month(2025, 12)
    assert [m.key for m in Window.ending(Month(2026, 2), 3).months] == ["2025-12", "2026-01", "2026-02"]
    assert april.label == "April 2026" and april.last_day == dt.date(2026, 4, 30)
    for bad in ("2026-13", "2026-4", "26-04", "April", "2026-04-01", ""):
        with pytest.raises(ValueError, match="YYYY-MM"):
            Month.parse(bad)


def test_summer_time_spans_come_from_the_time_zone_database() -> None:
    spans = _summer_time_spans(dt.datetime(2025, 6, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert spans == [
        (dt.datetime(2025, 6, 1, tzinfo=dt.UTC), dt.datetime(2025, 10, 26, 1, tzinfo=dt.UTC), 60),
        (dt.datetime(2026, 3, 29, 1, tzinfo=dt.UTC), dt.datetime(2026, 10, 25, 1, tzinfo=dt.UTC), 60),
    ]


def test_medians_from_histograms() -> None:
    assert histogram_median({}) is None
    assert histogram_median({5: 1}) == 5
    assert histogram_median({6: 1, 69: 1}) == 37.5
    assert histogram_median({1: 2, 3: 1}) == 1
    assert histogram_median({1: 1, 2: 1, 10: 2}) == 6
    distribution = Distribution()
    site_a, site_b = object(), object()
    distribution.add(site_a, 0, 4)  # type: ignore[arg-type]
    distribution.add(site_b, 0, 10, times=2)  # type: ignore[arg-type]
    assert distribution.median(0) == 10 and distribution.median(0, site_a) == 4  # type: ignore[arg-type]
    assert distribution.cases(0) == 3 and distribution.cases(1) == 0


# --- the KPIs on the scenario -------------------------------------------------------------------


def test_referrals_first_contact_engagement_and_re_attendance(kpis: Kpis, scenario: Scenario) -> None:
    kch, rlh = scenario.sites["KCH"], scenario.sites["RLH"]
    received = kpis.referrals_received()
    # B (00:30 GMT on 1 March), C and E in March; D (00:30 BST on 1 April) in April.
    assert [received.count(m) for m in range(4)] == [1, 1, 3, 1]
    assert received.count(MAR, kch) == 2 and received.count(MAR, rlh) == 1
    assert received.count(MAR, category="ed_staff") == 3

    first = kpis.time_to_first_contact()
    assert first.count(MAR, category="within_24h") == 1  # E, exactly 24 hours: within
    assert first.count(MAR, category="24_to_48h") == 1  # B after 35.5 hours
    assert first.count(MAR, category="not_yet") == 1  # C
    assert first.count(FEB, kch, "within_24h") == 1  # A after 10 hours

    engagement = kpis.engagement()
    assert engagement.count(MAR, category="engaged") == 2 and engagement.count(MAR, category="declined") == 1
    assert engagement.count(APR, category="not_yet_contacted") == 1

    again = kpis.re_attendance()
    assert again.count(MAR, rlh, "re_attendance") == 1  # E: A's young person, 16 days later
    assert again.count(MAR, category="re_attendance") == 1
    assert again.count(FEB, category="re_attendance") == 0


def test_caseload_flow_with_reopened_cases_and_cases_spanning_months(kpis: Kpis, scenario: Scenario) -> None:
    kch, rlh = scenario.sites["KCH"], scenario.sites["RLH"]
    flow = kpis.caseload_flow()
    assert flow.changes.count(MAR, category="opened") == 3
    assert flow.changes.count(MAR, category="reopened") == 1  # F, reopened 10 March
    assert flow.changes.count(MAR, category="closed") == 2  # A on 5 March, F again on 20 March
    assert flow.changes.count(FEB, category="closed") == 1  # F's first closure
    assert flow.closure_reasons.count(MAR, category="goals_met") == 2
    assert flow.closure_reasons.count(FEB, category="disengaged") == 1
    assert [flow.open_at_month_end.count(m) for m in range(4)] == [1, 1, 3, 4]
    assert [flow.open_at_month_start.count(m) for m in range(4)] == [0, 1, 1, 3]
    assert flow.open_at_month_end.count(MAR, kch) == 2 and flow.open_at_month_end.count(MAR, rlh) == 1
    for month in range(4):  # start + new + reopened - closed = end
        changes = flow.changes
        assert flow.open_at_month_start.count(month) + changes.count(month, category="opened") + changes.count(
            month, category="reopened"
        ) - changes.count(month, category="closed") == flow.open_at_month_end.count(month)
    support = kpis.length_of_support()
    assert sorted(support.values(MAR).elements()) == [6, 69]  # A: 27 Feb-5 Mar; F: 10 Jan-20 Mar
    assert support.median(MAR) == 37.5 and support.median(FEB) == 36


def test_open_caseload_of_a_window_starting_later_carries_the_earlier_balance(scenario: Scenario) -> None:
    with scenario.admin.session() as session, Kpis(session, Window.single(Month(2026, 4))) as april:
        flow = april.caseload_flow()
    assert flow.open_at_month_start.count(0) == 3 and flow.open_at_month_end.count(0) == 4


def test_direct_work_referrals_out_and_safeguarding(kpis: Kpis, scenario: Scenario) -> None:
    kch, rlh = scenario.sites["KCH"], scenario.sites["RLH"]
    contacts = kpis.contacts()
    assert contacts.attempts.count(MAR) == 3  # B's failed attempt and contact, E's call
    assert contacts.attempts.count(MAR, kch, "phone") == 1
    assert contacts.successful.count(MAR) == 2
    assert contacts.direct.count(MAR) == 1 and contacts.direct_minutes.count(MAR) == 30  # E's was a professional
    assert contacts.direct_minutes.count(APR) == 60  # 23:30 UTC on 31 March is April in London
    assert contacts.direct_minutes.count(MAR, rlh) == 0

    out = kpis.referrals_out()
    assert out.by_service.count(MAR, category="camhs") == 1
    assert out.by_service.count(MAR, rlh, "rehabilitation") == 1
    assert out.by_status.count(MAR, category="help_started") == 2
    waiting = kpis.days_to_help_started()
    assert waiting["rehabilitation"].median(MAR) == 10
    assert waiting["camhs"].median(APR) == 42 and waiting["camhs"].cases(MAR) == 0
    # The same as the one definition the referrals board uses.
    history = [
        referral_rules.Milestone("drafted", dt.date(2026, 3, 2)),
        referral_rules.Milestone("sent", dt.date(2026, 3, 3)),
        referral_rules.Milestone("accepted", dt.date(2026, 3, 10)),
        referral_rules.Milestone("help_started", dt.date(2026, 4, 14)),
    ]
    assert referral_rules.days_to_help_started(history) == 42

    concerns = kpis.safeguarding()
    assert concerns.raised.count(MAR) == 1 and concerns.raised.count(MAR, category="gang") == 1
    assert concerns.raised.count(APR, category="exploitation") == 1  # 00:30 BST on 1 April
    assert concerns.shared.count(MAR) == 1  # by its latest version
    assert concerns.shared_with.count(MAR, category="police") == 1
    assert concerns.shared_with.count(MAR, category="social_care") == 1


def test_outcomes_incidents_and_profile(kpis: Kpis, scenario: Scenario) -> None:
    risk = kpis.risk_change()
    assert risk.count(MAR, category="reduced") == 1  # A: high, then low
    assert risk.count(MAR, category="not_assessed_twice") == 1  # F: one assessment
    assert risk.count(FEB, category="not_assessed_twice") == 1  # F's first closure

    needs = kpis.needs()
    assert needs.recorded.count(MAR, category="housing") == 1 and needs.met.count(MAR, category="housing") == 1
    assert needs.recorded.count(MAR, category="education") == 1 and needs.met.count(MAR, category="education") == 0

    incidents = kpis.incidents()
    assert incidents.method.count(MAR, category="knife") == 2 and incidents.method.count(MAR, category="body") == 1
    assert incidents.location.count(APR, category="licensed") == 1
    # C: 01:30 UTC on 29 March is 02:30 BST on a Sunday; B: 23:00 GMT on Saturday 28 February.
    assert incidents.day_of_week.count(MAR, scenario.sites["KCH"], "0") == 1
    assert incidents.day_of_week.count(MAR, scenario.sites["KCH"], "6") == 1
    assert incidents.time_band.count(MAR, scenario.sites["KCH"], "00-05") == 1
    assert incidents.time_band.count(MAR, scenario.sites["KCH"], "18-23") == 1
    # D: 22:30 UTC on 31 March is 23:30 BST on Tuesday.
    assert incidents.day_of_week.count(APR, category="2") == 1
    assert incidents.time_band.count(APR, category="18-23") == 1
    assert incidents.time_band.count(JAN, category="not_known") == 1  # F: no assault time

    profile = kpis.new_case_profile()
    assert profile.age_band.count(MAR, category="10-13") == 1 and profile.age_band.count(MAR, category="14-17") == 2
    assert profile.age_band.count(APR, category="18-21") == 1
    assert profile.sex.count(MAR, category="1") == 3 and profile.sex.count(JAN, category="2") == 1
    assert profile.ethnic_group.count(MAR, category="Black") == 3
    assert profile.ethnic_group.count(JAN, category="White") == 1


def test_the_dashboard_reuses_the_definitions_per_worker(scenario: Scenario, clock: FakeClock) -> None:
    wanda = scenario.kch_worker.actor.user_id
    with scenario.admin.session() as session:
        snapshot = caseload_snapshot(session, clock.now(), Scope(Unit.WORKER))
        march = Kpis(session, Window.single(Month(2026, 3)), Scope(Unit.WORKER, worker_ids=frozenset({wanda})))
        assert march.referrals_received().count(0, wanda) == 2
        assert march.referrals_received().count(0) == 2  # only her cases
    # Open now: B, C, D (wanda), E (rob). C and D were recorded today (the 14 days count from
    # opening); B's last successful contact was on 31 March: the caseload's own rule agrees.
    assert snapshot[wanda].open == 3 and snapshot[scenario.rlh_worker.actor.user_id].open == 1
    flags = [row.no_recent_contact for row in CaseService(scenario.kch_worker).caseload(include_closed=False)]
    assert snapshot[wanda].no_recent_contact == sum(flags) == 1
    assert snapshot[wanda].high_risk == 0


def test_an_assault_long_before_the_window_is_placed_in_london_summer_time(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    """23:30 UTC on Saturday 2 July 2022 is 00:30 BST on Sunday 3 July: the 00-05 band, a Sunday
    (it was counted in GMT, 18-23 on a Saturday, once the assault was two years before the window)."""
    from .conftest import add_account, unlock_with_changed_password
    from .test_cases import new_case

    add_account(admin_vault, "wanda", Role.WORKER, "wanda temporary password", ("KCH",))
    wanda = unlock_with_changed_password(location, clock, "wanda", "wanda temporary password")
    old = new_case()
    old.incident["assault_at"] = dt.datetime(2022, 7, 2, 23, 30, tzinfo=dt.UTC)
    CaseService(wanda).create_case(old)
    with admin_vault.session() as session, Kpis(session, Window.ending(Month(2026, 3), 1)) as kpis:
        incidents = kpis.incidents()
    assert incidents.time_band.count(0, category="00-05") == 1
    assert incidents.day_of_week.count(0, category="0") == 1
