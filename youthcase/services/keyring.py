"""The keys one unlocked account holds, and the field ciphers they give (``FieldKeys``).

Built at unlock from what the account can open itself: the root key from its slot (file and
directory keys), its private key pairs, and its site grants (the matching key, and for supervisors
the sites' private keys). Case keys are wrapped per account under the static site-account key
(``crypto.keypairs.pair_key``); the wraps the account may be able to open are read once at unlock and
each is unwrapped on first use, so opening a caseload costs one agreement per (site, account) pair
and one AES-GCM per case. A case whose key the account cannot unwrap raises ``NoKeyError``: that,
not a query, is what keeps another worker's case closed to an account holder with Python and a copy
of the files.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import ColumnElement, String, or_, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from youthcase.crypto.errors import NoKeyError
from youthcase.crypto.fields import FieldCipher
from youthcase.crypto.keypairs import KeyPairs, open_sealed, pair_key, seal_to, unwrap_key, wrap_key
from youthcase.crypto.keys import KeyPurpose, VaultKey
from youthcase.crypto.slots import RecoveryPin
from youthcase.services.trust import Directory, Signer, load_directory
from youthcase.storage.encrypted import KeyScope
from youthcase.storage.models import AppUser, CaseEpisode, CaseKey, CaseSiteKey


def case_key_context(case_id: uuid.UUID, site_id: uuid.UUID, generation: int, account_id: uuid.UUID) -> bytes:
    """What a wrapped case key is bound to: moving it to another case, site or account fails."""
    return b"youthcase/v2/case-key|" + case_id.bytes + site_id.bytes + generation.to_bytes(4, "big") + account_id.bytes


def site_copy_context(case_id: uuid.UUID, site_id: uuid.UUID, generation: int) -> bytes:
    """What a case key sealed to its site is bound to: it opens for no other case or site key."""
    return b"youthcase/v2/case-site-key|" + case_id.bytes + site_id.bytes + generation.to_bytes(4, "big")


@dataclass(frozen=True, slots=True)
class SiteCopy:
    """One ``case_site_key`` row as read."""

    site_id: uuid.UUID
    generation: int
    sealed: bytes


@dataclass(frozen=True, slots=True)
class CaseKeyWrap:
    """One ``case_key`` row as read: who it is wrapped for, under which site generation."""

    case_id: uuid.UUID
    account_id: uuid.UUID
    site_id: uuid.UUID
    generation: int
    wrapped: bytes


class Keyring:
    """Field ciphers and key-encryption keys of one unlocked account. Dropped on lock."""

    def __init__(
        self,
        engine: Engine,
        vault_key: VaultKey,
        account_id: uuid.UUID,
        keys: KeyPairs | None,
        vault_id: str,
        pin: RecoveryPin,
        enrolment: Ed25519PrivateKey | None = None,
    ) -> None:
        self._engine = engine
        self.account_id = account_id
        self.account_keys = keys
        self.enrolment = enrolment
        self._vault_id = vault_id
        self._pin = pin
        self._records: Directory | None = None
        self._looked_for: set[object] = set()  # what a directory reload was already made to find
        self._directory = FieldCipher(vault_key.derive(KeyPurpose.FIELDS), KeyScope.DIRECTORY.value)
        self._owner = None if keys is None else FieldCipher(keys.owner_key(b"drafts"), KeyScope.OWNER.value)
        self.matching_key: bytes | None = None
        self._site_privates: dict[tuple[uuid.UUID, int], X25519PrivateKey] = {}
        self._keks: dict[tuple[uuid.UUID, int, uuid.UUID], bytes] = {}
        self._case_keys: dict[uuid.UUID, bytes] = {}
        self._case_ciphers: dict[uuid.UUID, FieldCipher] = {}
        self._wraps: dict[uuid.UUID, list[CaseKeyWrap]] = {}
        self._site_copies: dict[uuid.UUID, SiteCopy | None] = {}
        self._closed_condition: ColumnElement[bool] | None = None
        self._closed_copies: ColumnElement[bool] | None = None
        self._sessions: list[Session] = []

    def adopt_account_keys(self, keys: KeyPairs) -> None:
        """The account just made and published its key pairs (first password change)."""
        self.account_keys = keys
        self.enrolment = None
        self._owner = FieldCipher(keys.owner_key(b"drafts"), KeyScope.OWNER.value)
        self._keks.clear()
        own = self.directory.accounts.get(self.account_id)
        if own is not None:
            self.directory.accounts[self.account_id] = replace(own, keys=keys.public())

    @property
    def signer(self) -> Signer:
        """How this account signs audit events and records: its own key, or before its first
        password change its enrolment key."""
        return Signer.account(self.account_id, self.account_keys, self.enrolment)

    @property
    def directory(self) -> Directory:
        """The vault's signed records as verified at unlock (``services.trust``)."""
        if self._records is None:
            raise NoKeyError("the vault's records have not been read yet")
        return self._records

    def load_directory(self, session: Session) -> Directory:
        self._records = load_directory(session, self._vault_id, self._pin)
        return self._records

    def directory_knowing(self, account_id: uuid.UUID) -> Directory:
        """The directory, read again if it does not yet know ``account_id``'s keys (an account
        created, or a first password changed, since this one unlocked)."""
        known = self.directory.accounts.get(account_id)
        if known is None or known.keys is None:
            self._reload_directory()  # an account that may have published its keys since
        return self.directory

    def _reload_directory_for(self, wanted: object) -> None:
        """Read the directory again to find ``wanted`` (a site key a row names), once until
        ``refresh``: a key that does not verify (replaced behind the app's back) will not verify on
        the next try either, and each reload verifies every record."""
        if wanted in self._looked_for:
            return
        self._looked_for.add(wanted)
        self._reload_directory()

    def _reload_directory(self) -> None:
        if self._sessions:
            self.load_directory(self._sessions[-1])
        else:
            with Session(self._engine) as session:
                self.load_directory(session)

    # --- what the account was given --------------------------------------------------------------

    def hold_site_private(self, site_id: uuid.UUID, generation: int, private: X25519PrivateKey) -> None:
        self._site_privates[(site_id, generation)] = private

    def site_private(self, site_id: uuid.UUID, generation: int) -> X25519PrivateKey:
        try:
            return self._site_privates[(site_id, generation)]
        except KeyError:
            raise NoKeyError("you hold no key for this site") from None

    def supervised_sites(self) -> set[uuid.UUID]:
        """The sites whose private key (at some generation) this account holds."""
        return {site for site, _generation in self._site_privates}

    def holds_site(self, site_id: uuid.UUID, generation: int) -> bool:
        return (site_id, generation) in self._site_privates

    def load(self, session: Session) -> None:
        """Read the case-key wraps this account may be able to open (after ``load_directory``).

        A supervisor's sites can hold a hundred thousand cases, most of them closed, while the
        caseload opens on the open ones: those wraps are read now, the closed cases' the first time
        one is needed (``_remember_closed``), all at once."""
        supervised = self.supervised_sites()
        self._wraps = {}
        self._site_copies = {}
        self._closed_condition = self._closed_copies = None
        if not supervised:
            self._remember(session, CaseKey.account_id == self.account_id)
            return
        at_my_sites = CaseKey.site_id.in_(supervised)
        open_cases = select(CaseEpisode.id).where(CaseEpisode.status == "open")
        is_open = CaseKey.case_id.in_(open_cases)
        self._remember(session, or_(CaseKey.account_id == self.account_id, at_my_sites & is_open))
        self._closed_condition = at_my_sites & ~is_open & (CaseKey.account_id != self.account_id)
        # A disabled worker's wraps are deleted when it is disabled: its cases open through the site.
        held_by_disabled = CaseSiteKey.case_id.in_(
            select(CaseEpisode.id).where(CaseEpisode.worker_id.in_(select(AppUser.id).where(~AppUser.active)))
        )
        copies_here = CaseSiteKey.site_id.in_(supervised) & held_by_disabled
        self._remember_site_copies(session, copies_here & CaseSiteKey.case_id.in_(open_cases))
        self._closed_copies = copies_here & ~CaseSiteKey.case_id.in_(open_cases)

    def _remember(self, session: Session, condition: object) -> None:
        """Read wraps with the ids raw: a supervisor reads one row per case at unlock, and the few
        distinct site and account ids are converted once each rather than on every row."""
        query = select(
            type_coerce(CaseKey.case_id, String()),
            type_coerce(CaseKey.account_id, String()),
            type_coerce(CaseKey.site_id, String()),
            CaseKey.generation,
            CaseKey.wrapped,
        )
        ids: dict[object, uuid.UUID] = {}

        def as_id(value: object) -> uuid.UUID:
            known = ids.get(value)
            if known is None:
                known = ids[value] = _as_uuid(value)
            return known

        wraps = self._wraps
        # Core on the session's connection: no autoflush from inside a flush or load hook.
        for case_id, account_id, site_id, generation, wrapped in session.connection().execute(
            query.where(condition)  # type: ignore[arg-type]
        ):
            case = _as_uuid(case_id)
            wraps.setdefault(case, []).append(CaseKeyWrap(case, as_id(account_id), as_id(site_id), generation, wrapped))

    def _remember_site_copies(self, session: Session, condition: ColumnElement[bool]) -> None:
        query = select(
            type_coerce(CaseSiteKey.case_id, String()),
            type_coerce(CaseSiteKey.site_id, String()),
            CaseSiteKey.generation,
            CaseSiteKey.sealed,
        ).where(condition)
        for case_id, site_id, generation, sealed in session.connection().execute(query):
            self._site_copies[_as_uuid(case_id)] = SiteCopy(_as_uuid(site_id), generation, sealed)

    # --- key-encryption keys -------------------------------------------------------------------

    def site_public(self, site_id: uuid.UUID, generation: int) -> bytes:
        """The site's public key, only if its signature verified: never wrap to a substituted key."""
        if (site_id, generation) not in self.directory.site_publics:
            self._reload_directory_for((site_id, generation))  # a site added or rotated since unlock
        try:
            return self.directory.site_publics[(site_id, generation)]
        except KeyError:
            raise NoKeyError("the site has no genuine key at this generation") from None

    def account_public(self, account_id: uuid.UUID) -> bytes:
        return self.directory_knowing(account_id).exchange_public(account_id)

    def kek(self, site_id: uuid.UUID, generation: int, account_id: uuid.UUID) -> bytes:
        """The key shared by a site at ``generation`` and an account, if this account can compute it."""
        cache_key = (site_id, generation, account_id)
        kek = self._keks.get(cache_key)
        if kek is not None:
            return kek
        site_private = self._site_privates.get((site_id, generation))
        if site_private is not None:
            kek = pair_key(site_private, self.account_public(account_id), site_id, generation, account_id)
        elif account_id == self.account_id and self.account_keys is not None:
            kek = pair_key(
                self.account_keys.exchange, self.site_public(site_id, generation), site_id, generation, account_id
            )
        else:
            raise NoKeyError("this case key is wrapped for someone else")
        self._keks[cache_key] = kek
        return kek

    def seal_for_site(self, case_id: uuid.UUID, key: bytes, site_id: uuid.UUID, generation: int) -> CaseSiteKey:
        """The ``case_site_key`` row: the case key sealed to the site's (verified) public key."""
        context = site_copy_context(case_id, site_id, generation)
        sealed = seal_to(self.site_public(site_id, generation), key, context)
        return CaseSiteKey(case_id=case_id, site_id=site_id, generation=generation, sealed=sealed)

    def wrap_case_key(
        self, case_id: uuid.UUID, key: bytes, site_id: uuid.UUID, generation: int, account_id: uuid.UUID
    ) -> CaseKey:
        """A ``case_key`` row giving ``account_id`` (and the site's supervisors) the case key."""
        context = case_key_context(case_id, site_id, generation, account_id)
        wrapped = wrap_key(self.kek(site_id, generation, account_id), key, context)
        return CaseKey(case_id=case_id, account_id=account_id, site_id=site_id, generation=generation, wrapped=wrapped)

    # --- case keys -----------------------------------------------------------------------------

    def add_case_key(self, case_id: uuid.UUID, key: bytes) -> None:
        """A case key this account just made (a new case) or re-wrapped."""
        self._case_keys[case_id] = key
        self._case_ciphers.pop(case_id, None)

    def case_key(self, case_id: uuid.UUID) -> bytes:
        key = self._case_keys.get(case_id)
        if key is not None:
            return key
        wraps = self._wraps.get(case_id)
        if wraps is None and self._closed_condition is not None:
            self._remember_closed()
            wraps = self._wraps.get(case_id)
        if wraps is None:
            wraps = self._fetch_wraps(case_id)
        for wrap in wraps:
            try:
                kek = self.kek(wrap.site_id, wrap.generation, wrap.account_id)
            except NoKeyError:
                continue
            context = case_key_context(case_id, wrap.site_id, wrap.generation, wrap.account_id)
            key = unwrap_key(kek, wrap.wrapped, context)
            self._case_keys[case_id] = key
            return key
        return self._open_site_copy(case_id)

    def _open_site_copy(self, case_id: uuid.UUID) -> bytes:
        """A supervisor's way into a case no wrap opens (its worker was disabled)."""
        if not self._site_privates:
            raise NoKeyError("you hold no key for this case")
        if case_id not in self._site_copies and self._closed_copies is not None:
            condition, self._closed_copies = self._closed_copies, None
            self._in_use_session(lambda session: self._remember_site_copies(session, condition))
        if case_id not in self._site_copies:
            self._site_copies[case_id] = None
            self._in_use_session(lambda session: self._remember_site_copies(session, CaseSiteKey.case_id == case_id))
        copy = self._site_copies[case_id]
        if copy is None or not self.holds_site(copy.site_id, copy.generation):
            raise NoKeyError("you hold no key for this case")
        private = self._site_privates[(copy.site_id, copy.generation)]
        key = open_sealed(private, copy.sealed, site_copy_context(case_id, copy.site_id, copy.generation))
        self._case_keys[case_id] = key
        return key

    def _remember_closed(self) -> None:
        """The wraps of the closed cases at the sites I supervise, read once when first needed."""
        condition, self._closed_condition = self._closed_condition, None
        self._in_use_session(lambda session: self._remember(session, condition))

    def _in_use_session(self, read: Callable[[Session], None]) -> None:
        """Through the connection of the session in use (``using``): on SQLCipher every session of a
        thread shares one connection, so a second session would end the first one's transaction."""
        if self._sessions:
            read(self._sessions[-1])
        else:
            with Session(self._engine) as session:
                read(session)

    def _fetch_wraps(self, case_id: uuid.UUID) -> list[CaseKeyWrap]:
        """A case created since unlock (team mode), or one the account just got: read its wraps."""
        self._in_use_session(lambda session: self._remember(session, CaseKey.case_id == case_id))
        return self._wraps.setdefault(case_id, [])

    @contextlib.contextmanager
    def using(self, session: Session) -> Iterator[None]:
        """Read missing wraps through ``session`` while the block runs."""
        self._sessions.append(session)
        try:
            yield
        finally:
            self._sessions.remove(session)

    def forget_cases(self, case_ids: Iterable[uuid.UUID]) -> None:
        """Wraps changed (reassigned, shared, rotated): read them again on next use."""
        for case_id in case_ids:
            self._case_keys.pop(case_id, None)
            self._case_ciphers.pop(case_id, None)
            self._wraps.pop(case_id, None)
            self._site_copies.pop(case_id, None)

    def refresh(self) -> None:
        """Read public keys and wraps again (after grants or rotation changed them)."""
        self._keks.clear()
        self._case_keys.clear()
        self._case_ciphers.clear()
        self._looked_for.clear()
        with Session(self._engine) as session:
            self.load_directory(session)
            self.load(session)

    # --- FieldKeys -----------------------------------------------------------------------------

    def cipher(self, scope: KeyScope, scope_id: uuid.UUID) -> FieldCipher:
        if scope is KeyScope.CASE:
            cipher = self._case_ciphers.get(scope_id)
            if cipher is None:
                cipher = self._case_ciphers[scope_id] = FieldCipher(self.case_key(scope_id), KeyScope.CASE.value)
            return cipher
        if scope is KeyScope.DIRECTORY:
            return self._directory
        if self._owner is None or scope_id != self.account_id:
            raise NoKeyError("drafts open only for the account that saved them")
        return self._owner


def _as_uuid(value: object) -> uuid.UUID:
    """Ids read raw (``type_coerce`` to text): a str on SQLite, a UUID on PostgreSQL."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
