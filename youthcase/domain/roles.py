"""Roles and what each may do. The service layer checks these; the GUI only mirrors them."""

from __future__ import annotations

from enum import Enum


class Role(Enum):
    WORKER = "worker"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {"worker": "Youth worker", "supervisor": "Supervisor", "admin": "Administrator"}[self.value]


class Permission(Enum):
    MANAGE_USERS = "manage users"
    MANAGE_SITES = "manage sites"
    MANAGE_SERVICES = "manage the service directory"
    MANAGE_SETTINGS = "manage vault settings"
    LIST_USERS = "list users"
    READ_OWN_CASES = "read own cases"
    READ_SITE_CASES = "read the cases of supervised sites"
    RECORD_CASES = "record cases"
    IMPORT_CASES = "import cases"
    PRODUCE_RETURNS = "produce the monthly return"
    VERIFY_AUDIT = "verify and view the audit trail"
    SUPERVISE = "supervise cases (sign-off, closure approval, reassignment)"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.WORKER: frozenset({Permission.READ_OWN_CASES, Permission.RECORD_CASES, Permission.IMPORT_CASES}),
    Role.SUPERVISOR: frozenset(
        {
            Permission.LIST_USERS,
            Permission.READ_SITE_CASES,
            Permission.RECORD_CASES,
            Permission.IMPORT_CASES,
            Permission.PRODUCE_RETURNS,
            Permission.VERIFY_AUDIT,
            Permission.SUPERVISE,
        }
    ),
    # Separation of duties: administrators run the system but read no case content.
    Role.ADMIN: frozenset(
        {
            Permission.MANAGE_USERS,
            Permission.MANAGE_SITES,
            Permission.MANAGE_SERVICES,
            Permission.MANAGE_SETTINGS,
            Permission.LIST_USERS,
            Permission.PRODUCE_RETURNS,
            Permission.VERIFY_AUDIT,
        }
    ),
}


def role_from_text(text: str) -> Role:
    """Parse a role as typed by an administrator (``worker``, ``supervisor``, ``admin``)."""
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise ValueError(f"unknown role {text!r}: use worker, supervisor or admin") from None
