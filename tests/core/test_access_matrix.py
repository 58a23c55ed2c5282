"""Every role against every case-level operation, at the service layer (not only in the GUI).

One vault (SQLCipher file) per test; permissions do not depend on the backend, which the other
tests already cover both ways.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.helpers.access import new_vault
from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.cases import CaseService
from youthcase.services.dashboard import DashboardService
from youthcase.services.errors import PermissionDenied
from youthcase.services.referrals import ReferralService
from youthcase.services.returns import ReturnService
from youthcase.services.service_directory import ServiceDirectory
from youthcase.services.supervision import SupervisionService
from youthcase.services.vault import UnlockedVault

from .conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF, add_account, unlock_with_changed_password
from .test_cases import new_case


@dataclass
class World:
    vaults: dict[Role, UnlockedVault]
    case_id: uuid.UUID
    service_id: uuid.UUID


Operation = Callable[[UnlockedVault, World], object]

OPERATIONS: dict[str, Operation] = {
    "record a case": lambda v, w: CaseService(v).create_case(new_case(given_name="Other", nhs_number=None)),
    "read the caseload": lambda v, w: CaseService(v).caseload(),
    "open a case": lambda v, w: CaseService(v).case_detail(w.case_id),
    "log a contact": lambda v, w: CaseService(v).add_contact(
        w.case_id, {"contact_at": v.clock.now(), "medium": "phone", "successful": False, "contact_with": "young_person"}
    ),
    "ask to close": lambda v, w: SupervisionService(v).request_closure(w.case_id, "goals_met"),
    "close a case": lambda v, w: CaseService(v).close_case(w.case_id, "goals_met"),
    "add a supervision note": lambda v, w: SupervisionService(v).add_note(w.case_id, v.clock.now().date(), "x", None),
    "reassign": lambda v, w: SupervisionService(v).reassign([w.case_id], "worker2", "cover"),
    "list open actions": lambda v, w: SupervisionService(v).open_actions(),
    "list closure requests": lambda v, w: SupervisionService(v).closure_requests(pending_only=False),
    "see the dashboard": lambda v, w: DashboardService(v).dashboard(),
    "refer": lambda v, w: ReferralService(v).create_referral(
        w.case_id, w.service_id, "routine", "Low mood.", consent_override_reason="risk of harm"
    ),
    "read the referrals board": lambda v, w: ReferralService(v).board(),
    "edit the service directory": lambda v, w: ServiceDirectory(v).add_service({"service_type": "gp", "name": "GP"}),
    "produce the monthly return": lambda v, w: ReturnService(v).produce("2026-02"),
    "verify the audit trail": lambda v, w: AuditTrail(v).verify(),
}

ALLOWED: dict[Role, set[str]] = {
    Role.WORKER: {
        "record a case",
        "read the caseload",
        "open a case",
        "log a contact",
        "ask to close",
        "list open actions",
        "list closure requests",
        "refer",
        "read the referrals board",
    },
    Role.SUPERVISOR: {
        "record a case",
        "read the caseload",
        "open a case",
        "log a contact",
        "ask to close",
        "list open actions",
        "list closure requests",
        "close a case",
        "add a supervision note",
        "reassign",
        "see the dashboard",
        "refer",
        "read the referrals board",
        "produce the monthly return",
        "verify the audit trail",
    },
    Role.ADMIN: {"edit the service directory", "produce the monthly return", "verify the audit trail"},
}


@pytest.fixture
def world(tmp_path: object) -> World:
    clock = FakeClock(dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC))
    location = VaultLocation.parse(f"{tmp_path}/matrix.vault")
    admin = new_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault
    service_id = ServiceDirectory(admin).add_service({"service_type": "camhs", "name": "CAMHS"}).service_id
    vaults = {Role.ADMIN: admin}
    for name, role in (("worker", Role.WORKER), ("worker2", Role.WORKER), ("supervisor", Role.SUPERVISOR)):
        add_account(admin, name, role, f"{name} temporary password", ("KCH",))
        vault = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
        if name != "worker2":
            vaults[role] = vault
    case_id = CaseService(vaults[Role.WORKER]).create_case(new_case()).case_id
    return World(vaults, case_id, service_id)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_every_role_against_every_operation(world: World, role: Role) -> None:
    vault = world.vaults[role]
    for name, operation in OPERATIONS.items():
        if name in ALLOWED[role]:
            operation(vault, world)
        else:
            with pytest.raises(PermissionDenied):
                operation(vault, world)
