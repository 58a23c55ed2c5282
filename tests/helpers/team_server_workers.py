"""Child-process bodies for the team-server race tests (spawned: they import only what they need)."""

from __future__ import annotations

from youthcase.config import VaultLocation
from youthcase.services.audit import AuditAction
from youthcase.services.vault import LockedVault


def append_events(url: str, username: str, password: str, count: int) -> int:
    """Log in as one account's own login and append ``count`` audit events, one transaction each."""
    vault = LockedVault(VaultLocation.parse(url)).unlock(username, password)
    try:
        for _ in range(count):
            with vault.session() as session:
                vault.audit(session, AuditAction.VIEW, "case_episode", None)
    finally:
        vault.lock()
    return count
