"""Fixtures for the core tests: vaults on both backends, fast KDF, a fake clock."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ["YOUTHCASE_KDF"] = "minimum"  # the CLI's slots use the OWASP floor in tests

from tests.helpers.access import admit_to_home_sites, remember_recovery_key  # noqa: E402
from tests.helpers.clock import FakeClock  # noqa: E402
from tests.helpers.team_server import team_server_database  # noqa: E402
from youthcase.config import VaultLocation  # noqa: E402
from youthcase.crypto.kdf import MINIMUM_PARAMS, KdfParams  # noqa: E402
from youthcase.domain.roles import Role  # noqa: E402
from youthcase.services.accounts import AccountService  # noqa: E402
from youthcase.services.vault import CreatedVault, LockedVault, UnlockedVault, create_vault  # noqa: E402

ADMIN = "admin"
ADMIN_PASSWORD = "correct horse battery staple"
WORKER = "wanda"
WORKER_PASSWORD = "wanda temporary password"
SUPERVISOR = "sam"
SUPERVISOR_PASSWORD = "sam temporary password"
FAST_KDF = MINIMUM_PARAMS
# Above the floor, so a test can lower it and still pass validation (the AAD must catch it).
DOWNGRADABLE_KDF = KdfParams(memory_kib=2 * MINIMUM_PARAMS.memory_kib, iterations=3, lanes=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["file", "server"])
def location(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> VaultLocation:
    """Each test using this runs on a SQLCipher file and on PostgreSQL."""
    if request.param == "file":
        return VaultLocation.parse(os.path.join(tmp_path, "test.vault"))
    request.applymarker(pytest.mark.postgres)
    return VaultLocation.parse(request.getfixturevalue("server_url"))


@pytest.fixture
def server_url(postgres_server: str) -> Iterator[str]:
    """A fresh database set up by ``youthcase server init`` as the setup role (the cluster's
    superuser): the URL the IT person would give; clients log in as their own accounts."""
    with team_server_database(postgres_server) as url:
        yield url


@pytest.fixture
def file_location(tmp_path: os.PathLike[str]) -> VaultLocation:
    return VaultLocation.parse(os.path.join(tmp_path, "test.vault"))


@pytest.fixture
def created(location: VaultLocation, clock: FakeClock) -> Iterator[CreatedVault]:
    result = create_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock)
    remember_recovery_key(location, result.recovery_key)
    yield result
    result.vault.lock()


@pytest.fixture
def admin_vault(created: CreatedVault) -> UnlockedVault:
    return created.vault


def add_account(
    vault: UnlockedVault,
    username: str,
    role: Role,
    password: str,
    sites: tuple[str, ...] = ("RLH",),
    full_name: str | None = None,
) -> None:
    AccountService(vault).add_user(username, role, password, sites, full_name)


def unlock_with_changed_password(
    location: VaultLocation, clock: FakeClock, username: str, temporary: str, admit: bool = True
) -> UnlockedVault:
    """Log in with a temporary password and replace it, as a first login must; then (unless
    ``admit`` is false) admit the account to its home sites with the recovery key and log in again."""
    vault = LockedVault(location, clock).unlock(username, temporary)
    AccountService(vault).change_own_password(temporary, temporary + " changed")
    if not admit or vault.actor.role is Role.ADMIN:
        return vault
    vault.lock()
    admit_to_home_sites(location, username, clock)
    return LockedVault(location, clock).unlock(username, temporary + " changed")
