"""What PostgreSQL itself enforces on a team server: roles, grants, row-level policies, functions.

Applied by ``youthcase server init`` after the first migrations and again by every
``youthcase server upgrade`` after the migrations (all of it idempotent), so the rules always match
the schema they protect. The rules are those of the key design (docs/security.md), which the keys
already enforce on the content; here the server refuses the rows themselves:

* a worker reads and writes the rows of the cases assigned to or shared with them, a supervisor
  those of the sites they hold a supervisor grant for; an administrator reads no case row, only the
  plain (coded) columns of the case tables, for the monthly return (column grants, docs/team-server.md);
* the audit trail is append-only for every client login, and the server takes the chain head lock
  and checks each event follows the head;
* roles, home sites and active flags are written only by administrators; grants only by a
  supervisor of the site (a supervisor level only to a supervisor); logins are made, disabled and
  given passwords only through SECURITY DEFINER functions owned by the owner role;
* the pre-login ``gate`` reads key slots and counts failures, and nothing else.

``current_account()`` maps the session's login to its account through ``server_login`` (an active
account only, so a disabled account's open sessions read nothing either).
"""

# The SQL is built from constants, table names of the models and role names that quote_role checks.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from youthcase.storage.encrypted import EncryptedType
from youthcase.storage.models import Base, case_child_tables
from youthcase.storage.server_roles import SCHEMA, ServerRoles, quote_role

AUDIT_LOCK = 0x7963_0001
"""``pg_advisory_xact_lock`` key of the audit chain head (per database)."""
KEY_STORE_LOCK = 0x7963_0002
"""``pg_advisory_xact_lock`` key of the key store (slots, anchor, failure counters)."""
REFERENCE_LOCK = 0x7963_0003
"""First key of the two-key advisory lock on a case-reference prefix (the second: its hash)."""

CASE_TABLE = "case_episode"
CASE_CHILD_TABLES = tuple(table.name for table in case_child_tables())
"""Rows of case content: each names its case in ``case_id``."""
NOT_FOR_ADMINISTRATORS: dict[str, set[str]] = {}
"""Plain columns of case tables an administrator still does not read."""
ADMIN_CASE_KEY_ROWS = (
    "account_id = youthcase.current_account() OR account_id IN (SELECT id FROM app_user WHERE NOT active)"
)
"""The only case_key rows an administrator reads: its own (none) and those of disabled accounts, so
that disabling flags the sites whose keys the account could reach. The wraps are useless to it."""
# Every other table, with what the groups may do beyond SELECT (the rules are below).
DIRECTORY_TABLES = (
    "site",
    "user_site",
    "app_user",
    "vault_setting",
    "audit_event",
    "key_slot",
    "vault_meta",
    "young_person",
    "draft",
    "service_provider",
    "recovery_public_key",
    "recovery_escrow",
    "account_key",
    "site_key",
    "site_grant",
    "server_login",
)
FAILURE_ROWS = "unlock\\_failures%"
CLIENT_META = ("default_kdf", "audit_head", "key_store_mac", "key_store_digest")
"""``vault_meta`` rows an unlocked client rewrites (KDF default, audit anchor, MAC, digest)."""


def classified_tables() -> set[str]:
    return {CASE_TABLE, *CASE_CHILD_TABLES, *DIRECTORY_TABLES}


def plain_columns(table: str) -> list[str]:
    """Columns of a table that are not field-encrypted: what the server holds in plain."""
    columns = Base.metadata.tables[table].columns
    hidden = NOT_FOR_ADMINISTRATORS.get(table, set())
    return [c.name for c in columns if not isinstance(c.type, EncryptedType) and c.name not in hidden]


def raw_execute(connection: Connection, statement: str) -> None:
    """Run DDL as written: straight to psycopg with no parameters, so neither SQLAlchemy (``:name``)
    nor the driver (``%``) reads placeholders in function bodies and SCRAM verifiers."""
    dbapi: Any = connection.connection.driver_connection
    dbapi.execute(statement)


def _run(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        raw_execute(connection, statement)


# --- roles and schema (as the setup role) --------------------------------------------------------


def ensure_roles(connection: Connection, roles: ServerRoles, gate_verifier: str) -> None:
    """Create the owner, the groups and the gate when missing (a role that may create roles)."""
    existing = set(
        connection.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname LIKE :pattern"),
            {"pattern": roles.prefix.replace("_", "\\_") + "\\_%"},
        ).scalars()
    )
    wanted = {
        roles.owner: "NOLOGIN CREATEROLE",
        roles.client: "NOLOGIN",
        roles.worker: "NOLOGIN",
        roles.supervisor: "NOLOGIN",
        roles.admin: "NOLOGIN",
        roles.gate: "LOGIN",
    }
    for name, options in wanted.items():
        if name not in existing:
            raw_execute(connection, f"CREATE ROLE {quote_role(name)} {options}")
    raw_execute(connection, f"ALTER ROLE {quote_role(roles.gate)} LOGIN PASSWORD '{_literal(gate_verifier)}'")
    for group in (roles.worker, roles.supervisor, roles.admin):
        raw_execute(connection, f"GRANT {quote_role(roles.client)} TO {quote_role(group)}")
        # The owner's functions make logins members of the groups (PostgreSQL 16 asks for ADMIN).
        raw_execute(connection, f"GRANT {quote_role(group)} TO {quote_role(roles.owner)} WITH ADMIN OPTION")
    superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
    if not superuser:
        # The setup role runs migrations as the owner (SET ROLE), so it must be a member.
        raw_execute(connection, f"GRANT {quote_role(roles.owner)} TO CURRENT_USER")


def _literal(value: str) -> str:
    if "'" in value or "\\" in value:
        raise ValueError("unexpected quote in a generated literal")
    return value


def create_schema(connection: Connection, roles: ServerRoles) -> None:
    owner = quote_role(roles.owner)
    database = connection.execute(text("SELECT current_database()")).scalar_one()
    db = '"' + str(database).replace('"', '""') + '"'
    _run(
        connection,
        [
            f"CREATE SCHEMA IF NOT EXISTS {SCHEMA} AUTHORIZATION {owner}",
            f"ALTER DATABASE {db} SET search_path = {SCHEMA}",
            "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
            f"REVOKE ALL ON DATABASE {db} FROM PUBLIC",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {quote_role(roles.client)}, {quote_role(roles.gate)}",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {owner}",
        ],
    )


# --- grants, policies and functions (as the owner) -----------------------------------------------


def apply_security(connection: Connection, roles: ServerRoles) -> None:
    """(Re)apply every grant, policy, function and trigger; run as the owner, after migrations."""
    unknown = set(Base.metadata.tables) - classified_tables()
    if unknown:
        raise RuntimeError(f"tables without server rules: {', '.join(sorted(unknown))}")
    _run(connection, _functions(roles))
    _run(connection, _grants(roles))
    _run(connection, _policies(roles))


def _functions(roles: ServerRoles) -> list[str]:
    definer = f"SECURITY DEFINER SET search_path = {SCHEMA}, pg_temp"
    client, admin, owner = (quote_role(r) for r in (roles.client, roles.admin, roles.owner))
    prefix = _literal(roles.prefix)
    me = f"{SCHEMA}.current_account()"
    case_tables = ", ".join(f"'{t}'" for t in (CASE_TABLE, *CASE_CHILD_TABLES))
    return [
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM PUBLIC",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.current_account() RETURNS uuid
        LANGUAGE sql STABLE {definer} AS $$
            SELECT l.account_id FROM server_login l JOIN app_user u ON u.id = l.account_id
            WHERE l.role_name = session_user::text AND u.active
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.supervised_sites() RETURNS SETOF uuid
        LANGUAGE sql STABLE {definer} AS $$
            SELECT site_id FROM site_grant WHERE account_id = {me} AND level = 'supervisor'
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.admitted_sites() RETURNS SETOF uuid
        LANGUAGE sql STABLE {definer} AS $$
            SELECT site_id FROM site_grant WHERE account_id = {me}
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.shared_cases() RETURNS SETOF uuid
        LANGUAGE sql STABLE {definer} AS $$
            SELECT case_id FROM case_share WHERE user_id = {me}
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.readable_cases() RETURNS SETOF uuid
        LANGUAGE sql STABLE {definer} AS $$
            SELECT id FROM case_episode
            WHERE worker_id = {me} OR site_id IN (SELECT {SCHEMA}.supervised_sites())
            UNION SELECT {SCHEMA}.shared_cases()
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.login_name(username text) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT CASE WHEN length('{prefix}_u_' || username) <= 63 THEN '{prefix}_u_' || username
                ELSE '{prefix}_u_' || left(username, 51 - length('{prefix}'))
                    || '_' || left(encode(sha256(convert_to(username, 'UTF8')), 'hex'), 8) END
        $$""",
        # Who may make a login: an administrator's login, or the setup role acting as the owner.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.is_setup() RETURNS boolean
        LANGUAGE sql STABLE {definer} AS $$
            SELECT NOT EXISTS (SELECT 1 FROM server_login WHERE role_name = session_user::text)
                AND pg_has_role(session_user, '{_literal(roles.owner)}', 'USAGE')
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.create_login(account uuid, verifier text) RETURNS text
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        DECLARE
            who app_user%ROWTYPE;
            name text;
        BEGIN
            IF NOT ({SCHEMA}.is_setup()
                    OR (pg_has_role(session_user, '{_literal(roles.admin)}', 'MEMBER') AND {me} IS NOT NULL)) THEN
                RAISE EXCEPTION 'only an administrator creates logins' USING ERRCODE = '42501';
            END IF;
            SELECT * INTO who FROM app_user WHERE id = account;
            IF NOT FOUND OR who.role NOT IN ('worker', 'supervisor', 'admin') THEN
                RAISE EXCEPTION 'no such account' USING ERRCODE = '22023';
            END IF;
            IF left(verifier, 14) <> 'SCRAM-SHA-256$' THEN
                RAISE EXCEPTION 'a login password is a SCRAM verifier' USING ERRCODE = '22023';
            END IF;
            name := {SCHEMA}.login_name(who.username);
            INSERT INTO server_login (id, role_name, account_id) VALUES (gen_random_uuid(), name, account);
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L IN ROLE %I', name, verifier,
                           '{prefix}_' || who.role);
            RETURN name;
        END
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.set_own_password(verifier text) RETURNS void
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        BEGIN
            IF {me} IS NULL THEN
                RAISE EXCEPTION 'not an account login' USING ERRCODE = '42501';
            END IF;
            IF left(verifier, 14) <> 'SCRAM-SHA-256$' THEN
                RAISE EXCEPTION 'a login password is a SCRAM verifier' USING ERRCODE = '22023';
            END IF;
            EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, verifier);
        END
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.reset_login(account uuid, verifier text) RETURNS void
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        DECLARE name text;
        BEGIN
            IF NOT {SCHEMA}.is_setup() THEN
                RAISE EXCEPTION 'only the setup role resets a login' USING ERRCODE = '42501';
            END IF;
            IF left(verifier, 14) <> 'SCRAM-SHA-256$' THEN
                RAISE EXCEPTION 'a login password is a SCRAM verifier' USING ERRCODE = '22023';
            END IF;
            SELECT role_name INTO name FROM server_login WHERE account_id = account;
            IF NOT FOUND THEN
                PERFORM {SCHEMA}.create_login(account, verifier);
            ELSE
                EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', name, verifier);
            END IF;
        END
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.disable_login(account uuid) RETURNS void
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        DECLARE name text;
        BEGIN
            IF NOT ({SCHEMA}.is_setup()
                    OR (pg_has_role(session_user, '{_literal(roles.admin)}', 'MEMBER') AND {me} IS NOT NULL)) THEN
                RAISE EXCEPTION 'only an administrator disables logins' USING ERRCODE = '42501';
            END IF;
            IF EXISTS (SELECT 1 FROM app_user WHERE id = account AND active) THEN
                RAISE EXCEPTION 'disable the account first' USING ERRCODE = '22023';
            END IF;
            SELECT role_name INTO name FROM server_login WHERE account_id = account;
            IF FOUND THEN
                EXECUTE format('ALTER ROLE %I NOLOGIN', name);
            END IF;
        END
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.latest_reference(prefix text) RETURNS text
        LANGUAGE plpgsql VOLATILE {definer} AS $$
        BEGIN
            IF {me} IS NULL THEN
                RAISE EXCEPTION 'not an account login' USING ERRCODE = '42501';
            END IF;
            PERFORM pg_advisory_xact_lock({REFERENCE_LOCK}, hashtext(prefix));
            RETURN (SELECT max(reference) FROM case_episode WHERE left(reference, length(prefix)) = prefix);
        END
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.stored_import_keys(keys text[]) RETURNS SETOF text
        LANGUAGE sql STABLE {definer} AS $$
            SELECT import_key FROM case_episode WHERE {me} IS NOT NULL AND import_key = ANY(keys)
        $$""",
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.row_exists(tbl text, row_id uuid) RETURNS boolean
        LANGUAGE plpgsql STABLE {definer} AS $$
        DECLARE found boolean;
        BEGIN
            IF {me} IS NULL OR NOT (tbl = ANY(ARRAY[{case_tables}])) THEN
                RETURN false;
            END IF;
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE id = $1)', tbl) INTO found USING row_id;
            RETURN found;
        END
        $$""",
        # A supervisor rotating a site's key re-seals the grants, their own included: the site key
        # they made in this very transaction vouches for them while their own grant is re-made.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.rotating_sites() RETURNS SETOF uuid
        LANGUAGE sql STABLE {definer} AS $$
            SELECT site_id FROM site_key
            WHERE current AND signed_by = {me} AND xmin = pg_current_xact_id()::xid
        $$""",
        # The chain head, serialised by the server: a client login's event must follow the head.
        f"""CREATE OR REPLACE FUNCTION {SCHEMA}.audit_event_follows_head() RETURNS trigger
        LANGUAGE plpgsql {definer} AS $$
        DECLARE
            head_sequence integer;
            head_digest bytea;
        BEGIN
            PERFORM pg_advisory_xact_lock({AUDIT_LOCK});
            IF NOT EXISTS (SELECT 1 FROM server_login WHERE role_name = session_user::text) THEN
                RETURN NEW;  -- the setup role (recovery work) and the operator are not checked here
            END IF;
            SELECT sequence, digest INTO head_sequence, head_digest
                FROM audit_event ORDER BY sequence DESC LIMIT 1;
            IF NOT FOUND THEN
                head_sequence := 0;
                head_digest := decode(repeat('00', 32), 'hex');
            END IF;
            IF NEW.sequence <> head_sequence + 1 OR NEW.previous_digest <> head_digest THEN
                RAISE EXCEPTION 'audit event % does not follow the chain head %', NEW.sequence, head_sequence
                    USING ERRCODE = '23514';
            END IF;
            RETURN NEW;
        END
        $$""",
        "DROP TRIGGER IF EXISTS audit_event_follows_head ON audit_event",
        "CREATE TRIGGER audit_event_follows_head BEFORE INSERT ON audit_event "
        f"FOR EACH ROW EXECUTE FUNCTION {SCHEMA}.audit_event_follows_head()",
        f"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {SCHEMA} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.current_account(), {SCHEMA}.supervised_sites(), "
        f"{SCHEMA}.admitted_sites(), {SCHEMA}.shared_cases(), {SCHEMA}.readable_cases(), "
        f"{SCHEMA}.login_name(text), {SCHEMA}.is_setup(), {SCHEMA}.set_own_password(text), "
        f"{SCHEMA}.audit_event_follows_head(), {SCHEMA}.latest_reference(text), "
        f"{SCHEMA}.stored_import_keys(text[]), {SCHEMA}.row_exists(text, uuid), {SCHEMA}.rotating_sites() TO {client}",
        f"GRANT EXECUTE ON FUNCTION {SCHEMA}.create_login(uuid, text), {SCHEMA}.disable_login(uuid) TO {admin}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {SCHEMA} TO {owner}",
    ]


def _grants(roles: ServerRoles) -> list[str]:
    client, worker, supervisor, admin, gate = (
        quote_role(r) for r in (roles.client, roles.worker, roles.supervisor, roles.admin, roles.gate)
    )
    staff = f"{worker}, {supervisor}"
    everyone = f"{client}, {gate}"
    statements = [
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {everyone}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {SCHEMA} FROM PUBLIC, {everyone}, {worker}, {supervisor}, {admin}",
        f"GRANT SELECT ON alembic_version TO {client}",
    ]
    for table in (CASE_TABLE, *CASE_CHILD_TABLES):
        statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {staff}")
        columns = ", ".join(plain_columns(table))
        statements.append(f"GRANT SELECT ({columns}) ON {table} TO {admin}")
    statements += [
        # Directory: every client reads it; only administrators write accounts, sites and settings.
        f"GRANT SELECT ON site, user_site, app_user, vault_setting, service_provider, recovery_public_key, "
        f"account_key, site_key, site_grant TO {client}",
        f"GRANT INSERT, UPDATE ON site, app_user, vault_setting, service_provider TO {admin}",
        f"GRANT INSERT, DELETE ON user_site TO {admin}",
        f"GRANT UPDATE (must_change_password) ON app_user TO {staff}",
        f"GRANT SELECT, INSERT, UPDATE ON young_person TO {staff}",
        f"GRANT SELECT ON young_person TO {admin}",  # keyed blind indexes only: people counted in returns
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON draft TO {client}",
        f"GRANT SELECT, INSERT ON audit_event TO {client}",
        f"GRANT SELECT, INSERT ON recovery_escrow TO {client}",
        f"GRANT INSERT ON account_key TO {client}",
        f"GRANT INSERT ON site_key TO {admin}, {supervisor}",
        f"GRANT UPDATE ON site_key TO {supervisor}",
        f"GRANT UPDATE (rotation_due) ON site_key TO {admin}",
        f"GRANT INSERT, UPDATE, DELETE ON site_grant TO {supervisor}",
        f"GRANT DELETE ON site_grant TO {admin}",
        f"GRANT DELETE ON case_key TO {admin}",  # a disabled account's wraps, at once (policy below)
        # The key store: slots and counters before login (gate), slots and anchor after it.
        f"GRANT SELECT ON key_slot, vault_meta TO {everyone}",
        f"GRANT INSERT, UPDATE ON key_slot TO {client}",
        f"GRANT INSERT, UPDATE, DELETE ON vault_meta TO {everyone}",
    ]
    return statements


def _policy(table: str, name: str, command: str, to: str, using: str | None, check: str | None) -> list[str]:
    clauses = f" USING ({using})" if using else ""
    clauses += f" WITH CHECK ({check})" if check else ""
    return [
        f"DROP POLICY IF EXISTS {name} ON {table}",
        f"CREATE POLICY {name} ON {table} FOR {command} TO {to}{clauses}",
    ]


def _policies(roles: ServerRoles) -> list[str]:
    client, worker, supervisor, admin, gate = (
        quote_role(r) for r in (roles.client, roles.worker, roles.supervisor, roles.admin, roles.gate)
    )
    staff = f"{worker}, {supervisor}"
    me = f"{SCHEMA}.current_account()"
    supervised = f"(SELECT {SCHEMA}.supervised_sites())"
    readable = f"(SELECT {SCHEMA}.readable_cases())"
    statements: list[str] = []
    row_level = [CASE_TABLE, *CASE_CHILD_TABLES, "draft", "app_user", "audit_event", "key_slot", "vault_meta"]
    row_level += ["site_key", "site_grant", "account_key"]
    for table in row_level:
        statements.append(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    case_row = f"worker_id = {me} OR site_id IN {supervised} OR id IN (SELECT {SCHEMA}.shared_cases())"
    statements += _policy(
        CASE_TABLE,
        "case_staff",
        "ALL",
        staff,
        case_row,
        f"site_id IN (SELECT {SCHEMA}.admitted_sites()) AND ({case_row})",
    )
    statements += _policy(CASE_TABLE, "case_returns", "SELECT", admin, "true", None)
    for table in CASE_CHILD_TABLES:
        statements += _policy(table, "case_staff", "ALL", staff, f"case_id IN {readable}", f"case_id IN {readable}")
        admin_rows = ADMIN_CASE_KEY_ROWS if table == "case_key" else "true"
        statements += _policy(table, "case_returns", "SELECT", admin, admin_rows, None)
    statements += _policy("draft", "own_drafts", "ALL", client, f"user_id = {me}", f"user_id = {me}")
    statements += _policy("app_user", "read_directory", "SELECT", client, "true", None)
    statements += _policy("app_user", "administer", "ALL", admin, "true", "true")
    statements += _policy("app_user", "own_record", "UPDATE", staff, f"id = {me}", f"id = {me}")
    statements += _policy("audit_event", "read_trail", "SELECT", client, "true", None)
    statements += _policy("audit_event", "append_own", "INSERT", client, None, f"user_id = {me}")
    own_slot = f"(payload::jsonb ->> 'owner') = {me}::text"
    statements += _policy("key_slot", "read_slots", "SELECT", f"{client}, {gate}", "true", None)
    statements += _policy("key_slot", "administer_slots", "ALL", admin, "true", "true")
    statements += _policy("key_slot", "own_slot", "ALL", client, own_slot, own_slot)
    failures = f"name LIKE '{FAILURE_ROWS}'"
    sealed = "name IN (" + ", ".join(f"'{name}'" for name in CLIENT_META) + ")"
    statements += _policy("vault_meta", "read_store", "SELECT", f"{client}, {gate}", "true", None)
    statements += _policy("vault_meta", "count_failures", "ALL", gate, failures, failures)
    statements += _policy("vault_meta", "seal_store", "ALL", client, sealed, sealed)
    statements += _policy("site_key", "read_site_keys", "SELECT", client, "true", None)
    statements += _policy("site_key", "new_site", "INSERT", admin, None, "generation = 1")
    statements += _policy("site_key", "flag_rotation", "UPDATE", admin, "true", "true")
    statements += _policy(
        "site_key", "rotate", "ALL", supervisor, f"site_id IN {supervised}", f"site_id IN {supervised}"
    )
    holds_site = f"(site_id IN {supervised} OR site_id IN (SELECT {SCHEMA}.rotating_sites()))"
    grant_rule = (
        f"{holds_site} AND (level <> 'supervisor' OR account_id IN (SELECT id FROM app_user WHERE role = 'supervisor'))"
    )
    statements += _policy("site_grant", "read_grants", "SELECT", client, "true", None)
    statements += _policy("site_grant", "admit", "ALL", supervisor, holds_site, grant_rule)
    disabled = "account_id IN (SELECT id FROM app_user WHERE NOT active)"
    statements += _policy("site_grant", "disabled_accounts", "DELETE", admin, disabled, None)
    statements += _policy("case_key", "disabled_accounts", "DELETE", admin, disabled, None)
    statements += _policy("account_key", "read_account_keys", "SELECT", client, "true", None)
    statements += _policy("account_key", "publish_own", "INSERT", client, None, f"account_id = {me}")
    return statements
