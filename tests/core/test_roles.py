"""Role checks at the service layer: every role against every operation that exists so far."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Permission, Role
from youthcase.services.accounts import AccountService
from youthcase.services.errors import PasswordChangeRequired, PermissionDenied
from youthcase.services.permissions import allowed
from youthcase.services.settings import SettingsService
from youthcase.services.sites import SiteService
from youthcase.services.vault import LockedVault, UnlockedVault

from .conftest import ADMIN, add_account, unlock_with_changed_password

Operation = Callable[[UnlockedVault], object]

OPERATIONS: dict[str, Operation] = {
    "add user": lambda v: AccountService(v).add_user("newbie", Role.WORKER, "newbie temporary pass"),
    "list users": lambda v: AccountService(v).list_users(),
    "disable user": lambda v: AccountService(v).disable_user("other"),
    "add site": lambda v: SiteService(v).add_emergency_department("NMH", "North Middlesex"),
    "list sites without a supervisor": lambda v: SiteService(v).sites_without_supervisor(),
    "set auto-lock": lambda v: SettingsService(v).set_idle_lock_minutes(10),
}

EXPECTED: dict[Role, set[str]] = {
    Role.ADMIN: {
        "add user",
        "list users",
        "disable user",
        "add site",
        "list sites without a supervisor",
        "set auto-lock",
    },
    Role.SUPERVISOR: {"list users"},
    Role.WORKER: set(),
}


def _vault_as(role: Role, location: VaultLocation, clock: FakeClock, admin: UnlockedVault) -> UnlockedVault:
    add_account(admin, "other", Role.WORKER, "other temporary pass")
    if role is Role.ADMIN:
        return admin
    add_account(admin, "actor", role, "actor temporary pass")
    return unlock_with_changed_password(location, clock, "actor", "actor temporary pass")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_access_matrix(
    role: Role, operation: str, admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    vault = _vault_as(role, location, clock, admin_vault)
    if operation in EXPECTED[role]:
        OPERATIONS[operation](vault)
    else:
        with pytest.raises(PermissionDenied):
            OPERATIONS[operation](vault)


def test_administrators_cannot_read_case_content() -> None:
    from youthcase.services.vault import Actor

    admin = Actor(uuid.uuid4(), "a", Role.ADMIN, frozenset(), False)
    assert not allowed(admin, Permission.READ_OWN_CASES)
    assert not allowed(admin, Permission.READ_SITE_CASES)


def test_temporary_password_blocks_everything_until_changed(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    add_account(admin_vault, "newadmin", Role.ADMIN, "newadmin temporary pass")
    vault = LockedVault(location, clock).unlock("newadmin", "newadmin temporary pass")
    with pytest.raises(PasswordChangeRequired):
        AccountService(vault).list_users()
    AccountService(vault).change_own_password("newadmin temporary pass", "newadmin own passphrase")
    assert [a.username for a in AccountService(vault).list_users()] == [ADMIN, "newadmin"]


def test_sites_without_an_active_supervisor_are_flagged(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    sites = SiteService(admin_vault)
    assert sites.sites_without_supervisor() == ["KCH", "RLH", "SGH", "SMH"]  # a new vault
    add_account(admin_vault, "sam", Role.SUPERVISOR, "sam temporary password", ("KCH",))
    add_account(admin_vault, "rob", Role.WORKER, "rob temporary password", ("RLH",))
    for name in ("sam", "rob"):  # admitted with the recovery key
        unlock_with_changed_password(location, clock, name, f"{name} temporary password").lock()
    assert sites.sites_without_supervisor() == ["RLH", "SGH", "SMH"]  # a worker admits nobody
    sites.add_emergency_department("NMH", "North Middlesex")
    assert sites.sites_without_supervisor() == ["NMH", "RLH", "SGH", "SMH"]
    AccountService(admin_vault).disable_user("sam")
    assert sites.sites_without_supervisor() == ["KCH", "NMH", "RLH", "SGH", "SMH"]
