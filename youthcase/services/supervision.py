"""Supervision: notes and actions, sign-offs, closure approval, reassignment and sharing, and the
handover of the open cases a disabled account still holds.

Supervisors act on the cases of the sites they supervise (``case_access``). A worker asks for a
case to be closed; a supervisor approves it (the case closes) or returns it with a comment.
Reassigning several cases is all or nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from youthcase.domain import codes
from youthcase.domain.caseload_rules import london_today
from youthcase.domain.roles import Permission, Role
from youthcase.domain.validation import FieldError, check_text
from youthcase.services.access import admitted_sites, rewrap_case
from youthcase.services.assignments import HANDED_OVER_DISABLED, move_case
from youthcase.services.audit import AuditAction
from youthcase.services.case_access import load_case, require_case_reader, visible_cases
from youthcase.services.cases import CaseService
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import (
    AppUser,
    CaseEpisode,
    ClosureRequest,
    RiskAssessment,
    SafeguardingConcern,
    Site,
    SupervisionAction,
    SupervisionNote,
    case_share,
)
from youthcase.storage.server_queries import hidden_row

MAX_TEXT = 20_000


@dataclass(frozen=True)
class ActionInput:
    description: str
    owner: str  # user name
    due_on: dt.date


@dataclass(frozen=True)
class ActionView:
    action_id: uuid.UUID
    case_id: uuid.UUID
    description: str
    owner: str
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool


@dataclass(frozen=True)
class NoteView:
    note_id: uuid.UUID
    held_on: dt.date
    supervisor: str
    discussion: str | None
    decisions: str | None
    actions: tuple[ActionView, ...]


@dataclass(frozen=True)
class SignOffView:
    """Who signed off a risk assessment, or one version of a safeguarding concern, and when."""

    record_id: uuid.UUID
    signed_off_by: str
    signed_off_at: dt.datetime


@dataclass(frozen=True)
class HeldByDisabled:
    """Open cases at a site still held by a disabled account: waiting for a supervisor's handover."""

    username: str
    site_code: str
    open_cases: int


@dataclass(frozen=True)
class ClosureRequestView:
    request_id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    requested_by: str
    requested_at: dt.datetime
    reason: str
    note: str | None
    status: str
    comment: str | None


def _text(value: str | None, what: str, required: bool = False) -> str | None:
    try:
        text = check_text(value or "", MAX_TEXT, allow_formula_start=True)
    except FieldError as error:
        raise InvalidInput(f"{what}: {error}") from None
    if required and not text:
        raise InvalidInput(f"{what} is required")
    return text or None


class SupervisionService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def _today(self) -> dt.date:
        return london_today(self.vault.clock.now())

    def _user(self, session: Session, username: str) -> AppUser:
        user = session.scalar(select(AppUser).where(AppUser.username == username.strip().lower()))
        if user is None or not user.active:
            raise InvalidInput(f"there is no active user {username.strip()!r}")
        return user

    def _supervised_case(self, session: Session, case_id: uuid.UUID) -> CaseEpisode:
        require(self.vault.actor, Permission.SUPERVISE)
        return load_case(self.vault, session, case_id, audit_view=False)

    # --- notes and actions --------------------------------------------------------------------

    def add_note(
        self,
        case_id: uuid.UUID,
        held_on: dt.date,
        discussion: str | None,
        decisions: str | None,
        actions: Sequence[ActionInput] = (),
    ) -> uuid.UUID:
        if held_on > self._today():
            raise InvalidInput("the supervision date cannot be in the future")
        with self.vault.session() as session:
            case = self._supervised_case(session, case_id)
            note = SupervisionNote(
                case_id=case.id,
                supervisor_id=self.vault.actor.user_id,
                held_on=held_on,
                discussion=_text(discussion, "discussion"),
                decisions=_text(decisions, "decisions"),
                created_at=self.vault.clock.now(),
            )
            session.add(note)
            for action in actions:
                owner = self._user(session, action.owner)
                session.add(
                    SupervisionAction(
                        note_id=note.id,
                        case_id=case.id,
                        description=_text(action.description, "action", required=True),
                        owner_id=owner.id,
                        due_on=action.due_on,
                        created_at=self.vault.clock.now(),
                    )
                )
            self.vault.audit(session, AuditAction.CREATE, "supervision_note", note.id)
            return note.id

    def notes_for_case(self, case_id: uuid.UUID) -> list[NoteView]:
        """Supervision notes are read by whoever may read the case (the worker acts on them)."""
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, audit_view=False)
            names = {row.id: row.username for row in session.execute(select(AppUser.id, AppUser.username))}
            actions: dict[uuid.UUID, list[ActionView]] = {}
            for a in session.scalars(
                select(SupervisionAction).where(SupervisionAction.case_id == case.id).order_by(SupervisionAction.due_on)
            ):
                actions.setdefault(a.note_id, []).append(self._action_view(a, names))
            return [
                NoteView(
                    n.id,
                    n.held_on,
                    names.get(n.supervisor_id, "?"),
                    n.discussion,
                    n.decisions,
                    tuple(actions.get(n.id, ())),
                )
                for n in session.scalars(
                    select(SupervisionNote)
                    .where(SupervisionNote.case_id == case.id)
                    .order_by(SupervisionNote.held_on.desc())
                )
            ]

    def _action_view(self, action: SupervisionAction, names: dict[uuid.UUID, str]) -> ActionView:
        return ActionView(
            action.id,
            action.case_id,
            action.description,
            names.get(action.owner_id, "?"),
            action.due_on,
            action.done_on,
            action.done_on is None and action.due_on < self._today(),
        )

    def complete_action(self, action_id: uuid.UUID, done_on: dt.date | None = None) -> None:
        with self.vault.session() as session:
            action = session.get(SupervisionAction, action_id)
            if action is None:
                if hidden_row(session, "supervision_action", action_id):
                    raise PermissionDenied("this action is not on your caseload")
                raise InvalidInput("there is no such action")
            load_case(self.vault, session, action.case_id, audit_view=False)
            actor = self.vault.actor
            if action.owner_id != actor.user_id and actor.role is not Role.SUPERVISOR:
                raise PermissionDenied("only the action's owner or a supervisor can complete it")
            action.done_on = done_on or self._today()
            self.vault.audit(session, AuditAction.UPDATE, "supervision_action", action.id)

    def open_actions(self) -> list[ActionView]:
        """Open actions on every case the actor may read: a worker's own and shared cases, every case
        of a supervisor's sites (the dashboard's overdue actions); never an administrator."""
        require_case_reader(self.vault.actor)
        with self.vault.session() as session:
            names = {row.id: row.username for row in session.execute(select(AppUser.id, AppUser.username))}
            query = (
                select(SupervisionAction)
                .join(CaseEpisode, CaseEpisode.id == SupervisionAction.case_id)
                .where(visible_cases(self.vault.actor), SupervisionAction.done_on.is_(None))
                .order_by(SupervisionAction.due_on)
            )
            return [self._action_view(a, names) for a in session.scalars(query)]

    # --- sign-off ------------------------------------------------------------------------------

    def sign_off_assessment(self, assessment_id: uuid.UUID) -> None:
        with self.vault.session() as session:
            assessment = session.get(RiskAssessment, assessment_id)
            if assessment is None:
                if hidden_row(session, "risk_assessment", assessment_id):
                    raise PermissionDenied("this assessment is not on your caseload")
                raise InvalidInput("there is no such assessment")
            self._supervised_case(session, assessment.case_id)
            if assessment.signed_off_at is not None:
                raise InvalidInput("this assessment is already signed off")
            assessment.signed_off_by, assessment.signed_off_at = self.vault.actor.user_id, self.vault.clock.now()
            self.vault.audit(session, AuditAction.SIGN_OFF, "risk_assessment", assessment.id)

    def sign_off_concern(self, case_id: uuid.UUID, concern_id: uuid.UUID) -> None:
        """Sign off the current version of a safeguarding concern. A later amendment is a new,
        unsigned version and needs signing off again."""
        with self.vault.session() as session:
            case = self._supervised_case(session, case_id)
            latest = session.scalar(
                select(SafeguardingConcern)
                .where(SafeguardingConcern.concern_id == concern_id, SafeguardingConcern.case_id == case.id)
                .order_by(SafeguardingConcern.version.desc())
                .limit(1)
            )
            if latest is None:
                raise InvalidInput("there is no such safeguarding concern on this case")
            if latest.signed_off_at is not None:
                raise InvalidInput("this version of the concern is already signed off")
            latest.signed_off_by, latest.signed_off_at = self.vault.actor.user_id, self.vault.clock.now()
            self.vault.audit(session, AuditAction.SIGN_OFF, "safeguarding_concern", latest.id)

    def sign_offs(self, case_id: uuid.UUID) -> dict[uuid.UUID, SignOffView]:
        """The case's signed-off assessments and concern versions, by record id (for whoever may
        read the case: the worker sees what their supervisor signed off)."""
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, audit_view=False)
            names = {row.id: row.username for row in session.execute(select(AppUser.id, AppUser.username))}
            found: dict[uuid.UUID, SignOffView] = {}
            for model in (RiskAssessment, SafeguardingConcern):
                for row in session.execute(
                    select(model.id, model.signed_off_by, model.signed_off_at).where(
                        model.case_id == case.id, model.signed_off_at.is_not(None)
                    )
                ):
                    found[row.id] = SignOffView(row.id, names.get(row.signed_off_by, "?"), row.signed_off_at)
            return found

    # --- closure -------------------------------------------------------------------------------

    def request_closure(self, case_id: uuid.UUID, reason: str, note: str | None = None) -> uuid.UUID:
        if reason not in codes.CLOSURE_REASON:
            raise InvalidInput(f"closure reason: use one of {codes.CLOSURE_REASON.describe()}")
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True, audit_view=False)
            if case.status == "closed":
                raise InvalidInput(f"case {case.reference} is already closed")
            pending = session.scalar(
                select(ClosureRequest.id).where(ClosureRequest.case_id == case.id, ClosureRequest.status == "pending")
            )
            if pending is not None:
                raise InvalidInput(f"closure of {case.reference} is already waiting for a supervisor")
            request = ClosureRequest(
                case_id=case.id,
                requested_by=self.vault.actor.user_id,
                requested_at=self.vault.clock.now(),
                reason=reason,
                note=_text(note, "note"),
                status="pending",
            )
            session.add(request)
            self.vault.audit(session, AuditAction.CREATE, "closure_request", request.id)
            return request.id

    def decide_closure(self, request_id: uuid.UUID, approve: bool, comment: str | None = None) -> None:
        """Approve (the case closes with the requested reason) or return with a comment."""
        with self.vault.session() as session:
            request = session.get(ClosureRequest, request_id)
            if request is None or request.status != "pending":
                raise InvalidInput("there is no pending closure request like that")
            case = self._supervised_case(session, request.case_id)
            text = _text(comment, "comment", required=not approve)
            if approve:
                CaseService(self.vault).close_in_session(session, case, request.reason, request.note, None)
            request.status = "approved" if approve else "returned"
            request.decided_by, request.decided_at, request.comment = (
                self.vault.actor.user_id,
                self.vault.clock.now(),
                text,
            )
            self.vault.audit(session, AuditAction.SIGN_OFF, "closure_request", request.id)

    def closure_requests(self, pending_only: bool = True) -> list[ClosureRequestView]:
        """Closure requests on the cases the actor may read (as ``open_actions``)."""
        require_case_reader(self.vault.actor)
        with self.vault.session() as session:
            query = (
                select(ClosureRequest, CaseEpisode.reference, AppUser.username)
                .join(CaseEpisode, CaseEpisode.id == ClosureRequest.case_id)
                .join(AppUser, AppUser.id == ClosureRequest.requested_by)
                .where(visible_cases(self.vault.actor))
                .order_by(ClosureRequest.requested_at)
            )
            if pending_only:
                query = query.where(ClosureRequest.status == "pending")
            return [
                ClosureRequestView(
                    r.id, r.case_id, reference, username, r.requested_at, r.reason, r.note, r.status, r.comment
                )
                for r, reference, username in session.execute(query)
            ]

    # --- reassignment and sharing ----------------------------------------------------------------

    def reassign(self, case_ids: Sequence[uuid.UUID], to_username: str, reason: str) -> None:
        """Move cases to another worker, all or nothing; each move is recorded with the reason."""
        text = _text(reason, "the reason for reassigning", required=True)
        assert text is not None  # required
        if not case_ids:
            raise InvalidInput("choose at least one case to reassign")
        with self.vault.session() as session:
            target = self._user(session, to_username)
            record = self.vault.keyring.directory_knowing(target.id).accounts.get(target.id)
            if record is None or record.role is Role.ADMIN:  # the signed role, not the column
                raise InvalidInput("cases can only be assigned to youth workers or supervisors")
            target_sites = admitted_sites(session, target.id)
            problems = []
            cases = []
            for case_id in dict.fromkeys(case_ids):
                case = self._supervised_case(session, case_id)
                if case.site_id not in target_sites:
                    problems.append(f"{case.reference}: {target.username} is not admitted to that case's site")
                cases.append(case)
            if problems:
                raise InvalidInput("nothing was reassigned: " + "; ".join(problems))
            for case in cases:
                if case.worker_id == target.id:
                    continue
                # The new worker gets the case key; the old one loses it (unless it is also shared).
                shared = session.execute(
                    select(case_share).where(case_share.c.case_id == case.id, case_share.c.user_id == case.worker_id)
                ).first()
                move_case(self.vault, session, case, target.id, text, remove=[] if shared else [case.worker_id])

    def share_case(self, case_id: uuid.UUID, username: str) -> None:
        """Let another worker read and record on a case (cover during leave)."""
        with self.vault.session() as session:
            case = self._supervised_case(session, case_id)
            user = self._user(session, username)
            if case.site_id not in admitted_sites(session, user.id):
                raise InvalidInput(f"{user.username} is not admitted to that case's site: admit them first")
            already = session.execute(
                select(case_share).where(case_share.c.case_id == case.id, case_share.c.user_id == user.id)
            ).first()
            if already is None:
                session.execute(case_share.insert().values(case_id=case.id, user_id=user.id))
                rewrap_case(self.vault.keyring, session, case, add=[user.id])
                self.vault.audit(session, AuditAction.SHARE, "case_episode", case.id)

    # --- handover from disabled accounts ---------------------------------------------------------

    def held_by_disabled(self) -> list[HeldByDisabled]:
        """Open cases at the sites I supervise held by disabled accounts, per account and site.

        An administrator disables accounts but holds no case key, so the sites' supervisors hand
        the cases over (``hand_over_disabled``); a site-key rotation passes what is left to me."""
        require(self.vault.actor, Permission.SUPERVISE)
        with self.vault.session() as session:
            rows = session.execute(
                select(AppUser.username, Site.code, func.count(CaseEpisode.id))
                .join(CaseEpisode, CaseEpisode.worker_id == AppUser.id)
                .join(Site, Site.id == CaseEpisode.site_id)
                .where(~AppUser.active, CaseEpisode.status == "open", visible_cases(self.vault.actor))
                .group_by(AppUser.username, Site.code)
                .order_by(Site.code, AppUser.username)
            ).all()
            return [HeldByDisabled(row[0], row[1], row[2]) for row in rows]

    def hand_over_disabled(self, from_username: str, site_code: str, to_username: str) -> int:
        """Reassign every open case a disabled account holds at a site I supervise to an active
        worker admitted there (all or nothing, through ``reassign``). Returns how many moved."""
        require(self.vault.actor, Permission.SUPERVISE)
        code, name = site_code.strip().upper(), from_username.strip().lower()
        if code not in self.vault.actor.site_codes:
            raise PermissionDenied(f"you do not supervise {code}")
        with self.vault.session() as session:
            holder = session.scalar(select(AppUser).where(AppUser.username == name))
            if holder is None:
                raise InvalidInput(f"there is no user {name!r}")
            if holder.active:
                raise InvalidInput(f"{name} is not disabled: reassign their cases from the dashboard")
            case_ids = list(
                session.scalars(
                    select(CaseEpisode.id)
                    .join(Site, Site.id == CaseEpisode.site_id)
                    .where(CaseEpisode.worker_id == holder.id, CaseEpisode.status == "open", Site.code == code)
                    .order_by(CaseEpisode.reference)
                )
            )
        if not case_ids:
            raise InvalidInput(f"{name} holds no open cases at {code}")
        self.reassign(case_ids, to_username, HANDED_OVER_DISABLED)
        return len(case_ids)
