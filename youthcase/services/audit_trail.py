"""Reading the audit trail: verification of the HMAC chain, its head, and filtered views."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace

from sqlalchemy import Subquery, select, union_all

from youthcase.domain.roles import Permission
from youthcase.services.audit import ChainHead, ChainReport, chain_head, verify_chain
from youthcase.services.permissions import require
from youthcase.services.trust import RECOVERY_SIGNER
from youthcase.services.vault import UnlockedVault, anchored_event_present
from youthcase.storage.models import AppUser, AuditEvent, CaseEpisode, case_child_tables

# An event names the row it touched: a case, or one of its child rows (a referral, a letter's
# referral, a concern, ...). Each maps to its case, so the viewer's case filter finds them all.


def _case_of_row() -> Subquery:
    """(row id, case id) for every case and every row that belongs to one."""
    return union_all(
        select(CaseEpisode.id.label("row_id"), CaseEpisode.id.label("case_id")),
        *(
            select(table.c.id.label("row_id"), table.c.case_id.label("case_id"))
            for table in case_child_tables()
            if "id" in table.c  # case_share has no row id of its own: no event names one
        ),
    ).subquery("case_of_row")


@dataclass(frozen=True)
class AuditEntry:
    sequence: int
    at: dt.datetime
    username: str | None
    action: str
    entity: str | None
    entity_id: uuid.UUID | None
    case_reference: str | None


class AuditTrail:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def verify(self, expected_head: ChainHead | None = None) -> ChainReport:
        """Walk the whole chain, after reading the signed records again (so an account record or
        key edited since unlock is reported too, in ``record_problems``)."""
        require(self.vault.actor, Permission.VERIFY_AUDIT)
        with self.vault.session() as session:
            directory = self.vault.keyring.load_directory(session)
            report = verify_chain(session, directory, expected_head)
            anchored = self.vault.keystore.anchored_head()
            if report.intact and anchored is not None and not anchored_event_present(session, anchored):
                report = replace(
                    report,
                    first_broken=anchored[0],
                    problem=f"event {anchored[0]}, the head anchored at the last lock, is gone or different: "
                    "events were removed or rewritten",
                )
            return replace(report, record_problems=tuple(directory.problems))

    def head(self) -> ChainHead | None:
        require(self.vault.actor, Permission.VERIFY_AUDIT)
        with self.vault.session() as session:
            return chain_head(session)

    def entries(
        self,
        username: str | None = None,
        case_reference: str | None = None,
        action: str | None = None,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        limit: int = 5000,
        signer: str | None = None,
    ) -> list[AuditEntry]:
        """Newest first, filtered as the supervisors' viewer asks."""
        require(self.vault.actor, Permission.VERIFY_AUDIT)
        rows = _case_of_row()
        query = (
            select(AuditEvent, AppUser.username, CaseEpisode.reference)
            .outerjoin(AppUser, AppUser.id == AuditEvent.user_id)
            .outerjoin(rows, rows.c.row_id == AuditEvent.entity_id)
            .outerjoin(CaseEpisode, CaseEpisode.id == rows.c.case_id)
            .order_by(AuditEvent.sequence.desc())
            .limit(limit)
        )
        if username:
            query = query.where(AppUser.username == username.strip().lower())
        if case_reference:
            query = query.where(CaseEpisode.reference == case_reference.strip().upper())
        if action:
            query = query.where(AuditEvent.action == action)
        if signer:
            query = query.where(AuditEvent.signer == signer)
        if since:
            query = query.where(AuditEvent.at >= since)
        if until:
            query = query.where(AuditEvent.at < until)
        with self.vault.session() as session:
            return [
                AuditEntry(e.sequence, e.at, name, e.action, e.entity, e.entity_id, reference)
                for e, name, reference in session.execute(query)
            ]

    def recovery_uses(self, since: dt.datetime) -> list[AuditEntry]:
        """Every use of the recovery key since ``since`` (break-glass admissions, password resets,
        its rotation), newest first: shown to supervisors, because that key reaches everything."""
        return self.entries(since=since, signer=RECOVERY_SIGNER)
