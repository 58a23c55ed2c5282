"""Team-server databases for the tests: a fresh database set up with ``server init`` as the setup
role (the throwaway cluster's superuser), its roles dropped again afterwards (roles belong to the
whole cluster, so a server given with YOUTHCASE_TEST_PG_URL keeps none of them)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from tests.helpers.postgres import create_database, drop_database, libpq_conninfo, to_sqlalchemy_url
from youthcase.services.vault import UnlockedVault
from youthcase.storage.server import server_init
from youthcase.storage.server_roles import ServerRoles, login_url


def drop_roles(base_url: str, roles: ServerRoles) -> None:
    with psycopg.connect(libpq_conninfo(to_sqlalchemy_url(base_url)), autocommit=True) as conn:
        pattern = roles.prefix.replace("_", "\\_") + "\\_%"
        names = [row[0] for row in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE %s", (pattern,))]
        # Logins first, then the groups they are members of, the owner last.
        order = sorted(names, key=lambda n: (n == roles.owner, n in (roles.worker, roles.supervisor, roles.admin)))
        for name in order:
            conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


@contextlib.contextmanager
def team_server_database(base_url: str) -> Iterator[str]:
    """A new database with ``youthcase server init`` done; yields the setup role's URL."""
    url = create_database(base_url)
    name = str(make_url(url).database)
    try:
        server_init(url)
        yield url
    finally:
        drop_database(base_url, name)
        drop_roles(base_url, ServerRoles.for_database(name))


def login_engine(url: str, role: str, password: str) -> Engine:
    """A raw engine as one login (the test cluster trusts loopback, so any password does)."""
    return create_engine(login_url(url, role, password), poolclass=NullPool)


def operator_engine(vault: UnlockedVault) -> Engine:
    """Someone with the database itself: the vault's own engine for a file; on a team server the
    setup role (the test cluster's superuser), since an account's login may no longer do it."""
    if vault.location.url is None:
        return vault.engine
    return create_engine(vault.location.url, poolclass=NullPool)
