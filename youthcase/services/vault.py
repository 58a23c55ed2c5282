"""Creating, unlocking and locking a vault: the one place keys are opened and dropped.

A ``LockedVault`` knows where the vault is and can unlock it; unlocking yields an ``UnlockedVault``
holding the engine (keyed, with the field cipher attached), the acting user, and the vault key for
re-wrapping slots. ``lock()`` drops all of that; anything that still holds the object gets
``VaultLockedError`` instead of data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from youthcase.config import VaultLocation
from youthcase.crypto.errors import (
    CryptoError,
    NoKeyError,
    TamperedDataError,
    UntrustedKeyError,
    WeakKdfParametersError,
    WrongSecretError,
)
from youthcase.crypto.file_key import file_key_from_recovery, legacy_file_key, unwrap_file_key, wrap_file_key
from youthcase.crypto.kdf import SALT_BYTES, KdfParams, derive_key, server_password
from youthcase.crypto.keypairs import KeyPairs
from youthcase.crypto.keys import KeyPurpose, VaultKey
from youthcase.crypto.slots import (
    KeySlot,
    RecoveryPin,
    SlotKind,
    SlotSecrets,
    generate_recovery_key,
    open_password_slot,
    open_recovery_slot,
    password_slot,
    recovery_key_pairs,
    recovery_slot,
)
from youthcase.domain.clock import Clock, SystemClock
from youthcase.domain.passwords import PasswordRejected, check_password
from youthcase.domain.roles import Role
from youthcase.domain.sites import MAJOR_TRAUMA_CENTRES
from youthcase.domain.throttle import delay_after
from youthcase.domain.usernames import normalise_username
from youthcase.services.access import escrow, initialise_keys, open_grants, publish_account_keys
from youthcase.services.audit import AuditAction, ChainHead, ChainReport, append_event, chain_head, verify_events
from youthcase.services.backup_folder import missing_commits_notice
from youthcase.services.errors import (
    AccountDisabled,
    InvalidInput,
    LockedOut,
    PermissionDenied,
    SchemaMismatch,
    ServerLoginRefused,
    VaultCorrupt,
    VaultExists,
    VaultMissing,
    WrongCredentials,
    YouthcaseError,
)
from youthcase.services.keyring import Keyring
from youthcase.services.site_copies import add_missing_site_copies
from youthcase.services.trust import Directory, Signer, new_enrolment_key, sign_account
from youthcase.storage.encrypted import VaultLockedError, attach_field_keys, detach_field_keys
from youthcase.storage.engine import sqlcipher_engine
from youthcase.storage.keystore import (
    PENDING_RECOVERY_LOGIN_ID,
    RECOVERY_LOGIN_ID,
    HeaderFileKeyStore,
    KeyStore,
    KeyStoreError,
    ServerKeyStore,
    Tombstone,
    login_id,
)
from youthcase.storage.migrate import (
    SchemaError,
    check_known,
    head_revision,
    schema_revision,
    upgrade_file,
    upgrade_to_head,
)
from youthcase.storage.models import AppUser, AuditEvent, RecoveryPublicKey, Site, VaultSetting
from youthcase.storage.rebuild import RebuildError, export_with_key, rebuild
from youthcase.storage.server import (
    SchemaVersionMismatch,
    account_engine,
    check_schema_version,
    gate_engine,
    scram_verifier,
    server_is_set_up,
    setup_engine,
)
from youthcase.storage.server_roles import SCHEMA, ServerRoles

IDLE_LOCK_SETTING = "idle_lock_minutes"
VAULT_ID_SETTING = "vault_id"
"""The vault id inside the database, so the file and the recovery key alone can reopen it."""
DEFAULT_IDLE_LOCK_MINUTES = 5


@dataclass(frozen=True)
class Actor:
    """Who is using the vault. Services check permissions against this, never against the GUI."""

    user_id: uuid.UUID
    username: str
    role: Role
    site_codes: frozenset[str]
    must_change_password: bool


def _keystore_error(error: KeyStoreError, location: VaultLocation) -> Exception:
    if error.kind == "missing":
        return VaultMissing(f"no vault at {location.describe()}: {error}")
    return VaultCorrupt(f"cannot open the vault at {location.describe()}: {error}")


class UnlockedVault:
    """An open vault for one acting user. Drop it with ``lock()``."""

    def __init__(
        self,
        location: VaultLocation,
        keystore: KeyStore,
        engine: Engine,
        vault_id: str,
        keyring: Keyring,
        vault_key: VaultKey,
        kdf: KdfParams,
        actor: Actor,
        clock: Clock,
        file_key: bytes | None = None,
    ) -> None:
        self.location = location
        self.keystore = keystore
        self.vault_id = vault_id
        self.actor = actor
        self.clock = clock
        self.kdf = kdf
        self._engine: Engine | None = engine
        self._vault_key: VaultKey | None = vault_key
        self._keyring: Keyring | None = keyring
        self._file_key = file_key
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self.integrity_problems: list[str] = list(keyring.directory.problems)
        """What did not verify when the vault was opened (records, audit trail): shown to the user."""
        self.missing_commits: str | None = None
        """Set when the database ends before the audit head anchored at the last lock (and where the
        newest backup is): also among ``integrity_problems``, and shown on its own banner."""

    @property
    def is_locked(self) -> bool:
        return self._engine is None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            raise VaultLockedError("the vault is locked")
        return self._engine

    def key(self, purpose: KeyPurpose) -> bytes:
        if self._vault_key is None:
            raise VaultLockedError("the vault is locked")
        return self._vault_key.derive(purpose)

    @property
    def vault_key(self) -> VaultKey:
        if self._vault_key is None:
            raise VaultLockedError("the vault is locked")
        return self._vault_key

    @property
    def file_key(self) -> bytes:
        """The SQLCipher key of a local vault's file (for backups: the snapshot is under it too)."""
        if self._file_key is None:
            raise VaultLockedError("the vault is locked (or is a team server, which has no file)")
        return self._file_key

    @property
    def keyring(self) -> Keyring:
        if self._keyring is None:
            raise VaultLockedError("the vault is locked")
        return self._keyring

    def check_recovery_key(self, recovery_key: str) -> None:
        """Refuse a wrong recovery key up front, before an operation that needs it writes anything."""
        slot = self.keystore.get_slot(RECOVERY_LOGIN_ID)
        if not isinstance(slot, KeySlot):
            raise VaultCorrupt("the vault has no recovery key slot")
        try:
            open_recovery_slot(slot, self.vault_id, recovery_key)
        except WrongSecretError:
            raise WrongCredentials() from None

    @property
    def signer(self) -> Signer:
        return self.keyring.signer

    def slot_secrets(self) -> SlotSecrets:
        """What this account's slot holds, to wrap it again under a new password (pinning the
        recovery generation verified now)."""
        keyring = self.keyring
        return SlotSecrets(self.vault_key, keyring.directory.pin, keyring.account_keys, keyring.enrolment)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed when the block ends normally, rolled back otherwise."""
        self.engine  # noqa: B018 - raises when locked
        try:
            with self._sessions.begin() as session, self.keyring.using(session):
                yield session
        except UntrustedKeyError as error:
            raise VaultCorrupt(str(error)) from None
        except NoKeyError:
            # The keys, not the queries, are the last word: a record whose key the account does not
            # hold is refused like any other record that is not theirs.
            raise PermissionDenied("this record is not on your caseload") from None

    def audit(
        self, session: Session, action: AuditAction, entity: str | None = None, entity_id: uuid.UUID | None = None
    ) -> None:
        append_event(session, self.signer, self.vault_id, self.clock, action, entity, entity_id)

    @contextlib.contextmanager
    def acting_as_setup_role(self) -> Iterator[None]:
        """Team server only: the block's sessions run as the URL's own login acting as the owner
        role (bulk demo data, which writes cases for other accounts and so is work for the IT
        person's login); keys and actor stay this account's. A vault file is unchanged."""
        if not self.location.is_server:
            yield
            return
        own_engine, own_sessions = self.engine, self._sessions
        engine = LockedVault(self.location, self.clock)._open_setup_engine()
        attach_field_keys(engine, self.keyring)
        self._engine, self._sessions = engine, sessionmaker(engine, expire_on_commit=False)
        try:
            yield
        finally:
            self._engine, self._sessions = own_engine, own_sessions
            detach_field_keys(engine)
            engine.dispose()

    @contextlib.contextmanager
    def one_transaction(self) -> Iterator[None]:
        """The block's sessions are savepoints of one transaction, committed when the block ends
        normally: work made of several service calls (the demo data) is then all or nothing, even
        when the process is killed halfway. Key store writes are not part of it."""
        own_sessions = self._sessions
        with self.engine.connect() as connection, connection.begin():
            self._sessions = sessionmaker(connection, expire_on_commit=False, join_transaction_mode="create_savepoint")
            try:
                yield
            finally:
                self._sessions = own_sessions

    def lock(self) -> None:
        """Record the lock, then drop keys, close connections and forget the engine."""
        if self._engine is None:
            return
        with contextlib.suppress(Exception), self.session() as session:  # locking must always succeed
            self.audit(session, AuditAction.LOCK)
        with contextlib.suppress(Exception):
            # Anchor the audit chain's head outside the database, so a removed tail is caught later;
            # but never move an anchor the chain no longer reaches, or the next lock would hide it.
            with self.session() as session:
                head = chain_head(session)
                anchored = self.keystore.anchored_head()
                still_there = anchored is None or anchored_event_present(session, anchored)
            if head is not None and still_there:
                self.keystore.anchor_head(head.sequence, head.digest_hex)
        self.keystore.forget_mac_key()
        detach_field_keys(self._engine)
        self._engine.dispose()
        self._engine = None
        self._vault_key = None
        self._keyring = None
        self._file_key = None
        self._sessions = sessionmaker()


class LockedVault:
    """A vault's location and key store, before anyone has unlocked it."""

    def __init__(self, location: VaultLocation, clock: Clock | None = None) -> None:
        self.location = location
        self.clock: Clock = clock or SystemClock()
        self._gate_engine: Engine | None = None

    # --- opening ---------------------------------------------------------------------------

    def keystore(self) -> KeyStore:
        """The key store as it is before anyone logged in (on a server: through the gate login)."""
        if self.location.path is not None:
            return HeaderFileKeyStore(self.location.header_path)
        return ServerKeyStore(self._gate())

    def _gate(self) -> Engine:
        if self._gate_engine is None:
            self._gate_engine = gate_engine(self.location.url or "")
        return self._gate_engine

    def _require_existing(self) -> tuple[KeyStore, str]:
        path = self.location.path
        if path is not None and not path.exists():
            raise VaultMissing(f"no vault at {path}: the file does not exist")
        if path is not None and path.is_dir():
            raise VaultCorrupt(f"{path} is a folder, not a youthcase vault")
        keystore = self.keystore()
        try:
            if self.location.is_server and not keystore.exists():
                raise VaultMissing(f"no vault at {self.location.describe()}")
            return keystore, keystore.vault_id()
        except KeyStoreError as error:
            raise _keystore_error(error, self.location) from None
        except OperationalError as error:
            raise _unreachable(error, self.location) from None
        except DatabaseError:
            raise VaultCorrupt(f"{self.location.describe()} is not a youthcase vault") from None

    def _open_engine(
        self, vault_key: VaultKey, file_keys: list[bytes], keystore: KeyStore | None = None
    ) -> tuple[Engine, bytes | None]:
        """Key the database with the first of ``file_keys`` that opens it, and bring its schema up to
        date; returns the engine and the key. A file no key opens is corrupt or foreign.

        ``keystore`` is None while a vault is being created (migrated in place: nothing to lose).
        On a server this is the setup role's engine (creating a vault, recovery-key work): it
        checks the schema version and never migrates (``youthcase server upgrade`` does).
        The engine reads no encrypted field until a keyring is attached (``attach_field_keys``).
        """
        path = self.location.path
        if path is None:
            return self._open_setup_engine(), None
        damaged = VaultCorrupt(f"the vault at {self.location.describe()} is damaged or is not a youthcase vault")
        for file_key in file_keys:
            engine = sqlcipher_engine(path, file_key)
            try:
                with engine.connect() as connection:
                    # On SQLCipher the first read is what proves the key (the page HMACs verify).
                    connection.execute(text("SELECT count(*) FROM sqlite_master"))
            except DatabaseError:
                engine.dispose()
                continue  # during a re-key the file is under one of two keys
            except BaseException:  # a full disk or read-only file (an OSError from the engine): named by the CLI
                engine.dispose()
                raise
            try:
                return self._upgraded(engine, file_key, vault_key, keystore), file_key
            except DatabaseError:
                engine.dispose()
                raise damaged from None
            except BaseException:
                engine.dispose()
                raise
        raise damaged

    def _upgraded(self, engine: Engine, file_key: bytes, vault_key: VaultKey, keystore: KeyStore | None) -> Engine:
        """The engine on a schema at head. An existing vault is first backed up beside itself; then
        a copy is migrated and swapped in, so a failed upgrade leaves the file as it was."""
        path = self.location.path
        assert path is not None
        backup: Path | None = None
        try:
            revision = schema_revision(engine)
            check_known(revision)
            if revision == head_revision():
                return engine
            if keystore is None or revision is None:
                upgrade_to_head(engine)
                return engine
            engine.dispose()
            backup = self._backup_before_upgrade(file_key, vault_key, keystore, revision)
            upgrade_file(path, file_key, revision)
        except SchemaError as error:
            engine.dispose()
            kept = f"; the backup made just before is {backup}" if backup is not None else ""
            raise SchemaMismatch(f"{error}{kept}") from None
        except RebuildError as error:
            raise rebuild_refused(error) from None
        except (VaultCorrupt, sqlcipher3.DatabaseError):
            raise VaultCorrupt(
                f"the vault at {path} is damaged, so it was not upgraded to this version's schema "
                "(nothing was changed): restore a backup"
            ) from None
        return sqlcipher_engine(path, file_key)

    def _backup_before_upgrade(self, file_key: bytes, vault_key: VaultKey, keystore: KeyStore, revision: str) -> Path:
        """A backup beside the vault, named with the date and the schema it had (restorable as any)."""
        from youthcase.services.backup import backup_closed_vault  # backup.py imports this module

        path = self.location.path
        assert path is not None
        now = self.clock.now()
        target = path.with_name(
            f"{path.name}.{now.astimezone(dt.UTC):%Y-%m-%dT%H%M%SZ}.before-schema-{revision}.backup"
        )
        backup_closed_vault(
            path,
            self.location.header_path,
            file_key,
            vault_key.derive(KeyPurpose.BACKUP),
            keystore.vault_id(),
            target,
            now,
        )
        return target

    def _open_setup_engine(self) -> Engine:
        engine = setup_engine(self.location.url or "")
        try:
            with engine.connect() as connection:
                check_schema_version(connection)
        except SchemaVersionMismatch as mismatch:
            engine.dispose()
            raise SchemaMismatch(str(mismatch)) from None
        except OperationalError as error:
            engine.dispose()
            raise _unreachable(error, self.location) from None
        except DatabaseError:
            engine.dispose()
            raise PermissionDenied(
                "this needs the login of the server's setup role in --db (the IT person's), "
                "which may act as the vault's owner role"
            ) from None
        return engine

    def _open_account_engine(self, vault_id: str, username: str, password: str, kdf: KdfParams) -> Engine:
        """Connect as the account's own login, its password derived from the account password;
        refuse a server whose schema is not this app's version (clients never migrate)."""
        name = username.strip().lower()
        engine = account_engine(self.location.url or "", name, server_password(password, vault_id, name, kdf))
        try:
            with engine.connect() as connection:
                check_schema_version(connection)
        except SchemaVersionMismatch as mismatch:
            engine.dispose()
            raise SchemaMismatch(str(mismatch)) from None
        except OperationalError as error:
            engine.dispose()
            if _is_login_refused(error):
                raise ServerLoginRefused(
                    "the server refused this account's database login: ask an administrator "
                    "(a password reset with the recovery key gives it a new one)"
                ) from None
            raise _unreachable(error, self.location) from None
        return engine

    # --- throttling ----------------------------------------------------------------------------

    def _reserve_attempt(self, keystore: KeyStore, login: str) -> None:
        """Count this attempt before any KDF work, in one locked step with the delay check.

        Counting first means parallel guesses (threads, processes, clients) are each counted or
        refused; the count is cleared only once a slot has opened and the store verified.
        """
        remaining = keystore.record_attempt(login, self.clock.now(), delay_after)
        if remaining > 0:
            raise LockedOut(remaining)

    # --- unlocking -----------------------------------------------------------------------------

    def unlock(self, username: str, password: str) -> UnlockedVault:
        """Open the vault as ``username``. Wrong name and wrong password fail the same way."""
        keystore, vault_id = self._require_existing()
        login = login_id(vault_id, username)
        try:
            self._reserve_attempt(keystore, login)
            entry = keystore.get_slot(login)
            secrets = self._open_entry(keystore, vault_id, login, entry, password)
            assert isinstance(entry, KeySlot) and entry.kdf is not None
            engine: Engine | None = None
            if isinstance(keystore, ServerKeyStore):
                engine = self._open_account_engine(vault_id, username, password, entry.kdf)
                keystore = keystore.for_account(engine)
            try:
                keystore.verify(secrets.vault_key.derive(KeyPurpose.KEY_STORE))
                keystore.clear_failures(login)
            except BaseException:
                if engine is not None:
                    engine.dispose()
                raise
        except KeyStoreError as error:
            raise _keystore_error(error, self.location) from None
        return self._unlocked(keystore, vault_id, secrets, entry, username, engine)

    def kdf_for_login(self, username: str) -> KdfParams:
        """The Argon2id parameters an unlock as ``username`` will run: the same for unknown names."""
        keystore, vault_id = self._require_existing()
        login = login_id(vault_id, username)
        try:
            return _attempt_kdf(keystore, vault_id, login, keystore.get_slot(login))[1]
        except KeyStoreError as error:
            raise _keystore_error(error, self.location) from None

    def _open_entry(
        self, keystore: KeyStore, vault_id: str, login: str, entry: KeySlot | Tombstone | None, password: str
    ) -> SlotSecrets:
        """Open a password slot, or spend exactly what that would cost and fail.

        Unknown and disabled logins run Argon2id with the vault's default parameters and a salt fixed
        per name, so neither time nor a repeat of the same name tells them apart from a real account.
        """
        try:
            if isinstance(entry, KeySlot) and entry.kind is SlotKind.PASSWORD:
                return open_password_slot(entry, vault_id, password)
            salt, params = _attempt_kdf(keystore, vault_id, login, entry)
            derive_key(password, salt, params)
        except WrongSecretError:
            raise WrongCredentials() from None
        except (WeakKdfParametersError, TamperedDataError) as error:
            raise VaultCorrupt(f"the vault header has been tampered with: {error}") from None
        if isinstance(entry, Tombstone):
            raise AccountDisabled("this account has been disabled: ask an administrator")
        raise WrongCredentials()

    def _unlocked(
        self,
        keystore: KeyStore,
        vault_id: str,
        secrets: SlotSecrets,
        slot: KeySlot,
        username: str,
        engine: Engine | None = None,
    ) -> UnlockedVault:
        file_key = None
        if engine is None:
            file_keys = file_keys_of(keystore, vault_id, secrets.vault_key)
            engine, file_key = self._open_engine(secrets.vault_key, file_keys, keystore)
        try:
            owner = _slot_owner(slot)
            keyring = Keyring(engine, secrets.vault_key, owner, secrets.keys, vault_id, secrets.pin, secrets.enrolment)
            attach_field_keys(engine, keyring)
            actor = _actor_for(engine, username, owner, keyring)
        except BaseException:
            engine.dispose()
            raise
        assert slot.kdf is not None
        vault = UnlockedVault(
            self.location, keystore, engine, vault_id, keyring, secrets.vault_key, slot.kdf, actor, self.clock, file_key
        )
        try:
            with vault.session() as session:
                anchored = keystore.anchored_head()
                report = check_recent_events(session, keyring.directory, anchored)
                if not report.intact:
                    vault.integrity_problems.append(f"the audit trail does not verify: {report.problem}")
                if anchored is not None and not anchored_event_present(session, anchored):
                    vault.missing_commits = missing_commits_notice(session, self.location, vault_id, anchored[0])
                    vault.integrity_problems.append(vault.missing_commits)
                add_missing_site_copies(
                    session, keyring, may_clear=not self.location.is_server or actor.role is Role.ADMIN
                )
                vault.audit(session, AuditAction.LOGIN)
        except BaseException:
            engine.dispose()  # a read-only or full disk fails here: no connection stays open
            raise
        return vault

    def open_with_recovery_key(self, recovery_key: str) -> RecoveryAccess:
        """Open the vault key with the recovery slot (throttled like logins), for password resets,
        break-glass admissions and recovery-key rotation. The engine reads staff names only: the
        recovery key reaches other keys through their escrow copies. A rotation to this key that
        was interrupted after the database moved to it is finished first."""
        keystore, vault_id = self._require_existing()
        try:
            self._reserve_attempt(keystore, RECOVERY_LOGIN_ID)
            vault_key, pending = _open_recovery_slots(keystore, vault_id, recovery_key)
            keystore.verify(vault_key.derive(KeyPurpose.KEY_STORE))
            keystore.clear_failures(RECOVERY_LOGIN_ID)
        except KeyStoreError as error:
            raise _keystore_error(error, self.location) from None
        keys = recovery_key_pairs(recovery_key, vault_id)
        engine, file_key = self._open_engine(vault_key, file_keys_of(keystore, vault_id, vault_key), keystore)
        if isinstance(keystore, ServerKeyStore):
            keystore = keystore.for_account(engine)  # the setup role acting as the owner
        try:
            with Session(engine) as session:
                pin = _pin_mid_rotation(session, keys, keystore, pending)
            if pending:
                engine.dispose()
                file_key = finish_recovery_rotation(
                    self.location, keystore, vault_id, vault_key, recovery_key, file_key
                )
                if self.location.path is not None and file_key is not None:
                    engine = sqlcipher_engine(self.location.path, file_key)
            with Session(engine) as session:
                keyring = Keyring(engine, vault_key, RECOVERY_ACCOUNT, None, vault_id, pin)
                attach_field_keys(engine, keyring)
                keyring.load_directory(session)
        except BaseException:
            engine.dispose()
            raise
        return RecoveryAccess(keystore, vault_id, vault_key, engine, keys, keyring, file_key)


def _open_recovery_slots(keystore: KeyStore, vault_id: str, recovery_key: str) -> tuple[VaultKey, bool]:
    """The root key from the recovery slot, or from the pending slot an interrupted ``recovery
    rotate`` left for its new key (then True)."""
    slot = keystore.get_slot(RECOVERY_LOGIN_ID)
    if not isinstance(slot, KeySlot):
        raise VaultCorrupt("the vault has no recovery key slot")
    pending = keystore.get_slot(PENDING_RECOVERY_LOGIN_ID)
    for candidate, is_pending in ((slot, False), (pending, True)):
        if isinstance(candidate, KeySlot):
            try:
                return open_recovery_slot(candidate, vault_id, recovery_key), is_pending
            except WrongSecretError:
                continue
    raise WrongCredentials()


def _pin_mid_rotation(session: Session, keys: KeyPairs, keystore: KeyStore, pending: bool) -> RecoveryPin:
    """The recovery pin; while a rotation is unfinished, the key the database no longer (or not
    yet) trusts is a wrong key, not a sign of a replaced public key."""
    try:
        return recovery_pin(session, keys)
    except VaultCorrupt:
        if pending or isinstance(keystore.get_slot(PENDING_RECOVERY_LOGIN_ID), KeySlot):
            raise WrongCredentials() from None
        raise


def file_keys_of(keystore: KeyStore, vault_id: str, root: VaultKey) -> list[bytes]:
    """The keys a local vault's file may be under: the key store's ``file-key`` entry (two while a
    re-key is under way), or, for a vault made before that entry, the key derived from the root."""
    if not isinstance(keystore, HeaderFileKeyStore):
        return []
    try:
        entries = keystore.file_keys()
        if entries is None:
            return [legacy_file_key(root)]
        return [unwrap_file_key(root, vault_id, entry) for entry in entries]
    except KeyStoreError as error:
        raise VaultCorrupt(f"cannot open the vault: {error}") from None
    except CryptoError:
        raise VaultCorrupt("the vault header has been tampered with: its file key does not open") from None


def finish_recovery_rotation(
    location: VaultLocation,
    keystore: KeyStore,
    vault_id: str,
    root: VaultKey,
    recovery_key: str,
    file_key: bytes | None,
) -> bytes | None:
    """The steps of ``recovery rotate`` after the database moved to the new recovery key (run again
    when an interrupted rotation is found): re-key the file to the new key's file key and keep only
    that one, then make the pending slot the recovery slot. Returns the file key now in use."""
    new_file_key = None
    path = location.path
    if path is not None:
        assert isinstance(keystore, HeaderFileKeyStore) and file_key is not None
        new_file_key = file_key_from_recovery(recovery_key)
        if file_key != new_file_key:
            old_key, new_key = file_key, new_file_key
            try:
                rebuild(path, old_key, lambda copy: export_with_key(path, old_key, copy, new_key), new_key=new_key)
            except RebuildError as error:
                raise rebuild_refused(error) from None
        keystore.put_file_keys([wrap_file_key(root, vault_id, new_file_key)])
    keystore.put_slot(RECOVERY_LOGIN_ID, recovery_slot(root, vault_id, recovery_key))
    keystore.remove_slot(PENDING_RECOVERY_LOGIN_ID)
    return new_file_key


def rebuild_refused(error: RebuildError) -> YouthcaseError:
    if error.kind == "busy":
        return InvalidInput(str(error))
    return VaultCorrupt(str(error))


def _is_login_refused(error: OperationalError) -> bool:
    message = str(error.orig)
    return (
        "authentication failed" in message
        or ("role" in message and "does not exist" in message)
        or ("not permitted to log in" in message)
    )


def _unreachable(error: OperationalError, location: VaultLocation) -> YouthcaseError:
    if _is_login_refused(error):
        return VaultMissing(
            f"{location.describe()} is not set up as a youthcase server (the IT person runs "
            "`youthcase server init`), or its pre-login role is refused by pg_hba.conf"
        )
    return VaultMissing(f"cannot reach the database server {location.describe()}")


ROOT_ESCROW = "root"
"""The ``recovery_escrow`` kind of the root key (subject: the vault id)."""

RECOVERY_ACCOUNT = uuid.UUID(int=0)
"""The keyring's account id when the recovery key opened the vault (it is no account)."""

RECENT_EVENTS = 50
"""How many of the newest audit events opening a vault verifies (``audit verify`` walks them all)."""


@dataclass(frozen=True)
class RecoveryAccess:
    """The vault as the recovery key opens it: for resets, break-glass grants and its rotation."""

    keystore: KeyStore
    vault_id: str
    vault_key: VaultKey
    engine: Engine
    keys: KeyPairs
    keyring: Keyring
    file_key: bytes | None = None

    @property
    def directory(self) -> Directory:
        return self.keyring.directory

    @property
    def signer(self) -> Signer:
        return Signer.recovery(self.keys)


def recovery_pin(session: Session, keys: KeyPairs) -> RecoveryPin:
    """The recovery key pins itself: its own derived public keys must be the current generation."""
    public = keys.public()
    row = session.scalar(select(RecoveryPublicKey).where(RecoveryPublicKey.retired_at.is_(None)))
    if row is None or (row.exchange_public, row.signing_public) != (public.exchange, public.signing):
        raise VaultCorrupt("the vault's recovery public key is not this recovery key's: it has been replaced")
    return RecoveryPin.of(row.generation, public)


def anchored_event_present(session: Session, anchored: tuple[int, str]) -> bool:
    digest = session.scalar(select(AuditEvent.digest).where(AuditEvent.sequence == anchored[0]))
    return digest is not None and digest.hex() == anchored[1]


def check_recent_events(session: Session, directory: Directory, anchored: tuple[int, str] | None) -> ChainReport:
    """What opening a vault checks: the newest events' links and signatures, and that the head
    anchored at the last lock is still there (a removed tail)."""
    head = chain_head(session)
    since = max(1, (head.sequence if head else 0) - RECENT_EVENTS + 1)
    expected = None if anchored is None else ChainHead(*anchored)
    return verify_events(session, directory, expected, since)


def _attempt_kdf(
    keystore: KeyStore, vault_id: str, login: str, entry: KeySlot | Tombstone | None
) -> tuple[bytes, KdfParams]:
    """Salt and parameters an attempt on ``login`` runs: its slot's, or the vault default's."""
    if isinstance(entry, KeySlot) and entry.kind is SlotKind.PASSWORD and entry.kdf is not None:
        return entry.salt, entry.kdf
    return _dummy_salt(vault_id, login), keystore.default_kdf()


def _dummy_salt(vault_id: str, login: str) -> bytes:
    """Deterministic per name, so repeating an unknown name behaves exactly like repeating a known one."""
    digest = hmac.new(vault_id.encode(), b"youthcase-dummy-salt|" + login.encode(), hashlib.sha256).digest()
    return digest[:SALT_BYTES]


def _slot_owner(slot: KeySlot) -> uuid.UUID:
    try:
        return uuid.UUID(slot.owner)
    except ValueError:
        raise VaultCorrupt("a key slot in the vault header is damaged") from None


def _actor_for(engine: Engine, username: str, slot_owner: uuid.UUID, keyring: Keyring) -> Actor:
    """The account behind a slot, with the sites its grants admit it to.

    The slot's owner must be that account: a slot copied onto another user's entry in the header
    would otherwise log in as them with the wrong password. Site access comes from the grants the
    account's own keys open, never from a role or site column that anyone could edit."""
    with Session(engine) as session:
        user = session.scalar(select(AppUser).where(AppUser.username == normalise_username(username)))
        if user is None or user.id != slot_owner:
            raise VaultCorrupt("the vault header and database disagree about this account")
        record = keyring.load_directory(session).accounts.get(user.id)
        if record is None:
            raise VaultCorrupt(
                "your account record has been altered (its role, sites or status do not match what an "
                "administrator signed): ask your information-governance lead"
            )
        if not record.active:
            raise AccountDisabled("this account has been disabled: ask an administrator")
        admissions = open_grants(session, keyring) if record.role is not Role.ADMIN else []
        keyring.load(session)
        return Actor(
            user.id,
            user.username,
            record.role,
            frozenset(a.site_code for a in admissions),
            user.must_change_password,
        )


# --- creation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedVault:
    vault: UnlockedVault
    recovery_key: str


def check_new_password(password: str, username: str) -> None:
    try:
        check_password(password, username)
    except PasswordRejected as rejected:
        raise InvalidInput(f"password not accepted: {rejected}") from None


def create_vault(
    location: VaultLocation, admin_username: str, admin_password: str, kdf: KdfParams, clock: Clock | None = None
) -> CreatedVault:
    """Create a vault with the four major trauma centres and a first administrator.

    All or nothing: if anything fails, the files created so far are removed.
    """
    clock = clock or SystemClock()
    try:
        username = normalise_username(admin_username)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    check_new_password(admin_password, username)
    kdf.validate()
    locked = LockedVault(location, clock)
    _refuse_existing(locked)
    try:
        return _populate_new_vault(locked, username, admin_password, kdf, clock)
    except BaseException:
        _remove_partial_vault(location)
        raise


def _refuse_existing(locked: LockedVault) -> None:
    location = locked.location
    if location.path is not None:
        if location.path.exists() or location.header_path.exists():
            raise VaultExists(f"{location.path} already exists: choose another file")
        return
    url = location.url or ""
    try:
        if not server_is_set_up(url):
            raise VaultMissing(
                f"{location.describe()} is not set up yet: the IT person runs `youthcase server init --db URL` first"
            )
        engine = locked._open_setup_engine()
        try:
            if ServerKeyStore(engine).exists():
                raise VaultExists(f"{location.describe()} already holds a youthcase vault")
        finally:
            engine.dispose()
    except OperationalError as error:
        raise _unreachable(error, location) from None


def _populate_new_vault(
    locked: LockedVault, username: str, password: str, kdf: KdfParams, clock: Clock
) -> CreatedVault:
    location = locked.location
    if location.path is not None:
        location.path.parent.mkdir(parents=True, exist_ok=True)
    vault_key = VaultKey.generate()
    vault_id = str(uuid.uuid4())
    recovery_key = generate_recovery_key()
    admin_keys = KeyPairs.generate()  # the first administrator chose this password: no temporary one
    recovery = recovery_key_pairs(recovery_key, vault_id)
    pin = RecoveryPin.of(1, recovery.public())
    enrolment, enrolment_public = new_enrolment_key()
    now = clock.now()
    file_key = file_key_from_recovery(recovery_key)
    engine, opened_file_key = locked._open_engine(vault_key, [file_key])
    admin = AppUser(
        username=username,
        role=Role.ADMIN.value,
        active=True,
        must_change_password=False,
        created_at=now,
        enrolment_public=enrolment_public,
    )
    sign_account(admin, [], Signer.recovery(recovery), vault_id)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            sites = [Site(code=s.code, name=s.name, kind=s.kind.value, active=True) for s in MAJOR_TRAUMA_CENTRES]
            session.add_all(sites)
            session.add(VaultSetting(name=IDLE_LOCK_SETTING, value=str(DEFAULT_IDLE_LOCK_MINUTES)))
            session.add(VaultSetting(name=VAULT_ID_SETTING, value=vault_id))
            session.add(admin)
            session.flush()
            initialise_keys(session, recovery, [site.id for site in sites], now, vault_id)
            escrow_root_key(session, recovery.public().exchange, vault_id, vault_key)
            publish_account_keys(session, admin.id, admin_keys, now, enrolment, pin.exchange_public, vault_id)
            if location.is_server:
                create_server_login(session, vault_id, username, password, kdf, admin.id)
        keystore = locked.keystore() if location.path is not None else ServerKeyStore(engine, locked._gate())
        keystore.create(vault_id, kdf, vault_key.derive(KeyPurpose.KEY_STORE))
        if isinstance(keystore, HeaderFileKeyStore):
            keystore.put_file_keys([wrap_file_key(vault_key, vault_id, file_key)])
        keystore.put_slot(RECOVERY_LOGIN_ID, recovery_slot(vault_key, vault_id, recovery_key))
        secrets = SlotSecrets(vault_key, pin, admin_keys)
        keystore.put_slot(login_id(vault_id, username), password_slot(secrets, vault_id, str(admin.id), password, kdf))
        if isinstance(keystore, ServerKeyStore):
            # From here on the administrator works as its own login, as after any unlock.
            engine.dispose()
            engine = locked._open_account_engine(vault_id, username, password, kdf)
            keystore = keystore.for_account(engine)
    except BaseException:
        engine.dispose()
        raise
    keyring = Keyring(engine, vault_key, admin.id, admin_keys, vault_id, pin)
    with Session(engine) as session:
        keyring.load_directory(session)
    attach_field_keys(engine, keyring)
    actor = Actor(admin.id, username, Role.ADMIN, frozenset(), False)
    vault = UnlockedVault(location, keystore, engine, vault_id, keyring, vault_key, kdf, actor, clock, opened_file_key)
    with vault.session() as session:
        vault.audit(session, AuditAction.VAULT_CREATED)
    return CreatedVault(vault, recovery_key)


def escrow_root_key(session: Session, recovery_exchange: bytes, vault_id: str, root: VaultKey) -> None:
    """The root key sealed to the recovery key inside the database: with the recovery key (which
    also gives the file key) the file alone yields every key, so a lost key store loses nothing."""
    escrow(session, recovery_exchange, ROOT_ESCROW, uuid.UUID(vault_id), 0, root.material)


def create_server_login(
    session: Session, vault_id: str, username: str, password: str, kdf: KdfParams, account_id: uuid.UUID
) -> None:
    """The account's own PostgreSQL login (through the owner's SECURITY DEFINER function), with the
    password derived from the account password; only its SCRAM verifier reaches the server."""
    url = session.get_bind().engine.url
    role = ServerRoles.for_database(str(url.database)).login(username)
    verifier = scram_verifier(session.connection(), server_password(password, vault_id, username, kdf), role)
    session.execute(
        text(f"SELECT {SCHEMA}.create_login(:account, :verifier)"), {"account": account_id, "verifier": verifier}
    )


def reset_server_login(
    session: Session, vault_id: str, username: str, password: str, kdf: KdfParams, account_id: uuid.UUID
) -> None:
    """A new login password for an account (recovery-key reset, run by the setup role)."""
    url = session.get_bind().engine.url
    role = ServerRoles.for_database(str(url.database)).login(username)
    verifier = scram_verifier(session.connection(), server_password(password, vault_id, username, kdf), role)
    session.execute(
        text(f"SELECT {SCHEMA}.reset_login(:account, :verifier)"), {"account": account_id, "verifier": verifier}
    )


def set_own_server_password(session: Session, vault_id: str, username: str, password: str, kdf: KdfParams) -> None:
    url = session.get_bind().engine.url
    role = ServerRoles.for_database(str(url.database)).login(username)
    verifier = scram_verifier(session.connection(), server_password(password, vault_id, username, kdf), role)
    session.execute(text(f"SELECT {SCHEMA}.set_own_password(:verifier)"), {"verifier": verifier})


def disable_server_login(session: Session, account_id: uuid.UUID) -> None:
    session.execute(text(f"SELECT {SCHEMA}.disable_login(:account)"), {"account": account_id})


def _remove_partial_vault(location: VaultLocation) -> None:
    if location.path is None:
        return  # a server database is left for its operator to drop; init refused a non-empty one
    for path in (
        location.path,
        location.header_path,
        HeaderFileKeyStore(location.header_path).lock_path,
        Path(f"{location.path}-wal"),
        Path(f"{location.path}-shm"),
        Path(f"{location.path}-journal"),
    ):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
