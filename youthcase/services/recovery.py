"""What only the recovery key can do: admit a site's first supervisor (break glass), rotate itself,
and reopen a local vault whose key store is lost (``recover_key_store``).

The recovery key belongs to the information-governance lead, not to an administrator. It opens the
escrow copies of every site key, account key and the matching key, so each use is audited under
the action names supervisors see in the audit trail (``break-glass grant``, ``recovery key rotated``).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from youthcase.config import VaultLocation
from youthcase.crypto.file_key import file_key_from_recovery, wrap_file_key
from youthcase.crypto.kdf import KdfParams
from youthcase.crypto.keypairs import KeyPairs, SiteKeyPair, seal_to
from youthcase.crypto.keys import KeyPurpose, VaultKey
from youthcase.crypto.slots import generate_recovery_key, recovery_key_pairs, recovery_slot
from youthcase.domain.clock import Clock, SystemClock
from youthcase.services.access import (
    MATCHING_SUBJECT,
    current_site_key,
    escrow_context,
    open_escrow,
    seal_grant,
)
from youthcase.services.audit import AuditAction, append_event
from youthcase.services.errors import InvalidInput, VaultCorrupt, VaultMissing, WrongCredentials
from youthcase.services.keyring import Keyring
from youthcase.services.trust import (
    Directory,
    Signer,
    record_verifies,
    sign_account,
    sign_grant,
    sign_recovery_generation,
    sign_site_key,
    vouch_for_previous,
)
from youthcase.services.vault import (
    ROOT_ESCROW,
    VAULT_ID_SETTING,
    LockedVault,
    escrow_root_key,
    finish_recovery_rotation,
    recovery_pin,
)
from youthcase.storage.engine import sqlcipher_engine
from youthcase.storage.keystore import PENDING_RECOVERY_LOGIN_ID, RECOVERY_LOGIN_ID, HeaderFileKeyStore, KeyStoreError
from youthcase.storage.models import AppUser, RecoveryEscrow, RecoveryPublicKey, Site, SiteGrant, SiteKey, VaultSetting


def grant_with_recovery_key(
    location: VaultLocation, recovery_key: str, username: str, site_code: str, clock: Clock | None = None
) -> None:
    """Break glass: admit ``username`` to a site's cases with the recovery key (its first supervisor)."""
    clock = clock or SystemClock()
    access = LockedVault(location, clock).open_with_recovery_key(recovery_key)
    try:
        with Session(access.engine) as session, session.begin():
            site = session.scalar(select(Site).where(Site.code == site_code.strip().upper()))
            if site is None:
                raise InvalidInput(f"there is no site {site_code!r}")
            target = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
            if target is None:
                raise InvalidInput(f"there is no user {username.strip().lower()!r}")
            if not target.active:
                raise InvalidInput(f"{target.username} is disabled")
            site_key = current_site_key(session, site.id)
            if (site.id, site_key.generation) not in access.directory.site_publics:
                raise VaultCorrupt(f"the published key of {site.code} is not genuine: it is not handed on")
            private = SiteKeyPair.from_bytes(open_escrow(session, access.keys, "site", site.id, site_key.generation))
            matching = open_escrow(session, access.keys, "matching", MATCHING_SUBJECT, 0)
            grant = seal_grant(
                session,
                site.id,
                site_key.generation,
                target.id,
                matching,
                private,
                access.signer,
                clock.now(),
                access.directory,
            )
            append_event(
                session, access.signer, access.vault_id, clock, AuditAction.BREAK_GLASS, "site_grant", grant.id
            )
    finally:
        access.engine.dispose()


def rotate_recovery_key(
    location: VaultLocation,
    recovery_key: str,
    clock: Clock | None = None,
    announce: Callable[[str], None] | None = None,
) -> str:
    """A new recovery key replaces the old one, which stops working; returns the new key.

    Every escrow copy is sealed again to the new key, the new generation is signed by the old one
    (so every slot's pin still leads to it), what the old key signed is signed again by the new one
    (after checking it), and the recovery slot is re-wrapped: a few milliseconds per account, site and
    break-glass grant. A local vault's file is re-keyed to the new key's file key (``sqlcipher_export``
    into a new file, swapped in atomically: about the time of copying the file).

    The order makes every crash safe. ``announce`` shows the new key *before* anything is sealed to
    it; then the key store gets a pending slot for it and (locally) both file keys; then one database
    transaction moves escrow to it; then ``finish_recovery_rotation`` re-keys the file and retires the
    old slot. A crash before the transaction leaves the old key working and the new one opening
    nothing; after it the new key works, and its next use finishes what was left."""
    clock = clock or SystemClock()
    access = LockedVault(location, clock).open_with_recovery_key(recovery_key)
    directory = access.directory
    new_key = generate_recovery_key()
    new = recovery_key_pairs(new_key, access.vault_id)
    now = clock.now()
    try:
        if announce is not None:
            announce(new_key)
        access.keystore.put_slot(PENDING_RECOVERY_LOGIN_ID, recovery_slot(access.vault_key, access.vault_id, new_key))
        if isinstance(access.keystore, HeaderFileKeyStore) and access.file_key is not None:
            both = [access.file_key, file_key_from_recovery(new_key)]
            access.keystore.put_file_keys([wrap_file_key(access.vault_key, access.vault_id, key) for key in both])
        with Session(access.engine) as session, session.begin():
            current = session.scalar(select(RecoveryPublicKey).where(RecoveryPublicKey.retired_at.is_(None)))
            assert current is not None
            _adopt_recoverable_layout(session, access.vault_id, access.vault_key, access.keys.public().exchange)
            for row in session.scalars(select(RecoveryEscrow)):
                secret = open_escrow(session, access.keys, row.kind, row.subject_id, row.generation)
                row.sealed = seal_to(
                    new.public().exchange, secret, escrow_context(row.kind, row.subject_id, row.generation)
                )
            current.retired_at = now
            public = new.public()
            following = RecoveryPublicKey(
                generation=current.generation + 1,
                exchange_public=public.exchange,
                signing_public=public.signing,
                created_at=now,
                retired_at=None,
            )
            sign_recovery_generation(following, access.keys, access.vault_id)
            vouch_for_previous(following, new, current, access.vault_id)
            session.add(following)
            _sign_again(session, directory, Signer.recovery(new))
            append_event(session, Signer.recovery(new), access.vault_id, clock, AuditAction.RECOVERY_ROTATED)
    finally:
        access.engine.dispose()
    finish_recovery_rotation(location, access.keystore, access.vault_id, access.vault_key, new_key, access.file_key)
    return new_key


def _adopt_recoverable_layout(session: Session, vault_id: str, root: VaultKey, current_exchange: bytes) -> None:
    """A vault made before the file key came from the recovery key has no root escrow and no vault
    id inside: add them (the escrow sealed to the current key, which the rotation then re-seals)."""
    if session.scalar(select(VaultSetting).where(VaultSetting.name == VAULT_ID_SETTING)) is None:
        session.add(VaultSetting(name=VAULT_ID_SETTING, value=vault_id))
    if session.scalar(select(RecoveryEscrow).where(RecoveryEscrow.kind == ROOT_ESCROW)) is None:
        escrow_root_key(session, current_exchange, vault_id, root)
    session.flush()


def _sign_again(session: Session, directory: Directory, signer: Signer) -> None:
    """Records the retiring recovery key signed (first administrator, first site keys, break-glass
    grants) are signed by the new one; a record that no longer verifies is left as it is (and
    reported by ``audit verify``), never laundered."""
    vault_id = directory.vault_id
    for user in session.scalars(select(AppUser).where(AppUser.signed_by.is_(None))):
        site_ids = [site.id for site in user.sites]
        if record_verifies(directory, user, site_ids):
            sign_account(user, site_ids, signer, vault_id)
    for site_key in session.scalars(select(SiteKey).where(SiteKey.signed_by.is_(None))):
        if (site_key.site_id, site_key.generation) in directory.site_publics:
            sign_site_key(site_key, signer, vault_id)
    for grant in session.scalars(select(SiteGrant).where(SiteGrant.granted_by.is_(None))):
        if directory.grant_verifies(grant):
            sign_grant(grant, signer, vault_id)


def hold_every_site_key(session: Session, keyring: Keyring, recovery: KeyPairs) -> None:
    """Give a keyring every current site key from escrow, as only the recovery key can: for a full
    ``check``. Case keys then open through each worker's wrap; the keyring is dropped with the engine."""
    for site_key in session.scalars(select(SiteKey).where(SiteKey.current)):
        private = open_escrow(session, recovery, "site", site_key.site_id, site_key.generation)
        keyring.hold_site_private(site_key.site_id, site_key.generation, SiteKeyPair.from_bytes(private).private)
    keyring.load(session)


@dataclass(frozen=True)
class RecoveredKeyStore:
    """What ``recover_key_store`` did: the accounts that now need a password reset, and where the
    unreadable key store it replaced was moved (None when there was none)."""

    vault_id: str
    accounts: list[str]
    set_aside: Path | None


@dataclass(frozen=True, repr=False)
class FileSecrets:
    """What the database file and the recovery key alone give: the vault id and the root key."""

    vault_id: str
    root: VaultKey
    file_key: bytes
    accounts: list[str]


def open_file_with_recovery_key(database: Path, recovery_key: str) -> FileSecrets:
    """Open a vault file (or a backup's copy of one) without its key store: the file key comes from
    the recovery key, the vault id from the database, the root key from its escrow copy. A wrong
    recovery key opens nothing and writes nothing."""
    try:
        file_key = file_key_from_recovery(recovery_key)
    except ValueError:
        raise WrongCredentials() from None
    engine = sqlcipher_engine(database, file_key)
    try:
        with Session(engine) as session:
            try:
                session.execute(text("SELECT count(*) FROM sqlite_master"))
            except DatabaseError:
                raise WrongCredentials() from None
            vault_id = session.scalar(select(VaultSetting.value).where(VaultSetting.name == VAULT_ID_SETTING))
            if vault_id is None:
                raise VaultCorrupt(f"{database} holds no vault id: it cannot be reopened without its key store")
            keys = recovery_key_pairs(recovery_key, vault_id)
            recovery_pin(session, keys)  # the escrow is sealed to this generation of the recovery key
            root = VaultKey(open_escrow(session, keys, ROOT_ESCROW, uuid.UUID(vault_id), 0))
            accounts = list(session.scalars(select(AppUser.username).where(AppUser.active).order_by(AppUser.username)))
    finally:
        engine.dispose()
    return FileSecrets(vault_id, root, file_key, accounts)


def write_recovered_key_store(header: Path, secrets: FileSecrets, recovery_key: str, kdf: KdfParams) -> None:
    """A new key store for a vault: its recovery slot and file-key entry, and no account slots."""
    store = HeaderFileKeyStore(header)
    store.create(secrets.vault_id, kdf, secrets.root.derive(KeyPurpose.KEY_STORE))
    store.put_file_keys([wrap_file_key(secrets.root, secrets.vault_id, secrets.file_key)])
    store.put_slot(RECOVERY_LOGIN_ID, recovery_slot(secrets.root, secrets.vault_id, recovery_key))


def recover_key_store(
    location: VaultLocation, recovery_key: str, kdf: KdfParams, clock: Clock | None = None
) -> RecoveredKeyStore:
    """Write a new key store for a local vault whose key store is lost or unreadable, from the file
    and the recovery key. Each account then needs ``users reset-password`` (which restores its own
    keys from escrow). A readable key store is never replaced; an unreadable one is set aside."""
    clock = clock or SystemClock()
    database = location.path
    if database is None:
        raise InvalidInput("a team server keeps its key store in its database: restore the database instead")
    if not database.is_file():
        raise VaultMissing(f"no vault at {database}: the file does not exist")
    header = location.header_path
    if header.exists() and _readable(HeaderFileKeyStore(header)):
        raise InvalidInput(
            f"the key store {header} is readable: nothing to recover (`users reset-password` gives an account "
            "a new password)"
        )
    secrets = open_file_with_recovery_key(database, recovery_key)
    set_aside = None
    if header.exists():
        set_aside = header.with_name(f"{header.name}.unreadable-{clock.now().astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}")
        os.replace(header, set_aside)
    write_recovered_key_store(header, secrets, recovery_key, kdf)
    access = LockedVault(location, clock).open_with_recovery_key(recovery_key)  # upgrades an older schema
    try:
        with Session(access.engine) as session, session.begin():
            append_event(session, access.signer, access.vault_id, clock, AuditAction.KEY_STORE_RECOVERED)
    finally:
        access.engine.dispose()
    return RecoveredKeyStore(secrets.vault_id, secrets.accounts, set_aside)


def _readable(store: HeaderFileKeyStore) -> bool:
    try:
        store.vault_id()
    except KeyStoreError:
        return False
    return True
