"""Names of the PostgreSQL roles of one team-server vault, and the logins' URLs.

PostgreSQL roles belong to the whole cluster, not to one database, so every role of a vault starts
with a prefix taken from the database's name: the name itself when it is a short plain identifier
(``youthcase`` gives ``youthcase_owner``, ``youthcase_worker``...), otherwise ``yc_`` and 12 hex
digits of its SHA-256. A client knows the database from its URL, so it knows every name before it
connects; nothing has to be looked up first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy.engine import URL, make_url

SCHEMA = "youthcase"
"""The schema every table, view and function of the vault lives in (owned by the owner role)."""

MAX_ROLE_NAME = 63
_PLAIN_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,23}")
_ROLE_NAME = re.compile(r"[a-z0-9_.\-]{1,63}")
GROUPS = ("worker", "supervisor", "admin")
GATE_PASSWORD_CONTEXT = "youthcase-gate/v1|"


def quote_role(name: str) -> str:
    """A role name as an SQL identifier; only names we built (lower-case, digits, ``_.-``) pass."""
    if not _ROLE_NAME.fullmatch(name):
        raise ValueError("not a youthcase role name")
    return f'"{name}"'


@dataclass(frozen=True)
class ServerRoles:
    """The roles of one vault: ``prefix_owner`` (NOLOGIN, owns the schema), the groups
    ``prefix_client`` < ``prefix_worker`` / ``prefix_supervisor`` / ``prefix_admin``, the pre-login
    ``prefix_gate`` and one ``prefix_u_<user name>`` login per account."""

    prefix: str

    @classmethod
    def for_database(cls, database: str) -> ServerRoles:
        if _PLAIN_PREFIX.fullmatch(database):
            return cls(database)
        return cls("yc_" + hashlib.sha256(database.encode("utf-8")).hexdigest()[:12])

    @classmethod
    def for_url(cls, url: str) -> ServerRoles:
        database = make_url(url).database
        if not database:
            raise ValueError("the server URL names no database")
        return cls.for_database(database)

    @property
    def owner(self) -> str:
        return f"{self.prefix}_owner"

    @property
    def client(self) -> str:
        return f"{self.prefix}_client"

    @property
    def worker(self) -> str:
        return f"{self.prefix}_worker"

    @property
    def supervisor(self) -> str:
        return f"{self.prefix}_supervisor"

    @property
    def admin(self) -> str:
        return f"{self.prefix}_admin"

    @property
    def gate(self) -> str:
        return f"{self.prefix}_gate"

    def group(self, role: str) -> str:
        if role not in GROUPS:
            raise ValueError(f"no group for the role {role!r}")
        return f"{self.prefix}_{role}"

    def login(self, username: str) -> str:
        """The account's own login; the same rule is written in SQL in ``create_login``."""
        name = f"{self.prefix}_u_{username}"
        if len(name) <= MAX_ROLE_NAME:
            return name
        keep = MAX_ROLE_NAME - len(self.prefix) - 3 - 9
        digest = hashlib.sha256(username.encode("utf-8")).hexdigest()[:8]
        return f"{self.prefix}_u_{username[:keep]}_{digest}"

    @property
    def gate_password(self) -> str:
        """Not a secret: the gate may only read key slots and count failed attempts (as the header
        file beside a laptop vault does); pg_hba.conf decides who may reach it at all."""
        return hashlib.sha256((GATE_PASSWORD_CONTEXT + self.prefix).encode("utf-8")).hexdigest()


def login_url(url: str, user: str, password: str) -> str:
    """The same server, database and TLS options, as another login."""
    parsed: URL = make_url(url).set(username=user, password=password)
    return parsed.render_as_string(hide_password=False)
