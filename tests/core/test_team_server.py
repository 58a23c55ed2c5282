"""The team server enforces access itself: each account's own PostgreSQL login, with raw SQL as
an attacker holding that login would use it (no app, no keys), reads and changes only what the
key design allows. Runs on the throwaway local server (trust on loopback, so a raw login needs no
password here; that the password the app derives is the login's is checked on its SCRAM verifier)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import multiprocessing
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from tests.helpers.access import remember_recovery_key
from tests.helpers.clock import FakeClock
from tests.helpers.team_server import login_engine
from tests.helpers.team_server_workers import append_events
from youthcase.cli.main import main
from youthcase.config import VaultLocation
from youthcase.crypto.kdf import server_password
from youthcase.domain.roles import Role
from youthcase.services.accounts import AccountService
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.cases import CaseService
from youthcase.services.errors import SchemaMismatch, WrongCredentials
from youthcase.services.vault import LockedVault, UnlockedVault, create_vault
from youthcase.storage.server import head_revision
from youthcase.storage.server_roles import ServerRoles

from .conftest import ADMIN, ADMIN_PASSWORD, FAST_KDF, add_account, unlock_with_changed_password
from .test_cases import new_case

pytestmark = pytest.mark.postgres

PASSWORD = "{} temporary password"
PROMOTE_WILL = (
    "UPDATE site_grant SET level = 'supervisor' WHERE account_id = (SELECT id FROM app_user WHERE username = 'will')"
)


@pytest.fixture
def team(server_url: str, clock: FakeClock) -> Iterator[dict[str, UnlockedVault]]:
    """An administrator; wanda and will (workers) and sam (supervisor) at KCH, rita supervising
    RLH; a case each for wanda and will."""
    location = VaultLocation.parse(server_url)
    created = create_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock)
    remember_recovery_key(location, created.recovery_key)
    vaults = {"admin": created.vault}
    for name, role, site in (
        ("sam", Role.SUPERVISOR, "KCH"),
        ("rita", Role.SUPERVISOR, "RLH"),
        ("wanda", Role.WORKER, "KCH"),
        ("will", Role.WORKER, "KCH"),
    ):
        add_account(created.vault, name, role, PASSWORD.format(name), (site,))
        vaults[name] = unlock_with_changed_password(location, clock, name, PASSWORD.format(name))
    CaseService(vaults["wanda"]).create_case(new_case())
    CaseService(vaults["will"]).create_case(new_case(given_name="Ade", nhs_number=None))
    yield vaults
    for vault in vaults.values():
        vault.lock()


def raw(url: str, username: str) -> Engine:
    """The account's own login, used with plain SQL."""
    return login_engine(url, ServerRoles.for_url(url).login(username), "not needed under trust")


def scalar(engine: Engine, query: str, **params: object) -> object:
    with engine.connect() as connection:
        return connection.execute(text(query), params).scalar()


NAMES = ("wanda", "will", "sam", "rita")


def values(engine: Engine, query: str) -> set[str]:
    with engine.connect() as connection:
        return {str(row[0]) for row in connection.execute(text(query))}


def refused(engine: Engine, statement: str, **params: object) -> bool:
    """Whether the server refuses the statement outright (no privilege, or a row-level policy)."""
    try:
        with engine.begin() as connection:
            connection.execute(text(statement), params)
    except DBAPIError as error:
        reasons = ("permission denied", "row-level security", "does not follow the chain head")
        return any(reason in str(error.orig) for reason in reasons)
    return False


def changes(engine: Engine, statement: str, **params: object) -> int:
    """How many rows a statement the server accepts changed (row-level security filters rows)."""
    with engine.begin() as connection:
        return connection.execute(text(statement), params).rowcount


def test_each_login_reads_only_the_case_rows_its_role_allows(server_url: str, team: dict[str, UnlockedVault]) -> None:
    owner = create_engine(server_url, poolclass=NullPool)
    cases = {
        worker: str(scalar(owner, "SELECT c.id FROM case_episode c JOIN app_user u ON u.id = c.worker_id "
                                  "WHERE u.username = :w", w=worker))
        for worker in ("wanda", "will")
    }  # fmt: skip
    for table in ("case_episode", "case_person", "case_key", "incident"):
        column = "id" if table == "case_episode" else "case_id"
        seen = {name: values(raw(server_url, name), f"SELECT {column} FROM {table}") for name in NAMES}  # noqa: S608
        assert seen["wanda"] == {cases["wanda"]} and seen["will"] == {cases["will"]}, table
        assert seen["sam"] == set(cases.values()), table  # supervises KCH
        assert seen["rita"] == set(), table  # supervises RLH only
    will = raw(server_url, "will")
    assert changes(will, "UPDATE case_episode SET status = 'closed' WHERE id = :id", id=cases["wanda"]) == 0
    assert changes(will, "DELETE FROM case_person WHERE case_id = :id", id=cases["wanda"]) == 0
    # Writing a row into someone else's case is refused, not just hidden.
    assert refused(
        will,
        "INSERT INTO case_share (case_id, user_id) SELECT :case, id FROM app_user WHERE username = 'will'",
        case=cases["wanda"],
    )
    # The administrator reads the coded columns the return needs, and no personal or free-text one.
    admin = raw(server_url, ADMIN)
    assert scalar(admin, "SELECT count(*) FROM case_episode") == 2
    assert scalar(admin, "SELECT count(DISTINCT sex) FROM case_person") is not None
    assert refused(admin, "SELECT notes FROM case_episode")
    assert refused(admin, "SELECT given_name FROM case_person")
    assert refused(admin, "SELECT * FROM case_person")
    assert refused(admin, "UPDATE case_episode SET status = 'closed'")
    assert scalar(admin, "SELECT count(*) FROM case_key") == 0  # no wraps of active accounts
    # The pre-login gate reads slots and nothing of the cases.
    roles = ServerRoles.for_url(server_url)
    gate = login_engine(server_url, roles.gate, roles.gate_password)
    assert refused(gate, "SELECT count(*) FROM case_episode")
    assert refused(gate, "SELECT count(*) FROM app_user")


def test_no_login_changes_roles_sites_grants_or_throttles(server_url: str, team: dict[str, UnlockedVault]) -> None:
    for name in ("will", "sam"):
        login = raw(server_url, name)
        assert refused(login, "UPDATE app_user SET role = 'admin' WHERE username = :n", n=name)
        assert refused(login, "UPDATE app_user SET active = true")
        assert refused(login, "INSERT INTO user_site (user_id, site_id) SELECT u.id, s.id FROM app_user u, site s")
        assert refused(login, "DELETE FROM user_site")
        assert refused(login, "INSERT INTO server_login (id, role_name, account_id) SELECT gen_random_uuid(), 'x', id "
                              "FROM app_user LIMIT 1")  # fmt: skip
        assert refused(login, "SELECT youthcase.create_login(gen_random_uuid(), 'SCRAM-SHA-256$x')")
        assert refused(login, "CREATE ROLE someone LOGIN")
    will = raw(server_url, "will")
    assert refused(will, "DELETE FROM site_grant")  # workers hold no grant rights at all
    assert refused(will, PROMOTE_WILL)
    # A supervisor grants only at the sites they supervise, and the supervisor level only to supervisors.
    sam = raw(server_url, "sam")
    assert refused(
        sam,
        "INSERT INTO site_grant (id, site_id, account_id, level, generation, sealed, granted_at, signature) "
        "SELECT gen_random_uuid(), s.id, u.id, 'worker', 1, '\\x00', now(), '\\x00' FROM site s, app_user u "
        "WHERE s.code = 'RLH' AND u.username = 'sam'",
    )
    assert refused(sam, PROMOTE_WILL)
    # Throttles: a failed attempt is counted, and no account's login can remove or reset it.
    location = VaultLocation.parse(server_url)
    with pytest.raises(WrongCredentials):
        LockedVault(location).unlock("will", "not will's password at all")
    failures = "SELECT count(*) FROM vault_meta WHERE name LIKE 'unlock\\_failures%'"
    before = scalar(will, failures)
    assert before == 1
    for name in ("will", "sam", ADMIN):
        login = raw(server_url, name)
        assert changes(login, "DELETE FROM vault_meta WHERE name LIKE 'unlock\\_failures%'") == 0
        assert changes(login, "UPDATE vault_meta SET value = '{}' WHERE name LIKE 'unlock\\_failures%'") == 0
        assert changes(login, "DELETE FROM vault_meta WHERE name = 'vault_id'") == 0
        assert refused(login, "TRUNCATE vault_meta")
    assert scalar(will, failures) == before


def test_the_audit_trail_is_append_only_for_every_login(server_url: str, team: dict[str, UnlockedVault]) -> None:
    for name in ("will", "sam", ADMIN):
        login = raw(server_url, name)
        assert refused(login, "UPDATE audit_event SET action = 'view'")
        assert refused(login, "DELETE FROM audit_event")
        assert refused(login, "TRUNCATE audit_event")
        # Nor can a login append an event out of the chain, or in another account's name.
        assert refused(
            login,
            "INSERT INTO audit_event (id, sequence, at, user_id, action, previous_digest, digest, signer, signature) "
            "SELECT gen_random_uuid(), max(sequence) + 1, now(), gen_random_uuid(), 'login', '\\x00', '\\x00', "
            "'account', '\\x00' FROM audit_event",
        )
    assert AuditTrail(team["admin"]).verify().intact


def test_concurrent_appends_from_processes_never_collide(server_url: str, team: dict[str, UnlockedVault]) -> None:
    before = AuditTrail(team["admin"]).head()
    assert before is not None
    # One account per process: parallel logins of one account are counted like parallel guesses.
    names, each = NAMES, 15
    processes = len(names)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(processes, mp_context=context) as pool:
        futures = [
            pool.submit(append_events, server_url, name, PASSWORD.format(name) + " changed", each) for name in names
        ]
        written = [future.result(timeout=120) for future in futures]
    assert written == [each] * processes
    report = AuditTrail(team["admin"]).verify()
    assert report.intact, report.problem
    assert report.head is not None
    # Each process: a login, its events and a lock.
    assert report.head.sequence == before.sequence + processes * (each + 2)


def _scram_matches(verifier: str, password: str) -> bool:
    """Whether a PostgreSQL SCRAM-SHA-256 verifier was made from this password (RFC 5802)."""
    method, rest = verifier.split("$", 1)
    iterations_salt, keys = rest.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key = keys.split(":")[0]
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return method == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def test_one_login_per_account_with_a_derived_password_and_disable_closes_it(
    server_url: str, team: dict[str, UnlockedVault]
) -> None:
    owner = create_engine(server_url, poolclass=NullPool)
    roles = ServerRoles.for_url(server_url)
    vault_id = team["admin"].vault_id
    with owner.connect() as connection:
        rows = connection.execute(
            text("SELECT rolname, rolpassword, rolcanlogin FROM pg_authid WHERE rolname LIKE :p"),
            {"p": roles.prefix.replace("_", "\\_") + "\\_u\\_%"},
        ).all()
        groups: dict[str, str] = dict(
            connection.execute(
                text(
                    "SELECT m.rolname, g.rolname FROM pg_auth_members a JOIN pg_roles m ON m.oid = a.member "
                    "JOIN pg_roles g ON g.oid = a.roleid WHERE m.rolname LIKE :p"
                ),
                {"p": roles.prefix.replace("_", "\\_") + "\\_u\\_%"},
            ).all()
        )
        flags = connection.execute(
            text("SELECT rolcanlogin, rolcreaterole FROM pg_roles WHERE rolname = :o"), {"o": roles.owner}
        ).one()
    logins = {name: (verifier, can_login) for name, verifier, can_login in rows}
    assert set(logins) == {roles.login(n) for n in (ADMIN, "sam", "rita", "wanda", "will")}
    assert groups[roles.login("will")] == roles.worker and groups[roles.login("sam")] == roles.supervisor
    assert tuple(flags) == (False, True)  # the owner cannot log in
    derived = server_password(PASSWORD.format("will") + " changed", vault_id, "will", FAST_KDF)
    assert _scram_matches(logins[roles.login("will")][0], derived)
    assert not _scram_matches(logins[roles.login("will")][0], PASSWORD.format("will") + " changed")
    team["will"].lock()
    AccountService(team["admin"]).disable_user("will")
    with owner.connect() as connection:
        assert (
            connection.execute(
                text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :n"), {"n": roles.login("will")}
            ).scalar()
            is False
        )


def test_a_client_refuses_a_server_at_another_schema_version(server_url: str, clock: FakeClock) -> None:
    location = VaultLocation.parse(server_url)
    create_vault(location, ADMIN, ADMIN_PASSWORD, FAST_KDF, clock).vault.lock()
    owner = create_engine(server_url, poolclass=NullPool)
    with owner.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0008'"))
    with pytest.raises(SchemaMismatch) as caught:
        LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD)
    assert "0008" in str(caught.value) and head_revision() in str(caught.value)
    assert caught.value.exit_code == 12 and "server upgrade" in str(caught.value)
    # The IT person upgrades (here: the version row put back and the rules applied again).
    with owner.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head_revision()})
    out = io.StringIO()
    assert main(["server", "upgrade", "--db", server_url], stdout=out, stderr=io.StringIO()) == 0
    LockedVault(location, clock).unlock(ADMIN, ADMIN_PASSWORD).lock()


def test_server_init_runs_once_and_names_what_it_made(postgres_server: str, tmp_path: Path) -> None:
    from tests.helpers.postgres import temporary_database
    from tests.helpers.team_server import drop_roles

    with temporary_database(postgres_server) as url:
        out, err = io.StringIO(), io.StringIO()
        try:
            assert main(["server", "init", "--db", url], stdout=out, stderr=err) == 0, err.getvalue()
            roles = ServerRoles.for_url(url)
            assert roles.owner in out.getvalue() and roles.worker in out.getvalue()
            err = io.StringIO()
            assert main(["server", "init", "--db", url], stdout=io.StringIO(), stderr=err) == 7
            assert "server upgrade" in err.getvalue() and len(err.getvalue().splitlines()) == 1
            # A vault file is not a server.
            assert (
                main(["server", "init", "--db", str(tmp_path / "x.vault")], stdout=io.StringIO(), stderr=io.StringIO())
                == 2
            )
        finally:
            name = url.rsplit("/", 1)[1]
            roles = ServerRoles.for_database(name)
    drop_roles(postgres_server, roles)


def test_a_client_never_holds_the_owner_or_create_role(server_url: str, team: dict[str, UnlockedVault]) -> None:
    for name in ("will", "sam", ADMIN):
        login = raw(server_url, name)
        with login.connect() as connection:
            row = connection.execute(
                text("SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user")
            ).one()
            assert tuple(row) == (False, False, False)
            with pytest.raises(DBAPIError):
                connection.execute(text(f'SET ROLE "{ServerRoles.for_url(server_url).owner}"'))
    assert uuid.UUID(str(team["admin"].actor.user_id))
