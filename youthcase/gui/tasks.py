"""The plain functions the background queue runs: no Qt and no widgets, values in and out.

The core is imported inside each function: SQLAlchemy, Alembic and the services load on the worker
thread (``preload_core`` right after the login window shows), never on the start-up path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from youthcase.config import VaultLocation
from youthcase.domain.clock import Clock

if TYPE_CHECKING:
    from youthcase.services.vault import UnlockedVault


@dataclass(frozen=True)
class OpenedVault:
    """An unlocked vault and the session rules read from it."""

    vault: UnlockedVault
    idle_lock_minutes: int


@dataclass(frozen=True)
class NewVault:
    opened: OpenedVault
    recovery_key: str


def preload_core() -> None:
    """Import the services while the user types, so unlocking does not wait for imports."""
    import youthcase.services.accounts
    import youthcase.services.settings
    import youthcase.services.sites
    import youthcase.services.vault  # noqa: F401


def _with_settings(vault: UnlockedVault) -> OpenedVault:
    from youthcase.services.settings import SettingsService

    try:
        minutes = SettingsService(vault).idle_lock_minutes()
    except BaseException:
        vault.lock()
        raise
    return OpenedVault(vault, minutes)


def unlock_vault(location: VaultLocation, clock: Clock, username: str, password: str) -> OpenedVault:
    """Run the KDF, open and migrate the database, and read the idle-lock setting."""
    from youthcase.services.vault import LockedVault

    return _with_settings(LockedVault(location, clock).unlock(username, password))


def create_new_vault(location: VaultLocation, clock: Clock, username: str, password: str) -> NewVault:
    """Calibrate the KDF, then create the vault, its first administrator, its recovery key and a
    starter service directory."""
    from youthcase.config import kdf_params_for_new_vault
    from youthcase.services.service_directory import ServiceDirectory
    from youthcase.services.vault import create_vault

    created = create_vault(location, username, password, kdf_params_for_new_vault(), clock)
    ServiceDirectory(created.vault).add_starter_services()  # the first referral is not blocked
    return NewVault(_with_settings(created.vault), created.recovery_key)


def change_own_password(vault: UnlockedVault, old_password: str, new_password: str) -> None:
    from youthcase.services.accounts import AccountService

    AccountService(vault).change_own_password(old_password, new_password)


def vault_exists(location: VaultLocation) -> bool:
    """Whether the vault is there; a server is assumed to be (the login says if it is not)."""
    return location.path is None or location.path.exists()


def describe_location(location: VaultLocation) -> str:
    """For the login window, without importing SQLAlchemy: the file, or the server and database."""
    if location.path is not None:
        return str(location.path)
    from urllib.parse import urlsplit

    parts = urlsplit(location.url or "")
    host = parts.hostname or "localhost"
    return f"{host}{parts.path}" if parts.path else host
