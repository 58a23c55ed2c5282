"""The audit chain catches every kind of tampering: edit, delete, reorder, insert, truncate."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection

from tests.helpers.team_server import operator_engine
from youthcase.domain.roles import Role
from youthcase.services.audit import ChainHead
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.errors import PermissionDenied
from youthcase.services.sites import SiteService
from youthcase.services.vault import UnlockedVault

from .conftest import add_account


@pytest.fixture
def busy_vault(admin_vault: UnlockedVault) -> UnlockedVault:
    for code in ("NMH", "UCH", "QEH", "KGH"):
        SiteService(admin_vault).add_emergency_department(code, f"{code} A&E")
    return admin_vault


def test_an_untouched_chain_verifies(busy_vault: UnlockedVault) -> None:
    report = AuditTrail(busy_vault).verify()
    assert report.intact and report.events == 5 and report.head is not None


def _edit(c: Connection) -> None:
    c.execute(text("UPDATE audit_event SET action = 'view' WHERE sequence = 3"))


def _delete(c: Connection) -> None:
    c.execute(text("DELETE FROM audit_event WHERE sequence = 3"))


def _reorder(c: Connection) -> None:
    c.execute(text("UPDATE audit_event SET sequence = -1 WHERE sequence = 3"))
    c.execute(text("UPDATE audit_event SET sequence = 3 WHERE sequence = 4"))
    c.execute(text("UPDATE audit_event SET sequence = 4 WHERE sequence = -1"))


def _insert(c: Connection) -> None:
    rows = c.execute(text("SELECT id, sequence FROM audit_event WHERE sequence >= 3 ORDER BY sequence DESC")).all()
    for row in rows:  # make room at 3, then copy event 2 into it with a fresh id
        c.execute(text("UPDATE audit_event SET sequence = :s WHERE id = :i"), {"s": row.sequence + 1, "i": row.id})
    c.execute(
        text(
            "INSERT INTO audit_event (id, sequence, at, user_id, action, entity, entity_id, "
            "previous_digest, digest, signer, signature) "
            "SELECT :new, 3, at, user_id, action, entity, entity_id, previous_digest, digest, signer, signature "
            "FROM audit_event WHERE sequence = 2"
        ),
        {
            "new": "00000000000000000000000000000099"
            if c.dialect.name == "sqlite"
            else "00000000-0000-0000-0000-000000000099"
        },
    )


@pytest.mark.parametrize(("tamper", "first_broken"), [(_edit, 3), (_delete, 3), (_reorder, 3), (_insert, 3)])
def test_tampering_names_the_first_broken_event(
    busy_vault: UnlockedVault, tamper: Callable[[Connection], None], first_broken: int
) -> None:
    with operator_engine(busy_vault).begin() as connection:
        tamper(connection)
    report = AuditTrail(busy_vault).verify()
    assert not report.intact and report.first_broken == first_broken, report.problem


def test_truncation_is_caught_with_the_exported_head(busy_vault: UnlockedVault) -> None:
    head = AuditTrail(busy_vault).head()
    assert head is not None and ChainHead.parse(str(head)) == head
    with operator_engine(busy_vault).begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE sequence >= :s"), {"s": head.sequence - 1})
    assert AuditTrail(busy_vault).verify().intact  # a clean cut looks fine on its own...
    report = AuditTrail(busy_vault).verify(expected_head=head)
    assert not report.intact and "removed from the end" in (report.problem or "")


def test_workers_may_not_read_the_trail(busy_vault: UnlockedVault, location, clock) -> None:  # type: ignore[no-untyped-def]
    from .conftest import unlock_with_changed_password

    add_account(busy_vault, "wanda", Role.WORKER, "wanda temporary password")
    wanda = unlock_with_changed_password(location, clock, "wanda", "wanda temporary password")
    with pytest.raises(PermissionDenied):
        AuditTrail(wanda).verify()
    entries = AuditTrail(busy_vault).entries(username="wanda")
    assert {e.action for e in entries} >= {"login", "password changed"}


def test_every_use_of_the_recovery_key_is_listed(admin_vault: UnlockedVault, location, clock) -> None:  # type: ignore[no-untyped-def]
    from .conftest import unlock_with_changed_password

    add_account(admin_vault, "sam", Role.SUPERVISOR, "sam temporary password", ("KCH",))
    sam = unlock_with_changed_password(location, clock, "sam", "sam temporary password")  # admitted by break glass
    uses = AuditTrail(sam).recovery_uses(since=clock.now() - dt.timedelta(days=90))
    assert [use.action for use in uses] == ["break-glass grant"]
    assert uses[0].username is None
