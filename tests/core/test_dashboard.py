"""Supervisor dashboard figures against a hand-built fixture, across a month boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.cases import CaseService, NewCase
from youthcase.services.dashboard import FIGURES, DashboardService
from youthcase.services.errors import PermissionDenied
from youthcase.services.referrals import ReferralService
from youthcase.services.service_directory import ServiceDirectory
from youthcase.services.supervision import SupervisionService
from youthcase.services.vault import UnlockedVault

from .conftest import add_account, unlock_with_changed_password
from .test_cases import new_case

UTC = dt.UTC


def _case(service: CaseService, name: str, arrival: dt.datetime, site: str = "KCH") -> NewCase:
    base = new_case(given_name=name, nhs_number=None)
    return NewCase(
        base.person,
        {**base.case, "arrival_at": arrival, "site": site},
        {**base.incident, "assault_at": arrival - dt.timedelta(hours=1)},
    )


def test_dashboard_figures(admin_vault: UnlockedVault, location: VaultLocation) -> None:
    clock = FakeClock(dt.datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    admin_vault.clock = clock
    camhs = ServiceDirectory(admin_vault).add_service(
        {"service_type": "camhs", "name": "CAMHS", "chase_interval_days": 14}
    )
    people = {}
    for name, role, site_code in (
        ("wanda", Role.WORKER, "KCH"),
        ("will", Role.WORKER, "KCH"),
        ("rob", Role.WORKER, "RLH"),
        ("sam", Role.SUPERVISOR, "KCH"),
    ):
        add_account(admin_vault, name, role, f"{name} temporary password", (site_code,))
        people[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    will, wanda, rob = (CaseService(people[n]) for n in ("will", "wanda", "rob"))
    c3 = will.create_case(_case(will, "Cy", dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC))).case_id
    will.update_case(c3, {"consent_share": True})
    referral = ReferralService(people["will"]).create_referral(c3, camhs.service_id, "routine", "Low mood.")
    ReferralService(people["will"]).record_step(referral, "sent")
    rob.create_case(_case(rob, "Rae", dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC), site="RLH"))
    # 23:30 UTC on 31 March is 00:30 BST on 1 April: the dashboard's month is April.
    clock.advance((dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC) - clock.now()).total_seconds())
    c1 = wanda.create_case(_case(wanda, "Ade", dt.datetime(2026, 3, 31, 23, 15, tzinfo=UTC))).case_id  # 00:15 BST
    c2 = wanda.create_case(_case(wanda, "Bo", dt.datetime(2026, 3, 31, 22, 45, tzinfo=UTC))).case_id  # 23:45 BST
    wanda.record_assessment(c2, {"assessed_on": dt.date(2026, 3, 31), "stage": "start", "risk_level": "high"})
    wanda.update_case(c2, {"next_action_due": dt.date(2026, 3, 31)})
    wanda.raise_concern(c1, {"raised_at": clock.now(), "category": "gang", "facts": "Threats.", "status": "open"})
    SupervisionService(people["wanda"]).request_closure(c2, "moved_away")

    board = DashboardService(people["sam"]).dashboard()
    workers = {row.name: row for row in board.by_worker}
    assert set(workers) == {"wanda", "will"}  # rob's case is at a site sam does not supervise
    expected = {
        "wanda": {
            "open": {c1, c2},
            "new_this_month": {c1},
            "high_risk": {c2},
            "action_overdue": {c2},
            "safeguarding_awaiting_sign_off": {c1},
            "closures_awaiting_approval": {c2},
        },
        "will": {"open": {c3}, "no_contact_14_days": {c3}, "assessment_overdue": {c3}, "referrals_overdue": {c3}},
    }
    for name, figures in expected.items():
        for figure in FIGURES:
            assert workers[name].cases.get(figure.key, frozenset()) == figures.get(figure.key, set()), (
                name,
                figure.key,
            )
    (site,) = board.by_site
    assert site.name == "KCH" and site.count("open") == 3 and board.totals.count("referrals_overdue") == 1
    with pytest.raises(PermissionDenied):
        DashboardService(people["wanda"]).dashboard()
