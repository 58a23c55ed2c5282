"""The ISTV extract (services/istv.py, ``youthcase istv``): supervisors only, their sites only,
no identifiers, no description of a home, every exported case audited."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers.clock import FakeClock
from youthcase.config import VaultLocation
from youthcase.domain.roles import Role
from youthcase.returns.kpis import Month
from youthcase.services.audit import AuditAction
from youthcase.services.cases import CaseService
from youthcase.services.errors import PermissionDenied
from youthcase.services.istv import HEADER, IstvService
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import AuditEvent

from .conftest import add_account, unlock_with_changed_password
from .test_cases import NOW, new_case
from .test_cli import run

MARCH = Month(2026, 3)


@pytest.fixture
def site(admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock) -> dict[str, UnlockedVault]:
    """wanda (worker) and sam (supervisor) at KCH; three March cases: a street, a home, an "other" method."""
    vaults = {"admin": admin_vault}
    for name, role in (("wanda", Role.WORKER), ("sam", Role.SUPERVISOR)):
        add_account(admin_vault, name, role, f"{name} temporary password", ("KCH",))
        vaults[name] = unlock_with_changed_password(location, clock, name, f"{name} temporary password")
    cases = CaseService(vaults["wanda"])
    cases.create_case(new_case(given_name="Zedediah"))
    home = new_case(given_name="Yarrowby", nhs_number=None)
    at_home = {"assault_location_type": "home", "assault_location_description": "12 Acacia Avenue, flat 3"}
    cases.create_case(dataclasses.replace(home, incident={**home.incident, **at_home}))
    other = new_case(given_name="Xanthippe", nhs_number=None)
    thrown = {"assault_method": "other", "assault_method_other": "scooter thrown"}
    cases.create_case(dataclasses.replace(other, incident={**other.incident, **thrown}))
    clock.advance(40 * 86400)  # April: March has ended
    return vaults


def test_a_supervisor_extracts_the_assaults_of_their_site_without_identifiers(site: dict[str, UnlockedVault]) -> None:
    extract = IstvService(site["sam"]).extract(MARCH)
    rows = list(csv.DictReader(io.StringIO(extract.csv().decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADER and len(rows) == 3
    assert {r["reporting_period_start_date"] for r in rows} == {"2026-03-01"}
    assert {r["reporting_period_end_date"] for r in rows} == {"2026-03-31"}
    assert {r["site_code_of_treatment"] for r in rows} == {"KCH"}
    arrival = (NOW - dt.timedelta(hours=5)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")  # GMT in March
    assert {r["arrival_date_time"] for r in rows} == {arrival}
    by_place = {r["assault_location_type"]: r for r in rows if r["assault_method"] != "Other"}
    assert by_place["Street or public place"]["assault_location_description"] == "Rye Lane bus stop"
    assert by_place["Home"]["assault_location_description"] == ""  # a home is never described
    (other,) = [r for r in rows if r["assault_method"] == "Other"]
    assert other["assault_method_other_description"] == "scooter thrown"
    text = extract.csv().decode("utf-8-sig")
    for identifier in ("Zedediah", "Yarrowby", "Xanthippe", "Okafor", "943 476 5919", "SE15", "KCH-26", "Acacia"):
        assert identifier not in text


def test_only_supervisors_of_the_site_extract_and_each_case_is_audited(site: dict[str, UnlockedVault]) -> None:
    with pytest.raises(PermissionDenied):
        IstvService(site["wanda"]).extract(MARCH)
    with pytest.raises(PermissionDenied, match="you do not supervise RLH"):
        IstvService(site["sam"]).extract(MARCH, "RLH")
    with pytest.raises(PermissionDenied):
        IstvService(site["admin"]).extract(MARCH)
    IstvService(site["sam"]).extract(MARCH, "kch")
    with site["admin"].session() as session:
        exported = session.scalars(select(AuditEvent.entity).where(AuditEvent.action == AuditAction.EXPORT.value)).all()
    assert sorted(entity or "" for entity in exported) == ["case_episode"] * 3 + ["istv_extract"]


def test_the_cli_writes_the_extract(file_location: VaultLocation, clock: FakeClock, tmp_path: Path) -> None:
    from tests.helpers.access import new_vault

    from .conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF

    admin = new_vault(file_location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault
    add_account(admin, "sam", Role.SUPERVISOR, "sam temporary password", ("KCH",))
    unlock_with_changed_password(file_location, clock, "sam", "sam temporary password").lock()
    admin.lock()
    out = tmp_path / "istv.csv"
    base = ("istv", "--db", str(file_location.path), "--user", "sam", "--password-stdin", "--month", "2026-03")
    code, said, err = run(*base, "--csv", str(out), stdin="sam temporary password changed\n")
    assert code == 0, err
    assert "Wrote 0 assaults of March 2026 at KCH" in said
    assert out.read_bytes().decode("utf-8-sig").splitlines() == [",".join(HEADER)]
    code, said, err = run(*base, "--site", "RLH", "--csv", str(out), stdin="sam temporary password changed\n")
    assert code == 8 and err.count("\n") == 1 and "RLH" in err
