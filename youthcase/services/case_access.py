"""Who may see which cases: the one place the caseload rules are written as SQL conditions.

A youth worker sees the cases assigned to them and those shared with them; a supervisor sees every
case at the sites they supervise; an administrator sees none (separation of duties). Reading a case
that is not your own is audited.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from youthcase.domain.roles import Permission, Role
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.permissions import allowed, require
from youthcase.services.vault import Actor, UnlockedVault
from youthcase.storage.models import CaseEpisode, Site, case_share
from youthcase.storage.server_queries import hidden_row


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """A WHERE condition on ``CaseEpisode`` selecting the cases ``actor`` may read."""
    if allowed(actor, Permission.READ_SITE_CASES):
        supervised = select(Site.id).where(Site.code.in_(actor.site_codes))
        return CaseEpisode.site_id.in_(supervised)
    if allowed(actor, Permission.READ_OWN_CASES):
        shared = select(case_share.c.case_id).where(case_share.c.user_id == actor.user_id)
        return or_(CaseEpisode.worker_id == actor.user_id, CaseEpisode.id.in_(shared))
    return false()


def require_case_reader(actor: Actor) -> None:
    if actor.role is Role.ADMIN:
        require(actor, Permission.READ_OWN_CASES)  # raises: administrators read no case content
    require(actor, Permission.READ_SITE_CASES if actor.role is Role.SUPERVISOR else Permission.READ_OWN_CASES)


def load_case(
    vault: UnlockedVault, session: Session, case_id: uuid.UUID, *, for_update: bool = False, audit_view: bool = True
) -> CaseEpisode:
    """The case if the acting user may read it, auditing a read by anyone but its worker."""
    actor = vault.actor
    require_case_reader(actor)
    if for_update:
        require(actor, Permission.RECORD_CASES)
    case = session.scalar(select(CaseEpisode).where(CaseEpisode.id == case_id, visible_cases(actor)))
    if case is None:
        exists = session.scalar(select(CaseEpisode.id).where(CaseEpisode.id == case_id))
        if exists is None and not hidden_row(session, "case_episode", case_id):
            raise InvalidInput("there is no such case")
        raise PermissionDenied("this case is not on your caseload")
    if audit_view and case.worker_id != actor.user_id:
        vault.audit(session, AuditAction.VIEW, "case_episode", case.id)
    return case
