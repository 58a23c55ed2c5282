"""The service directory: where young people are referred to. Kept by administrators."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from youthcase.domain import codes
from youthcase.domain.referrals import DEFAULT_CHASE_INTERVAL_DAYS
from youthcase.domain.roles import Permission
from youthcase.domain.validation import FieldError, check_text
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import ServiceProvider

MAX_CHASE_INTERVAL_DAYS = 180

# A new vault's directory (and the demo's): one entry per service most referrals go to, named so
# an administrator sees they are to be made local; without them the first referral is blocked.
STARTER_SERVICES: tuple[dict[str, Any], ...] = (
    {"service_type": "camhs", "name": "CAMHS (local team: add its name and contact details)"},
    {"service_type": "rehabilitation", "name": "Trauma rehabilitation (local service)"},
    {"service_type": "victim_support", "name": "Victim support (local service)"},
    {"service_type": "sport_mentoring", "name": "Sport or mentoring (local project)"},
    {"service_type": "youth_justice", "name": "Youth justice service (local team)"},
    {"service_type": "housing", "name": "Housing options (local council)"},
)


@dataclass(frozen=True)
class ServiceEntry:
    service_id: uuid.UUID
    service_type: str
    name: str
    provider: str | None
    borough: str | None
    phone: str | None
    email: str | None
    address: str | None
    chase_interval_days: int
    active: bool

    @property
    def type_label(self) -> str:
        return codes.SERVICE_TYPE.label(self.service_type)


def _entry(row: ServiceProvider) -> ServiceEntry:
    return ServiceEntry(
        row.id,
        row.service_type,
        row.name,
        row.provider,
        row.borough,
        row.phone,
        row.email,
        row.address,
        row.chase_interval_days,
        row.active,
    )


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    problems = []
    service_type = codes.SERVICE_TYPE.lookup(str(values.get("service_type") or ""))
    if service_type is None:
        problems.append(f"service type: use one of {codes.SERVICE_TYPE.describe()}")
    checked["service_type"] = service_type
    for name, limit, required in (
        ("name", 200, True),
        ("provider", 200, False),
        ("phone", 40, False),
        ("email", 200, False),
        ("address", 300, False),
    ):
        text = str(values.get(name) or "").strip()
        if required and not text:
            problems.append(f"{name}: required")
            continue
        try:
            checked[name] = check_text(text, limit, allow_formula_start=False) or None
        except FieldError as error:
            problems.append(f"{name}: {error}")
    borough = values.get("borough")
    checked["borough"] = codes.BOROUGH.lookup(str(borough)) if borough else None
    if borough and checked["borough"] is None:
        problems.append("borough: not a London borough (or 'Outside London')")
    try:
        interval = int(values.get("chase_interval_days") or DEFAULT_CHASE_INTERVAL_DAYS)
    except (TypeError, ValueError):
        interval = -1
    if not 1 <= interval <= MAX_CHASE_INTERVAL_DAYS:
        problems.append(f"chase interval: a number of days from 1 to {MAX_CHASE_INTERVAL_DAYS}")
    checked["chase_interval_days"] = interval
    checked["active"] = bool(values.get("active", True))
    if problems:
        raise InvalidInput("; ".join(problems))
    return checked


class ServiceDirectory:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def list_services(self, service_type: str | None = None, active_only: bool = True) -> list[ServiceEntry]:
        query = select(ServiceProvider).order_by(ServiceProvider.service_type, ServiceProvider.name)
        if active_only:
            query = query.where(ServiceProvider.active)
        if service_type:
            query = query.where(ServiceProvider.service_type == service_type)
        with self.vault.session() as session:
            return [_entry(row) for row in session.scalars(query)]

    def add_service(self, values: Mapping[str, Any]) -> ServiceEntry:
        require(self.vault.actor, Permission.MANAGE_SERVICES)
        with self.vault.session() as session:
            row = ServiceProvider(**_checked(values))
            session.add(row)
            self.vault.audit(session, AuditAction.CREATE, "service_provider", row.id)
            return _entry(row)

    def add_starter_services(self) -> list[ServiceEntry]:
        """``STARTER_SERVICES``, into an empty directory only (never twice, never over local ones)."""
        require(self.vault.actor, Permission.MANAGE_SERVICES)
        if self.list_services(active_only=False):
            return []
        return [self.add_service(values) for values in STARTER_SERVICES]

    def update_service(self, service_id: uuid.UUID, values: Mapping[str, Any]) -> ServiceEntry:
        require(self.vault.actor, Permission.MANAGE_SERVICES)
        with self.vault.session() as session:
            row = session.get(ServiceProvider, service_id)
            if row is None:
                raise InvalidInput("there is no such service in the directory")
            current = {
                k: getattr(row, k)
                for k in (
                    "service_type",
                    "name",
                    "provider",
                    "borough",
                    "phone",
                    "email",
                    "address",
                    "chase_interval_days",
                    "active",
                )
            }
            for name, value in _checked({**current, **values}).items():
                setattr(row, name, value)
            self.vault.audit(session, AuditAction.UPDATE, "service_provider", row.id)
            return _entry(row)
