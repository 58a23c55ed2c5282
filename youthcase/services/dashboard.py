"""The supervisor dashboard: per worker and per site, the figures a supervisor reviews, each with
the cases behind it so that a click opens the list.

Case figures use the conditions of ``youthcase.returns.kpis`` (the monthly return's module); the
referral figure uses ``domain.referrals.overdue_since``. Nothing here decrypts anything.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, select

from youthcase.domain.caseload_rules import london_today
from youthcase.domain.referrals import overdue_since
from youthcase.domain.roles import Permission
from youthcase.returns import kpis
from youthcase.services.case_access import visible_cases
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import (
    AppUser,
    CaseEpisode,
    ClosureRequest,
    Referral,
    SafeguardingConcern,
    ServiceProvider,
    Site,
    SupervisionAction,
)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    definition: str


FIGURES: tuple[Figure, ...] = (
    Figure("open", "Open cases", "Cases open now."),
    Figure("new_this_month", "New this month", "Cases whose arrival falls in this London calendar month."),
    Figure("high_risk", "High risk", "Open cases whose latest risk assessment says high."),
    Figure(
        "no_contact_14_days",
        "No contact in 14 days",
        "Open cases with no successful contact for 14 days (from opening when there was none).",
    ),
    Figure("assessment_overdue", "Assessment overdue", "Open for over 14 days with no risk assessment yet."),
    Figure(
        "action_overdue",
        "Actions overdue",
        "Open cases whose next action, or a supervision action, was due before today.",
    ),
    Figure(
        "referrals_overdue",
        "Referrals overdue",
        "Referrals waiting on a service with nothing recorded within its chase interval.",
    ),
    Figure(
        "safeguarding_awaiting_sign_off",
        "Safeguarding to sign off",
        "Open safeguarding concerns whose current version is not signed off.",
    ),
    Figure("closures_awaiting_approval", "Closures to approve", "Closure requests waiting for a supervisor."),
)


@dataclass(frozen=True)
class DashboardRow:
    """One worker or one site: for each figure, the cases behind it."""

    unit_id: uuid.UUID
    name: str
    cases: dict[str, frozenset[uuid.UUID]] = field(default_factory=dict)

    def count(self, key: str) -> int:
        return len(self.cases.get(key, frozenset()))


@dataclass(frozen=True)
class Dashboard:
    by_worker: tuple[DashboardRow, ...]
    by_site: tuple[DashboardRow, ...]
    totals: DashboardRow


CaseKey = tuple[uuid.UUID, uuid.UUID, uuid.UUID]  # case, worker, site


class DashboardService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def dashboard(self) -> Dashboard:
        require(self.vault.actor, Permission.SUPERVISE)
        now = self.vault.clock.now()
        today = london_today(now)
        month = kpis.Month.containing(now)
        visible = visible_cases(self.vault.actor)
        case_conditions: dict[str, ColumnElement[bool]] = {
            "open": kpis.open_case(),
            "new_this_month": kpis.arrived_between(month.start, month.end),
            "high_risk": kpis.high_risk_now(),
            "no_contact_14_days": kpis.no_recent_successful_contact(now),
            "assessment_overdue": kpis.assessment_overdue(now),
            "action_overdue": kpis.next_action_overdue(now),
        }
        found: dict[str, set[CaseKey]] = defaultdict(set)
        columns = (CaseEpisode.id, CaseEpisode.worker_id, CaseEpisode.site_id)
        with self.vault.session() as session:
            for key, condition in case_conditions.items():
                found[key] = {tuple(row) for row in session.execute(select(*columns).where(visible, condition))}  # type: ignore[misc]
            found["action_overdue"] |= {
                tuple(row)  # type: ignore[misc]
                for row in session.execute(
                    select(*columns)
                    .join(SupervisionAction, SupervisionAction.case_id == CaseEpisode.id)
                    .where(
                        visible, kpis.open_case(), SupervisionAction.done_on.is_(None), SupervisionAction.due_on < today
                    )
                )
            }
            for referral in session.execute(
                select(*columns, Referral.status, Referral.status_on, ServiceProvider.chase_interval_days)
                .join(Referral, Referral.case_id == CaseEpisode.id)
                .join(ServiceProvider, ServiceProvider.id == Referral.service_id)
                .where(visible)
            ):
                if overdue_since(referral.status, referral.status_on, today, referral.chase_interval_days):
                    found["referrals_overdue"].add((referral.id, referral.worker_id, referral.site_id))
            latest: dict[uuid.UUID, tuple[int, str, bool, CaseKey]] = {}
            for row in session.execute(
                select(
                    *columns,
                    SafeguardingConcern.concern_id,
                    SafeguardingConcern.version,
                    SafeguardingConcern.status,
                    SafeguardingConcern.signed_off_at,
                )
                .join(SafeguardingConcern, SafeguardingConcern.case_id == CaseEpisode.id)
                .where(visible)
            ):
                if row.concern_id not in latest or row.version > latest[row.concern_id][0]:
                    latest[row.concern_id] = (
                        row.version,
                        row.status,
                        row.signed_off_at is None,
                        (row.id, row.worker_id, row.site_id),
                    )
            found["safeguarding_awaiting_sign_off"] = {
                key for _, status, unsigned, key in latest.values() if status == "open" and unsigned
            }
            found["closures_awaiting_approval"] = {
                tuple(row)  # type: ignore[misc]
                for row in session.execute(
                    select(*columns)
                    .join(ClosureRequest, ClosureRequest.case_id == CaseEpisode.id)
                    .where(visible, ClosureRequest.status == "pending")
                )
            }
            workers = {r.id: r.username for r in session.execute(select(AppUser.id, AppUser.username))}
            sites = {r.id: r.code for r in session.execute(select(Site.id, Site.code))}
        by_worker = _rows(found, lambda key: key[1], workers)
        by_site = _rows(found, lambda key: key[2], sites)
        totals = DashboardRow(
            uuid.UUID(int=0), "All", {name: frozenset(k[0] for k in keys) for name, keys in found.items()}
        )
        return Dashboard(by_worker, by_site, totals)


def _rows(
    found: dict[str, set[CaseKey]], unit_of: Callable[[CaseKey], uuid.UUID], names: dict[uuid.UUID, str]
) -> tuple[DashboardRow, ...]:
    grouped: dict[uuid.UUID, dict[str, set[uuid.UUID]]] = defaultdict(lambda: defaultdict(set))
    for figure, keys in found.items():
        for key in keys:
            grouped[unit_of(key)][figure].add(key[0])
    rows = [
        DashboardRow(unit, names.get(unit, "?"), {f: frozenset(ids) for f, ids in figures.items()})
        for unit, figures in grouped.items()
    ]
    return tuple(sorted(rows, key=lambda row: row.name))
