"""The append-only case status history behind the return's closed/reopened counts (migration 0004)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from tests.helpers.clock import FakeClock
from youthcase.domain.roles import Role
from youthcase.services.cases import CaseInvalid, CaseService, NewCase
from youthcase.services.vault import UnlockedVault
from youthcase.storage.migrate import alembic_config
from youthcase.storage.models import CaseStatusChange

from .conftest import add_account, unlock_with_changed_password


def _new_case(arrival: dt.datetime) -> NewCase:
    return NewCase(
        person={
            "given_name": "Tom",
            "family_name": "Reed",
            "estimated_age": 16,
            "sex": "1",
            "ethnicity": "A",
            "borough": "lambeth",
        },
        case={"site": "KCH", "arrival_at": arrival, "referral_source": "ed_staff"},
        incident={"assault_method": "body", "assault_location_type": "street"},
    )


@pytest.fixture
def worker(admin_vault: UnlockedVault, clock: FakeClock) -> UnlockedVault:
    add_account(admin_vault, "wanda", Role.WORKER, "wanda temporary password", ("KCH",))
    return unlock_with_changed_password(admin_vault.location, clock, "wanda", "wanda temporary password")


@pytest.fixture
def supervisor(admin_vault: UnlockedVault, clock: FakeClock) -> UnlockedVault:
    add_account(admin_vault, "sam", Role.SUPERVISOR, "sam temporary password", ("KCH",))
    return unlock_with_changed_password(admin_vault.location, clock, "sam", "sam temporary password")


def _history(vault: UnlockedVault, case_id: uuid.UUID) -> list[tuple[str, dt.date, str | None]]:
    with vault.session() as session:
        rows = session.execute(
            select(CaseStatusChange.change, CaseStatusChange.changed_on, CaseStatusChange.reason)
            .where(CaseStatusChange.case_id == case_id)
            .order_by(CaseStatusChange.recorded_at)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_open_close_reopen_are_recorded_with_london_days(
    worker: UnlockedVault, supervisor: UnlockedVault, clock: FakeClock
) -> None:
    clock.advance((dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC) - clock.now()).total_seconds())
    service = CaseService(worker)
    # 23:30 UTC on 31 March is 00:30 BST on 1 April: the case opens on 1 April.
    case_id = service.create_case(_new_case(dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))).case_id
    with pytest.raises(CaseInvalid, match="before the case was opened"):
        CaseService(supervisor).close_case(case_id, "goals_met", closed_on=dt.date(2026, 3, 31))
    clock.advance(60)
    CaseService(supervisor).close_case(case_id, "disengaged", closed_on=dt.date(2026, 4, 1))
    clock.advance(60)
    service.reopen_case(case_id)
    assert _history(worker, case_id) == [
        ("opened", dt.date(2026, 4, 1), None),
        ("closed", dt.date(2026, 4, 1), "disengaged"),
        ("reopened", dt.date(2026, 4, 2), None),
    ]


def test_migration_backfills_existing_cases(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    open_id, closed_id = uuid.uuid4().hex, uuid.uuid4().hex
    with engine.begin() as connection:
        for case_id, arrival, status, closed_on, reason in (
            (open_id, "2026-03-31 23:30:00.000000", "open", None, None),
            (closed_id, "2026-01-10 12:00:00.000000", "closed", "2026-02-20", "goals_met"),
        ):
            connection.execute(
                text(
                    "INSERT INTO case_episode (id, reference, person_id, site_id, worker_id, arrival_at, "
                    "referral_source, engagement, status, opened_at, closed_on, closure_reason, reopen_count, "
                    "created_at) VALUES (:id, :ref, :p, :s, :w, :arrival, 'ed_staff', 'engaged', :status, "
                    ":arrival, :closed_on, :reason, 0, :arrival)"
                ),
                {
                    "id": case_id,
                    "ref": case_id[:10],
                    "p": uuid.uuid4().hex,
                    "s": uuid.uuid4().hex,
                    "w": uuid.uuid4().hex,
                    "arrival": arrival,
                    "status": status,
                    "closed_on": closed_on,
                    "reason": reason,
                },
            )
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
        rows = connection.execute(
            text("SELECT case_id, change, changed_on, reason FROM case_status_change ORDER BY changed_on")
        ).all()
    assert [tuple(r) for r in rows] == [
        (closed_id, "opened", "2026-01-10", None),
        (closed_id, "closed", "2026-02-20", "goals_met"),
        (open_id, "opened", "2026-04-01", None),
    ]
