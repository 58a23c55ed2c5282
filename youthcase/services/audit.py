"""Append-only audit trail, chained with HMAC-SHA256 so edits, deletions and reorders show.

Each event's MAC covers its own fields and the previous event's MAC. Rows hold ids and codes only:
never a name or any other personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
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
    REASSIGN = "reassign"
    SIGN_OFF = "sign-off"
    SHARE = "share"
    UNSHARE = "unshare"
    GRANT = "grant"
    REVOKE = "revoke"
    BREAK_GLASS = "break-glass grant"
    KEY_ROTATED = "site key rotated"
    RECOVERY_ROTATED = "recovery key rotated"
    PERSON_MATCH = "returning-person match"


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


@dataclass(frozen=True)
class ChainHead:
    """The last event's sequence and MAC: exported with each monthly return so that a later
    truncation of the trail can be detected."""

    sequence: int
    mac_hex: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.mac_hex}"

    @classmethod
    def parse(cls, text: str) -> ChainHead:
        sequence, _, mac = text.strip().partition(":")
        if not sequence.isdigit() or len(mac) != 64:
            raise ValueError("an audit chain head looks like 1234:<64 hexadecimal characters>")
        return cls(int(sequence), mac.lower())


@dataclass(frozen=True)
class ChainReport:
    events: int
    head: ChainHead | None
    first_broken: int | None
    problem: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def verify_chain(session: Session, audit_key: bytes, expected_head: ChainHead | None = None) -> ChainReport:
    """Walk the chain in sequence order and name the first event that does not verify."""
    previous = GENESIS_MAC
    expected_sequence = 1
    count = 0
    last: AuditEvent | None = None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.sequence)).yield_per(2000):
        count += 1
        if event.sequence != expected_sequence:
            return ChainReport(
                count, None, expected_sequence, f"event {expected_sequence} is missing (the next is {event.sequence})"
            )
        if event.previous_mac != previous:
            return ChainReport(
                count,
                None,
                event.sequence,
                f"event {event.sequence} does not follow event {event.sequence - 1} (deleted, inserted or reordered)",
            )
        if not hmac.compare_digest(event_mac(audit_key, event), event.mac):
            return ChainReport(count, None, event.sequence, f"event {event.sequence} has been altered")
        previous, expected_sequence, last = event.mac, expected_sequence + 1, event
    head = ChainHead(last.sequence, last.mac.hex()) if last else None
    if expected_head is not None:
        if head is None or head.sequence < expected_head.sequence:
            return ChainReport(
                count,
                head,
                (head.sequence + 1) if head else 1,
                f"the trail ends before the exported head {expected_head.sequence}: events were removed from the end",
            )
        at_head = session.scalar(select(AuditEvent.mac).where(AuditEvent.sequence == expected_head.sequence))
        if at_head is None or at_head.hex() != expected_head.mac_hex:
            return ChainReport(
                count, head, expected_head.sequence, f"event {expected_head.sequence} differs from the exported head"
            )
    return ChainReport(count, head, None, None)


def chain_head(session: Session) -> ChainHead | None:
    row = session.execute(
        select(AuditEvent.sequence, AuditEvent.mac).order_by(AuditEvent.sequence.desc()).limit(1)
    ).first()
    return None if row is None else ChainHead(row[0], row[1].hex())
