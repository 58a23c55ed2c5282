"""Signed records and the signed audit trail, attacked around the services.

The attacker holds an account (its password), the vault files or the server, and any code they
like. Each edit is one they could make with the raw engine; each must be refused or reported.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from tests.helpers.access import RECOVERY_KEYS
from tests.helpers.clock import FakeClock
from tests.helpers.team_server import operator_engine
from youthcase.config import VaultLocation
from youthcase.crypto.keypairs import KeyPairs
from youthcase.crypto.statements import sign_statement
from youthcase.services.access import AccessService
from youthcase.services.audit import event_digest
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.cases import CaseService
from youthcase.services.errors import InvalidInput, VaultCorrupt
from youthcase.services.recovery import rotate_recovery_key
from youthcase.services.supervision import SupervisionService
from youthcase.services.vault import LockedVault, UnlockedVault
from youthcase.storage.models import AccountKey, AppUser, AuditEvent, RecoveryPublicKey, Site, SiteKey, user_site

from .test_key_attacks import _names, case_ids, new_case, team  # noqa: F401 - the fixture

PASSWORD = "{} temporary password changed"


def _raw(vault: UnlockedVault) -> Connection:
    return operator_engine(vault).begin()  # type: ignore[return-value]


def _reopen(vaults: dict[str, UnlockedVault], name: str, location: VaultLocation, clock: FakeClock) -> UnlockedVault:
    vaults[name].lock()
    return LockedVault(location, clock).unlock(name, PASSWORD.format(name))


def test_an_untouched_vault_reports_nothing(team: dict[str, UnlockedVault]) -> None:  # noqa: F811
    for vault in team.values():
        assert vault.integrity_problems == []
    report = AuditTrail(team["admin"]).verify()
    assert report.intact and report.record_problems == ()


def test_an_edited_role_is_refused_on_opening_and_reported(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    ids = _names(team["admin"])
    with _raw(team["admin"]) as connection:
        connection.execute(update(AppUser).where(AppUser.id == ids["wanda"]).values(role="supervisor"))
    team["wanda"].lock()
    with pytest.raises(VaultCorrupt, match="account record has been altered"):
        LockedVault(location, clock).unlock("wanda", PASSWORD.format("wanda"))
    sam = _reopen(team, "sam", location, clock)
    assert any("record of wanda" in problem for problem in sam.integrity_problems)
    report = AuditTrail(sam).verify()
    assert any("record of wanda" in problem for problem in report.record_problems)


def test_an_added_home_site_is_reported(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    ids = _names(team["admin"])
    with _raw(team["admin"]) as connection:
        rlh = connection.execute(select(Site.id).where(Site.code == "RLH")).scalar_one()
        connection.execute(insert(user_site).values(user_id=ids["will"], site_id=rlh))
    assert any("record of will" in problem for problem in AuditTrail(team["admin"]).verify().record_problems)


def test_a_replaced_public_key_gets_no_case_key(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    """rhys (another site) puts his own exchange key in place of will's, hoping the next share to
    will is wrapped to him: the supervisor's app sees the key does not verify and refuses."""
    ids = _names(team["admin"])
    rhys_public = KeyPairs.generate().public()
    with _raw(team["admin"]) as connection:
        connection.execute(
            update(AccountKey).where(AccountKey.account_id == ids["will"]).values(exchange_public=rhys_public.exchange)
        )
    sam = _reopen(team, "sam", location, clock)
    assert any("public keys of will have been replaced" in problem for problem in sam.integrity_problems)
    (wandas,) = case_ids(team["admin"], "wanda")
    with pytest.raises(VaultCorrupt, match="replaced"):
        SupervisionService(sam).share_case(wandas, "will")
    with pytest.raises(VaultCorrupt, match="replaced"):
        AccessService(sam).grant("will", "KCH")


def test_a_replaced_site_key_is_not_used_for_new_cases(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    """A worker swaps the site's public key for one whose private half they hold: new cases there
    would be readable by them. The worker's app refuses to wrap to it, and the supervisor is told."""
    attacker = KeyPairs.generate()
    with _raw(team["admin"]) as connection:
        kch = connection.execute(select(Site.id).where(Site.code == "KCH")).scalar_one()
        connection.execute(
            update(SiteKey).where(SiteKey.site_id == kch).values(exchange_public=attacker.public().exchange)
        )
    will = _reopen(team, "will", location, clock)
    assert any("key of site KCH" in problem for problem in will.integrity_problems)
    assert will.actor.site_codes == frozenset()  # the admission's site key is not genuine: not used
    with pytest.raises(InvalidInput, match="unknown site 'KCH'"):
        CaseService(will).create_case(new_case("KCH", "Newcase", clock.now()))
    sam = _reopen(team, "sam", location, clock)
    assert sam.integrity_problems


def test_a_replaced_recovery_key_stops_the_vault_opening(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    """With the recovery public key replaced, new escrow copies would be sealed to the attacker."""
    with _raw(team["admin"]) as connection:
        connection.execute(update(RecoveryPublicKey).values(exchange_public=KeyPairs.generate().public().exchange))
    team["wanda"].lock()
    with pytest.raises(VaultCorrupt, match="recovery key"):
        LockedVault(location, clock).unlock("wanda", PASSWORD.format("wanda"))


def test_recovery_rotation_keeps_every_record_verifying(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    for vault in list(team.values()):
        vault.lock()
    new_key = rotate_recovery_key(location, RECOVERY_KEYS[location.describe()], clock)
    RECOVERY_KEYS[location.describe()] = new_key
    sam = LockedVault(location, clock).unlock("sam", PASSWORD.format("sam"))
    try:
        assert sam.integrity_problems == []
        assert sam.actor.site_codes == frozenset({"KCH"})  # the break-glass grant, signed again
        report = AuditTrail(sam).verify()
        assert report.intact and report.record_problems == ()
    finally:
        sam.lock()


# --- the audit trail -------------------------------------------------------------------------------


def _forged(fields: dict[str, Any], previous: bytes, key: KeyPairs, vault_id: str) -> dict[str, Any]:
    """Column values of an audit event with ``fields``, linked to ``previous`` and signed with ``key``:
    what an account holder can compute with the package's own functions."""
    event = AuditEvent(**fields, previous_digest=previous)
    digest = event_digest(event)
    signature = sign_statement(key.signing, vault_id, "audit", (digest,))
    return {**fields, "previous_digest": previous, "digest": digest, "signature": signature}


def _rechain_from(connection: Connection, sequence: int, key: KeyPairs, vault_id: str) -> None:
    """Recompute every digest from ``sequence`` on and sign with one's own key, leaving the names
    of who acted as they were."""
    previous = connection.execute(select(AuditEvent.digest).where(AuditEvent.sequence == sequence - 1)).scalar_one()
    rows = connection.execute(select(AuditEvent).where(AuditEvent.sequence >= sequence).order_by(AuditEvent.sequence))
    for row in rows.all():
        fields = {name: getattr(row, name) for name in EVENT_FIELDS}
        values = _forged(fields, previous, key, vault_id)
        connection.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(**values))
        previous = values["digest"]


EVENT_FIELDS = ("sequence", "at", "user_id", "action", "entity", "entity_id", "signer")


def test_an_edit_signed_again_by_another_account_is_reported(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    wanda = team["wanda"]
    keys = wanda.keyring.account_keys
    assert keys is not None
    head = AuditTrail(team["admin"]).head()
    assert head is not None
    target = head.sequence - 3
    with _raw(team["admin"]) as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.sequence == target).values(action="view"))
        _rechain_from(connection, target, keys, wanda.vault_id)
    report = AuditTrail(team["admin"]).verify()
    assert not report.intact and report.first_broken is not None and report.first_broken <= target
    assert "not signed" in (report.problem or "")
    sam = _reopen(team, "sam", location, clock)
    assert any("audit trail does not verify" in problem for problem in sam.integrity_problems)


def test_a_removed_tail_is_reported_on_opening(
    team: dict[str, UnlockedVault],  # noqa: F811
    location: VaultLocation,
    clock: FakeClock,
) -> None:
    team["wanda"].lock()  # anchors the head in the key store
    with _raw(team["admin"]) as connection:
        last = connection.execute(select(AuditEvent.sequence).order_by(AuditEvent.sequence.desc())).scalars().first()
        assert last is not None
        connection.execute(delete(AuditEvent).where(AuditEvent.sequence >= last - 1))
    will = _reopen(team, "will", location, clock)
    assert any("removed from the end" in problem for problem in will.integrity_problems)
    report = AuditTrail(team["sam"]).verify()
    assert not report.intact and "anchored at the last lock" in (report.problem or "")


def test_an_event_forged_in_another_accounts_name_is_reported(
    team: dict[str, UnlockedVault],  # noqa: F811
) -> None:
    """wanda appends an event that says sam (a supervisor) signed off a case, signed with her key."""
    wanda = team["wanda"]
    keys = wanda.keyring.account_keys
    assert keys is not None
    ids = _names(team["admin"])
    with _raw(team["admin"]) as connection:
        last = connection.execute(select(AuditEvent).order_by(AuditEvent.sequence.desc()).limit(1)).one()
        fields = {
            "sequence": last.sequence + 1,
            "at": last.at,
            "user_id": ids["sam"],
            "action": "sign-off",
            "entity": None,
            "entity_id": None,
            "signer": "account",
        }
        forged = _forged(fields, last.digest, keys, wanda.vault_id)
        connection.execute(insert(AuditEvent).values(id=uuid.uuid4(), **forged))
    report = AuditTrail(team["admin"]).verify()
    assert report.first_broken == last.sequence + 1 and "not signed" in (report.problem or "")
