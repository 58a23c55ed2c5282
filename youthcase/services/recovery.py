"""What only the recovery key can do: admit a site's first supervisor (break glass) and rotate itself.

The recovery key belongs to the information-governance lead, not to an administrator. It opens the
escrow copies of every site key, account key and the matching key, so each use is audited under
the action names supervisors see in the audit trail (``break-glass grant``, ``recovery key rotated``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthcase.config import VaultLocation
from youthcase.crypto.keypairs import KeyPairs, SiteKeyPair, seal_to
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
from youthcase.services.errors import InvalidInput, VaultCorrupt
from youthcase.services.keyring import Keyring
from youthcase.services.trust import (
    Directory,
    Signer,
    record_verifies,
    sign_account,
    sign_grant,
    sign_recovery_generation,
    sign_site_key,
)
from youthcase.services.vault import LockedVault
from youthcase.storage.keystore import RECOVERY_LOGIN_ID
from youthcase.storage.models import AppUser, RecoveryEscrow, RecoveryPublicKey, Site, SiteGrant, SiteKey


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


def rotate_recovery_key(location: VaultLocation, recovery_key: str, clock: Clock | None = None) -> str:
    """A new recovery key replaces the old one, which stops working; returns the new key (show it once).

    Every escrow copy is sealed again to the new key, the new generation is signed by the old one
    (so every slot's pin still leads to it), what the old key signed is signed again by the new one
    (after checking it), and the recovery slot is re-wrapped: a few milliseconds per account, site and
    break-glass grant. The database file key comes from the root key, not from the recovery key, so
    nothing is re-encrypted."""
    clock = clock or SystemClock()
    access = LockedVault(location, clock).open_with_recovery_key(recovery_key)
    directory = access.directory
    new_key = generate_recovery_key()
    new = recovery_key_pairs(new_key, access.vault_id)
    now = clock.now()
    try:
        with Session(access.engine) as session, session.begin():
            current = session.scalar(select(RecoveryPublicKey).where(RecoveryPublicKey.retired_at.is_(None)))
            assert current is not None
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
            session.add(following)
            _sign_again(session, directory, Signer.recovery(new))
            append_event(session, Signer.recovery(new), access.vault_id, clock, AuditAction.RECOVERY_ROTATED)
            session.flush()
            access.keystore.put_slot(RECOVERY_LOGIN_ID, recovery_slot(access.vault_key, access.vault_id, new_key))
    finally:
        access.engine.dispose()
    return new_key


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
