"""Append-only audit trail: a SHA-256 hash chain, each event signed (Ed25519) by whoever acted.

Each event's digest covers its own fields and the previous event's digest, so edits, deletions,
insertions and reorders break the chain; its signature is by the acting account's own key (its
enrolment key before its first password change) or, for break-glass work, the recovery key, so an
account holder who re-chains after an edit cannot sign other people's events again. A removed tail
is caught against a head anchored outside the database (key store, returns, backups). Rows hold ids
and codes only: never a name or any other personal data.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from youthcase.crypto.statements import verify_statement
from youthcase.domain.clock import Clock
from youthcase.services.trust import Directory, Signer
from youthcase.storage.models import AuditEvent
from youthcase.storage.server_security import AUDIT_LOCK

GENESIS_DIGEST = bytes(32)


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
    BACKUP = "backup"
    CORRECT = "correction"
    KEY_STORE_RECOVERED = "key store recovered"


def event_digest(event: AuditEvent) -> bytes:
    """SHA-256 over the event's fields and the previous event's digest: the chain link."""
    fields = "|".join(
        (
            str(event.sequence),
            event.at.isoformat(),
            str(event.user_id or ""),
            event.action,
            event.entity or "",
            str(event.entity_id or ""),
            event.signer,
        )
    ).encode("utf-8")
    return hashlib.sha256(b"youthcase/v2/audit|" + fields + event.previous_digest).digest()


def append_event(
    session: Session,
    signer: Signer,
    vault_id: str,
    clock: Clock,
    action: AuditAction,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
) -> AuditEvent:
    """Add the next event of the chain, signed by whoever acts (committed with the caller's transaction).

    Re-chaining after an edit would need the private key of every account that acted since, so no
    account holder can rewrite what others did.

    On PostgreSQL the chain head is locked first (a transaction-level advisory lock, the one the
    server's trigger takes too), so concurrent appends queue instead of forking the chain."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    last = session.execute(
        select(AuditEvent.sequence, AuditEvent.digest).order_by(AuditEvent.sequence.desc()).limit(1)
    ).first()
    sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS_DIGEST)
    event = AuditEvent(
        sequence=sequence,
        at=clock.now(),
        user_id=signer.account_id,
        action=action.value,
        entity=entity,
        entity_id=entity_id,
        previous_digest=previous,
        digest=b"",
        signer=signer.kind,
        signature=b"",
    )
    event.digest = event_digest(event)
    event.signature = signer.sign(vault_id, "audit", (event.digest,))
    session.add(event)
    return event


@dataclass(frozen=True)
class ChainHead:
    """The last event's sequence and digest: exported with each monthly return so that a later
    truncation of the trail can be detected."""

    sequence: int
    digest_hex: str

    def __str__(self) -> str:
        return f"{self.sequence}:{self.digest_hex}"

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
    record_problems: tuple[str, ...] = ()
    """Signed records (accounts, keys, grants) that did not verify: reported beside the chain."""

    @property
    def intact(self) -> bool:
        return self.first_broken is None


def _event_problem(event: AuditEvent, previous: bytes, directory: Directory) -> str | None:
    if event.previous_digest != previous:
        return f"event {event.sequence} does not follow event {event.sequence - 1} (deleted, inserted or reordered)"
    if not hmac.compare_digest(event_digest(event), event.digest):
        return f"event {event.sequence} has been altered"
    if not any(
        verify_statement(public, event.signature, directory.vault_id, "audit", (event.digest,))
        for public in directory.audit_signers(event.signer, event.user_id)
    ):
        return f"event {event.sequence} is not signed by the account it names"
    return None


def verify_chain(session: Session, directory: Directory, expected_head: ChainHead | None = None) -> ChainReport:
    """Walk the chain in sequence order and name the first event that does not verify."""
    return verify_events(session, directory, expected_head, since=1)


def verify_events(session: Session, directory: Directory, expected_head: ChainHead | None, since: int) -> ChainReport:
    """Verify links and signatures from event ``since`` (1: the whole chain) to the newest."""
    previous = GENESIS_DIGEST
    if since > 1:
        before = session.scalar(select(AuditEvent.digest).where(AuditEvent.sequence == since - 1))
        if before is None:
            return ChainReport(0, None, since - 1, f"event {since - 1} is missing")
        previous = before
    expected_sequence = since
    count = 0
    last: AuditEvent | None = None
    query = select(AuditEvent).where(AuditEvent.sequence >= since).order_by(AuditEvent.sequence)
    for event in session.scalars(query).yield_per(2000):
        count += 1
        if event.sequence != expected_sequence:
            return ChainReport(
                count, None, expected_sequence, f"event {expected_sequence} is missing (the next is {event.sequence})"
            )
        problem = _event_problem(event, previous, directory)
        if problem is not None:
            return ChainReport(count, None, event.sequence, problem)
        previous, expected_sequence, last = event.digest, expected_sequence + 1, event
    head = ChainHead(last.sequence, last.digest.hex()) if last else chain_head(session)
    if expected_head is not None:
        if head is None or head.sequence < expected_head.sequence:
            return ChainReport(
                count,
                head,
                (head.sequence + 1) if head else 1,
                f"the trail ends before the exported head {expected_head.sequence}: events were removed from the end",
            )
        at_head = session.scalar(select(AuditEvent.digest).where(AuditEvent.sequence == expected_head.sequence))
        if at_head is None or at_head.hex() != expected_head.digest_hex:
            return ChainReport(
                count, head, expected_head.sequence, f"event {expected_head.sequence} differs from the exported head"
            )
    return ChainReport(count, head, None, None)


def chain_head(session: Session) -> ChainHead | None:
    row = session.execute(
        select(AuditEvent.sequence, AuditEvent.digest).order_by(AuditEvent.sequence.desc()).limit(1)
    ).first()
    return None if row is None else ChainHead(row[0], row[1].hex())
