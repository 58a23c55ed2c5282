"""Staff accounts: adding, listing, disabling, changing and resetting passwords.

Role checks live here, not in the GUI: every method checks the acting user's permissions.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from youthcase.config import VaultLocation
from youthcase.crypto.errors import WrongSecretError
from youthcase.crypto.kdf import KdfParams
from youthcase.crypto.keypairs import KeyPairs, raw_private
from youthcase.crypto.slots import KeySlot, SlotSecrets, open_password_slot, password_slot
from youthcase.domain.clock import Clock, SystemClock
from youthcase.domain.roles import Permission, Role
from youthcase.domain.usernames import normalise_username
from youthcase.services.access import escrow, open_escrow, publish_account_keys
from youthcase.services.audit import AuditAction, append_event
from youthcase.services.errors import InvalidInput, VaultCorrupt, WrongCredentials
from youthcase.services.permissions import require
from youthcase.services.trust import Signer, new_enrolment_key, record_verifies, sign_account
from youthcase.services.vault import (
    LockedVault,
    UnlockedVault,
    check_new_password,
    create_server_login,
    disable_server_login,
    reset_server_login,
    set_own_server_password,
)
from youthcase.storage.keystore import login_id
from youthcase.storage.models import AppUser, CaseEpisode, CaseKey, CaseSiteKey, Site, SiteGrant, SiteKey


@dataclass(frozen=True)
class AccountSummary:
    """What an account list shows: no secrets, the full name only to whoever may list users."""

    user_id: uuid.UUID
    username: str
    full_name: str | None
    role: Role
    site_codes: tuple[str, ...]
    active: bool
    must_change_password: bool
    created_at: dt.datetime


def _summary(user: AppUser) -> AccountSummary:
    return AccountSummary(
        user.id,
        user.username,
        None if user.full_name is None else str(user.full_name),
        Role(user.role),
        tuple(sorted(site.code for site in user.sites)),
        user.active,
        user.must_change_password,
        user.created_at,
    )


def _sites_by_code(session: Session, codes: Iterable[str]) -> list[Site]:
    wanted = {code.strip().upper() for code in codes}
    found = list(session.scalars(select(Site).where(Site.code.in_(wanted))))
    missing = wanted - {site.code for site in found}
    if missing:
        raise InvalidInput(f"unknown site code(s): {', '.join(sorted(missing))}")
    return found


class AccountService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def add_user(
        self,
        username: str,
        role: Role,
        temporary_password: str,
        site_codes: Iterable[str] = (),
        full_name: str | None = None,
    ) -> AccountSummary:
        """Create an account whose first login must replace the temporary password."""
        require(self.vault.actor, Permission.MANAGE_USERS)
        try:
            name = normalise_username(username)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
        check_new_password(temporary_password, name)
        vault = self.vault
        signer = self._administrator_signer()
        directory = vault.keyring.directory
        enrolment, enrolment_public = new_enrolment_key()
        with vault.session() as session:
            if session.scalar(select(AppUser.id).where(AppUser.username == name)) is not None:
                raise InvalidInput(f"user name {name!r} is already taken")
            user = AppUser(
                username=name,
                full_name=full_name,
                role=role.value,
                active=True,
                must_change_password=True,
                created_at=vault.clock.now(),
                enrolment_public=enrolment_public,
            )
            user.sites = _sites_by_code(session, site_codes)
            sign_account(user, [site.id for site in user.sites], signer, vault.vault_id)
            session.add(user)
            # The recovery key keeps a copy, so a reset before the first login keeps the same record.
            escrow(session, directory.recovery_exchange, "enrolment", user.id, 0, raw_private(enrolment))
            vault.audit(session, AuditAction.USER_ADDED, "app_user", user.id)
            session.flush()
            if vault.location.is_server:
                # Its own PostgreSQL login, made by the owner's function (no client may create roles).
                create_server_login(session, vault.vault_id, name, temporary_password, vault.kdf, user.id)
            # The slot is written last, inside the transaction: if it fails, the account is not saved.
            # It holds the root key and the enrolment key: the account's own keys are made at its
            # first password change.
            slot = password_slot(
                SlotSecrets(vault.vault_key, directory.pin, None, enrolment),
                vault.vault_id,
                str(user.id),
                temporary_password,
                vault.kdf,
            )
            self.vault.keystore.put_slot(login_id(self.vault.vault_id, name), slot)
            return _summary(user)

    def _administrator_signer(self) -> Signer:
        """Account records are signed with an administrator's own key, made at its first password change."""
        if self.vault.keyring.account_keys is None:
            raise InvalidInput("set your own password first: account records are signed with your own key")
        return self.vault.signer

    def list_users(self) -> list[AccountSummary]:
        require(self.vault.actor, Permission.LIST_USERS)
        with self.vault.session() as session:
            return [_summary(u) for u in session.scalars(select(AppUser).order_by(AppUser.username))]

    def disable_user(self, username: str) -> None:
        """Disable an account: its admissions and case-key wraps are removed at once (its cases stay
        open to their sites' supervisors through the site copies), and each site whose keys it could
        reach is flagged so that its next supervisor rotates the site key (``keys rotate``)."""
        require(self.vault.actor, Permission.MANAGE_USERS)
        name = username.strip().lower()
        if name == self.vault.actor.username:
            raise InvalidInput("you cannot disable your own account")
        with self.vault.session() as session:
            user = session.scalar(select(AppUser).where(AppUser.username == name))
            if user is None:
                raise InvalidInput(f"there is no user {name!r}")
            site_ids = [site.id for site in user.sites]
            if not record_verifies(self.vault.keyring.directory, user, site_ids):
                raise VaultCorrupt(f"the account record of {name} has been altered: it is not signed again")
            user.active = False
            sign_account(user, site_ids, self._administrator_signer(), self.vault.vault_id)
            reached = set(session.scalars(select(SiteGrant.site_id).where(SiteGrant.account_id == user.id)))
            reached |= set(session.scalars(select(CaseKey.site_id).where(CaseKey.account_id == user.id)))
            reached |= set(session.scalars(select(CaseEpisode.site_id).where(CaseEpisode.worker_id == user.id)))
            session.execute(delete(SiteGrant).where(SiteGrant.account_id == user.id))
            # A wrap stays only where the case has no site copy yet (a vault from before copies, until
            # a supervisor's unlock adds them): deleting it would leave the case to nobody.
            session.execute(
                delete(CaseKey).where(CaseKey.account_id == user.id, CaseKey.case_id.in_(select(CaseSiteKey.case_id)))
            )
            if reached:
                session.execute(
                    update(SiteKey).where(SiteKey.site_id.in_(reached), SiteKey.current).values(rotation_due=True)
                )
            self.vault.audit(session, AuditAction.USER_DISABLED, "app_user", user.id)
            session.flush()
            if self.vault.location.is_server:
                disable_server_login(session, user.id)  # NOLOGIN: the server refuses it from now on
            self.vault.keystore.disable(login_id(self.vault.vault_id, name), str(user.id))

    def change_own_password(self, old_password: str, new_password: str) -> None:
        """Re-wrap only this user's slot: no record ciphertext changes.

        The first change also makes the account's key pairs (publishing the public halves, escrowing
        the private ones), so keys never sit under a password an administrator chose."""
        actor = self.vault.actor
        login = login_id(self.vault.vault_id, actor.username)
        slot = self.vault.keystore.get_slot(login)
        if not isinstance(slot, KeySlot):
            raise WrongCredentials()
        try:
            open_password_slot(slot, self.vault.vault_id, old_password)
        except WrongSecretError:
            raise WrongCredentials() from None
        if new_password == old_password:
            raise InvalidInput("the new password must differ from the old one")
        check_new_password(new_password, actor.username)
        keyring = self.vault.keyring
        enrolment = keyring.enrolment
        new_keys = keyring.account_keys is None
        if new_keys and enrolment is None:
            raise VaultCorrupt("this account's slot holds neither keys nor its enrolment key")
        keys = keyring.account_keys or KeyPairs.generate()
        directory = keyring.directory
        new_slot = password_slot(
            SlotSecrets(self.vault.vault_key, directory.pin, keys),
            self.vault.vault_id,
            str(actor.user_id),
            new_password,
            self.vault.kdf,
        )
        with self.vault.session() as session:
            user = session.get_one(AppUser, actor.user_id)
            user.must_change_password = False
            if new_keys:
                assert enrolment is not None
                publish_account_keys(
                    session,
                    actor.user_id,
                    keys,
                    self.vault.clock.now(),
                    enrolment,
                    directory.recovery_exchange,
                    self.vault.vault_id,
                )
            self.vault.audit(session, AuditAction.PASSWORD_CHANGED, "app_user", actor.user_id)
            session.flush()
            if self.vault.location.is_server:
                set_own_server_password(session, self.vault.vault_id, actor.username, new_password, self.vault.kdf)
            self.vault.keystore.put_slot(login, new_slot)  # last: if it fails, nothing was published
        if new_keys:
            keyring.adopt_account_keys(keys)
        self.vault.actor = replace(actor, must_change_password=False)


def reset_password_with_recovery_key(
    location: VaultLocation,
    recovery_key: str,
    username: str,
    temporary_password: str,
    kdf: KdfParams,
    clock: Clock | None = None,
) -> None:
    """Give an account a new temporary password using the vault's recovery key."""
    clock = clock or SystemClock()
    name = username.strip().lower()
    check_new_password(temporary_password, name)
    access = LockedVault(location, clock).open_with_recovery_key(recovery_key)
    vault_id = access.vault_id
    try:
        with Session(access.engine) as session, session.begin():
            user = session.scalar(select(AppUser).where(AppUser.username == name))
            if user is None:
                raise InvalidInput(f"there is no user {name!r}")
            record = access.directory.accounts.get(user.id)
            if record is None:
                raise VaultCorrupt(f"the account record of {name} has been altered: it cannot be reset")
            if not record.active:
                raise InvalidInput(f"{name} is disabled")
            user.must_change_password = True
            keys, enrolment = None, None
            if record.keys is not None:
                # The account keeps its own keys (and so its cases): the escrow copy goes into the new slot.
                keys = KeyPairs.from_bytes(open_escrow(session, access.keys, "account", user.id, 0))
            else:
                enrolment = Ed25519PrivateKey.from_private_bytes(
                    open_escrow(session, access.keys, "enrolment", user.id, 0)
                )
            append_event(session, access.signer, vault_id, clock, AuditAction.PASSWORD_RESET, "app_user", user.id)
            session.flush()
            if location.is_server:
                reset_server_login(session, vault_id, name, temporary_password, kdf, user.id)
            secrets = SlotSecrets(access.vault_key, access.directory.pin, keys, enrolment)
            slot = password_slot(secrets, vault_id, str(user.id), temporary_password, kdf)
            access.keystore.put_slot(login_id(vault_id, name), slot)
    finally:
        access.engine.dispose()
