"""Moving a case to another worker: its key, its worker, its assignment history and the audit.

One place for every move (a supervisor's reassignment, a handover after a revocation, a disabled
account or a site-key rotation), so each leaves the same ``case_assignment`` row with its reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from youthcase.services.access import rewrap_case
from youthcase.services.audit import AuditAction
from youthcase.storage.models import CaseAssignment, CaseEpisode

if TYPE_CHECKING:
    from youthcase.services.vault import UnlockedVault

HANDED_OVER_REVOKED = "handed over: admission revoked"
HANDED_OVER_DISABLED = "handed over: account disabled"


def move_case(
    vault: UnlockedVault,
    session: Session,
    case: CaseEpisode,
    to_worker_id: uuid.UUID,
    reason: str,
    *,
    remove: Iterable[uuid.UUID],
) -> None:
    """Give ``case`` to ``to_worker_id`` (who gets its key; ``remove`` lose theirs), recording the
    move with ``reason`` (case content: sealed under the case key) and auditing a REASSIGN."""
    session.add(
        CaseAssignment(
            case_id=case.id,
            from_worker_id=case.worker_id,
            to_worker_id=to_worker_id,
            reason=reason,
            assigned_by=vault.actor.user_id,
            assigned_at=vault.clock.now(),
        )
    )
    rewrap_case(vault.keyring, session, case, add=[to_worker_id], remove=remove)
    case.worker_id = to_worker_id
    vault.audit(session, AuditAction.REASSIGN, "case_episode", case.id)
