"""Attacks that go around the services: an account holder with their own password, the vault files
(or the server), and any code they like. For each role, every encrypted value in the vault is tried
with every key the account can unwrap; the plaintexts outside the role's rules must number 0.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from sqlalchemy import LargeBinary, MetaData, select, update
from sqlalchemy.orm import Session

from tests.helpers.clock import FakeClock
from tests.helpers.team_server import operator_engine
from youthcase.config import VaultLocation
from youthcase.crypto.errors import NoKeyError, TamperedDataError
from youthcase.crypto.fields import FieldBinding, FieldCipher
from youthcase.domain.roles import Role
from youthcase.services.access import AccessService
from youthcase.services.accounts import AccountService
from youthcase.services.cases import CaseService, NewCase
from youthcase.services.errors import AccountDisabled
from youthcase.services.keyring import Keyring
from youthcase.services.supervision import SupervisionService
from youthcase.services.vault import LockedVault, UnlockedVault
from youthcase.storage.encrypted import _FIELD_KEYS, EncryptedType, KeyScope
from youthcase.storage.models import AppUser, Base, CaseEpisode, CaseKey, SiteGrant

from .conftest import add_account, unlock_with_changed_password


def new_case(site: str, given: str, now: dt.datetime) -> NewCase:
    return NewCase(
        person={
            "given_name": given,
            "family_name": "Sentinel",
            "date_of_birth": dt.date(2009, 5, 17),
            "sex": "1",
            "ethnicity": "N",
            "borough": "southwark",
        },
        case={
            "site": site,
            "arrival_at": now - dt.timedelta(hours=5),
            "referral_source": "ed_staff",
            "notes": f"notes of {given}",
        },
        incident={
            "assault_at": now - dt.timedelta(hours=6),
            "assault_method": "knife",
            "assault_location_type": "street",
            "injury_description": f"injury of {given}",
        },
    )


@pytest.fixture
def team(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, UnlockedVault]:
    """Workers at KCH (wanda, will) and RLH (rhys), a KCH supervisor, the admin; a case each."""
    accounts = {
        "wanda": (Role.WORKER, ("KCH",)),
        "will": (Role.WORKER, ("KCH",)),
        "rhys": (Role.WORKER, ("RLH",)),
        "sam": (Role.SUPERVISOR, ("KCH",)),
    }
    vaults = {"admin": admin_vault}
    for name, (role, sites) in accounts.items():
        add_account(admin_vault, name, role, f"{name} temporary password", sites)
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    for name, site in (("wanda", "KCH"), ("will", "KCH"), ("rhys", "RLH")):
        CaseService(vaults[name]).create_case(new_case(site, name.title(), clock.now()))
    return vaults


def every_encrypted_value(vault: UnlockedVault) -> list[tuple[str, str, uuid.UUID, uuid.UUID, KeyScope, bytes]]:
    """(table, column, row id, scope id, scope, ciphertext) for every encrypted value, read raw."""
    metadata = MetaData()
    metadata.reflect(operator_engine(vault))
    found = []
    with operator_engine(vault).connect() as connection:
        for table_name, field_key in _FIELD_KEYS.items():
            table = metadata.tables[table_name]
            encrypted = [
                c for c in table.columns if isinstance(c.type, LargeBinary) and c.name in _encrypted(table_name)
            ]
            for row in connection.execute(select(table)).mappings():
                scope_id = _uuid(row[field_key.attribute])
                for column in encrypted:
                    if row[column.name] is not None:
                        found.append(
                            (
                                table_name,
                                column.name,
                                _uuid(row["id"]),
                                scope_id,
                                field_key.scope,
                                bytes(row[column.name]),
                            )
                        )
    return found


def _uuid(value: Any) -> uuid.UUID:
    """Reflected tables give ids as text on SQLite and as UUIDs on PostgreSQL."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _encrypted(table_name: str) -> set[str]:
    table = Base.metadata.tables[table_name]
    return {c.name for c in table.columns if isinstance(c.type, EncryptedType)}


def opened_by(vault: UnlockedVault, keyring: Keyring | None = None) -> list[tuple[str, str, uuid.UUID, uuid.UUID]]:
    """Every value this account's keyring (or ``keyring``) opens, trying each with the key its scope names."""
    keyring = keyring or vault.keyring
    opened = []
    for table, column, row_id, scope_id, scope, blob in every_encrypted_value(vault):
        try:
            keyring.cipher(scope, scope_id).open(blob, FieldBinding(table, column, row_id))
        except (NoKeyError, TamperedDataError):
            continue
        opened.append((table, column, row_id, scope_id))
    return opened


def case_ids(vault: UnlockedVault, *workers: str) -> set[uuid.UUID]:
    with operator_engine(vault).connect() as connection:
        rows = connection.execute(select(CaseEpisode.id, CaseEpisode.worker_id)).all()
    ids = {name: team_id for name, team_id in _names(vault).items()}
    return {case_id for case_id, worker_id in rows if worker_id in {ids[w] for w in workers}}


def _names(vault: UnlockedVault) -> dict[str, uuid.UUID]:
    with operator_engine(vault).connect() as connection:
        return {name: user_id for user_id, name in connection.execute(select(AppUser.id, AppUser.username))}


def outside_rules(vault: UnlockedVault, allowed_cases: set[uuid.UUID]) -> list[Any]:
    """Plaintexts this account opened that its role does not allow."""
    me = vault.actor.user_id
    bad = []
    for table, column, row_id, scope_id in opened_by(vault):
        scope = _FIELD_KEYS[table].scope
        if scope is KeyScope.CASE and scope_id not in allowed_cases:
            bad.append((table, column, row_id))
        if scope is KeyScope.OWNER and scope_id != me:
            bad.append((table, column, row_id))
    return bad


def test_each_role_opens_only_what_its_rules_allow(team: dict[str, UnlockedVault]) -> None:
    admin = team["admin"]
    kch = case_ids(admin, "wanda", "will")
    assert len(kch) == 2 and len(case_ids(admin, "rhys")) == 1
    # A worker: their own case only (not a colleague's at the same site, not another site's).
    assert outside_rules(team["wanda"], case_ids(admin, "wanda")) == []
    assert {s for t, c, r, s in opened_by(team["wanda"]) if t == "case_person"} == case_ids(admin, "wanda")
    # A supervisor: every case of the site they supervise, nothing of another site.
    assert outside_rules(team["sam"], kch) == []
    assert {s for t, c, r, s in opened_by(team["sam"]) if t == "case_person"} == kch
    # An administrator: no case content at all (staff names only).
    assert outside_rules(admin, set()) == []
    assert {t for t, c, r, s in opened_by(admin)} <= {"app_user"}


def test_sharing_and_reassigning_move_the_key(team: dict[str, UnlockedVault]) -> None:
    admin, sam = team["admin"], team["sam"]
    (wandas,) = case_ids(admin, "wanda")
    SupervisionService(sam).share_case(wandas, "will")
    team["will"].keyring.forget_cases([wandas])
    assert outside_rules(team["will"], case_ids(admin, "will") | {wandas}) == []
    assert wandas in {s for t, c, r, s in opened_by(team["will"]) if t == "case_person"}
    SupervisionService(sam).reassign([case_ids(admin, "will").pop()], "wanda", "cover")
    team["will"].keyring.forget_cases(case_ids(admin, "wanda"))
    assert outside_rules(team["will"], {wandas}) == []


def test_a_disabled_account_opens_nothing(
    team: dict[str, UnlockedVault], location: VaultLocation, clock: FakeClock
) -> None:
    team["wanda"].lock()
    AccountService(team["admin"]).disable_user("wanda")
    with pytest.raises(AccountDisabled):
        LockedVault(location, clock).unlock("wanda", "wanda temporary password changed")
    # Its admissions are gone at once, and the site is due a key rotation.
    assert AccessService(team["sam"]).sites_due_rotation() == ["KCH"]
    assert AccessService(team["sam"]).admissions() == [("sam", "supervisor", "KCH"), ("will", "worker", "KCH")]
    rewrapped = AccessService(team["sam"]).rotate_site_key("KCH")
    assert rewrapped == 2 and AccessService(team["sam"]).sites_due_rotation() == []
    # After rotation the supervisor holds the disabled worker's case and still reads every KCH case.
    assert outside_rules(team["sam"], case_ids(team["admin"], "wanda", "will", "sam")) == []
    assert len({s for t, c, r, s in opened_by(team["sam"]) if t == "case_person"}) == 2


def kept_keyring(vault: UnlockedVault) -> Keyring:
    """What someone keeps who copied their slot's keys before being disabled: their own key pairs,
    used against the live files (the operator's connection: on a server the login itself is refused)."""
    keyring = vault.keyring
    kept = Keyring(
        operator_engine(vault),
        vault.vault_key,
        keyring.account_id,
        keyring.account_keys,
        vault.vault_id,
        keyring.directory.pin,
    )
    with Session(operator_engine(vault)) as session:
        kept.load_directory(session)
        kept.load(session)
    return kept


def test_disabling_removes_the_accounts_wraps_at_once(team: dict[str, UnlockedVault], clock: FakeClock) -> None:
    """wanda keeps her own keys; the moment she is disabled (before any rotation or handover) they
    open nothing in the live vault, while her supervisor still reads her case through the site."""
    admin, sam = team["admin"], team["sam"]
    (wandas,) = case_ids(admin, "wanda")
    assert {s for t, c, r, s in opened_by(admin, kept_keyring(team["wanda"])) if t == "case_person"} == {wandas}
    AccountService(admin).disable_user("wanda")
    with Session(operator_engine(admin)) as session:
        left = session.scalars(select(CaseKey).where(CaseKey.account_id == _names(admin)["wanda"])).all()
    assert left == []
    assert opened_by(admin, kept_keyring(team["wanda"])) == []
    sam.keyring.forget_cases([wandas])
    assert CaseService(sam).case_detail(wandas).person.values["given_name"] == "Wanda"
    sam.lock()
    sam = LockedVault(sam.location, clock).unlock("sam", "sam temporary password changed")
    try:
        assert outside_rules(sam, case_ids(admin, "wanda", "will")) == []
        assert len({s for t, c, r, s in opened_by(sam) if t == "case_person"}) == 2
        assert SupervisionService(sam).hand_over_disabled("wanda", "KCH", "will") == 1
        team["will"].keyring.forget_cases([wandas])
        assert CaseService(team["will"]).case_detail(wandas).person.values["given_name"] == "Wanda"
    finally:
        sam.lock()


def test_an_edited_grant_or_role_gives_no_key(
    team: dict[str, UnlockedVault], location: VaultLocation, clock: FakeClock
) -> None:
    """Someone with the files copies a supervisor's grant row onto their own account: it opens
    nothing, because the sealed keys are not theirs and the signature does not cover the copy; the
    app says so on opening. (An edited role is refused outright: tests/core/test_signed_records.py.)"""

    ids = _names(team["admin"])
    with operator_engine(team["admin"]).begin() as connection:
        sealed = connection.execute(select(SiteGrant.sealed).where(SiteGrant.account_id == ids["sam"])).scalar_one()
        connection.execute(
            update(SiteGrant).where(SiteGrant.account_id == ids["wanda"]).values(sealed=sealed, level="supervisor")
        )
    team["wanda"].lock()
    forged = LockedVault(location, clock).unlock("wanda", "wanda temporary password changed")
    try:
        assert forged.actor.site_codes == frozenset()  # the grant did not open: no site at all
        assert any("admission to KCH" in problem for problem in forged.integrity_problems)
        assert outside_rules(forged, case_ids(team["admin"], "wanda")) == []
        assert {s for t, c, r, s in opened_by(forged) if t == "case_person"} <= case_ids(team["admin"], "wanda")
    finally:
        forged.lock()


def test_who_loses_a_case_cannot_read_what_is_written_after(team: dict[str, UnlockedVault], clock: FakeClock) -> None:
    """wanda keeps a copy of her case's key; the case is reassigned to will, who records a contact.
    Neither the contact nor the earlier content opens with wanda's copy: the case has a new key."""
    admin, sam = team["admin"], team["sam"]
    (wandas,) = case_ids(admin, "wanda")
    kept = FieldCipher(team["wanda"].keyring.case_key(wandas), KeyScope.CASE.value)
    SupervisionService(sam).reassign([wandas], "will", "wanda moved to another team")
    team["will"].keyring.forget_cases([wandas])
    CaseService(team["will"]).add_contact(
        wandas,
        {
            "contact_at": clock.now(),
            "medium": "phone",
            "successful": True,
            "contact_with": "young_person",
            "notes": "n",
        },
    )
    values = [v for v in every_encrypted_value(admin) if v[3] == wandas and v[4] is KeyScope.CASE]
    assert {table for table, *_ in values} >= {"case_person", "contact", "case_assignment"}
    for table, column, row_id, _scope_id, _scope, blob in values:
        with pytest.raises(TamperedDataError):
            kept.open(blob, FieldBinding(table, column, row_id))
    detail = CaseService(team["will"]).case_detail(wandas)
    assert detail.person.values["given_name"] == "Wanda" and len(detail.contacts) == 1
    team["sam"].keyring.forget_cases([wandas])
    assert CaseService(sam).case_detail(wandas).person.values["given_name"] == "Wanda"


def test_a_supervisor_reads_closed_cases_whose_keys_are_read_later(
    team: dict[str, UnlockedVault], location: VaultLocation, clock: FakeClock
) -> None:
    """Unlock reads the wraps of open cases only; a closed case's are read the first time it is asked for."""
    (wandas,) = case_ids(team["admin"], "wanda")
    CaseService(team["sam"]).close_case(wandas, "goals_met", "done", closed_on=clock.now().date())
    team["sam"].lock()
    sam = LockedVault(location, clock).unlock("sam", "sam temporary password changed")
    try:
        assert CaseService(sam).case_detail(wandas).person.values["given_name"] == "Wanda"
        assert outside_rules(sam, case_ids(team["admin"], "wanda", "will")) == []
    finally:
        sam.lock()
