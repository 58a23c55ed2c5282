"""Who holds which key: site keys, admissions (grants), case-key wraps, escrow and rotation.

The rules of docs/security.md ("Key hierarchy") as operations. Access is given only by someone who
holds the key being handed on: a supervisor of a site admits people to its cases by sealing the site's
keys to them; the recovery key (break glass) admits the first supervisor of a site. An administrator
creates accounts and sites but holds no site key and no case key, so it has nothing to hand on.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from youthcase.crypto.errors import NoKeyError, TamperedDataError
from youthcase.crypto.fields import FieldCipher
from youthcase.crypto.keypairs import KeyPairs, SiteKeyPair, open_sealed, seal_to
from youthcase.domain.roles import Permission, Role
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput, PermissionDenied, VaultCorrupt
from youthcase.services.keyring import Keyring
from youthcase.services.permissions import require
from youthcase.services.trust import (
    Directory,
    Signer,
    sign_account_keys,
    sign_grant,
    sign_recovery_generation,
    sign_site_key,
)
from youthcase.storage.encrypted import KeyScope, reseal_scope
from youthcase.storage.models import (
    AccountKey,
    AppUser,
    Base,
    CaseEpisode,
    CaseKey,
    CaseSiteKey,
    RecoveryEscrow,
    RecoveryPublicKey,
    Site,
    SiteGrant,
    SiteKey,
    case_share,
    user_site,
)

if TYPE_CHECKING:
    from youthcase.services.vault import UnlockedVault

MATCHING_KEY_BYTES = 32
MATCHING_SUBJECT = uuid.UUID(int=0)
"""The matching key is one per vault; its escrow row names this subject."""

WORKER_LEVEL = "worker"
SUPERVISOR_LEVEL = "supervisor"


def grant_context(site_id: uuid.UUID, account_id: uuid.UUID, level: str, generation: int) -> bytes:
    return (
        b"youthcase/v2/grant|"
        + site_id.bytes
        + account_id.bytes
        + level.encode("ascii")
        + b"|"
        + generation.to_bytes(4, "big")
    )


def escrow_context(kind: str, subject_id: uuid.UUID, generation: int) -> bytes:
    return b"youthcase/v2/escrow|" + kind.encode("ascii") + b"|" + subject_id.bytes + generation.to_bytes(4, "big")


def level_for(role: Role) -> str:
    if role is Role.ADMIN:
        raise InvalidInput("administrators read no case content, so they cannot be admitted to a site's cases")
    return SUPERVISOR_LEVEL if role is Role.SUPERVISOR else WORKER_LEVEL


# --- escrow with the recovery key -------------------------------------------------------------


def escrow(
    session: Session, recovery_exchange: bytes, kind: str, subject_id: uuid.UUID, generation: int, secret: bytes
) -> None:
    """Seal a secret to the recovery key: its *verified* public key (``Directory.recovery_exchange``),
    never one read unchecked from the database, which anyone could have replaced with their own."""
    sealed = seal_to(recovery_exchange, secret, escrow_context(kind, subject_id, generation))
    session.add(RecoveryEscrow(kind=kind, subject_id=subject_id, generation=generation, sealed=sealed))


def open_escrow(session: Session, recovery: KeyPairs, kind: str, subject_id: uuid.UUID, generation: int) -> bytes:
    sealed = session.scalar(
        select(RecoveryEscrow.sealed).where(
            RecoveryEscrow.kind == kind,
            RecoveryEscrow.subject_id == subject_id,
            RecoveryEscrow.generation == generation,
        )
    )
    if sealed is None:
        raise VaultCorrupt(f"the recovery copy of a {kind} key is missing")
    try:
        return open_sealed(recovery.exchange, sealed, escrow_context(kind, subject_id, generation))
    except TamperedDataError:
        raise VaultCorrupt(f"the recovery copy of a {kind} key is damaged") from None


def initialise_keys(
    session: Session, recovery: KeyPairs, site_ids: Iterable[uuid.UUID], now: dt.datetime, vault_id: str
) -> None:
    """A new vault: the recovery key's public halves (the root every slot pins), the matching key
    and a key pair per site, each private half held only in escrow until a first supervisor is
    admitted (break glass)."""
    public = recovery.public()
    row = RecoveryPublicKey(
        generation=1, exchange_public=public.exchange, signing_public=public.signing, created_at=now, retired_at=None
    )
    sign_recovery_generation(row, recovery, vault_id)  # the first generation vouches for itself
    session.add(row)
    session.flush()
    escrow(session, public.exchange, "matching", MATCHING_SUBJECT, 0, secrets.token_bytes(MATCHING_KEY_BYTES))
    for site_id in site_ids:
        create_site_key(session, site_id, 1, now, Signer.recovery(recovery), public.exchange, vault_id)


def create_site_key(
    session: Session,
    site_id: uuid.UUID,
    generation: int,
    now: dt.datetime,
    signer: Signer,
    recovery_exchange: bytes,
    vault_id: str,
) -> SiteKeyPair:
    """A fresh key pair for a site, signed by its maker; the private half goes to escrow (and to
    whoever the caller seals it)."""
    pair = SiteKeyPair.generate()
    row = SiteKey(
        site_id=site_id,
        generation=generation,
        exchange_public=pair.public(),
        created_at=now,
        current=True,
        rotation_due=False,
    )
    sign_site_key(row, signer, vault_id)
    session.add(row)
    escrow(session, recovery_exchange, "site", site_id, generation, pair.to_bytes())
    return pair


def publish_account_keys(
    session: Session,
    account_id: uuid.UUID,
    keys: KeyPairs,
    now: dt.datetime,
    enrolment: Ed25519PrivateKey,
    recovery_exchange: bytes,
    vault_id: str,
) -> None:
    """An account's first own password: publish its public keys (signed with the enrolment key of
    its record, which only its slot held) and escrow the private ones."""
    public = keys.public()
    row = AccountKey(
        account_id=account_id, exchange_public=public.exchange, signing_public=public.signing, created_at=now
    )
    sign_account_keys(row, enrolment, vault_id)
    session.add(row)
    escrow(session, recovery_exchange, "account", account_id, 0, keys.to_bytes())


# --- opening what an account was given ---------------------------------------------------------


@dataclass(frozen=True)
class Admission:
    site_id: uuid.UUID
    site_code: str
    level: str


def open_grants(session: Session, keyring: Keyring) -> list[Admission]:
    """Open the account's grants: the matching key, and the site private keys of supervised sites.

    A grant that is not signed by a supervisor (or the recovery key), whose sealed keys do not open
    for this account, or whose site key does not match the site's verified key gives nothing and is
    reported: an edited or forged row in the file or on the server grants no access.
    """
    keys = keyring.account_keys
    if keys is None:
        return []
    directory = keyring.directory
    rows = session.execute(
        select(SiteGrant, Site.code)
        .join(Site, Site.id == SiteGrant.site_id)
        .join(SiteKey, (SiteKey.site_id == SiteGrant.site_id) & (SiteKey.generation == SiteGrant.generation))
        .where(SiteGrant.account_id == keyring.account_id, SiteKey.current)
    ).all()
    admissions = []
    for grant, code in rows:
        site_public = directory.site_publics.get((grant.site_id, grant.generation))
        if site_public is None or not directory.grant_verifies(grant):
            directory.problems.append(f"your admission to {code} is not signed by a supervisor: it was ignored")
            continue
        context = grant_context(grant.site_id, grant.account_id, grant.level, grant.generation)
        try:
            payload = open_sealed(keys.exchange, grant.sealed, context)
        except TamperedDataError:
            directory.problems.append(f"your admission to {code} is damaged: it was ignored")
            continue
        if grant.level == SUPERVISOR_LEVEL:
            site = SiteKeyPair.from_bytes(payload[MATCHING_KEY_BYTES:])
            if site.public() != site_public:
                directory.problems.append(f"the published key of {code} is not the one you were given")
                continue
            keyring.hold_site_private(grant.site_id, grant.generation, site.private)
        keyring.matching_key = payload[:MATCHING_KEY_BYTES]
        admissions.append(Admission(grant.site_id, code, grant.level))
    return admissions


# --- giving keys ----------------------------------------------------------------------------------


def current_site_key(session: Session, site_id: uuid.UUID) -> SiteKey:
    row = session.scalar(select(SiteKey).where(SiteKey.site_id == site_id, SiteKey.current))
    if row is None:
        raise VaultCorrupt("the site has no current key")
    return row


def seal_grant(
    session: Session,
    site_id: uuid.UUID,
    generation: int,
    target_id: uuid.UUID,
    matching_key: bytes,
    site_private: SiteKeyPair,
    signer: Signer,
    now: dt.datetime,
    directory: Directory,
) -> SiteGrant:
    """Admit an account to a site: seal the matching key (and the site key, for supervisors) to its
    verified public key, at the level its verified record's role gives, and sign the grant."""
    target = directory.accounts.get(target_id)
    if target is None:
        raise InvalidInput("that account's record does not verify, so it cannot be admitted (see audit verify)")
    level = level_for(target.role)
    if target_id in directory.replaced_keys:
        raise VaultCorrupt(f"the published keys of {target.username} have been replaced: nothing is sealed to them")
    if target.keys is None:
        raise InvalidInput(
            f"{target.username} has not set their own password yet: they can be admitted after their first login"
        )
    payload = matching_key + (site_private.to_bytes() if level == SUPERVISOR_LEVEL else b"")
    sealed = seal_to(target.keys.exchange, payload, grant_context(site_id, target_id, level, generation))
    session.execute(delete(SiteGrant).where(SiteGrant.site_id == site_id, SiteGrant.account_id == target_id))
    grant = SiteGrant(
        site_id=site_id, account_id=target_id, level=level, generation=generation, sealed=sealed, granted_at=now
    )
    sign_grant(grant, signer, directory.vault_id)
    session.add(grant)
    return grant


def admitted_sites(session: Session, account_id: uuid.UUID) -> set[uuid.UUID]:
    """The sites an account holds a grant for (whether it can open it is its own keys' business)."""
    return set(session.scalars(select(SiteGrant.site_id).where(SiteGrant.account_id == account_id)))


def new_case_key(
    keyring: Keyring, session: Session, case_id: uuid.UUID, site_id: uuid.UUID, account_id: uuid.UUID
) -> None:
    """A new case: a random key, wrapped for its worker under the site's current key and sealed to
    the site itself (so its supervisors keep it when the worker is disabled)."""
    key = secrets.token_bytes(32)
    site_key = current_site_key(session, site_id)
    keyring.add_case_key(case_id, key)
    session.add(keyring.wrap_case_key(case_id, key, site_id, site_key.generation, account_id))
    session.add(keyring.seal_for_site(case_id, key, site_id, site_key.generation))


def replace_site_copy(keyring: Keyring, session: Session, case_id: uuid.UUID, key: bytes, site: SiteKey) -> None:
    """Seal the case key (new, or for a new site generation) to the site again."""
    session.execute(delete(CaseSiteKey).where(CaseSiteKey.case_id == case_id))
    session.add(keyring.seal_for_site(case_id, key, site.site_id, site.generation))


def rewrap_case(
    keyring: Keyring, session: Session, case: CaseEpisode, add: Iterable[uuid.UUID], remove: Iterable[uuid.UUID] = ()
) -> None:
    """Give the case key to ``add`` and take it from ``remove`` (reassign, share, unshare, handover).

    Someone who loses a case may have kept its key, so the case then gets a new key: every value of
    the case is sealed again under it and everyone who keeps the case gets the new key. Nothing
    written afterwards opens with what the person who left could have copied."""
    key = keyring.case_key(case.id)
    site_key = current_site_key(session, case.site_id)
    held = set(session.scalars(select(CaseKey.account_id).where(CaseKey.case_id == case.id)))
    # The worker counts as leaving even without a wrap: a disabled worker's wraps are already gone.
    leaving = (held | {case.worker_id}) & set(remove)
    if leaving:
        new_key = secrets.token_bytes(32)
        session.flush()  # the case's pending rows are sealed under the old key first
        reseal_scope(
            session.connection(),
            Base.metadata.sorted_tables,
            KeyScope.CASE,
            case.id,
            FieldCipher(key, KeyScope.CASE.value),
            FieldCipher(new_key, KeyScope.CASE.value),
        )
        session.execute(delete(CaseKey).where(CaseKey.case_id == case.id))
        replace_site_copy(keyring, session, case.id, new_key, site_key)
        add = [*sorted(held - leaving), *add]
        key, held = new_key, set()
    for account_id in dict.fromkeys(add):
        if account_id not in held:
            session.add(keyring.wrap_case_key(case.id, key, case.site_id, site_key.generation, account_id))
    keyring.forget_cases([case.id])
    keyring.add_case_key(case.id, key)


class AccessService:
    """Admissions, revocations and site-key rotation by a supervisor who holds the site's key."""

    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def _held_site(self, session: Session, site_code: str) -> tuple[Site, SiteKey, SiteKeyPair]:
        require(self.vault.actor, Permission.SUPERVISE)
        site = session.scalar(select(Site).where(Site.code == site_code.strip().upper()))
        if site is None:
            raise InvalidInput(f"there is no site {site_code!r}")
        site_key = current_site_key(session, site.id)
        try:
            private = self.vault.keyring.site_private(site.id, site_key.generation)
        except NoKeyError:
            raise PermissionDenied(
                f"you do not hold the key of {site.code}: only its supervisors admit people"
            ) from None
        return site, site_key, SiteKeyPair(private)

    def _user(self, session: Session, username: str) -> AppUser:
        user = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
        if user is None:
            raise InvalidInput(f"there is no user {username.strip().lower()!r}")
        return user

    def grant(self, username: str, site_code: str) -> None:
        """Admit a worker or supervisor to the cases of a site I supervise."""
        with self.vault.session() as session:
            site, site_key, private = self._held_site(session, site_code)
            target = self._user(session, username)
            if not target.active:
                raise InvalidInput(f"{target.username} is disabled")
            matching = self.vault.keyring.matching_key
            assert matching is not None  # a supervisor's grant carries it
            grant = seal_grant(
                session,
                site.id,
                site_key.generation,
                target.id,
                matching,
                private,
                self.vault.signer,
                self.vault.clock.now(),
                self.vault.keyring.directory_knowing(target.id),
            )
            self.vault.audit(session, AuditAction.GRANT, "site_grant", grant.id)

    def revoke(self, username: str, site_code: str) -> int:
        """Take a person's admission to a site away; their cases there pass to me. Returns how many."""
        with self.vault.session() as session:
            site, site_key, _private = self._held_site(session, site_code)
            target = self._user(session, username)
            if target.id == self.vault.actor.user_id:
                raise InvalidInput("you cannot revoke your own admission")
            grant = session.scalar(
                select(SiteGrant).where(SiteGrant.site_id == site.id, SiteGrant.account_id == target.id)
            )
            if grant is None:
                raise InvalidInput(f"{target.username} is not admitted to {site.code}")
            session.delete(grant)
            moved = hand_over(self.vault, session, site.id, {target.id})
            self.vault.audit(session, AuditAction.REVOKE, "app_user", target.id)
            return moved

    def rotate_site_key(self, site_code: str) -> int:
        """A new key pair for a site: every case key and admission of the site is wrapped again under
        it; cases held by disabled accounts pass to me. Returns the number of cases re-wrapped."""
        vault = self.vault
        keyring = vault.keyring
        now = vault.clock.now()
        with vault.session() as session:
            site, old, _private = self._held_site(session, site_code)
            active = set(session.scalars(select(AppUser.id).where(AppUser.active)))
            holders = set(session.scalars(select(CaseKey.account_id).where(CaseKey.site_id == site.id)))
            holders |= set(session.scalars(select(CaseEpisode.worker_id).where(CaseEpisode.site_id == site.id)))
            hand_over(vault, session, site.id, holders - active)
            case_ids = list(session.scalars(select(CaseEpisode.id).where(CaseEpisode.site_id == site.id)))
            keys = {case_id: keyring.case_key(case_id) for case_id in case_ids}
            wraps = session.execute(select(CaseKey.case_id, CaseKey.account_id).where(CaseKey.site_id == site.id)).all()
            session.execute(update(SiteKey).where(SiteKey.id == old.id).values(current=False, rotation_due=False))
            generation = old.generation + 1
            keyring.load_directory(session)  # every account that published keys since I unlocked
            directory = keyring.directory
            pair = create_site_key(
                session, site.id, generation, now, vault.signer, directory.recovery_exchange, vault.vault_id
            )
            keyring.hold_site_private(site.id, generation, pair.private)
            directory.site_publics[(site.id, generation)] = pair.public()
            session.execute(delete(CaseKey).where(CaseKey.site_id == site.id))
            session.flush()
            for case_id, account_id in wraps:
                session.add(keyring.wrap_case_key(case_id, keys[case_id], site.id, generation, account_id))
            session.execute(delete(CaseSiteKey).where(CaseSiteKey.site_id == site.id))
            for case_id in case_ids:
                session.add(keyring.seal_for_site(case_id, keys[case_id], site.id, generation))
            grants = session.execute(select(SiteGrant.account_id).where(SiteGrant.site_id == site.id)).scalars().all()
            matching = keyring.matching_key
            assert matching is not None
            for account_id in grants:
                target = session.get_one(AppUser, account_id)
                if target.active and account_id in directory.accounts:
                    seal_grant(session, site.id, generation, account_id, matching, pair, vault.signer, now, directory)
                else:
                    session.execute(
                        delete(SiteGrant).where(SiteGrant.site_id == site.id, SiteGrant.account_id == account_id)
                    )
            vault.audit(session, AuditAction.KEY_ROTATED, "site", site.id)
        keyring.refresh()
        return len(case_ids)

    def sites_due_rotation(self) -> list[str]:
        """Sites I supervise whose key a disabled account held: rotate them (``keys rotate``)."""
        with self.vault.session() as session:
            return list(
                session.scalars(
                    select(Site.code)
                    .join(SiteKey, SiteKey.site_id == Site.id)
                    .where(SiteKey.current, SiteKey.rotation_due, Site.code.in_(self.vault.actor.site_codes))
                    .order_by(Site.code)
                )
            )

    def admissions(self) -> list[tuple[str, str, str]]:
        """(user name, role, site code) of every grant at the sites I supervise."""
        require(self.vault.actor, Permission.SUPERVISE)
        with self.vault.session() as session:
            rows = session.execute(
                select(AppUser.username, AppUser.role, Site.code)
                .join(SiteGrant, SiteGrant.account_id == AppUser.id)
                .join(Site, Site.id == SiteGrant.site_id)
                .where(Site.code.in_(self.vault.actor.site_codes))
                .order_by(Site.code, AppUser.username)
            ).all()
            return [(row[0], row[1], row[2]) for row in rows]

    def waiting_for_admission(self) -> list[tuple[str, str]]:
        """(user name, site code): people whose home site I supervise, with keys, not yet admitted."""
        with self.vault.session() as session:
            rows = session.execute(
                select(AppUser.username, Site.code)
                .join(user_site, user_site.c.user_id == AppUser.id)
                .join(Site, Site.id == user_site.c.site_id)
                .join(AccountKey, AccountKey.account_id == AppUser.id)
                .outerjoin(SiteGrant, (SiteGrant.account_id == AppUser.id) & (SiteGrant.site_id == Site.id))
                .where(
                    AppUser.active,
                    SiteGrant.id.is_(None),
                    AppUser.role != Role.ADMIN.value,
                    Site.code.in_(self.vault.actor.site_codes),
                )
                .order_by(Site.code, AppUser.username)
            ).all()
            return [(row[0], row[1]) for row in rows]


def hand_over(vault: UnlockedVault, session: Session, site_id: uuid.UUID, accounts: set[uuid.UUID]) -> int:
    """Cases of ``accounts`` at a site pass to the acting supervisor; their shares there end.

    Each move is kept in the case's assignment history, with the reason "handed over: account
    disabled" for a disabled account and "handed over: admission revoked" otherwise."""
    # Imported here: assignments builds on this module (rewrap_case).
    from youthcase.services.assignments import HANDED_OVER_DISABLED, HANDED_OVER_REVOKED, move_case

    if not accounts:
        return 0
    keyring = vault.keyring
    me = vault.actor.user_id
    active = set(session.scalars(select(AppUser.id).where(AppUser.id.in_(accounts), AppUser.active)))
    cases = session.scalars(
        select(CaseEpisode).where(CaseEpisode.site_id == site_id, CaseEpisode.worker_id.in_(accounts))
    ).all()
    for case in cases:
        reason = HANDED_OVER_REVOKED if case.worker_id in active else HANDED_OVER_DISABLED
        move_case(vault, session, case, me, reason, remove=accounts)
    shared = session.scalars(
        select(CaseEpisode)
        .join(CaseKey, CaseKey.case_id == CaseEpisode.id)
        .where(CaseKey.site_id == site_id, CaseKey.account_id.in_(accounts))
    ).all()
    for case in shared:  # their shares end, and those cases get new keys too
        rewrap_case(keyring, session, case, add=[], remove=accounts)
    session.execute(
        delete(case_share).where(
            case_share.c.user_id.in_(accounts),
            case_share.c.case_id.in_(select(CaseEpisode.id).where(CaseEpisode.site_id == site_id)),
        )
    )
    return len(cases)
