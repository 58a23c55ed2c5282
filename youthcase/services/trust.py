"""Signed records: who vouches for an account's role, its public keys, a site's key and a grant.

Everything anyone can write (the database, the header, a server table) is checked against one root
that nobody but the slot's owner can change: the recovery key's public keys pinned inside each
password slot (``crypto.slots.RecoveryPin``). From it:

- each later recovery generation is signed by the one before (``recovery rotate``);
- an account record (name, role, active, home sites, enrolment key) is signed by the recovery key
  or by an administrator whose own record verifies;
- an account's published keys are signed by the enrolment key of its record, which only the holder
  of its first slot had;
- a site key is signed by the recovery key, an administrator (a new site) or a supervisor (rotation);
- a grant is signed by the recovery key (break glass) or by a supervisor.

``load_directory`` reads those small tables once per unlock and keeps only what verifies; anything
that does not is named in ``Directory.problems`` (shown on opening and by ``audit verify``) and is
never used: no key is wrapped or sealed to an unverified public key, and an edited role opens nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from youthcase.crypto.errors import NoKeyError, UntrustedKeyError
from youthcase.crypto.keypairs import KeyPairs, PublicKeys, raw_public
from youthcase.crypto.slots import RecoveryPin
from youthcase.crypto.statements import Field, id_set, sign_statement, verify_statement
from youthcase.domain.roles import Role
from youthcase.services.errors import VaultCorrupt
from youthcase.storage.models import AccountKey, AppUser, RecoveryPublicKey, Site, SiteGrant, SiteKey, user_site

RECOVERY_SIGNER = "recovery"
ACCOUNT_SIGNER = "account"
ENROLMENT_SIGNER = "enrolment"


@dataclass(frozen=True, repr=False)
class Signer:
    """Who signs: an account with its own key or its enrolment key, or the recovery key."""

    kind: str
    account_id: uuid.UUID | None
    key: Ed25519PrivateKey

    @classmethod
    def recovery(cls, keys: KeyPairs) -> Signer:
        return cls(RECOVERY_SIGNER, None, keys.signing)

    @classmethod
    def account(cls, account_id: uuid.UUID, keys: KeyPairs | None, enrolment: Ed25519PrivateKey | None) -> Signer:
        if keys is not None:
            return cls(ACCOUNT_SIGNER, account_id, keys.signing)
        if enrolment is None:
            raise VaultCorrupt("this account has neither keys nor an enrolment key")
        return cls(ENROLMENT_SIGNER, account_id, enrolment)

    def sign(self, vault_id: str, kind: str, fields: Iterable[Field]) -> bytes:
        return sign_statement(self.key, vault_id, kind, fields)

    def __repr__(self) -> str:
        return f"Signer({self.kind}, {self.account_id})"


# --- what each record's signature covers -----------------------------------------------------------


def recovery_fields(row: RecoveryPublicKey) -> tuple[Field, ...]:
    return (row.generation, row.exchange_public, row.signing_public)


def account_fields(user: AppUser, site_ids: Iterable[uuid.UUID]) -> tuple[Field, ...]:
    return (user.id, user.username, user.role, user.active, id_set(site_ids), user.enrolment_public, user.signed_by)


def account_key_fields(row: AccountKey) -> tuple[Field, ...]:
    return (row.account_id, row.exchange_public, row.signing_public)


def site_key_fields(row: SiteKey) -> tuple[Field, ...]:
    return (row.site_id, row.generation, row.exchange_public, row.signed_by)


def grant_fields(row: SiteGrant) -> tuple[Field, ...]:
    sealed = hashlib.sha256(row.sealed).digest()
    return (row.site_id, row.account_id, row.level, row.generation, sealed, row.granted_by)


def sign_recovery_generation(row: RecoveryPublicKey, previous: KeyPairs, vault_id: str) -> None:
    row.signature = sign_statement(previous.signing, vault_id, "recovery-key", recovery_fields(row))


def vouch_for_previous(row: RecoveryPublicKey, keys: KeyPairs, previous: RecoveryPublicKey, vault_id: str) -> None:
    """The new generation signs the one it replaces, so slots pinning it trust the older signatures."""
    row.vouches_for_previous = sign_statement(keys.signing, vault_id, "recovery-key-before", recovery_fields(previous))


def sign_account(user: AppUser, site_ids: Iterable[uuid.UUID], signer: Signer, vault_id: str) -> None:
    """Sign (or sign again, after a change) an account record. ``signer`` is an administrator or
    the recovery key; the caller has checked that it may make the change."""
    user.signed_by = signer.account_id
    user.signature = signer.sign(vault_id, "account", account_fields(user, site_ids))


def record_verifies(directory: Directory, user: AppUser, site_ids: Iterable[uuid.UUID]) -> bool:
    """Whether the record as stored now still carries a valid signature: checked before signing it
    again, so that a change never launders an edit someone made behind the app's back."""
    return directory.verifies("account", user.signed_by, user.signature, account_fields(user, site_ids), [Role.ADMIN])


def sign_account_keys(row: AccountKey, enrolment: Ed25519PrivateKey, vault_id: str) -> None:
    row.signature = sign_statement(enrolment, vault_id, "account-keys", account_key_fields(row))


def sign_site_key(row: SiteKey, signer: Signer, vault_id: str) -> None:
    row.signed_by = signer.account_id
    row.signature = signer.sign(vault_id, "site-key", site_key_fields(row))


def sign_grant(row: SiteGrant, signer: Signer, vault_id: str) -> None:
    row.granted_by = signer.account_id
    row.signature = signer.sign(vault_id, "grant", grant_fields(row))


def new_enrolment_key() -> tuple[Ed25519PrivateKey, bytes]:
    key = Ed25519PrivateKey.generate()
    return key, raw_public(key)


# --- the verified view ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrustedAccount:
    """An account as its signed record says, with its public keys if it published verified ones."""

    account_id: uuid.UUID
    username: str
    role: Role
    active: bool
    site_ids: frozenset[uuid.UUID]
    enrolment_public: bytes
    keys: PublicKeys | None


@dataclass
class Directory:
    """The records of a vault that verify from the pinned recovery key, and what did not."""

    vault_id: str
    recovery_signing: dict[int, bytes]
    recovery_generation: int
    recovery_exchange: bytes
    accounts: dict[uuid.UUID, TrustedAccount] = field(default_factory=dict)
    site_publics: dict[tuple[uuid.UUID, int], bytes] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    replaced_keys: set[uuid.UUID] = field(default_factory=set)
    """Accounts whose published keys do not verify: nothing is wrapped or sealed to them."""

    def exchange_public(self, account_id: uuid.UUID) -> bytes:
        """An account's verified exchange key; refuses loudly when it was replaced."""
        if account_id in self.replaced_keys:
            raise UntrustedKeyError("that account's published keys have been replaced: nothing is given to them")
        public = self.account_public(account_id)
        if public is None:
            raise NoKeyError("that account has no keys yet (it has not set its own password)")
        return public.exchange

    @property
    def current_recovery_signing(self) -> bytes:
        return self.recovery_signing[self.recovery_generation]

    @property
    def pin(self) -> RecoveryPin:
        """What a slot made now pins: the current, verified recovery generation."""
        return RecoveryPin(self.recovery_generation, self.recovery_exchange, self.current_recovery_signing)

    def account_public(self, account_id: uuid.UUID) -> PublicKeys | None:
        account = self.accounts.get(account_id)
        return None if account is None else account.keys

    def signer_public(self, kind: str, account_id: uuid.UUID | None, role: Iterable[Role] = ()) -> bytes | None:
        """The public key a signature of ``kind`` by ``account_id`` verifies under, if it is trusted.

        With ``role``, an account signer must hold one of those roles (by its verified record)."""
        if kind == RECOVERY_SIGNER and account_id is None:
            return self.current_recovery_signing
        account = self.accounts.get(account_id) if account_id is not None else None
        roles = set(role)
        if account is None or (roles and account.role not in roles):
            return None
        if kind == ENROLMENT_SIGNER:
            return account.enrolment_public
        return account.keys.signing if account.keys is not None else None

    def audit_signers(self, kind: str, account_id: uuid.UUID | None) -> list[bytes]:
        """Keys an audit event may be signed with: the account's (or its enrolment key), or any
        recovery generation (an event keeps the signature of the generation current when it happened)."""
        if kind == RECOVERY_SIGNER and account_id is None:
            return list(self.recovery_signing.values())
        public = self.signer_public(kind, account_id)
        return [] if public is None else [public]

    def verifies(
        self, kind: str, signed_by: uuid.UUID | None, signature: bytes, fields: Iterable[Field], roles: Iterable[Role]
    ) -> bool:
        signer_kind = RECOVERY_SIGNER if signed_by is None else ACCOUNT_SIGNER
        public = self.signer_public(signer_kind, signed_by, roles)
        return verify_statement(public, signature, self.vault_id, kind, fields)

    def grant_verifies(self, grant: SiteGrant) -> bool:
        return self.verifies("grant", grant.granted_by, grant.signature, grant_fields(grant), [Role.SUPERVISOR])


def load_directory(session: Session, vault_id: str, pin: RecoveryPin) -> Directory:
    """Read and verify every signed record; raise only if the root itself (the pinned recovery
    generation) has been replaced, since then nothing can be trusted."""
    signing, generation, exchange = _recovery_chain(session, vault_id, pin)
    directory = Directory(vault_id, signing, generation, exchange)
    _verify_accounts(session, directory)
    _verify_site_keys(session, directory)
    return directory


def _recovery_chain(session: Session, vault_id: str, pin: RecoveryPin) -> tuple[dict[int, bytes], int, bytes]:
    rows = list(session.scalars(select(RecoveryPublicKey).order_by(RecoveryPublicKey.generation)))
    by_generation = {row.generation: row for row in rows}
    pinned = by_generation.get(pin.generation)
    if pinned is None or pinned.signing_public != pin.signing_public or pinned.exchange_public != pin.exchange_public:
        raise VaultCorrupt("the recovery key's public record has been replaced: the vault cannot be trusted")
    verified = {pinned.generation: pinned.signing_public}
    current = pinned
    while (following := by_generation.get(current.generation + 1)) is not None:
        if not verify_statement(
            current.signing_public, following.signature, vault_id, "recovery-key", recovery_fields(following)
        ):
            raise VaultCorrupt(f"recovery key generation {following.generation} is not signed by the one before")
        verified[following.generation] = following.signing_public
        current = following
    newer = pinned
    while (earlier := by_generation.get(newer.generation - 1)) is not None and newer.vouches_for_previous:
        if not verify_statement(
            newer.signing_public, newer.vouches_for_previous, vault_id, "recovery-key-before", recovery_fields(earlier)
        ):
            raise VaultCorrupt(f"recovery key generation {earlier.generation} is not the one its successor signed")
        verified[earlier.generation] = earlier.signing_public
        newer = earlier
    return verified, current.generation, current.exchange_public


def _verify_accounts(session: Session, directory: Directory) -> None:
    """Accounts signed by the recovery key first, then by administrators already verified."""
    sites: dict[uuid.UUID, set[uuid.UUID]] = {}
    for user_id, site_id in session.execute(select(user_site.c.user_id, user_site.c.site_id)):
        sites.setdefault(user_id, set()).add(site_id)
    keys = {row.account_id: row for row in session.scalars(select(AccountKey))}
    # Only the signed columns: every unlock reads every account, and staff names would each be decrypted.
    signed = load_only(
        AppUser.username, AppUser.role, AppUser.active, AppUser.enrolment_public, AppUser.signed_by, AppUser.signature
    )
    pending = list(session.scalars(select(AppUser).options(signed)))
    progress = True
    while pending and progress:
        progress = False
        for user in list(pending):
            if user.signed_by is not None and user.signed_by not in directory.accounts:
                continue  # its signer may verify in a later round
            pending.remove(user)
            progress = True
            record = account_fields(user, sites.get(user.id, set()))
            if not directory.verifies("account", user.signed_by, user.signature, record, [Role.ADMIN]):
                directory.problems.append(
                    f"the account record of {user.username} has been altered (role, sites or status)"
                )
                continue
            directory.accounts[user.id] = TrustedAccount(
                user.id,
                user.username,
                Role(user.role),
                user.active,
                frozenset(sites.get(user.id, set())),
                user.enrolment_public,
                _published_keys(directory, user, keys.get(user.id)),
            )
    for user in pending:
        directory.problems.append(f"the account record of {user.username} is signed by an unknown account")


def _published_keys(directory: Directory, user: AppUser, row: AccountKey | None) -> PublicKeys | None:
    if row is None:
        return None
    if not verify_statement(
        user.enrolment_public, row.signature, directory.vault_id, "account-keys", account_key_fields(row)
    ):
        directory.problems.append(f"the public keys of {user.username} have been replaced")
        directory.replaced_keys.add(user.id)
        return None
    return PublicKeys(row.exchange_public, row.signing_public)


def _verify_site_keys(session: Session, directory: Directory) -> None:
    for row, code in session.execute(select(SiteKey, Site.code).join(Site, Site.id == SiteKey.site_id)):
        if directory.verifies(
            "site-key", row.signed_by, row.signature, site_key_fields(row), [Role.ADMIN, Role.SUPERVISOR]
        ):
            directory.site_publics[(row.site_id, row.generation)] = row.exchange_public
        else:
            directory.problems.append(f"a key of site {code} (generation {row.generation}) is not genuine")
