"""Corrections (services/corrections.py), on both backends: records amended with a reason keep
every earlier version, a change from a stale view is refused, a contact recorded in error is
struck out and counts nowhere, and everything is audited against its case's record."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import LargeBinary, select, type_coerce

from tests.helpers.clock import FakeClock
from tests.helpers.team_server import operator_engine
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.audit import AuditAction
from youthcase.services.cases import CaseService
from youthcase.services.corrections import Amendable, CorrectionService, RecordChanged
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import AuditEvent, CaseEpisode, RecordRevision

from .conftest import add_account, unlock_with_changed_password
from .test_cases import NOW, new_case

CONTACT = {
    "contact_at": NOW - dt.timedelta(hours=1),
    "medium": "bedside",
    "successful": True,
    "contact_with": "young_person",
}


@pytest.fixture
def ward(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, UnlockedVault]:
    """wanda (worker) and sam (supervisor) at KCH, rhys (worker) at RLH; a case of wanda's."""
    assert clock.now() == NOW
    vaults = {"admin": admin_vault}
    for name, role, site in (
        ("wanda", Role.WORKER, "KCH"),
        ("sam", Role.SUPERVISOR, "KCH"),
        ("rhys", Role.WORKER, "RLH"),
    ):
        add_account(admin_vault, name, role, f"{name} temporary password", (site,))
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    return vaults


def test_an_incident_is_corrected_with_a_reason_and_its_earlier_version_stays(
    ward: dict[str, UnlockedVault], clock: FakeClock
) -> None:
    cases = CaseService(ward["wanda"])
    case_id = cases.create_case(new_case()).case_id
    incident = cases.case_detail(case_id).incident
    assert incident is not None and incident.values["version"] == 1
    corrections = CorrectionService(ward["wanda"])
    with pytest.raises(InvalidInput, match="say why"):
        corrections.amend(
            case_id, Amendable.INCIDENT, incident.id, {"assault_method": "blunt"}, reason=" ", expected_version=1
        )
    clock.advance(600)
    version = corrections.amend(
        case_id,
        Amendable.INCIDENT,
        incident.id,
        {"assault_method": "blunt", "assault_location_description": "Peckham Rye park"},
        reason="the young person said it was a bat, not a knife",
        expected_version=1,
    )
    assert version == 2
    after = cases.case_detail(case_id).incident
    assert after is not None and after.values["assault_method"] == "blunt" and after.values["version"] == 2
    (revision,) = corrections.history(case_id)
    assert revision.record is Amendable.INCIDENT and revision.replaced_version == 1
    assert revision.action == "corrected" and revision.changed_by == "wanda"
    assert revision.reason == "the young person said it was a bat, not a knife"
    assert revision.previous == {"assault_method": "knife", "assault_location_description": "Rye Lane bus stop"}
    # The earlier values and the reason are case content: ciphertext at rest.
    with operator_engine(ward["admin"]).connect() as connection:
        raw = [type_coerce(column, LargeBinary) for column in (RecordRevision.previous, RecordRevision.reason)]
        previous, reason = (bytes(value) for value in connection.execute(select(*raw)).one())
    assert b"Rye Lane" not in previous and b"bat" not in reason


def test_a_change_made_from_a_stale_view_is_refused_and_names_who_changed_it(
    ward: dict[str, UnlockedVault], clock: FakeClock
) -> None:
    """sam's screen shows version 1; wanda corrects the notes; sam's save from his old view is refused."""
    case_id = CaseService(ward["wanda"]).create_case(new_case()).case_id
    CorrectionService(ward["wanda"]).amend(
        case_id, Amendable.CASE, case_id, {"notes": "wanda's note"}, reason="typo", expected_version=1
    )
    with pytest.raises(RecordChanged, match="changed by wanda at 09:00 on 01 Mar 2026"):
        CaseService(ward["sam"]).update_case(case_id, {"notes": "sam's note"}, expected_version=1)
    detail = CaseService(ward["sam"]).case_detail(case_id)
    assert detail.case.values["notes"] == "wanda's note" and detail.case.values["version"] == 2
    CaseService(ward["sam"]).update_case(case_id, {"notes": "sam's note"}, expected_version=2)
    history = CorrectionService(ward["sam"]).history(case_id)
    assert [(r.action, r.changed_by, r.previous) for r in history] == [
        ("corrected", "wanda", {"notes": None}),
        ("updated", "sam", {"notes": "wanda's note"}),
    ]


def test_the_site_is_a_transfer_and_arrival_corrections_move_the_age(ward: dict[str, UnlockedVault]) -> None:
    cases = CaseService(ward["wanda"])
    case_id = cases.create_case(new_case(date_of_birth=dt.date(2009, 2, 27))).case_id  # 17 at arrival
    corrections = CorrectionService(ward["wanda"])
    with pytest.raises(InvalidInput, match="transfer"):
        corrections.amend(case_id, Amendable.CASE, case_id, {"site": "RLH"}, reason="wrong site", expected_version=1)
    with pytest.raises(InvalidInput, match="cannot be changed here: arrival_at"):
        cases.update_case(case_id, {"arrival_at": NOW - dt.timedelta(days=3)})
    corrections.amend(
        case_id,
        Amendable.CASE,
        case_id,
        {"arrival_at": NOW - dt.timedelta(days=3)},  # 26 Feb: the day before the 17th birthday
        reason="arrival time copied from the wrong record",
        expected_version=1,
    )
    (row,) = cases.caseload()
    assert row.age == 17  # today; the case counts as 16 at arrival in the returns
    with operator_engine(ward["admin"]).connect() as connection:
        assert connection.execute(select(CaseEpisode.age_at_arrival)).scalar_one() == 16


def test_a_contact_recorded_in_error_is_struck_out_not_deleted_and_counts_nowhere(
    ward: dict[str, UnlockedVault],
) -> None:
    cases = CaseService(ward["wanda"])
    case_id = cases.create_case(new_case()).case_id
    earlier = cases.add_contact(case_id, {**CONTACT, "contact_at": NOW - dt.timedelta(hours=3)})
    wrong = cases.add_contact(case_id, CONTACT)
    corrections = CorrectionService(ward["wanda"])
    with pytest.raises(RecordChanged):
        corrections.strike_out_contact(case_id, wrong, reason="this was another young person", expected_version=2)
    corrections.strike_out_contact(case_id, wrong, reason="this was another young person", expected_version=1)
    detail = cases.case_detail(case_id)
    assert {c.id: c.values["struck_out"] for c in detail.contacts} == {earlier: False, wrong: True}
    (row,) = cases.caseload()
    assert row.last_successful_contact_at == NOW - dt.timedelta(hours=3)
    with pytest.raises(InvalidInput, match="already struck out"):
        corrections.strike_out_contact(case_id, wrong, reason="again", expected_version=2)
    (revision,) = corrections.history(case_id)
    assert (revision.action, revision.reason, revision.previous) == (
        "struck out",
        "this was another young person",
        {"struck_out": False},
    )


def test_a_goal_and_the_person_are_corrected_and_every_change_is_audited_against_its_record(
    ward: dict[str, UnlockedVault],
) -> None:
    cases = CaseService(ward["wanda"])
    case_id = cases.create_case(new_case()).case_id
    goal = cases.add_goal(case_id, {"goal": "Back to college", "status": "in_progress"})
    corrections = CorrectionService(ward["wanda"])
    corrections.amend(case_id, Amendable.GOAL, goal, {"status": "achieved"}, reason="met in March", expected_version=1)
    person = cases.case_detail(case_id).person
    cases.update_person(case_id, {"postcode": "SE15 5AA"}, expected_version=person.values["version"])
    history = corrections.history(case_id)
    assert [(r.record, r.action, r.previous) for r in history] == [
        (Amendable.GOAL, "corrected", {"status": "in_progress"}),
        (Amendable.PERSON, "updated", {"postcode": "SE15 4QL"}),
    ]
    with ward["admin"].session() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id).where(
                AuditEvent.action.in_([AuditAction.CORRECT.value, AuditAction.UPDATE.value])
            )
        ).all()
    assert (AuditAction.CORRECT.value, "plan_goal", goal) in events
    assert any(action == AuditAction.UPDATE.value and entity == "case_person" for action, entity, _ in events)
    assert json.dumps([r.previous for r in history])  # what History shows is plain JSON-able text


def test_nobody_corrects_a_case_they_cannot_open(ward: dict[str, UnlockedVault]) -> None:
    case_id = CaseService(ward["wanda"]).create_case(new_case()).case_id
    with pytest.raises(PermissionDenied):
        CorrectionService(ward["rhys"]).amend(
            case_id, Amendable.CASE, case_id, {"notes": "x"}, reason="mine now", expected_version=1
        )
    with pytest.raises(PermissionDenied):
        CorrectionService(ward["admin"]).history(case_id)
