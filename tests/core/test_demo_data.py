"""Synthetic demo data: valid against the data dictionary, realistic in shape, the same for a seed."""

from __future__ import annotations

import collections
import datetime as dt
import io
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import ForeignKey, func, select

from tests.helpers.access import RECOVERY_KEYS, hold_every_site_key, new_vault
from tests.helpers.clock import FakeClock
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.domain import dictionary as dd
from youthcase.domain.records import check_dates, check_new_case, validate
from youthcase.domain.roles import Role
from youthcase.domain.validation import LONDON
from youthcase.services.cases import CaseService
from youthcase.services.demo_data import DemoResult, load_demo_data
from youthcase.services.errors import InvalidInput, PasswordChangeRequired, PermissionDenied
from youthcase.services.vault import LockedVault, UnlockedVault
from youthcase.storage.models import (
    AppUser,
    CaseEpisode,
    CasePerson,
    CaseStatusChange,
    Contact,
    FollowUp,
    Incident,
    PlanGoal,
    RiskAssessment,
    SafeguardingConcern,
    Site,
    YoungPerson,
)

from .conftest import ADMIN_PASSWORD, FAST_KDF, add_account, unlock_with_changed_password

RECORDS: dict[Any, dd.EntitySpec] = {
    CasePerson: dd.YOUNG_PERSON,
    CaseEpisode: dd.CASE,
    Incident: dd.INCIDENT,
    Contact: dd.CONTACT,
    RiskAssessment: dd.RISK_ASSESSMENT,
    SafeguardingConcern: dd.SAFEGUARDING,
    PlanGoal: dd.PLAN_GOAL,
    FollowUp: dd.FOLLOW_UP,
}


def load_all(vault: UnlockedVault) -> dict[Any, list[Any]]:
    """Every demo record, decrypted by the ORM (tests read below the services' access rules, and on a
    team server below the server's: as the setup role)."""
    with vault.acting_as_setup_role(), vault.session() as session:
        return {model: list(session.scalars(select(model).order_by(model.id))) for model in RECORDS}


def recovery(location: VaultLocation) -> str:
    return RECOVERY_KEYS[location.describe()]


def fields_of(entity: dd.EntitySpec, record: Any) -> dict[str, Any]:
    return {spec.name: getattr(record, spec.name) for spec in entity.fields if hasattr(record, spec.name)}


def test_demo_data_on_both_backends_is_valid_and_complete(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    calls: list[tuple[int, int]] = []
    result = load_demo_data(
        admin_vault,
        150,
        seed=3,
        recovery_key=recovery(location),
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls[-1] == (150, 150)
    assert len(result.accounts) == 16 and {a.site_code for a in result.accounts} == {"RLH", "KCH", "SGH", "SMH"}
    assert result.counts["case_episode"] == result.counts["incident"] == 150
    assert result.counts["young_person"] == 150 - result.returning_cases
    records = load_all(hold_every_site_key(admin_vault))
    counts = {model.__tablename__: len(rows) for model, rows in records.items()}
    written = {
        table: n
        for table, n in result.counts.items()
        if table not in {"case_status_change", "case_key", "case_site_key", "young_person"}
    }
    assert counts == written
    assert result.counts["case_key"] == result.counts["case_site_key"] == result.counts["case_episode"]
    with admin_vault.session() as session:
        assert session.scalar(select(func.count()).select_from(YoungPerson)) == 150 - result.returning_cases

    now = clock.now()
    with admin_vault.session() as session:
        sites = {s.id: s.code for s in session.scalars(select(Site))}
        users = {u.id: u for u in session.scalars(select(AppUser))}
    people = {p.case_id: p for p in records[CasePerson]}  # the person as recorded on each case
    cases = {c.id: c for c in records[CaseEpisode]}
    incidents = {i.case_id: i for i in records[Incident]}
    for model, entity in RECORDS.items():
        for record in records[model]:
            values = fields_of(entity, record)
            if model is CaseEpisode:
                values["site"] = sites[record.site_id]
            _, problems = validate(entity, values)
            case = cases.get(getattr(record, "case_id", None) or record.id)
            dob = people[case.id].date_of_birth if case else values.get("date_of_birth")
            problems += check_dates(entity.name, values, now, None if model is CasePerson else dob)
            assert problems == [], (model.__tablename__, problems)
    for case in cases.values():
        person = people[case.id]
        assert (
            check_new_case(
                fields_of(dd.YOUNG_PERSON, person),
                fields_of(dd.CASE, case),
                fields_of(dd.INCIDENT, incidents[case.id]),
                now,
            )
            == []
        )
        worker = users[case.worker_id]
        assert worker.role == "worker" and sites[case.site_id] in {s.code for s in worker.sites}
        assert users[case.supervisor_id].role == "supervisor"
        assert now - dt.timedelta(days=732) <= case.arrival_at <= now
        assert (case.status == "closed") == (case.closed_on is not None) == (case.closure_reason is not None)
        assert case.reference.startswith(f"{sites[case.site_id]}-")
    # The status history alternates in date order and ends in the case's status.
    history = collections.defaultdict(list)
    with admin_vault.session() as session:
        for change in session.scalars(select(CaseStatusChange).order_by(CaseStatusChange.recorded_at)):
            history[change.case_id].append((change.change, change.changed_on, change.reason))
    assert set(history) == set(cases)
    for case_id, changes in history.items():
        kinds = [kind for kind, _, _ in changes]
        expected = ["opened", "closed", "reopened", "closed"][: len(kinds)]
        assert kinds == expected, kinds
        assert [day for _, day, _ in changes] == sorted(day for _, day, _ in changes)
        case = cases[case_id]
        assert changes[0][1] == case.arrival_at.astimezone(LONDON).date()
        assert (kinds[-1] == "closed") == (case.status == "closed")
        assert case.reopen_count == kinds.count("reopened")
        if case.status == "closed":
            assert changes[-1][1:] == (case.closed_on, case.closure_reason)
    # The safeguarding versions share a concern id and number from 1.
    versions = collections.defaultdict(list)
    for concern in records[SafeguardingConcern]:
        versions[concern.concern_id].append(concern.version)
    assert all(sorted(v) == list(range(1, len(v) + 1)) for v in versions.values())


def test_only_an_administrator_loads_it_and_only_into_a_vault_without_cases(
    admin_vault: UnlockedVault, location: VaultLocation, clock: FakeClock
) -> None:
    add_account(admin_vault, "wanda", Role.WORKER, "wanda temporary password", ("KCH",))
    wanda = unlock_with_changed_password(location, clock, "wanda", "wanda temporary password")
    with pytest.raises(PermissionDenied, match="only an administrator"):
        load_demo_data(wanda, 10, seed=1, recovery_key=recovery(location))
    with pytest.raises(InvalidInput, match="1-1,000,000"):
        load_demo_data(admin_vault, 0, seed=1, recovery_key=recovery(location))
    result = load_demo_data(admin_vault, 20, seed=1, recovery_key=recovery(location))
    with pytest.raises(InvalidInput, match="already holds cases"):
        load_demo_data(admin_vault, 20, seed=1, recovery_key=recovery(location))
    # A demo worker logs in with the printed password, must change it, and then sees their cases.
    account = next(a for a in result.accounts if a.role is Role.WORKER and a.site_code == "RLH")
    first = LockedVault(location, clock).unlock(account.username, account.temporary_password)
    with pytest.raises(PasswordChangeRequired):
        CaseService(first).caseload()
    worker = unlock_with_changed_password(location, clock, account.username, account.temporary_password)
    caseload = CaseService(worker).caseload()
    assert caseload and {row.worker for row in caseload} == {account.username}
    assert {row.site_code for row in caseload} == {"RLH"}


def snapshot(vault: UnlockedVault) -> dict[str, list[tuple[Any, ...]]]:
    """The demo's content, with the ids that differ between vaults (staff, sites) named instead and
    the blind indexes (keyed per vault) left out."""
    with vault.session() as session:
        names: dict[uuid.UUID, str] = {u.id: u.username for u in session.scalars(select(AppUser))}
        names.update({s.id: s.code for s in session.scalars(select(Site))})
    result = {}
    for model, rows in load_all(hold_every_site_key(vault)).items():
        columns = [c for c in model.__table__.columns if c.name not in {"nhs_index", "name_dob_index"}]
        staff_or_site = {
            c.name
            for c in columns
            if any(isinstance(fk, ForeignKey) and fk.column.table.name in {"app_user", "site"} for fk in c.foreign_keys)
        }
        result[model.__tablename__] = [
            tuple(names.get(getattr(r, c.key)) if c.name in staff_or_site else getattr(r, c.key) for c in columns)
            for r in rows
        ]
    return result


def demo_vault(tmp_path: Path, name: str, seed: int, cases: int = 120) -> tuple[UnlockedVault, DemoResult]:
    location = VaultLocation.parse(str(tmp_path / f"{name}.vault"))
    vault = new_vault(location, "admin", ADMIN_PASSWORD, FAST_KDF, FakeClock()).vault
    return vault, load_demo_data(vault, cases, seed, recovery(location))


def test_the_same_seed_gives_the_same_data(tmp_path: Path) -> None:
    first, one = demo_vault(tmp_path, "a", seed=11)
    second, two = demo_vault(tmp_path, "b", seed=11)
    third, _ = demo_vault(tmp_path, "c", seed=12)
    try:
        assert one.counts == two.counts
        same = snapshot(first)
        assert same == snapshot(second)
        assert same["case_person"][0][2]  # names really are in the snapshot (decrypted)
        assert snapshot(third)["case_person"] != same["case_person"]
        # Passwords are not derived from the seed.
        assert {a.temporary_password for a in one.accounts}.isdisjoint(a.temporary_password for a in two.accounts)
    finally:
        for vault in (first, second, third):
            vault.lock()


def test_the_demo_looks_like_the_service(tmp_path: Path) -> None:
    vault, result = demo_vault(tmp_path, "shape", seed=2026, cases=2000)
    try:
        records = load_all(hold_every_site_key(vault))
    finally:
        vault.lock()
    cases, people = records[CaseEpisode], {p.case_id: p for p in records[CasePerson]}

    def share(items: list[Any], test: Any) -> float:
        return sum(1 for item in items if test(item)) / len(items)

    assert 0.75 <= share(list(people.values()), lambda p: p.sex == "1") <= 0.85
    ages = [c.age_at_arrival for c in cases]
    assert min(ages) >= 10 and max(ages) <= 25 and 0.5 <= share(ages, lambda a: 15 <= a <= 19) <= 0.75
    assert len({p.ethnicity for p in people.values()}) >= 12 and len({p.borough for p in people.values()}) >= 25
    assert 0.05 <= result.returning_cases / len(cases) <= 0.11
    local = [c.arrival_at.astimezone(LONDON) for c in cases]
    assert share(local, lambda t: t.hour >= 18 or t.hour < 2) > 0.45  # a third of the day
    assert share(local, lambda t: t.weekday() >= 5) > 0.34  # two sevenths of the week
    assert {c.site_id for c in cases}.__len__() == 4
    methods = collections.Counter(i.assault_method for i in records[Incident])
    assert 0.35 <= methods["knife"] / len(cases) <= 0.45 and 0.25 <= methods["body"] / len(cases) <= 0.35
    contacts = records[Contact]
    assert 0.1 <= share(contacts, lambda c: not c.successful) <= 0.4
    assert {"start", "change", "end"} <= {a.stage for a in records[RiskAssessment]}
    assert any(c.version == 2 for c in records[SafeguardingConcern])
    closed = [c for c in cases if c.status == "closed"]
    assert 0.6 <= len(closed) / len(cases) <= 0.95
    assert {"goals_met", "disengaged", "transferred", "other"} <= {c.closure_reason for c in closed}
    assert any(c.reopen_count for c in cases) and records[FollowUp] and records[PlanGoal]
    engagement = collections.Counter(c.engagement for c in cases)
    assert {"engaged", "declined", "unable_to_contact", "transferred"} <= set(engagement)
    # The most recent cases are still being worked: not yet contacted, or open.
    latest = max(cases, key=lambda c: c.arrival_at)
    assert latest.status == "open"


def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_demo_prints_the_staff_once_and_refuses_others(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.vault")
    code, out, _ = run("init", "--db", db, "--admin", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert code == 0
    recovery_key = out.strip().splitlines()[-1]
    code, out, err = run(
        "demo",
        "--db",
        db,
        "--user",
        "admin",
        "--password-stdin",
        "--cases",
        "30",
        "--seed",
        "4",
        stdin=f"{ADMIN_PASSWORD}\n{recovery_key}\n",
    )
    assert code == 0, err
    assert err.splitlines()[-1] == "30 / 30 cases"
    lines = out.splitlines()
    assert lines[0].startswith("Loaded demo data (seed 4)") and "30 cases" in lines[0]
    staff = [line.split() for line in lines[2:]]
    assert len(staff) == 16 and staff[0][:2] == ["demo.rlh.supervisor", "Supervisor"]
    username, password = staff[1][0], staff[1][-1]
    code, _, err = run("demo", "--db", db, "--user", username, "--password-stdin", stdin=password + "\n")
    assert code == 10 and err.count("\n") == 1
    assert (
        run(
            "users",
            "passwd",
            "--db",
            db,
            "--user",
            username,
            "--password-stdin",
            stdin=f"{password}\na new phrase for the demo\n",
        )[0]
        == 0
    )
    code, _, err = run("demo", "--db", db, "--user", username, "--password-stdin", stdin="a new phrase for the demo\n")
    assert code == 8 and err.count("\n") == 1 and "only an administrator" in err
    code, _, err = run("demo", "--db", db, "--user", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    assert code == 2 and "already holds cases" in err
