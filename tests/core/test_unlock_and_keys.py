"""Key slots, passwords, recovery key and the unlock back-off, through the vault service."""

from __future__ import annotations

import json
import unicodedata

import pytest
from sqlalchemy import text

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.crypto.slots import KeySlot
from youthcase.domain.roles import Role
from youthcase.services.accounts import AccountService, reset_password_with_recovery_key
from youthcase.services.errors import (
    AccountDisabled,
    InvalidInput,
    LockedOut,
    VaultCorrupt,
    WrongCredentials,
)
from youthcase.services.vault import CreatedVault, LockedVault, create_vault
from youthcase.storage.keystore import encode_header, login_id

from .conftest import ADMIN, ADMIN_PASSWORD, DOWNGRADABLE_KDF, FAST_KDF, WORKER, WORKER_PASSWORD, add_account


def _wrong_password_message(location: VaultLocation, clock: FakeClock) -> str:
    with pytest.raises(WrongCredentials) as caught:
        LockedVault(location, clock).unlock(ADMIN, "not the password at all")
    return str(caught.value)


def test_unlock_with_the_right_password_opens_the_vault(
    created: CreatedVault, location: VaultLocation, clock: FakeClock
) -> None:
    created.vault.lock()
    vault = LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    assert vault.actor.username == ADMIN and vault.actor.role is Role.ADMIN
    vault.lock()
    assert vault.is_locked


def test_wrong_password_unknown_user_and_wrong_recovery_key_fail_alike(
    created: CreatedVault, location: VaultLocation, clock: FakeClock
) -> None:
    wrong_password = _wrong_password_message(location, clock)
    with pytest.raises(WrongCredentials) as unknown_user:
        LockedVault(location, clock).unlock("nobody", ADMIN_PASSWORD)
    with pytest.raises(WrongCredentials) as wrong_recovery:
        reset_password_with_recovery_key(
            location, "AAAA-" * 12 + "AAAA", ADMIN, "a brand new passphrase", FAST_KDF, clock
        )
    with pytest.raises(WrongCredentials) as malformed_recovery:
        reset_password_with_recovery_key(location, "not a key", ADMIN, "a brand new passphrase", FAST_KDF, clock)
    assert wrong_password == str(unknown_user.value) == str(wrong_recovery.value) == str(malformed_recovery.value)


def test_password_change_rewraps_only_its_slot(admin_vault, location: VaultLocation, clock: FakeClock) -> None:
    add_account(admin_vault, WORKER, Role.WORKER, WORKER_PASSWORD, full_name="Wanda Worker")
    with admin_vault.engine.connect() as connection:
        before = connection.execute(text("SELECT id, full_name FROM app_user ORDER BY id")).all()
    worker = LockedVault(location, clock).unlock(WORKER, WORKER_PASSWORD)
    AccountService(worker).change_own_password(WORKER_PASSWORD, "an entirely new passphrase")
    worker.lock()
    with admin_vault.engine.connect() as connection:
        after = connection.execute(text("SELECT id, full_name FROM app_user ORDER BY id")).all()
    assert [bytes(r.full_name or b"") for r in before] == [bytes(r.full_name or b"") for r in after]
    with pytest.raises(WrongCredentials):
        LockedVault(location, clock).unlock(WORKER, WORKER_PASSWORD)
    again = LockedVault(location, clock).unlock(WORKER, "an entirely new passphrase")
    assert not again.actor.must_change_password
    again.lock()


def test_password_change_needs_the_old_password(admin_vault, location: VaultLocation, clock: FakeClock) -> None:
    with pytest.raises(WrongCredentials):
        AccountService(admin_vault).change_own_password("a guess at the password", "an entirely new passphrase")
    with pytest.raises(InvalidInput, match="at least 12"):
        AccountService(admin_vault).change_own_password(ADMIN_PASSWORD, "short")


def test_recovery_key_resets_a_password(created: CreatedVault, location: VaultLocation, clock: FakeClock) -> None:
    created.vault.lock()
    # As printed, and as typed back sloppily (lower case, spaces instead of dashes).
    sloppy = created.recovery_key.lower().replace("-", " ")
    reset_password_with_recovery_key(location, sloppy, ADMIN, "reset temporary passphrase", FAST_KDF, clock)
    with pytest.raises(WrongCredentials):
        LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    vault = LockedVault(location, clock).unlock(ADMIN, "reset temporary passphrase")
    assert vault.actor.must_change_password
    vault.lock()


def test_failed_unlocks_grow_a_delay_that_survives_a_restart(
    created: CreatedVault, location: VaultLocation, clock: FakeClock
) -> None:
    created.vault.lock()
    for _ in range(3):
        _wrong_password_message(location, clock)
    # A new LockedVault is what a restarted app would build: the record is in the key store.
    with pytest.raises(LockedOut) as first:
        LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    clock.advance(first.value.retry_after_seconds + 1)
    _wrong_password_message(location, clock)
    with pytest.raises(LockedOut) as second:
        LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    assert second.value.retry_after_seconds > first.value.retry_after_seconds
    clock.advance(second.value.retry_after_seconds + 1)
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()
    # Success clears the record: the next mistake starts from zero again.
    _wrong_password_message(location, clock)
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()


def test_disabled_account_cannot_unlock(admin_vault, location: VaultLocation, clock: FakeClock) -> None:
    add_account(admin_vault, WORKER, Role.WORKER, WORKER_PASSWORD)
    AccountService(admin_vault).disable_user(WORKER)
    with pytest.raises(AccountDisabled):
        LockedVault(location, clock).unlock(WORKER, WORKER_PASSWORD)


def _edit_admin_slot_kdf(file_location: VaultLocation, **changes: int) -> None:
    """An attacker who edits the header and recomputes its digest (but cannot recompute the MAC)."""
    header = file_location.header_path
    document = json.loads(header.read_text())
    vault_id = document["vault_id"]
    document["slots"][login_id(vault_id, ADMIN)]["kdf"].update(changes)
    header.write_bytes(encode_header(document))


def test_downgraded_kdf_parameter_fails_the_unlock(file_location: VaultLocation, clock: FakeClock) -> None:
    create_vault(file_location, ADMIN, ADMIN_PASSWORD, DOWNGRADABLE_KDF, clock).vault.lock()
    _edit_admin_slot_kdf(file_location, memory_kib=FAST_KDF.memory_kib, iterations=2)
    with pytest.raises(WrongCredentials):  # still in range, but the slot's AAD no longer matches
        LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD)


def test_kdf_parameter_below_the_floor_is_refused_as_tampering(file_location: VaultLocation, clock: FakeClock) -> None:
    create_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault.lock()
    _edit_admin_slot_kdf(file_location, memory_kib=1024)
    with pytest.raises(VaultCorrupt, match="tampered"):
        LockedVault(file_location, clock).unlock(ADMIN, ADMIN_PASSWORD)


def test_slot_copied_to_another_user_does_not_log_in_as_them(admin_vault, clock: FakeClock) -> None:
    """Someone who edits the key store and knows one password must not become another user."""
    store = admin_vault.keystore
    add_account(admin_vault, WORKER, Role.WORKER, WORKER_PASSWORD)
    vault_id = admin_vault.vault_id
    admin_slot = store.get_slot(login_id(vault_id, ADMIN))
    assert isinstance(admin_slot, KeySlot)
    store.put_slot(login_id(vault_id, WORKER), admin_slot)
    with pytest.raises(VaultCorrupt, match="disagree"):
        LockedVault(admin_vault.location, clock).unlock(WORKER, ADMIN_PASSWORD)


def test_a_password_typed_with_a_decomposed_accent_opens_the_same_slot(
    file_location: VaultLocation, clock: FakeClock
) -> None:
    password = "caf\u00e9 au lait on the ward"  # "é" as one code point
    create_vault(file_location, ADMIN, password, FAST_KDF, clock).vault.lock()
    LockedVault(file_location, clock).unlock(ADMIN, unicodedata.normalize("NFD", password)).lock()
