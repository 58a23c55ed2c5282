"""A hand-built caseload for the KPI and monthly-return tests, recorded through the services.

Every case, contact and milestone below is placed on purpose around the month boundaries of
February-April 2026 (the clocks went forward at 01:00 UTC on Sunday 29 March 2026). The expected
figures are worked out by hand in the tests that use it; the comments here say why each is there.

  A  KCH  arrives 27 Feb 10:00 UTC; contacted after 10 h; assessed high then low; closed 5 Mar.
  B  KCH  arrives 1 Mar 00:30 UTC (00:30 GMT): March. Failed attempt, then contact after 35.5 h;
          CAMHS referral sent 3 Mar, help started 14 Apr (42 days, April); a home visit at
          23:30 UTC on 31 Mar (00:30 BST 1 Apr: April); a concern raised at the same instant.
  C  KCH  arrives 29 Mar 03:00 UTC; aged 12; assault at 01:30 UTC = 02:30 BST (just after the
          change) on Sunday; declined; a gang concern in March, amended to shared with social care and police.
  D  KCH  arrives 31 Mar 23:30 UTC = 00:30 BST on Wednesday 1 April: April. Assault 22:30 UTC =
          23:30 BST on Tuesday 31 March.
  E  RLH  the same young person as A (aged 17), arriving 15 Mar 12:00: a re-attendance. Contacted exactly
          24 h later (with a professional: not direct work); rehabilitation referral sent 16 Mar,
          help started 26 Mar (10 days).
  F  KCH  arrives 10 Jan; closed 15 Feb (disengaged); reopened 10 Mar; closed again 20 Mar.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.cases import CaseService, NewCase
from youthcase.services.referrals import ReferralService
from youthcase.services.service_directory import ServiceDirectory
from youthcase.services.vault import UnlockedVault

from .conftest import add_account, unlock_with_changed_password

UTC = dt.UTC
NOW = dt.datetime(2026, 5, 20, 9, 0, tzinfo=UTC)

# Sentinels: personal data that must never reach a return.
SENTINEL_GIVEN = "Zebulon"
SENTINEL_FAMILY = "Quillfeather"
SENTINEL_NHS = "9434765919"
SENTINEL_POSTCODE = "SE15 4QL"
SENTINEL_DOB = dt.date(2009, 7, 23)
SENTINEL_NOTE = "Xylophone-Marmalade-Parcel"
SENTINEL_PLACE = "Behind the Obsidian Launderette"


def set_clock(clock: FakeClock, when: dt.datetime) -> None:
    clock.advance((when - clock.now()).total_seconds())


def at(day: int, month: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Scenario:
    admin: UnlockedVault
    supervisor: UnlockedVault
    kch_worker: UnlockedVault
    rlh_worker: UnlockedVault
    cases: dict[str, uuid.UUID]
    sites: dict[str, uuid.UUID]


def _new(
    arrival: dt.datetime,
    site: str,
    assault_at: dt.datetime | None = None,
    age: int | None = 16,
    sex: str = "1",
    ethnicity: str = "N",
    person: dict[str, Any] | None = None,
    existing: uuid.UUID | None = None,
    method: str = "knife",
    location: str = "street",
) -> NewCase:
    values = {
        "given_name": "Kim",
        "family_name": "Lee",
        "estimated_age": age,
        "sex": sex,
        "ethnicity": ethnicity,
        "borough": "southwark",
        **(person or {}),
    }
    incident: dict[str, Any] = {
        "assault_method": method,
        "assault_location_type": location,
        "assault_location_description": SENTINEL_PLACE,
        "injury_description": SENTINEL_NOTE,
    }
    if assault_at is not None:
        incident["assault_at"] = assault_at
    return NewCase(
        person=values,
        case={"site": site, "arrival_at": arrival, "referral_source": "ed_staff", "notes": SENTINEL_NOTE},
        incident=incident,
        existing_person_id=existing,
    )


def build(admin: UnlockedVault, location: VaultLocation, clock: FakeClock) -> Scenario:
    set_clock(clock, NOW)
    vaults = {}
    for name, role, site_codes in (
        ("wanda", Role.WORKER, ("KCH",)),
        ("rob", Role.WORKER, ("RLH",)),
        ("sam", Role.SUPERVISOR, ("KCH", "RLH")),
    ):
        add_account(admin, name, role, f"{name} temporary password", site_codes)
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    directory = ServiceDirectory(admin)
    camhs = directory.add_service({"service_type": "camhs", "name": "Southwark CAMHS"}).service_id
    rehab = directory.add_service({"service_type": "rehabilitation", "name": "KCH Trauma Rehab"}).service_id
    kch, rlh = CaseService(vaults["wanda"]), CaseService(vaults["rob"])
    supervisor = CaseService(vaults["sam"])  # closes cases directly (workers ask for closure)
    kch_referrals, rlh_referrals = ReferralService(vaults["wanda"]), ReferralService(vaults["rob"])
    cases: dict[str, uuid.UUID] = {}

    # F: January case, closed in February, reopened and closed again in March.
    set_clock(clock, at(10, 3, 9))
    cases["F"] = kch.create_case(_new(at(10, 1), "KCH", sex="2", ethnicity="A")).case_id
    supervisor.close_case(cases["F"], "disengaged", closed_on=dt.date(2026, 2, 15))
    kch.reopen_case(cases["F"])  # on 10 March
    set_clock(clock, NOW)
    kch.record_assessment(cases["F"], {"assessed_on": dt.date(2026, 3, 12), "stage": "change", "risk_level": "medium"})
    supervisor.close_case(cases["F"], "goals_met", closed_on=dt.date(2026, 3, 20))

    # A: the young person with sentinel identifiers.
    detail = kch.create_case(
        _new(
            at(27, 2, 10),
            "KCH",
            assault_at=at(27, 2, 8),
            age=None,
            person={
                "given_name": SENTINEL_GIVEN,
                "family_name": SENTINEL_FAMILY,
                "nhs_number": SENTINEL_NHS,
                "postcode": SENTINEL_POSTCODE,
                "date_of_birth": SENTINEL_DOB,
                "address": "1 " + SENTINEL_PLACE,
                "phone": "07700 900123",
                "estimated_age": None,
            },
        )
    )
    cases["A"], person_a = detail.case_id, detail.person.id
    kch.add_contact(
        cases["A"],
        {
            "contact_at": at(27, 2, 20),
            "medium": "bedside",
            "successful": True,
            "contact_with": "young_person",
            "duration_minutes": 45,
            "notes": SENTINEL_NOTE,
        },
    )
    kch.record_assessment(
        cases["A"],
        {
            "assessed_on": dt.date(2026, 2, 27),
            "stage": "start",
            "risk_level": "high",
            "needs_identified": ("housing", "education"),
            "notes": SENTINEL_NOTE,
        },
    )
    kch.record_assessment(
        cases["A"],
        {
            "assessed_on": dt.date(2026, 3, 5),
            "stage": "end",
            "risk_level": "low",
            "needs_identified": ("education",),
            "needs_met": ("housing",),
        },
    )
    supervisor.close_case(cases["A"], "goals_met", SENTINEL_NOTE, closed_on=dt.date(2026, 3, 5))

    # B: first minute of March (GMT).
    cases["B"] = kch.create_case(_new(at(1, 3, 0, 30), "KCH", assault_at=at(28, 2, 23))).case_id
    kch.add_contact(
        cases["B"], {"contact_at": at(1, 3, 9), "medium": "phone", "successful": False, "contact_with": "young_person"}
    )
    kch.add_contact(
        cases["B"],
        {
            "contact_at": at(2, 3, 12),
            "medium": "bedside",
            "successful": True,
            "contact_with": "young_person",
            "duration_minutes": 30,
        },
    )
    kch.add_contact(
        cases["B"],
        {
            "contact_at": at(31, 3, 23, 30),
            "medium": "home_visit",
            "successful": True,
            "contact_with": "parent_carer",
            "duration_minutes": 60,
        },
    )
    kch.update_case(cases["B"], {"consent_share": True})
    referral = kch_referrals.create_referral(
        cases["B"], camhs, "routine", SENTINEL_NOTE, drafted_on=dt.date(2026, 3, 2)
    )
    kch_referrals.record_step(referral, "sent", dt.date(2026, 3, 3))
    kch_referrals.record_step(referral, "accepted", dt.date(2026, 3, 10))
    kch_referrals.record_step(referral, "help_started", dt.date(2026, 4, 14))
    kch.raise_concern(
        cases["B"],
        {"raised_at": at(31, 3, 23, 30), "category": "exploitation", "facts": SENTINEL_NOTE, "status": "open"},
    )

    # C: the night the clocks went forward.
    cases["C"] = kch.create_case(
        _new(at(29, 3, 3, 0), "KCH", assault_at=at(29, 3, 1, 30), age=12, method="body", location="park")
    ).case_id
    kch.update_case(cases["C"], {"engagement": "declined"})
    concern = kch.raise_concern(
        cases["C"], {"raised_at": at(29, 3, 10), "category": "gang", "facts": SENTINEL_NOTE, "status": "open"}
    )
    kch.amend_concern(
        cases["C"], concern, {"shared_with": ("social_care", "police"), "shared_on": dt.date(2026, 3, 30)}
    )

    # D: 00:30 BST on 1 April.
    cases["D"] = kch.create_case(
        _new(at(31, 3, 23, 30), "KCH", assault_at=at(31, 3, 22, 30), age=19, method="glass", location="licensed")
    ).case_id

    # E: A's young person again, at RLH.
    cases["E"] = rlh.create_case(
        _new(at(15, 3, 12), "RLH", assault_at=at(15, 3, 11), age=17, existing=person_a)
    ).case_id
    rlh.add_contact(
        cases["E"],
        {
            "contact_at": at(16, 3, 12),
            "medium": "phone",
            "successful": True,
            "contact_with": "professional",
            "duration_minutes": 90,
        },
    )
    rlh.update_case(cases["E"], {"consent_share": True})
    referral = rlh_referrals.create_referral(
        cases["E"], rehab, "routine", SENTINEL_NOTE, drafted_on=dt.date(2026, 3, 16)
    )
    rlh_referrals.record_step(referral, "sent", dt.date(2026, 3, 16))
    rlh_referrals.record_step(referral, "accepted", dt.date(2026, 3, 20))
    rlh_referrals.record_step(referral, "help_started", dt.date(2026, 3, 26))

    with admin.session() as session:
        from sqlalchemy import select

        from youthcase.storage.models import Site

        sites = {code: site_id for code, site_id in session.execute(select(Site.code, Site.id))}
    return Scenario(admin, vaults["sam"], vaults["wanda"], vaults["rob"], cases, sites)
