"""Admitting test accounts to their sites, as a supervisor or the recovery key would in real use."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthcase.config import VaultLocation
from youthcase.crypto.kdf import KdfParams
from youthcase.crypto.slots import recovery_key_pairs
from youthcase.domain.clock import Clock
from youthcase.services.recovery import grant_with_recovery_key
from youthcase.services.recovery import hold_every_site_key as hold_escrowed_site_keys
from youthcase.services.vault import CreatedVault, LockedVault, UnlockedVault, create_vault
from youthcase.storage.models import AppUser, Site, user_site

RECOVERY_KEYS: dict[str, str] = {}
"""Recovery key of each vault the test fixtures created, by ``VaultLocation.describe()``."""


def remember_recovery_key(location: VaultLocation, recovery_key: str) -> None:
    RECOVERY_KEYS[location.describe()] = recovery_key


def home_sites(location: VaultLocation, recovery_key: str, username: str, clock: Clock) -> list[str]:
    engine = LockedVault(location, clock).open_with_recovery_key(recovery_key).engine
    try:
        with Session(engine) as session:
            return list(
                session.scalars(
                    select(Site.code)
                    .join(user_site, user_site.c.site_id == Site.id)
                    .join(AppUser, AppUser.id == user_site.c.user_id)
                    .where(AppUser.username == username)
                )
            )
    finally:
        engine.dispose()


def admit_to_home_sites(location: VaultLocation, username: str, clock: Clock, recovery_key: str | None = None) -> None:
    """Break-glass grants of every home site (``users add --site``) of an account that has its keys."""
    key = recovery_key or RECOVERY_KEYS[location.describe()]
    for code in home_sites(location, key, username, clock):
        grant_with_recovery_key(location, key, username, code, clock)


def new_vault(
    location: VaultLocation, admin: str, password: str, kdf: KdfParams, clock: Clock | None = None
) -> CreatedVault:
    """``create_vault``, remembering the recovery key so test accounts can be admitted to sites."""
    created = create_vault(location, admin, password, kdf, clock)
    remember_recovery_key(location, created.recovery_key)
    return created


def hold_every_site_key(vault: UnlockedVault, recovery_key: str | None = None) -> UnlockedVault:
    """Test only: give ``vault``'s keyring every current site key from escrow, as the recovery key
    could, so a test can read every record it wrote (an administrator's own keys open none)."""
    key = recovery_key or RECOVERY_KEYS[vault.location.describe()]
    with vault.session() as session:
        hold_escrowed_site_keys(session, vault.keyring, recovery_key_pairs(key, vault.vault_id))
    vault.keyring.refresh()
    return vault
