"""What only the recovery key can do: admit a site's first supervisor (break glass) and rotate itself.

The recovery key belongs to the information-governance lead, not to an administrator. It opens the
escrow copies of every site key, account key and the matching key, so each use is audited under
the action names supervisors see in the audit trail (``break-glass grant``, ``recovery key rotated``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthcase.config import VaultLocation
from youthcase.crypto.keypairs import SiteKeyPair, seal_to
from youthcase.crypto.keys import KeyPurpose
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
from youthcase.services.errors import InvalidInput
from youthcase.services.vault import LockedVault
from youthcase.storage.keystore import RECOVERY_LOGIN_ID
from youthcase.storage.models import AppUser, RecoveryEscrow, RecoveryPublicKey, Site


def grant_with_recovery_key(
    location: VaultLocation, recovery_key: str, username: str, site_code: str, clock: Clock | None = None
) -> None:
    """Break glass: admit ``username`` to a site's cases with the recovery key (its first supervisor)."""
    clock = clock or SystemClock()
    keystore, vault_id, vault_key, engine = LockedVault(location, clock).open_with_recovery_key(recovery_key)
    recovery = recovery_key_pairs(recovery_key, vault_id)
    try:
        with Session(engine) as session, session.begin():
            site = session.scalar(select(Site).where(Site.code == site_code.strip().upper()))
            if site is None:
                raise InvalidInput(f"there is no site {site_code!r}")
            target = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
            if target is None:
                raise InvalidInput(f"there is no user {username.strip().lower()!r}")
            if not target.active:
                raise InvalidInput(f"{target.username} is disabled")
            site_key = current_site_key(session, site.id)
            private = SiteKeyPair.from_bytes(open_escrow(session, recovery, "site", site.id, site_key.generation))
            matching = open_escrow(session, recovery, "matching", MATCHING_SUBJECT, 0)
            grant = seal_grant(session, site.id, site_key.generation, target, matching, private, None, clock.now())
            append_event(
                session,
                vault_key.derive(KeyPurpose.AUDIT),
                clock,
                None,
                AuditAction.BREAK_GLASS,
                "site_grant",
                grant.id,
            )
    finally:
        engine.dispose()


def rotate_recovery_key(location: VaultLocation, recovery_key: str, clock: Clock | None = None) -> str:
    """A new recovery key replaces the old one, which stops working; returns the new key (show it once).

    Every escrow copy is sealed again to the new key and the recovery slot re-wrapped: a few
    milliseconds per account and site. The database file key comes from the root key, not from the
    recovery key, so nothing is re-encrypted."""
    clock = clock or SystemClock()
    keystore, vault_id, vault_key, engine = LockedVault(location, clock).open_with_recovery_key(recovery_key)
    old = recovery_key_pairs(recovery_key, vault_id)
    new_key = generate_recovery_key()
    new = recovery_key_pairs(new_key, vault_id)
    now = clock.now()
    try:
        with Session(engine) as session, session.begin():
            current = session.scalar(select(RecoveryPublicKey).where(RecoveryPublicKey.retired_at.is_(None)))
            assert current is not None
            for row in session.scalars(select(RecoveryEscrow)):
                secret = open_escrow(session, old, row.kind, row.subject_id, row.generation)
                row.sealed = seal_to(
                    new.public().exchange, secret, escrow_context(row.kind, row.subject_id, row.generation)
                )
            current.retired_at = now
            public = new.public()
            session.add(
                RecoveryPublicKey(
                    generation=current.generation + 1,
                    exchange_public=public.exchange,
                    signing_public=public.signing,
                    created_at=now,
                    retired_at=None,
                )
            )
            append_event(session, vault_key.derive(KeyPurpose.AUDIT), clock, None, AuditAction.RECOVERY_ROTATED)
            session.flush()
            keystore.put_slot(RECOVERY_LOGIN_ID, recovery_slot(vault_key, vault_id, new_key))
    finally:
        engine.dispose()
    return new_key
