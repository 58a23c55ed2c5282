"""Referrals out of a case, above all into CAMHS and rehabilitation.

Creating a referral passes the consent gate: the case records consent to share, or the worker gives
an override reason, which is audited. Steps follow ``domain.referrals``; waiting days and overdue
use the same definitions as the dashboard and the monthly return.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from youthcase.documents.referral_letter import LetterContent, render_referral_letter
from youthcase.domain import codes
from youthcase.domain import referrals as rules
from youthcase.domain.caseload_rules import london_today
from youthcase.domain.referrals import Milestone, StepRefused
from youthcase.domain.validation import FieldError, check_text, format_nhs_number
from youthcase.services.audit import AuditAction
from youthcase.services.case_access import load_case, require_case_reader, visible_cases
from youthcase.services.errors import InvalidInput, PermissionDenied
from youthcase.services.vault import UnlockedVault
from youthcase.storage.files import write_atomically
from youthcase.storage.models import (
    AppUser,
    CaseEpisode,
    CasePerson,
    Referral,
    ReferralMilestone,
    RiskAssessment,
    SafeguardingConcern,
    ServiceProvider,
    Site,
)
from youthcase.storage.server_queries import hidden_row

MAX_REASON = 4000


class ReferralRefused(InvalidInput):
    """A step or a referral the rules do not allow; the message says why."""


@dataclass(frozen=True)
class MilestoneView:
    step: str
    on: dt.date
    decline_reason: str | None
    note: str | None

    @property
    def label(self) -> str:
        return codes.REFERRAL_STEP.label(self.step)


@dataclass(frozen=True)
class ReferralView:
    referral_id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    service_id: uuid.UUID
    service_name: str
    service_type: str
    urgency: str
    reason: str
    consent_overridden: bool
    status: str
    milestones: tuple[MilestoneView, ...]
    days_waiting: int | None
    days_to_first_response: int | None
    days_to_help_started: int | None
    overdue: bool
    next_steps: tuple[str, ...]
    re_referral_of: uuid.UUID | None

    @property
    def status_label(self) -> str:
        return codes.REFERRAL_STEP.label(self.status)


def _text(value: str | None, limit: int, what: str, required: bool = False) -> str | None:
    try:
        text = check_text(value or "", limit, allow_formula_start=True)
    except FieldError as error:
        raise ReferralRefused(f"{what}: {error}") from None
    if required and not text:
        raise ReferralRefused(f"{what} is required")
    return text or None


class ReferralService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def _today(self) -> dt.date:
        return london_today(self.vault.clock.now())

    def create_referral(
        self,
        case_id: uuid.UUID,
        service_id: uuid.UUID,
        urgency: str,
        reason: str,
        consent_override_reason: str | None = None,
        drafted_on: dt.date | None = None,
        re_referral_of: uuid.UUID | None = None,
    ) -> uuid.UUID:
        """Draft a referral. Without consent to share on the case, an override reason is needed."""
        if urgency not in codes.REFERRAL_URGENCY:
            raise ReferralRefused(f"urgency: use one of {codes.REFERRAL_URGENCY.describe()}")
        reason_text = _text(reason, MAX_REASON, "the reason for referral", required=True)
        override = _text(consent_override_reason, MAX_REASON, "the consent override reason")
        day = drafted_on or self._today()
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True, audit_view=False)
            service = session.get(ServiceProvider, service_id)
            if service is None or not service.active:
                raise ReferralRefused("choose an active service from the directory")
            if not case.consent_share and not override:
                raise ReferralRefused(
                    "the case has no recorded consent to share information: record "
                    "consent on the case, or give a reason to refer without it"
                )
            if re_referral_of is not None:
                self._check_re_referral(session, case.id, re_referral_of)
            try:
                rules.check_next_step([], "drafted", day, self._today())
            except StepRefused as refused:
                raise ReferralRefused(str(refused)) from None
            referral = Referral(
                case_id=case.id,
                service_id=service.id,
                urgency=urgency,
                reason=reason_text,
                consent_override_reason=None if case.consent_share else override,
                status="drafted",
                status_on=day,
                re_referral_of=re_referral_of,
                created_by=self.vault.actor.user_id,
                created_at=self.vault.clock.now(),
            )
            session.add(referral)
            session.add(self._milestone(referral, 1, "drafted", day, None, None))
            self.vault.audit(session, AuditAction.CREATE, "referral", referral.id)
            if referral.consent_override_reason:
                self.vault.audit(session, AuditAction.CONSENT_OVERRIDE, "referral", referral.id)
            return referral.id

    @staticmethod
    def _check_re_referral(session: Session, case_id: uuid.UUID, earlier_id: uuid.UUID) -> None:
        earlier = session.get(Referral, earlier_id)
        if earlier is None or earlier.case_id != case_id:
            raise ReferralRefused("a re-referral must follow an earlier referral of the same case")
        if earlier.status != "declined":
            raise ReferralRefused("only a declined referral can be re-referred")

    def _milestone(
        self,
        referral: Referral,
        sequence: int,
        step: str,
        on: dt.date,
        decline_reason: str | None,
        note: str | None,
    ) -> ReferralMilestone:
        return ReferralMilestone(
            referral_id=referral.id,
            case_id=referral.case_id,
            sequence=sequence,
            step=step,
            occurred_on=on,
            decline_reason=decline_reason,
            note=note,
            recorded_by=self.vault.actor.user_id,
            recorded_at=self.vault.clock.now(),
        )

    def record_step(
        self,
        referral_id: uuid.UUID,
        step: str,
        on: dt.date | None = None,
        decline_reason: str | None = None,
        note: str | None = None,
    ) -> None:
        """Record the next milestone (today unless ``on`` says otherwise)."""
        if decline_reason is not None and decline_reason not in codes.DECLINE_REASON:
            raise ReferralRefused(f"decline reason: use one of {codes.DECLINE_REASON.describe()}")
        note_text = _text(note, MAX_REASON, "the note")
        day = on or self._today()
        with self.vault.session() as session:
            referral = session.get(Referral, referral_id)
            if referral is None:
                if hidden_row(session, "referral", referral_id):
                    raise PermissionDenied("this referral is not on your caseload")
                raise InvalidInput("there is no such referral")
            load_case(self.vault, session, referral.case_id, for_update=True, audit_view=False)
            history = self._history(session, referral.id)
            try:
                rules.check_next_step(
                    [Milestone(m.step, m.occurred_on) for m in history], step, day, self._today(), decline_reason
                )
            except StepRefused as refused:
                raise ReferralRefused(str(refused)) from None
            session.add(
                self._milestone(
                    referral, len(history) + 1, step, day, decline_reason if step == "declined" else None, note_text
                )
            )
            referral.status, referral.status_on = step, day
            self.vault.audit(session, AuditAction.UPDATE, "referral", referral.id)

    @staticmethod
    def _history(session: Session, referral_id: uuid.UUID) -> list[ReferralMilestone]:
        return list(
            session.scalars(
                select(ReferralMilestone)
                .where(ReferralMilestone.referral_id == referral_id)
                .order_by(ReferralMilestone.sequence)
            )
        )

    def referrals_for_case(self, case_id: uuid.UUID) -> list[ReferralView]:
        with self.vault.session() as session:
            load_case(self.vault, session, case_id, audit_view=False)
            query = self._query().where(Referral.case_id == case_id)
            return self._views(session, session.execute(query).all())

    def board(self, service_type: str | None = None, include_finished: bool = False) -> list[ReferralView]:
        """Referrals across every case the actor may see, longest waiting first."""
        require_case_reader(self.vault.actor)
        query = self._query().where(visible_cases(self.vault.actor))
        if service_type:
            query = query.where(ServiceProvider.service_type == service_type)
        if not include_finished:
            query = query.where(Referral.status.not_in(rules.TERMINAL))
        with self.vault.session() as session:
            views = self._views(session, session.execute(query).all())
        return sorted(views, key=lambda v: (not v.overdue, -(v.days_waiting or 0)))

    def overdue_count(self) -> int:
        return sum(1 for view in self.board() if view.overdue)

    def letter_pdf(self, referral_id: uuid.UUID) -> bytes:
        """The referral letter as PDF bytes, in memory only."""
        with self.vault.session() as session:
            referral = session.get(Referral, referral_id)
            if referral is None:
                if hidden_row(session, "referral", referral_id):
                    raise PermissionDenied("this referral is not on your caseload")
                raise InvalidInput("there is no such referral")
            case = load_case(self.vault, session, referral.case_id, audit_view=False)
            return render_referral_letter(self._letter_content(session, referral, case))

    def save_letter(self, referral_id: uuid.UUID, path: Path) -> None:
        """Write the letter where the user chose (atomically) and audit the export."""
        data = self.letter_pdf(referral_id)
        write_atomically(path, data)
        with self.vault.session() as session:
            self.vault.audit(session, AuditAction.EXPORT, "referral", referral_id)

    def _letter_content(self, session: Session, referral: Referral, case: CaseEpisode) -> LetterContent:
        person = session.scalars(select(CasePerson).where(CasePerson.case_id == case.id)).one()
        service = session.get_one(ServiceProvider, referral.service_id)
        worker = session.get_one(AppUser, case.worker_id)
        site = session.get_one(Site, case.site_id)
        latest = session.scalar(
            select(RiskAssessment)
            .where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.assessed_on.desc(), RiskAssessment.created_at.desc())
            .limit(1)
        )
        concerns: dict[uuid.UUID, SafeguardingConcern] = {}
        for version in session.scalars(
            select(SafeguardingConcern)
            .where(SafeguardingConcern.case_id == case.id)
            .order_by(SafeguardingConcern.version)
        ):
            concerns[version.concern_id] = version
        if case.consent_share:
            recorded = f" (recorded {case.consent_recorded_on:%d %B %Y})" if case.consent_recorded_on else ""
            consent = f"The young person consented to information being shared with other agencies{recorded}."
        else:
            consent = (
                "Shared without the young person's consent to share, for this reason: "
                f"{referral.consent_override_reason}"
            )
        return LetterContent(
            service_name=service.name,
            service_address=service.address,
            referral_reference=f"{case.reference}/{str(referral.id)[:8]}",
            urgency=codes.REFERRAL_URGENCY.label(referral.urgency),
            written_on=self._today(),
            person_rows=_person_rows(person),
            reason=referral.reason,
            risk_level=codes.RISK_LEVEL.label(latest.risk_level) if latest else None,
            risk_factors=tuple(codes.RISK_FACTOR.label(f) for f in latest.risk_factors) if latest else (),
            safeguarding=tuple(
                codes.SAFEGUARDING_CATEGORY.label(c.category) for c in concerns.values() if c.status == "open"
            ),
            consent_statement=consent,
            worker_name=worker.full_name or worker.username,
            worker_site=site.name,
        )

    @staticmethod
    def _query() -> Select[Referral, str, ServiceProvider]:
        return (
            select(Referral, CaseEpisode.reference, ServiceProvider)
            .join(CaseEpisode, CaseEpisode.id == Referral.case_id)
            .join(ServiceProvider, ServiceProvider.id == Referral.service_id)
            .order_by(Referral.created_at)
        )

    def _views(self, session: Session, rows: Iterable[Row[Referral, str, ServiceProvider]]) -> list[ReferralView]:
        rows = list(rows)
        milestones: dict[uuid.UUID, list[ReferralMilestone]] = {}
        ids = [referral.id for referral, _, _ in rows]
        for chunk_start in range(0, len(ids), 500):
            chunk = ids[chunk_start : chunk_start + 500]
            for m in session.scalars(
                select(ReferralMilestone)
                .where(ReferralMilestone.referral_id.in_(chunk))
                .order_by(ReferralMilestone.sequence)
            ):
                milestones.setdefault(m.referral_id, []).append(m)
        today = self._today()
        views = []
        for referral, reference, service in rows:
            history = [Milestone(m.step, m.occurred_on) for m in milestones.get(referral.id, [])]
            views.append(
                ReferralView(
                    referral.id,
                    referral.case_id,
                    reference,
                    service.id,
                    service.name,
                    service.service_type,
                    referral.urgency,
                    referral.reason,
                    referral.consent_override_reason is not None,
                    rules.status(history),
                    tuple(
                        MilestoneView(m.step, m.occurred_on, m.decline_reason, m.note)
                        for m in milestones.get(referral.id, [])
                    ),
                    rules.days_waiting(history, today),
                    rules.days_to_first_response(history),
                    rules.days_to_help_started(history),
                    rules.is_overdue(history, today, service.chase_interval_days),
                    tuple(sorted(rules.NEXT_STEPS[rules.status(history)])),
                    referral.re_referral_of,
                )
            )
        return views


def _person_rows(person: CasePerson) -> tuple[tuple[str, str], ...]:
    rows = [("Name", f"{person.given_name} {person.family_name}")]
    if person.preferred_name:
        rows.append(("Preferred name", person.preferred_name))
    optional = (
        ("Date of birth", person.date_of_birth.strftime("%d %B %Y") if person.date_of_birth else None),
        ("NHS number", format_nhs_number(person.nhs_number) if person.nhs_number else None),
        ("Address", person.address),
        ("Postcode", person.postcode),
        ("Phone", person.phone),
        ("Parent, carer and other contacts", person.contacts),
        ("Interpreter needed", person.interpreter_language),
    )
    rows += [(label, value) for label, value in optional if value]
    return tuple(rows)
