"""Case recording through the service layer, on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, text

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.cases import MATCH_LIMIT, MATCH_WINDOW, CaseInvalid, CaseService, NewCase
from youthcase.services.errors import PermissionDenied
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import AuditEvent

from .conftest import add_account, unlock_with_changed_password

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def new_case(**person: Any) -> NewCase:
    base = {
        "given_name": "Jamal",
        "family_name": "Okafor",
        "date_of_birth": dt.date(2009, 5, 17),
        "nhs_number": "943 476 5919",
        "sex": "1",
        "ethnicity": "N",
        "borough": "southwark",
        "postcode": "SE15 4QL",
    }
    base.update(person)
    return NewCase(
        person=base,
        case={"site": "KCH", "arrival_at": NOW - dt.timedelta(hours=5), "referral_source": "ed_staff"},
        incident={
            "assault_at": NOW - dt.timedelta(hours=6),
            "assault_method": "knife",
            "assault_location_type": "street",
            "assault_location_description": "Rye Lane bus stop",
        },
    )


@pytest.fixture
def people(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, UnlockedVault]:
    """A worker and a colleague at KCH, a supervisor of KCH and one of RLH, and the admin."""
    accounts = {
        "wanda": (Role.WORKER, ("KCH",)),
        "will": (Role.WORKER, ("KCH",)),
        "sam": (Role.SUPERVISOR, ("KCH",)),
        "rita": (Role.SUPERVISOR, ("RLH",)),
    }
    vaults = {"admin": admin_vault}
    for name, (role, sites) in accounts.items():
        add_account(admin_vault, name, role, f"{name} temporary password", sites)
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    return vaults


def test_new_case_and_its_detail(people: dict[str, UnlockedVault]) -> None:
    detail = CaseService(people["wanda"]).create_case(new_case())
    assert detail.reference == "KCH-26-00001"
    assert detail.person.values["given_name"] == "Jamal"
    assert detail.person.values["nhs_number"] == "9434765919"
    assert detail.case.values["engagement"] == "not_yet_contacted"
    assert detail.incident is not None and detail.incident.values["assault_method"] == "knife"
    second = CaseService(people["wanda"]).create_case(new_case(nhs_number=None, given_name="Ade"))
    assert second.reference == "KCH-26-00002"


def test_every_problem_is_reported_and_nothing_saved(people: dict[str, UnlockedVault]) -> None:
    bad = NewCase(
        person={
            "given_name": "",
            "family_name": "X",
            "sex": "Q",
            "ethnicity": "A",
            "borough": "camden",
            "nhs_number": "1234567890",
        },
        case={"site": "KCH", "arrival_at": NOW, "referral_source": "ed_staff"},
        incident={"assault_method": "knife", "assault_location_type": "street"},
    )
    with pytest.raises(CaseInvalid) as caught:
        CaseService(people["wanda"]).create_case(bad)
    fields = {p.field for p in caught.value.problems}
    assert {"given_name", "sex", "nhs_number"} <= fields
    assert CaseService(people["wanda"]).caseload() == []


@pytest.mark.parametrize(
    ("person", "case", "incident", "field"),
    [
        ({"date_of_birth": dt.date(2030, 1, 1)}, {}, {}, "date_of_birth"),
        ({"date_of_birth": dt.date(1990, 1, 1)}, {}, {}, "date_of_birth"),  # 36 at arrival
        ({}, {"arrival_at": NOW + dt.timedelta(days=2)}, {}, "arrival_at"),
        ({}, {}, {"assault_at": NOW - dt.timedelta(hours=1)}, "assault_at"),  # after the arrival
        ({}, {}, {"assault_at": dt.datetime(2008, 1, 1, tzinfo=dt.UTC)}, "assault_at"),  # before birth
        ({}, {"site": "XYZ"}, {}, "site"),
    ],
)
# Validation runs before any storage: on the file only (each server set-up costs seconds in CI).
@pytest.mark.parametrize("location", ["file"], indirect=True)
def test_cross_field_rules(
    people: dict[str, UnlockedVault],
    clock: FakeClock,
    person: dict[str, Any],
    case: dict[str, Any],
    incident: dict[str, Any],
    field: str,
) -> None:
    base = new_case(**person)
    bad = NewCase(base.person, {**base.case, **case}, {**base.incident, **incident})
    with pytest.raises(CaseInvalid) as caught:
        CaseService(people["wanda"]).create_case(bad)
    assert field in {p.field for p in caught.value.problems}


def test_returning_person_is_recognised_by_blind_index(people: dict[str, UnlockedVault]) -> None:
    service = CaseService(people["wanda"])
    first = service.create_case(new_case())
    by_nhs = service.find_returning_person("9434765919", "Someone", "Else", None)
    assert [m.person_id for m in by_nhs] == [first.person.id]
    assert by_nhs[0].matched_on == "NHS number" and by_nhs[0].within_re_attendance_window
    # Typed differently: case, accents, order of names; no NHS number this time.
    by_name = service.find_returning_person(None, "OKAFOR", "jamál", dt.date(2009, 5, 17))
    assert [m.person_id for m in by_name] == [first.person.id]
    assert service.find_returning_person(None, "Jamal", "Okafor", dt.date(2009, 5, 18)) == []
    # The match tells where the earlier case is and who holds it, never its content.
    (earlier,) = by_nhs[0].earlier_cases
    assert (earlier.site_code, earlier.open, earlier.held_by) == ("KCH", True, "wanda")
    assert by_nhs[0].open_case == earlier
    assert not hasattr(by_nhs[0], "given_name")
    # A returning person: the new case holds its own full copy of the identifiers, linked to the person.
    again = service.create_case(
        NewCase(new_case().person, new_case().case, new_case().incident, existing_person_id=first.person.id)
    )
    assert again.person.id == first.person.id and again.person.values["given_name"] == "Jamal"
    assert again.case_id != first.case_id


def test_returning_person_searches_are_audited_and_limited_per_account(
    people: dict[str, UnlockedVault], clock: FakeClock
) -> None:
    wanda = CaseService(people["wanda"])
    known = wanda.create_case(new_case()).person.id
    start = clock.now()  # 09:00 in London (GMT)
    for minute in range(MATCH_LIMIT):  # one a minute; most find nobody, and every one counts
        found = wanda.find_returning_person(None, "Jamal", "Okafor", dt.date(2009, 5, 17 + minute % 2))
        assert [m.person_id for m in found] == ([known] if minute % 2 == 0 else [])
        clock.advance(60)
    with pytest.raises(PermissionDenied, match=r"30 times in the last hour.*check again at 10:00$"):
        wanda.find_returning_person("9434765919", "", "", None)
    assert CaseService(people["will"]).find_returning_person("9434765919", "", "", None)  # per account
    clock.advance((start + MATCH_WINDOW - clock.now()).total_seconds() - 1)
    with pytest.raises(PermissionDenied, match="check again at 10:00"):
        wanda.find_returning_person("9434765919", "", "", None)
    clock.advance(1)  # the first search leaves the rolling hour
    assert wanda.find_returning_person("9434765919", "", "", None)
    with pytest.raises(PermissionDenied, match="check again at 10:01"):  # the second search was at 09:01
        wanda.find_returning_person("9434765919", "", "", None)
    with people["sam"].session() as session:
        events = session.execute(
            select(AuditEvent.entity, AuditEvent.entity_id).where(
                AuditEvent.user_id == people["wanda"].actor.user_id, AuditEvent.action == "returning-person match"
            )
        ).all()
    searches = [entity_id for entity, entity_id in events if entity == "person_search"]
    matches = [entity_id for entity, entity_id in events if entity == "young_person"]
    assert len(searches) == MATCH_LIMIT + 1 and set(searches) == {None}  # refused searches are not counted
    assert len(matches) == MATCH_LIMIT // 2 + 1 and set(matches) == {known}


def test_blind_index_never_stores_the_raw_identifier(people: dict[str, UnlockedVault]) -> None:
    vault = people["wanda"]
    CaseService(vault).create_case(new_case())
    with vault.engine.connect() as connection:
        row = connection.execute(
            text("SELECT nhs_index, name_dob_index, nhs_number FROM young_person JOIN case_person ON 1 = 1")
        ).one()
    assert "9434765919" not in row.nhs_index and len(row.nhs_index) == 64
    assert b"9434765919" not in bytes(row.nhs_number)
    assert "jamal" not in row.name_dob_index.lower()


def test_caseload_visibility_follows_roles(people: dict[str, UnlockedVault]) -> None:
    detail = CaseService(people["wanda"]).create_case(new_case())
    assert [r.reference for r in CaseService(people["wanda"]).caseload()] == [detail.reference]
    assert CaseService(people["will"]).caseload() == []
    with pytest.raises(PermissionDenied):
        CaseService(people["will"]).case_detail(detail.case_id)
    with pytest.raises(PermissionDenied):
        CaseService(people["will"]).add_contact(detail.case_id, {})
    assert [r.reference for r in CaseService(people["sam"]).caseload()] == [detail.reference]
    assert CaseService(people["rita"]).caseload() == []  # supervises another site
    with pytest.raises(PermissionDenied):
        CaseService(people["admin"]).caseload()
    with pytest.raises(PermissionDenied):
        CaseService(people["admin"]).case_detail(detail.case_id)


def test_a_supervisors_read_is_audited_and_the_workers_is_not(people: dict[str, UnlockedVault]) -> None:
    detail = CaseService(people["wanda"]).create_case(new_case())

    def views() -> list[Any]:
        with people["admin"].session() as session:
            return list(
                session.scalars(
                    select(AuditEvent.user_id).where(
                        AuditEvent.action == "view", AuditEvent.entity_id == detail.case_id
                    )
                )
            )

    CaseService(people["wanda"]).case_detail(detail.case_id)
    assert views() == []
    CaseService(people["sam"]).case_detail(detail.case_id)
    assert views() == [people["sam"].actor.user_id]


def test_contacts_drive_engagement_and_the_fourteen_day_flag(
    people: dict[str, UnlockedVault], clock: FakeClock
) -> None:
    service = CaseService(people["wanda"])
    case_id = service.create_case(new_case()).case_id
    service.add_contact(
        case_id, {"contact_at": clock.now(), "medium": "phone", "successful": False, "contact_with": "young_person"}
    )
    (row,) = service.caseload()
    assert row.engagement == "contact_attempted" and not row.no_recent_contact
    clock.advance(15 * 86400)
    (row,) = service.caseload()
    assert row.no_recent_contact  # 15 days since the case opened, only a failed attempt
    service.add_contact(
        case_id,
        {
            "contact_at": clock.now(),
            "medium": "bedside",
            "successful": True,
            "contact_with": "young_person",
            "topics": ("safety", "housing"),
            "notes": "Safety plan agreed.",
            "duration_minutes": 40,
        },
    )
    (row,) = service.caseload()
    assert row.engagement == "engaged" and not row.no_recent_contact
    clock.advance(14 * 86400 + 60)
    assert service.caseload()[0].no_recent_contact
    contacts = service.case_detail(case_id).contacts
    assert [c.values["successful"] for c in contacts] == [True, False]
    assert contacts[0].values["topics"] == ("safety", "housing")


def test_safeguarding_concerns_are_amended_by_new_versions(people: dict[str, UnlockedVault], clock: FakeClock) -> None:
    service = CaseService(people["wanda"])
    case_id = service.create_case(new_case()).case_id
    concern = service.raise_concern(
        case_id,
        {
            "raised_at": clock.now(),
            "category": "exploitation",
            "facts": "Says he is made to carry parcels.",
            "status": "open",
        },
    )
    assert (
        service.amend_concern(case_id, concern, {"shared_with": ("social_care",), "shared_on": clock.now().date()}) == 2
    )
    (history,) = service.case_detail(case_id).concerns
    assert [v.values["shared_with"] for v in history.versions] == [(), ("social_care",)]
    assert history.versions[0].values["facts"] == history.versions[1].values["facts"]
    assert [(v.values["version"], v.values["recorded_by"]) for v in history.versions] == [(1, "wanda"), (2, "wanda")]


def test_assessments_closure_reopening_goals_and_follow_up(people: dict[str, UnlockedVault], clock: FakeClock) -> None:
    service = CaseService(people["wanda"])
    case_id = service.create_case(new_case()).case_id
    today = clock.now().date()
    service.record_assessment(
        case_id,
        {
            "assessed_on": today,
            "stage": "start",
            "risk_level": "high",
            "risk_factors": ("weapon_carrying",),
            "needs_identified": ("housing",),
        },
    )
    assert service.caseload()[0].risk == "high"
    service.add_goal(case_id, {"goal": "Back to college by spring", "status": "in_progress"})
    with pytest.raises(PermissionDenied):  # workers ask for closure; supervisors close
        service.close_case(case_id, "goals_met")
    supervisor = CaseService(people["sam"])
    with pytest.raises(CaseInvalid, match="reason"):
        supervisor.close_case(case_id, "")
    supervisor.close_case(case_id, "goals_met", "Settled at college.")
    with pytest.raises(Exception, match="already closed"):
        supervisor.close_case(case_id, "goals_met")
    detail = service.case_detail(case_id)
    assert detail.status == "closed" and detail.case.values["closure_note"] == "Settled at college."
    service.reopen_case(case_id)
    service.record_follow_up(case_id, {"followed_up_on": today, "reached": True, "reinjured": False})
    detail = service.case_detail(case_id)
    assert detail.status == "open" and detail.reopen_count == 1
    assert [c.change for c in detail.status_history] == ["opened", "closed", "reopened"]
    assert detail.status_history[1].reason == "goals_met"
    assert detail.goals[0].values["goal"] == "Back to college by spring"
    assert detail.follow_ups[0].values["reached"] is True


def test_an_estimated_age_outside_the_service_is_refused(people: dict[str, UnlockedVault]) -> None:
    """An estimated age of 8 or 30 was accepted, then published as "Age: Not known"."""
    for age in (9, 26):
        with pytest.raises(CaseInvalid, match="estimated_age"):
            CaseService(people["wanda"]).create_case(new_case(date_of_birth=None, estimated_age=age))
    CaseService(people["wanda"]).create_case(new_case(date_of_birth=None, estimated_age=25))
