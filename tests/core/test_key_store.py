"""The key store: authenticated (digest and MAC), locked against racing writers, bounded, tombstones,
the audit anchor, and the unlock answers that depend on it."""

from __future__ import annotations

import json
import multiprocessing
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import keystore_workers as workers
from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.crypto import kdf as kdf_module
from youthcase.crypto import slots as slots_module
from youthcase.crypto.kdf import KdfParams
from youthcase.crypto.keys import KeyPurpose
from youthcase.crypto.slots import KeySlot
from youthcase.domain.roles import Role
from youthcase.services import vault as vault_module
from youthcase.services.accounts import AccountService
from youthcase.services.errors import AccountDisabled, LockedOut, VaultCorrupt, WrongCredentials
from youthcase.services.vault import LockedVault, UnlockedVault, create_vault
from youthcase.storage import keystore as keystore_module
from youthcase.storage.keystore import (
    HEADER_VERSION,
    MAX_UNKNOWN_FAILURE_RECORDS,
    KeyStoreError,
    Tombstone,
    encode_header,
    login_id,
)
from youthcase.storage.models import AppUser, ServerVaultMeta

from .conftest import ADMIN, ADMIN_PASSWORD, DOWNGRADABLE_KDF, FAST_KDF, WORKER, WORKER_PASSWORD, add_account


def _location_text(location: VaultLocation) -> str:
    return location.url or str(location.path)


def _mac_key(vault: UnlockedVault) -> bytes:
    return vault.key(KeyPurpose.KEY_STORE)


def _spawn(target: Callable[..., Any], arguments: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``target`` once per argument tuple in spawned processes, all at once; return the results."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(len(arguments)) as pool:
        return pool.starmap(target, arguments)


# --- damage and deliberate edits -------------------------------------------------------------------


def test_every_byte_flip_and_truncation_of_the_header_says_damaged(file_location: VaultLocation, clock) -> None:
    create_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault.lock()
    header = file_location.header_path
    original = header.read_bytes()
    rng = random.Random(20260301)  # noqa: S311 - deterministic test data, the same edits on every run
    edits: list[bytes] = []
    for position in range(len(original)):
        flipped = bytearray(original)
        flipped[position] ^= 1 << rng.randrange(8)
        edits.append(bytes(flipped))
        replaced = bytearray(original)
        replaced[position] = rng.choice([b for b in range(256) if b != original[position]])
        edits.append(bytes(replaced))
    edits += [original[:length] for length in range(0, len(original), 7)]
    for edited in edits:
        header.write_bytes(edited)
        with pytest.raises(VaultCorrupt):
            LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    header.write_bytes(original)
    assert LockedVault(file_location, clock).keystore().failures(login_id(_vault_id(header), ADMIN)) is None
    LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()


def _vault_id(header: Path) -> str:
    return str(json.loads(header.read_bytes())["vault_id"])


def _rewrite_header(location: VaultLocation, change: Callable[[dict[str, Any]], object]) -> None:
    """An attacker who edits the header and recomputes its digest, but cannot compute the MAC."""
    document = json.loads(location.header_path.read_bytes())
    change(document)
    location.header_path.write_bytes(encode_header(document))


def test_an_edit_with_a_recomputed_digest_is_caught_by_the_mac_after_unlock(
    file_location: VaultLocation, clock: FakeClock
) -> None:
    created = create_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock)
    created.vault.keystore.anchor_head(7, "ab" * 32)
    created.vault.lock()
    _rewrite_header(file_location, lambda document: document.update(audit_head={"sequence": 3, "digest": "cd" * 32}))
    with pytest.raises(VaultCorrupt, match="altered outside the app"):
        LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD)


def test_a_version_1_header_is_refused_as_unsupported(file_location: VaultLocation, clock: FakeClock) -> None:
    create_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault.lock()
    assert HEADER_VERSION == 2
    _rewrite_header(file_location, lambda document: document.update(version=1))
    with pytest.raises(VaultCorrupt, match="unsupported version"):
        LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD)


def test_a_store_without_the_vault_key_cannot_change_slots_or_anchors(admin_vault, location: VaultLocation) -> None:
    store = LockedVault(location).keystore()
    with pytest.raises(KeyStoreError) as caught:
        store.put_slot("someone", workers.fake_slot("someone"))
    assert caught.value.kind == "unsealed"
    with pytest.raises(KeyStoreError):
        store.anchor_head(1, "00" * 32)
    with pytest.raises(KeyStoreError, match="altered"):
        store.verify(b"\x00" * 32)


# --- racing writers ------------------------------------------------------------------------------


def test_concurrent_slot_and_failure_writes_from_processes_lose_nothing(
    admin_vault, location: VaultLocation, clock: FakeClock
) -> None:
    text, key = _location_text(location), _mac_key(admin_vault)
    admin_login = login_id(admin_vault.vault_id, ADMIN)
    slot_writers, slots_each, failure_writers, failures_each = 4, 50, 2, 50
    _spawn(
        workers.write_either,
        [("slots", text, key, worker, slots_each) for worker in range(slot_writers)]
        + [("failures", text, key, worker, failures_each) for worker in range(failure_writers)],
    )
    store = LockedVault(location, clock).keystore()
    for worker in range(slot_writers):
        for index in range(slots_each):
            entry = store.get_slot(f"login-{worker}-{index}")
            assert isinstance(entry, KeySlot) and entry.owner == f"owner-{worker}-{index}"
    record = store.failures(admin_login)
    assert record is not None and record.count == failure_writers * failures_each
    store.clear_failures(admin_login)
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()  # the MAC survived the race


def test_parallel_guesses_from_processes_are_all_counted(created, location: VaultLocation, clock: FakeClock) -> None:
    created.vault.lock()
    processes, attempts = 4, 3
    results = _spawn(workers.guess, [(_location_text(location), ADMIN, attempts)] * processes)
    outcomes = Counter(outcome for result in results for outcome in result)
    # At one instant only the three free attempts may run their KDF; every other one waits.
    assert outcomes == Counter({"WrongCredentials": 3, "LockedOut": processes * attempts - 3})
    store = LockedVault(location, clock).keystore()
    record = store.failures(login_id(store.vault_id(), ADMIN))
    assert record is not None and record.count == 3
    with pytest.raises(LockedOut):
        LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)


# --- unknown names -------------------------------------------------------------------------------


def _spy_on_kdf(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, object]]:
    calls: list[tuple[bytes, object]] = []
    real = kdf_module.derive_key

    def spy(password: str, salt: bytes, params: KdfParams) -> bytes:
        calls.append((salt, params))
        return real(password, salt, params)

    monkeypatch.setattr(slots_module, "derive_key", spy)
    monkeypatch.setattr(vault_module, "derive_key", spy)
    return calls


def test_an_unknown_name_runs_the_same_kdf_parameters_as_a_known_one(
    file_location: VaultLocation, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_vault(file_location, ADMIN, ADMIN_PASSWORD, DOWNGRADABLE_KDF, clock).vault.lock()
    locked = LockedVault(file_location, clock)
    assert locked.kdf_for_login("nobody") == locked.kdf_for_login(ADMIN) == DOWNGRADABLE_KDF
    calls = _spy_on_kdf(monkeypatch)
    for username in (ADMIN, "nobody", "nobody"):
        with pytest.raises(WrongCredentials):
            LockedVault(file_location, clock).unlock(username, "not the password at all")
    (_, known), (salt_1, unknown_1), (salt_2, unknown_2) = calls
    assert known == unknown_1 == unknown_2 == DOWNGRADABLE_KDF
    assert salt_1 == salt_2 and len(salt_1) == 16  # a repeated unknown name costs the same each time


def test_a_slot_written_with_new_parameters_becomes_the_default(admin_vault, location: VaultLocation) -> None:
    admin_vault.kdf = DOWNGRADABLE_KDF
    AccountService(admin_vault).add_user(WORKER, Role.WORKER, WORKER_PASSWORD, ("RLH",))
    assert LockedVault(location).kdf_for_login("nobody") == DOWNGRADABLE_KDF


def test_unknown_name_failures_are_bounded_and_the_vault_still_opens(
    file_location: VaultLocation, clock: FakeClock
) -> None:
    vault = create_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault
    vault_id = vault.vault_id
    vault.lock()
    store = LockedVault(file_location, clock).keystore()
    admin_login = login_id(vault_id, ADMIN)
    for index in range(5000):
        store.record_attempt(login_id(vault_id, f"invented{index}"), clock.now(), workers.no_delay)
        if index % 100 == 0:
            store.record_attempt(admin_login, clock.now(), workers.no_delay)
    document = json.loads(file_location.header_path.read_bytes())
    assert len(document["unknown_failures"]) == MAX_UNKNOWN_FAILURE_RECORDS
    assert file_location.header_path.stat().st_size < 32 * 1024
    record = store.failures(admin_login)
    assert record is not None and record.count == 50  # real accounts are counted exactly, never evicted
    clock.advance(16 * 60)  # past the longest delay
    LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()


@pytest.mark.postgres
def test_unknown_name_failures_are_bounded_on_the_server(
    server_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keystore_module, "MAX_UNKNOWN_FAILURE_RECORDS", 8)
    location = VaultLocation.parse(server_url)
    vault = create_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault
    engine, vault_id = vault.engine, vault.vault_id
    store = LockedVault(location, clock).keystore()
    for index in range(40):
        store.record_attempt(login_id(vault_id, f"invented{index}"), clock.now(), workers.no_delay)
    store.record_attempt(login_id(vault_id, ADMIN), clock.now(), workers.no_delay)
    with Session(engine) as session:
        unknown = session.scalar(
            select(func.count()).where(ServerVaultMeta.name.startswith("unlock_failures_unknown:", autoescape=True))
        )
    assert unknown == 8
    assert store.failures(login_id(vault_id, "invented39")) is not None  # the newest is kept
    vault.lock()
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()


# --- tombstones and the audit anchor -------------------------------------------------------------


def test_a_disabled_login_leaves_a_tombstone_and_unlock_says_disabled_after_the_kdf(
    admin_vault, location: VaultLocation, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_account(admin_vault, WORKER, Role.WORKER, WORKER_PASSWORD)
    with admin_vault.session() as session:
        worker_id = str(session.scalar(select(AppUser.id).where(AppUser.username == WORKER)))
    login = login_id(admin_vault.vault_id, WORKER)
    admin_vault.keystore.disable(login, worker_id)
    assert admin_vault.keystore.get_slot(login) == Tombstone(worker_id)
    assert admin_vault.keystore.get_slot(login_id(admin_vault.vault_id, "nobody")) is None
    if location.path is not None:
        entry = json.loads(location.header_path.read_bytes())["slots"][login]
        assert set(entry) == {"kind", "owner"}  # no salt, nonce or wrapped key left behind
    calls = _spy_on_kdf(monkeypatch)
    with pytest.raises(AccountDisabled):
        LockedVault(location, clock).unlock(WORKER, WORKER_PASSWORD)
    assert [params for _, params in calls] == [admin_vault.kdf]  # the same cost as a real attempt
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()  # the store is still sealed


def test_the_audit_head_anchor_round_trips(admin_vault, location: VaultLocation, clock: FakeClock) -> None:
    assert admin_vault.keystore.anchored_head() is None
    admin_vault.keystore.anchor_head(41, "0f" * 32)
    assert LockedVault(location, clock).keystore().anchored_head() == (41, "0f" * 32)
    with pytest.raises(ValueError):
        admin_vault.keystore.anchor_head(-1, "0f" * 32)
    with pytest.raises(ValueError):
        admin_vault.keystore.anchor_head(1, "not hex")
    admin_vault.lock()
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()
