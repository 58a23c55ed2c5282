"""Drafts survive a crash (a new unlock in a new process would find them) and stay private."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import text

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.drafts import DraftService
from youthcase.services.vault import LockedVault, UnlockedVault

from .conftest import ADMIN, ADMIN_PASSWORD, add_account, unlock_with_changed_password


def test_a_draft_comes_back_after_the_vault_is_dropped(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    values = {
        "given_name": "Draft-Sentinel-4471",
        "arrival_at": dt.datetime(2026, 2, 28, 21, 5, tzinfo=dt.UTC),
        "date_of_birth": dt.date(2010, 1, 2),
        "topics": ("safety", "housing"),
        "successful": True,
    }
    DraftService(admin_vault).save("new_case", values)
    # A crash: no lock, no goodbye; the next start unlocks afresh.
    admin_vault.engine.dispose()
    again = LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    draft = DraftService(again).load("new_case")
    assert draft is not None and draft.values == values
    with again.engine.connect() as connection:
        payload = connection.execute(text("SELECT payload FROM draft")).scalar()
    assert payload is not None
    assert b"Draft-Sentinel-4471" not in bytes(payload)
    DraftService(again).discard("new_case")
    assert DraftService(again).load("new_case") is None
    again.lock()


def test_drafts_are_per_user_and_per_subject(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    add_account(admin_vault, "wanda", Role.WORKER, "wanda temporary password")
    wanda = unlock_with_changed_password(location, clock, "wanda", "wanda temporary password")
    case_a, case_b = uuid.uuid4(), uuid.uuid4()
    DraftService(wanda).save("new_contact", {"notes": "about A"}, case_a)
    DraftService(wanda).save("new_contact", {"notes": "about B"}, case_b)
    DraftService(wanda).save("new_contact", {"notes": "about A, edited"}, case_a)
    assert DraftService(wanda).load("new_contact", case_a).values == {"notes": "about A, edited"}  # type: ignore[union-attr]
    assert len(DraftService(wanda).list_mine()) == 2
    assert DraftService(admin_vault).load("new_contact", case_a) is None
