"""Encrypted storage through the ORM on both backends: round trips and tampering in the database."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, insert, select, text
from sqlalchemy.exc import StatementError

from youthcase.crypto.errors import TamperedDataError
from youthcase.domain.roles import Role
from youthcase.services.vault import UnlockedVault
from youthcase.storage.encrypted import UnboundValueError
from youthcase.storage.models import AppUser

from .conftest import WORKER_PASSWORD, add_account


def _full_name(vault: UnlockedVault, username: str) -> str | None:
    with vault.session() as session:
        return session.scalar(select(AppUser).where(AppUser.username == username)).full_name  # type: ignore[union-attr]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=2000))
def test_encrypted_text_round_trips_through_the_database(admin_vault: UnlockedVault, value: str) -> None:
    with admin_vault.session() as session:
        user = session.scalar(select(AppUser).where(AppUser.username == "admin"))
        assert user is not None
        user.full_name = value
    assert _full_name(admin_vault, "admin") == value


def test_ciphertext_swapped_between_rows_is_detected(admin_vault: UnlockedVault) -> None:
    add_account(admin_vault, "wanda", Role.WORKER, WORKER_PASSWORD, full_name="Wanda Worker")
    add_account(admin_vault, "will", Role.WORKER, WORKER_PASSWORD, full_name="Will Worker")
    with admin_vault.engine.begin() as connection:
        blob = connection.execute(text("SELECT full_name FROM app_user WHERE username = 'wanda'")).scalar()
        connection.execute(text("UPDATE app_user SET full_name = :b WHERE username = 'will'"), {"b": blob})
    assert _full_name(admin_vault, "wanda") == "Wanda Worker"
    with pytest.raises(TamperedDataError):
        _full_name(admin_vault, "will")


def test_flipped_byte_in_the_database_is_detected(admin_vault: UnlockedVault) -> None:
    add_account(admin_vault, "wanda", Role.WORKER, WORKER_PASSWORD, full_name="Wanda Worker")
    with admin_vault.engine.begin() as connection:
        stored = connection.execute(text("SELECT full_name FROM app_user WHERE username = 'wanda'")).scalar()
        assert stored is not None
        blob = bytearray(stored)
        blob[-1] ^= 0x01
        connection.execute(text("UPDATE app_user SET full_name = :b WHERE username = 'wanda'"), {"b": bytes(blob)})
    with pytest.raises(TamperedDataError):
        _full_name(admin_vault, "wanda")


def test_writing_an_encrypted_column_without_the_orm_binding_is_refused(admin_vault: UnlockedVault) -> None:
    with pytest.raises((UnboundValueError, StatementError)), admin_vault.engine.begin() as connection:
        connection.execute(
            insert(cast(Table, AppUser.__table__)).values(
                id=uuid.uuid4(),
                username="raw",
                full_name="Plain Text",
                role="worker",
                active=True,
                must_change_password=True,
                created_at=dt.datetime.now(dt.UTC),
            )
        )


def test_instants_come_back_as_aware_utc(admin_vault: UnlockedVault) -> None:
    with admin_vault.session() as session:
        user = session.scalar(select(AppUser).where(AppUser.username == "admin"))
        assert user is not None
        assert user.created_at.tzinfo is not None
        assert user.created_at.utcoffset() == dt.timedelta(0)
