"""A team server: setting it up, upgrading it, and the engines each kind of login uses.

* ``server_init`` / ``server_upgrade`` run as a *setup role* (one that may create roles and schemas,
  for instance the database's owner with CREATEROLE): the roles and the schema are made as that
  role, then everything else runs as the vault's owner role (``SET ROLE``), which owns every table.
* ``setup_engine``: the URL's own login acting as the owner: creating a vault and recovery-key work
  (the information-governance lead's recovery key *and* the IT person's login).
* ``gate_engine``: the pre-login gate (reads key slots, counts failed attempts).
* ``account_engine``: an account's own login, with its password derived from the account password.

Ward clients never migrate: ``check_schema_version`` refuses a server whose schema is not the one
this app was built for, naming both versions.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from youthcase.storage.migrate import alembic_config
from youthcase.storage.server_roles import SCHEMA, ServerRoles, login_url, quote_role
from youthcase.storage.server_security import apply_security, create_schema, ensure_roles


class ServerSetupError(Exception):
    """Set-up or upgrade refused; ``kind`` is ``exists``, ``missing``, ``privilege`` or ``version``."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class SchemaVersionMismatch(Exception):
    def __init__(self, server: str | None, app: str) -> None:
        super().__init__(
            f"the server's schema is version {server or 'none'} but this app needs version {app}: "
            + ("ask the IT person to run `youthcase server upgrade`" if (server or "") < app else "update the app")
        )
        self.server = server
        self.app = app


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _search_path(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET search_path = {SCHEMA}")
    finally:
        cursor.close()
    dbapi_connection.commit()


def _engine(url: str, pooled: bool = True, **options: Any) -> Engine:
    """Errors never echo bound values (they may be ciphertext of names)."""
    if pooled:
        engine = create_engine(url, hide_parameters=True, pool_pre_ping=True, **options)
    else:
        engine = create_engine(url, hide_parameters=True, poolclass=NullPool, **options)
    event.listen(engine, "connect", _search_path)
    return engine


def setup_engine(url: str) -> Engine:
    """The URL's own login acting as the vault's owner role."""
    roles = ServerRoles.for_url(url)
    engine = create_engine(url, hide_parameters=True, poolclass=NullPool)

    def act_as_owner(dbapi_connection: Any, connection_record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET ROLE {quote_role(roles.owner)}")
            cursor.execute(f"SET search_path = {SCHEMA}")
        finally:
            cursor.close()
        dbapi_connection.commit()

    event.listen(engine, "connect", act_as_owner)
    return engine


def gate_engine(url: str) -> Engine:
    roles = ServerRoles.for_url(url)
    return _engine(login_url(url, roles.gate, roles.gate_password), pooled=False)


def account_engine(url: str, username: str, server_password: str) -> Engine:
    roles = ServerRoles.for_url(url)
    return _engine(login_url(url, roles.login(username), server_password))


def scram_verifier(connection: Connection, password: str, role: str) -> str:
    """The SCRAM-SHA-256 verifier of a password, computed here (libpq), so the server never sees
    the password itself, not even in a statement log."""
    dbapi = connection.connection.driver_connection
    verifier: bytes = dbapi.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256")  # type: ignore[union-attr]
    return verifier.decode("ascii")


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def check_schema_version(connection: Connection) -> None:
    """A ward client never migrates: the server must be at exactly this app's schema version."""
    try:
        with connection.begin_nested():
            current = current_revision(connection)
    except DBAPIError:
        current = None
    head = head_revision()
    if current != head:
        raise SchemaVersionMismatch(current, head)


# --- set-up and upgrade ------------------------------------------------------------------------


def _refuse_privilege(error: DBAPIError) -> ServerSetupError:
    return ServerSetupError(
        "privilege",
        "this login may not set up the server (it needs to create roles and schemas): "
        + (type(error.orig).__name__ if error.orig is not None else "refused"),
    )


def server_init(url: str) -> str:
    """Roles, schema (owned by the NOLOGIN owner), migrations, grants and policies. Returns the
    schema version. Refused when the database already holds a youthcase schema."""
    roles = ServerRoles.for_url(url)
    engine = create_engine(url, hide_parameters=True, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            exists = connection.execute(
                text("SELECT count(*) FROM pg_namespace WHERE nspname = :schema"), {"schema": SCHEMA}
            ).scalar_one()
            if exists:
                raise ServerSetupError("exists", "this database is already set up: use `youthcase server upgrade`")
            gate_verifier = scram_verifier(connection, roles.gate_password, roles.gate)
            try:
                with connection.begin_nested():
                    ensure_roles(connection, roles, gate_verifier)
                    create_schema(connection, roles)
            except DBAPIError as error:
                raise _refuse_privilege(error) from None
            _migrate_as_owner(connection, roles)
    finally:
        engine.dispose()
    return head_revision()


def server_upgrade(url: str) -> tuple[str | None, str]:
    """Migrate to this app's schema version as the owner, then apply the rules again."""
    roles = ServerRoles.for_url(url)
    engine = create_engine(url, hide_parameters=True, poolclass=NullPool)
    try:
        with engine.begin() as connection:
            exists = connection.execute(
                text("SELECT count(*) FROM pg_namespace WHERE nspname = :schema"), {"schema": SCHEMA}
            ).scalar_one()
            if not exists:
                raise ServerSetupError("missing", "this database is not set up yet: use `youthcase server init`")
            gate_verifier = scram_verifier(connection, roles.gate_password, roles.gate)
            try:
                with connection.begin_nested():
                    ensure_roles(connection, roles, gate_verifier)
            except DBAPIError as error:
                raise _refuse_privilege(error) from None
            connection.execute(text(f"SET search_path = {SCHEMA}"))
            before = current_revision(connection)
            _migrate_as_owner(connection, roles)
    finally:
        engine.dispose()
    return before, head_revision()


def _migrate_as_owner(connection: Connection, roles: ServerRoles) -> None:
    try:
        connection.execute(text(f"SET LOCAL ROLE {quote_role(roles.owner)}"))
    except DBAPIError as error:
        raise _refuse_privilege(error) from None
    connection.execute(text(f"SET LOCAL search_path = {SCHEMA}"))
    current = current_revision(connection)
    head = head_revision()
    if current is not None and current > head:
        raise ServerSetupError("version", f"the server's schema ({current}) is newer than this app's ({head})")
    if current != head:
        command.upgrade(alembic_config(connection), "head")
    apply_security(connection, roles)


def server_is_set_up(url: str) -> bool:
    """Whether ``server init`` ran on this database (asked as the URL's own login)."""
    engine = create_engine(url, hide_parameters=True, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT count(*) FROM pg_namespace WHERE nspname = :schema"), {"schema": SCHEMA}
            ).scalar_one()
            return bool(found)
    finally:
        engine.dispose()
