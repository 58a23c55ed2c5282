"""Supervision through the service layer: notes, sign-off, closure approval, reassignment, sharing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.access import AccessService
from youthcase.services.accounts import AccountService
from youthcase.services.cases import CaseService
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.supervision import ActionInput, HeldByDisabled, SupervisionService
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import CaseAssignment, CaseKey

from .conftest import add_account, unlock_with_changed_password
from .test_cases import new_case


@pytest.fixture
def team(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, UnlockedVault]:
    accounts = {
        "wanda": (Role.WORKER, ("KCH",)),
        "will": (Role.WORKER, ("KCH",)),
        "rob": (Role.WORKER, ("RLH",)),
        "sam": (Role.SUPERVISOR, ("KCH",)),
    }
    vaults = {"admin": admin_vault}
    for name, (role, sites) in accounts.items():
        add_account(admin_vault, name, role, f"{name} temporary password", sites)
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    return vaults


def test_notes_and_actions(team: dict[str, UnlockedVault], clock: FakeClock) -> None:
    case_id = CaseService(team["wanda"]).create_case(new_case()).case_id
    sam = SupervisionService(team["sam"])
    sam.add_note(
        case_id,
        clock.now().date(),
        "Reviewed risk after retaliation threats.",
        "Refer to CAMHS this week.",
        [ActionInput("Send CAMHS referral", "wanda", clock.now().date() + dt.timedelta(days=3))],
    )
    (note,) = SupervisionService(team["wanda"]).notes_for_case(case_id)
    assert note.supervisor == "sam" and note.actions[0].owner == "wanda" and not note.actions[0].overdue
    clock.advance(4 * 86400)
    (open_action,) = sam.open_actions()
    assert open_action.overdue
    with pytest.raises(PermissionDenied):
        SupervisionService(team["will"]).complete_action(open_action.action_id)
    SupervisionService(team["wanda"]).complete_action(open_action.action_id)
    assert sam.open_actions() == []
    with pytest.raises(PermissionDenied):
        SupervisionService(team["wanda"]).add_note(case_id, clock.now().date(), "x", None)


def test_sign_off_of_assessments_and_concern_versions(team: dict[str, UnlockedVault], clock: FakeClock) -> None:
    cases = CaseService(team["wanda"])
    case_id = cases.create_case(new_case()).case_id
    assessment = cases.record_assessment(
        case_id, {"assessed_on": clock.now().date(), "stage": "start", "risk_level": "high"}
    )
    concern = cases.raise_concern(
        case_id,
        {"raised_at": clock.now(), "category": "exploitation", "facts": "Carrying for older boys.", "status": "open"},
    )
    sam = SupervisionService(team["sam"])
    with pytest.raises(PermissionDenied):
        SupervisionService(team["wanda"]).sign_off_assessment(assessment)
    sam.sign_off_assessment(assessment)
    sam.sign_off_concern(case_id, concern)
    with pytest.raises(InvalidInput, match="already signed off"):
        sam.sign_off_concern(case_id, concern)
    cases.amend_concern(case_id, concern, {"status": "closed"})
    sam.sign_off_concern(case_id, concern)  # the new version needs its own sign-off
    versions = cases.case_detail(case_id).concerns[0].versions
    assert len(versions) == 2


def test_closure_is_requested_then_approved_or_returned(team: dict[str, UnlockedVault]) -> None:
    cases = CaseService(team["wanda"])
    first = cases.create_case(new_case()).case_id
    second = cases.create_case(new_case(given_name="Ade", nhs_number=None)).case_id
    wanda, sam = SupervisionService(team["wanda"]), SupervisionService(team["sam"])
    returned = wanda.request_closure(first, "goals_met", "Back at college.")
    with pytest.raises(InvalidInput, match="already waiting"):
        wanda.request_closure(first, "goals_met")
    with pytest.raises(InvalidInput, match="comment"):
        sam.decide_closure(returned, approve=False)
    sam.decide_closure(returned, approve=False, comment="Do the end assessment first.")
    assert cases.case_detail(first).status == "open"
    approved = wanda.request_closure(second, "disengaged")
    assert [r.case_id for r in sam.closure_requests()] == [second]
    with pytest.raises(PermissionDenied):
        wanda.decide_closure(approved, approve=True)
    sam.decide_closure(approved, approve=True)
    detail = cases.case_detail(second)
    assert detail.status == "closed" and detail.case.values["closure_reason"] == "disengaged"
    assert [r.status for r in wanda.closure_requests(pending_only=False)] == ["returned", "approved"]


def test_bulk_reassignment_is_all_or_nothing(team: dict[str, UnlockedVault]) -> None:
    cases = CaseService(team["wanda"])
    ids = [cases.create_case(new_case(given_name=name, nhs_number=None)).case_id for name in ("Ade", "Bo", "Cy")]
    sam = SupervisionService(team["sam"])
    with pytest.raises(InvalidInput, match="nothing was reassigned"):
        sam.reassign(ids, "rob", "Wanda on leave")  # rob works at RLH, the cases are at KCH
    assert len(CaseService(team["wanda"]).caseload()) == 3
    with pytest.raises(InvalidInput, match="reason"):
        sam.reassign(ids, "will", "")
    sam.reassign(ids[:2], "will", "Wanda on leave for a month")
    assert sorted(r.reference for r in CaseService(team["will"]).caseload()) == ["KCH-26-00001", "KCH-26-00002"]
    assert [r.reference for r in CaseService(team["wanda"]).caseload()] == ["KCH-26-00003"]
    with team["sam"].session() as session:  # the reasons are case content: the administrator cannot read them
        moves = session.scalars(select(CaseAssignment)).all()
    assert len(moves) == 2 and moves[0].reason == "Wanda on leave for a month"
    with pytest.raises(PermissionDenied):
        SupervisionService(team["wanda"]).reassign(ids[2:], "will", "swap")


def test_sharing_lets_a_colleague_read_the_case(team: dict[str, UnlockedVault]) -> None:
    case_id = CaseService(team["wanda"]).create_case(new_case()).case_id
    with pytest.raises(PermissionDenied):
        CaseService(team["will"]).case_detail(case_id)
    SupervisionService(team["sam"]).share_case(case_id, "will")
    assert CaseService(team["will"]).case_detail(case_id).reference == "KCH-26-00001"


def test_handing_over_after_a_revocation_or_a_disable_is_in_the_assignment_history(
    team: dict[str, UnlockedVault],
) -> None:
    wandas = CaseService(team["wanda"]).create_case(new_case()).case_id
    wills = CaseService(team["will"]).create_case(new_case(given_name="Ade", nhs_number=None)).case_id
    sam = team["sam"]
    assert AccessService(sam).revoke("wanda", "KCH") == 1
    team["will"].lock()
    AccountService(team["admin"]).disable_user("will")
    AccessService(sam).rotate_site_key("KCH")  # cases held by a disabled account pass to sam
    with sam.session() as session:
        moves = {m.case_id: m for m in session.scalars(select(CaseAssignment))}
    ids = {name: team[name].actor.user_id for name in ("wanda", "will", "sam")}
    assert (moves[wandas].from_worker_id, moves[wandas].to_worker_id) == (ids["wanda"], ids["sam"])
    assert moves[wandas].reason == "handed over: admission revoked"
    assert (moves[wills].from_worker_id, moves[wills].to_worker_id) == (ids["will"], ids["sam"])
    assert moves[wills].reason == "handed over: account disabled"
    assert {m.assigned_by for m in moves.values()} == {ids["sam"]}


def test_actions_and_closure_requests_are_listed_only_on_cases_one_may_read(
    team: dict[str, UnlockedVault], location: VaultLocation, clock: FakeClock
) -> None:
    add_account(team["admin"], "rita", Role.SUPERVISOR, "rita temporary password", ("RLH",))
    rita = unlock_with_changed_password(location, clock, "rita", "rita temporary password")
    today = clock.now().date()
    at_rlh = new_case(given_name="Bo", nhs_number=None)
    at_rlh = replace(at_rlh, case={**at_rlh.case, "site": "RLH"})
    wandas = CaseService(team["wanda"]).create_case(new_case()).case_id
    robs = CaseService(team["rob"]).create_case(at_rlh).case_id
    for supervisor, case_id, owner in ((team["sam"], wandas, "wanda"), (rita, robs, "rob")):
        SupervisionService(supervisor).add_note(case_id, today, "x", None, [ActionInput("Call", owner, today)])
    SupervisionService(team["wanda"]).request_closure(wandas, "goals_met")
    SupervisionService(team["rob"]).request_closure(robs, "goals_met")

    def listed(vault: UnlockedVault) -> tuple[set[uuid.UUID], set[uuid.UUID]]:
        service = SupervisionService(vault)
        return {a.case_id for a in service.open_actions()}, {r.case_id for r in service.closure_requests()}

    assert listed(team["wanda"]) == ({wandas}, {wandas})
    assert listed(team["rob"]) == ({robs}, {robs})
    assert listed(team["will"]) == (set(), set())  # a colleague at the same site: not her cases
    assert listed(team["sam"]) == ({wandas}, {wandas})  # his site only
    assert listed(rita) == ({robs}, {robs})
    SupervisionService(team["sam"]).share_case(wandas, "will")
    assert listed(team["will"]) == ({wandas}, {wandas})  # shared with him: he reads the whole case
    for method in (SupervisionService(team["admin"]).open_actions, SupervisionService(team["admin"]).closure_requests):
        with pytest.raises(PermissionDenied):
            method()
    rita.lock()


def test_a_supervisor_hands_over_the_open_cases_of_a_disabled_worker(team: dict[str, UnlockedVault]) -> None:
    wanda = CaseService(team["wanda"])
    ids = [wanda.create_case(new_case(given_name=name, nhs_number=None)).case_id for name in ("Ade", "Bo", "Cy")]
    CaseService(team["will"]).create_case(new_case(given_name="Di", nhs_number=None))
    sam = SupervisionService(team["sam"])
    CaseService(team["sam"]).close_case(ids[2], "goals_met")  # closed: not waiting for a handover
    assert sam.held_by_disabled() == []
    wanda_id = team["wanda"].actor.user_id
    team["wanda"].lock()
    AccountService(team["admin"]).disable_user("wanda")
    assert sam.held_by_disabled() == [HeldByDisabled("wanda", "KCH", 2)]
    with pytest.raises(PermissionDenied):
        SupervisionService(team["will"]).held_by_disabled()
    with pytest.raises(PermissionDenied, match="you do not supervise RLH"):
        sam.hand_over_disabled("wanda", "RLH", "rob")
    with pytest.raises(InvalidInput, match="will is not disabled"):
        sam.hand_over_disabled("will", "KCH", "sam")
    with pytest.raises(InvalidInput, match="nothing was reassigned"):
        sam.hand_over_disabled("wanda", "KCH", "rob")  # rob is not admitted to KCH
    assert sam.hand_over_disabled("wanda", "KCH", "will") == 2
    assert sam.held_by_disabled() == []
    assert sorted(r.given_name for r in CaseService(team["will"]).caseload()) == ["Ade", "Bo", "Di"]
    with team["sam"].session() as session:
        moves = session.scalars(select(CaseAssignment)).all()
        wanda_keys = session.scalars(select(CaseKey.case_id).where(CaseKey.account_id == wanda_id)).all()
    assert {(m.case_id, m.reason) for m in moves} == {(i, "handed over: account disabled") for i in ids[:2]}
    assert wanda_keys == []  # removed when she was disabled: the closed case opens through the site
    team["sam"].keyring.forget_cases([ids[2]])
    assert CaseService(team["sam"]).case_detail(ids[2]).person.values["given_name"] == "Cy"
    assert AccessService(team["sam"]).sites_due_rotation() == ["KCH"]
    with pytest.raises(InvalidInput, match="wanda holds no open cases at KCH"):
        sam.hand_over_disabled("wanda", "KCH", "will")
