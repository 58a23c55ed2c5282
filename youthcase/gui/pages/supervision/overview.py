"""What the supervision page loads in one background task each time it opens and after every
change: the dashboard, the closures waiting, the referrals waiting by service type, the staff and
the sites."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from youthcase.domain import codes
from youthcase.domain.referrals import AWAITING_SERVICE
from youthcase.services.accounts import AccountService, AccountSummary
from youthcase.services.dashboard import Dashboard, DashboardService
from youthcase.services.referrals import ReferralService
from youthcase.services.sites import SiteService, SiteSummary
from youthcase.services.supervision import ClosureRequestView, SupervisionService
from youthcase.services.vault import UnlockedVault


@dataclass(frozen=True)
class SupervisionOverview:
    dashboard: Dashboard
    closures: list[ClosureRequestView]
    referrals_waiting: list[tuple[str, int]]  # service type label, count; most first
    staff: list[AccountSummary]
    sites: list[SiteSummary]


def service_label(service_type: str) -> str:
    try:
        return codes.SERVICE_TYPE.label(service_type)
    except KeyError:
        return service_type


def load_overview(vault: UnlockedVault) -> SupervisionOverview:
    """Runs on the background queue."""
    dashboard = DashboardService(vault).dashboard()
    closures = SupervisionService(vault).closure_requests(pending_only=True)
    waiting = Counter(
        service_label(view.service_type) for view in ReferralService(vault).board() if view.status in AWAITING_SERVICE
    )
    return SupervisionOverview(
        dashboard,
        closures,
        sorted(waiting.items(), key=lambda item: (-item[1], item[0])),
        AccountService(vault).list_users(),
        SiteService(vault).list_sites(),
    )


__all__ = ["SupervisionOverview", "load_overview", "service_label"]
