"""Append-only audit trail, chained with HMAC-SHA256 so edits, deletions and reorders show.

Each event's MAC covers its own fields and the previous event's MAC. Rows hold ids and codes only:
never a name or any other personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from youthcase.domain.clock import Clock
from youthcase.storage.models import AuditEvent

GENESIS_MAC = bytes(32)


class AuditAction(Enum):
    VAULT_CREATED = "vault created"
    LOGIN = "login"
    LOGIN_FAILED = "login failed"
    LOCK = "lock"
    PASSWORD_CHANGED = "password changed"
    PASSWORD_RESET = "password reset"
    USER_ADDED = "user added"
    USER_DISABLED = "user disabled"
    SITE_ADDED = "site added"
    SETTING_CHANGED = "setting changed"
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    EXPORT = "export"
    IMPORT = "import"
    CONSENT_OVERRIDE = "consent override"


def event_mac(audit_key: bytes, event: AuditEvent) -> bytes:
    fields = "|".join(
        (
            str(event.sequence),
            event.at.isoformat(),
            str(event.user_id or ""),
            event.action,
            event.entity or "",
            str(event.entity_id or ""),
        )
    ).encode("utf-8")
    return hmac.new(audit_key, fields + event.previous_mac, hashlib.sha256).digest()


def append_event(
    session: Session,
    audit_key: bytes,
    clock: Clock,
    user_id: uuid.UUID | None,
    action: AuditAction,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Add the next event of the chain to the session (committed with the caller's transaction)."""
    last = session.execute(
        select(AuditEvent.sequence, AuditEvent.mac).order_by(AuditEvent.sequence.desc()).limit(1)
    ).first()
    sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS_MAC)
    event = AuditEvent(
        sequence=sequence,
        at=clock.now(),
        user_id=user_id,
        action=action.value,
        entity=entity,
        entity_id=entity_id,
        previous_mac=previous,
        mac=b"",
    )
    event.mac = event_mac(audit_key, event)
    session.add(event)
    return event
