"""Referrals through the services: directory, consent gate, steps, waiting, overdue, the letter."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.cases import CaseService
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.referrals import ReferralRefused, ReferralService
from youthcase.services.service_directory import ServiceDirectory
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import AuditEvent

from .conftest import add_account, unlock_with_changed_password
from .test_cases import new_case


@pytest.fixture
def team(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, Any]:
    directory = ServiceDirectory(admin_vault)
    camhs = directory.add_service(
        {
            "service_type": "camhs",
            "name": "Southwark CAMHS",
            "address": "Maudsley Hospital, Denmark Hill, London SE5 8AZ",
            "chase_interval_days": 14,
        }
    )
    rehab = directory.add_service(
        {"service_type": "Physical rehabilitation", "name": "KCH Trauma Rehab", "chase_interval_days": 7}
    )
    vaults = {}
    for name in ("wanda", "will"):
        add_account(
            admin_vault, name, Role.WORKER, f"{name} temporary password", ("KCH",), full_name=f"{name.title()} Worker"
        )
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    case = CaseService(vaults["wanda"]).create_case(new_case(given_name="Zoë", family_name="Nguyễn"))
    return {"admin": admin_vault, "camhs": camhs, "rehab": rehab, "case": case, **vaults}


def test_directory_is_kept_by_administrators(team: dict[str, Any]) -> None:
    assert [s.name for s in ServiceDirectory(team["wanda"]).list_services()] == ["Southwark CAMHS", "KCH Trauma Rehab"]
    assert ServiceDirectory(team["wanda"]).list_services("rehabilitation")[0].chase_interval_days == 7
    with pytest.raises(PermissionDenied):
        ServiceDirectory(team["wanda"]).add_service({"service_type": "gp", "name": "Practice"})
    with pytest.raises(InvalidInput, match="service type"):
        ServiceDirectory(team["admin"]).add_service({"service_type": "spa", "name": "Spa"})


def test_consent_gate_and_audited_override(team: dict[str, Any]) -> None:
    service = ReferralService(team["wanda"])
    case_id = team["case"].case_id
    with pytest.raises(ReferralRefused, match="consent"):
        service.create_referral(case_id, team["camhs"].service_id, "routine", "Low mood, poor sleep.")
    referral = service.create_referral(
        case_id,
        team["camhs"].service_id,
        "urgent",
        "Low mood, poor sleep.",
        consent_override_reason="Risk of serious harm; shared under safeguarding.",
    )
    with team["admin"].session() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == referral)))
    assert "consent override" in actions
    CaseService(team["wanda"]).update_case(case_id, {"consent_share": True})
    plain = service.create_referral(case_id, team["rehab"].service_id, "routine", "Knee rehabilitation.")
    assert not [v for v in service.referrals_for_case(case_id) if v.referral_id == plain][0].consent_overridden


def test_camhs_pathway_waiting_and_overdue(team: dict[str, Any], clock: FakeClock) -> None:
    CaseService(team["wanda"]).update_case(team["case"].case_id, {"consent_share": True})
    service = ReferralService(team["wanda"])
    referral = service.create_referral(team["case"].case_id, team["camhs"].service_id, "routine", "Flashbacks.")
    service.record_step(referral, "sent")
    with pytest.raises(ReferralRefused, match="cannot follow"):
        service.record_step(referral, "completed")
    clock.advance(15 * 86400)
    (view,) = service.board()
    assert view.status == "sent" and view.overdue and view.days_waiting == 15
    assert service.overdue_count() == 1
    service.record_step(referral, "accepted")
    assert not service.board()[0].overdue
    clock.advance(10 * 86400)
    service.record_step(referral, "appointment_offered")
    clock.advance(5 * 86400)
    service.record_step(referral, "help_started")
    (view,) = service.referrals_for_case(team["case"].case_id)
    assert (view.days_to_first_response, view.days_to_help_started, view.days_waiting) == (15, 30, None)
    assert [m.step for m in view.milestones] == ["drafted", "sent", "accepted", "appointment_offered", "help_started"]
    assert service.board(service_type="rehabilitation") == []


def test_decline_and_re_referral(team: dict[str, Any]) -> None:
    CaseService(team["wanda"]).update_case(team["case"].case_id, {"consent_share": True})
    service = ReferralService(team["wanda"])
    first = service.create_referral(team["case"].case_id, team["camhs"].service_id, "routine", "Anxiety.")
    service.record_step(first, "sent")
    with pytest.raises(ReferralRefused, match="reason"):
        service.record_step(first, "declined")
    service.record_step(first, "declined", decline_reason="incomplete")
    with pytest.raises(ReferralRefused, match="no further steps"):
        service.record_step(first, "accepted")
    second = service.create_referral(
        team["case"].case_id, team["camhs"].service_id, "routine", "Anxiety; GP letter attached.", re_referral_of=first
    )
    views = {v.referral_id: v for v in service.referrals_for_case(team["case"].case_id)}
    assert views[second].re_referral_of == first and views[first].milestones[-1].decline_reason == "incomplete"


def test_other_workers_cannot_see_or_move_referrals(team: dict[str, Any]) -> None:
    CaseService(team["wanda"]).update_case(team["case"].case_id, {"consent_share": True})
    referral = ReferralService(team["wanda"]).create_referral(
        team["case"].case_id, team["camhs"].service_id, "routine", "Anxiety."
    )
    assert ReferralService(team["will"]).board() == []
    with pytest.raises(PermissionDenied):
        ReferralService(team["will"]).record_step(referral, "sent")
    with pytest.raises(PermissionDenied):
        ReferralService(team["will"]).letter_pdf(referral)


def test_letter_says_what_it_should_and_its_save_is_audited(team: dict[str, Any], tmp_path: Path) -> None:
    case_id = team["case"].case_id
    CaseService(team["wanda"]).update_case(case_id, {"consent_share": True, "consent_recorded_on": dt.date(2026, 3, 1)})
    CaseService(team["wanda"]).record_assessment(
        case_id,
        {"assessed_on": dt.date(2026, 3, 1), "stage": "start", "risk_level": "high", "risk_factors": ("retaliation",)},
    )
    service = ReferralService(team["wanda"])
    referral = service.create_referral(
        case_id, team["camhs"].service_id, "urgent", "Nightmares since the stabbing; not sleeping."
    )
    pdf = service.letter_pdf(referral)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in (
        "Referral to Southwark CAMHS",
        "Zoë Nguyễn",
        "943 476 5919",
        "17 May 2009",
        "Nightmares since the stabbing",
        "High",
        "Intent to retaliate",
        "consented",
        "Wanda Worker",
        "King's College Hospital",
        "Urgent",
    ):
        assert expected in text, expected
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith("Referral KCH-26-")  # type: ignore[union-attr]
    before = set(tmp_path.iterdir())
    target = tmp_path / "letter.pdf"
    service.save_letter(referral, target)
    assert set(tmp_path.iterdir()) - before == {target}
    assert target.read_bytes()[:5] == b"%PDF-"
    with team["admin"].session() as session:
        actions = list(session.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == referral)))
    assert "export" in actions
