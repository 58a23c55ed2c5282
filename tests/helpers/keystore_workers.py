"""Child-process bodies for the key store race tests (spawned: they import only what they need)."""

from __future__ import annotations

import datetime as dt

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.crypto.kdf import MINIMUM_PARAMS
from youthcase.crypto.slots import KeySlot, SlotKind
from youthcase.services.errors import LockedOut, WrongCredentials
from youthcase.services.vault import LockedVault
from youthcase.storage.keystore import ServerKeyStore, login_id
from youthcase.storage.server import setup_engine

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def no_delay(failures: int) -> float:
    """A back-off that never refuses, so every attempt must be counted."""
    return 0.0


def fake_slot(owner: str) -> KeySlot:
    """Shaped like a password slot; nobody opens it."""
    return KeySlot(owner, SlotKind.PASSWORD, bytes(16), MINIMUM_PARAMS, bytes(12), bytes(48))


def write_slots(location: str, mac_key: bytes, worker: int, count: int) -> None:
    parsed = VaultLocation.parse(location)
    # On a team server slots are written by logged-in accounts, not the pre-login gate: here the
    # setup role stands in for them (the race is between writers of the same rows).
    store = LockedVault(parsed).keystore() if parsed.url is None else ServerKeyStore(setup_engine(parsed.url))
    store.verify(mac_key)  # binds the key, as an unlock does
    for index in range(count):
        store.put_slot(f"login-{worker}-{index}", fake_slot(f"owner-{worker}-{index}"))


def write_failures(location: str, login: str, count: int) -> None:
    store = LockedVault(VaultLocation.parse(location)).keystore()
    for _ in range(count):
        store.record_attempt(login, START, no_delay)


def guess(location: str, username: str, attempts: int) -> list[str]:
    """Wrong passwords at one fixed instant, as a parallel guesser would try them."""
    outcomes = []
    for _ in range(attempts):
        try:
            LockedVault(VaultLocation.parse(location), FakeClock(START)).unlock(username, "not the password at all")
        except (WrongCredentials, LockedOut) as error:
            outcomes.append(type(error).__name__)
    return outcomes


def write_either(what: str, location: str, mac_key: bytes, worker: int, count: int) -> None:
    """One entry point, so slot writers and failure writers (on the first user's login) share a pool."""
    if what == "slots":
        write_slots(location, mac_key, worker, count)
    else:
        store = LockedVault(VaultLocation.parse(location)).keystore()
        write_failures(location, login_id(store.vault_id(), "admin"), count)
