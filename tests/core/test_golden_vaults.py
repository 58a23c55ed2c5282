"""Every golden vault (tests/fixtures/golden/*, one per released format) keeps opening.

A copy is opened (and so migrated) by each of its accounts: the records verify, each role reads
what it may and no more, and the audit trail still holds the head recorded when it was made.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.services.accounts import AccountService
from youthcase.services.audit import ChainHead
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.cases import CaseService
from youthcase.services.errors import PermissionDenied
from youthcase.services.site_copies import PENDING_SETTING
from youthcase.services.vault import LockedVault
from youthcase.storage.models import AppUser, CaseEpisode, CaseKey, CaseSiteKey, VaultSetting

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "golden"
VAULTS = sorted(path for path in GOLDEN.iterdir() if (path / "manifest.json").exists())


def test_there_is_a_golden_vault_of_the_current_format() -> None:
    assert any(path.name == "keys-v2" for path in VAULTS)


@pytest.fixture(params=VAULTS, ids=[path.name for path in VAULTS])
def golden(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[VaultLocation, dict[str, Any]]:
    source: Path = request.param
    for path in source.iterdir():
        shutil.copy2(path, tmp_path / path.name)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    return VaultLocation(path=tmp_path / manifest["vault"]), manifest


def test_each_account_opens_it_and_reads_what_its_role_allows(
    golden: tuple[VaultLocation, dict[str, Any]], clock: FakeClock
) -> None:
    location, manifest = golden
    for username, password in manifest["passwords"].items():
        vault = LockedVault(location, clock).unlock(username, password)
        try:
            assert vault.integrity_problems == []
            assert vault.actor.role is Role(manifest["roles"][username])
            cases = CaseService(vault)
            if vault.actor.role is Role.ADMIN:
                with pytest.raises(PermissionDenied):
                    cases.caseload()
                continue
            (row,) = [r for r in cases.caseload() if r.reference == manifest["case_reference"]]
            detail = cases.case_detail(row.case_id)
            assert detail.person.values["given_name"] == manifest["given_name"]
            assert [c.values["notes"] for c in detail.contacts] == [manifest["contact_note"]]
        finally:
            vault.lock()


def test_its_audit_trail_still_verifies_to_the_recorded_head(
    golden: tuple[VaultLocation, dict[str, Any]], clock: FakeClock
) -> None:
    location, manifest = golden
    vault = LockedVault(location, clock).unlock("admin", manifest["passwords"]["admin"])
    try:
        report = AuditTrail(vault).verify(ChainHead.parse(manifest["audit_head"]))
        assert report.intact, report.problem
        assert report.record_problems == ()
    finally:
        vault.lock()


def test_cases_made_before_site_copies_get_them_then_survive_their_workers_disabling(
    tmp_path: Path, clock: FakeClock
) -> None:
    """Migration 0010 holds no case key: the first unlock that can open a case seals its site copy,
    after which disabling its worker (wraps deleted at once) leaves the case to the supervisor.
    (keys-v2 is the golden vault made before 0010.)"""
    source = GOLDEN / "keys-v2"
    for path in source.iterdir():
        shutil.copy2(path, tmp_path / path.name)
    manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
    location = VaultLocation(path=tmp_path / manifest["vault"])
    passwords = manifest["passwords"]
    admin = LockedVault(location, clock).unlock("admin", passwords["admin"])
    try:
        with admin.session() as session:
            assert session.scalar(select(func.count()).select_from(CaseSiteKey)) == 0
            assert session.scalar(select(VaultSetting.value).where(VaultSetting.name == PENDING_SETTING)) == "yes"
        LockedVault(location, clock).unlock("sam", passwords["sam"]).lock()
        with admin.session() as session:
            assert session.scalar(select(func.count()).select_from(CaseSiteKey)) == session.scalar(
                select(func.count()).select_from(CaseEpisode)
            )
        AccountService(admin).disable_user("wanda")
    finally:
        admin.lock()
    # The supervisor's unlock cleared the flag; the admin's would have, had the supervisor's not.
    sam = LockedVault(location, clock).unlock("sam", passwords["sam"])
    try:
        with sam.session() as session:
            assert session.scalar(select(VaultSetting.value).where(VaultSetting.name == PENDING_SETTING)) == "done"
            disabled_wraps = select(func.count()).select_from(CaseKey).join(AppUser).where(~AppUser.active)
            assert session.scalar(disabled_wraps) == 0
        cases = CaseService(sam)
        (row,) = [r for r in cases.caseload() if r.reference == manifest["case_reference"]]
        assert cases.case_detail(row.case_id).person.values["given_name"] == manifest["given_name"]
    finally:
        sam.lock()
