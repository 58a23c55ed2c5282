"""Corrections: one versioning mechanism for a case's details, young person, incident, contacts
and goals.

Every changeable record carries a ``version``. A change names the version it was made from
(``expected_version``, what the screen showed): if someone changed the record since, nothing is
saved and the person is told who changed it and when, so a stale view never silently overwrites a
colleague's work (the team server's optimistic locking is this same check). Each change keeps the
fields' earlier values in ``record_revision`` (under the case key), with the reason for a
correction, so History shows every version. A contact recorded in error is struck out with a
reason, never deleted, and counts nowhere afterwards. Every change is audited against the record.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from youthcase.domain import dictionary as dd
from youthcase.domain.caseload_rules import age_in_years, london_today
from youthcase.domain.validation import LONDON
from youthcase.services.audit import AuditAction
from youthcase.services.case_access import load_case
from youthcase.services.errors import InvalidInput
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import (
    AppUser,
    Base,
    CaseEpisode,
    CasePerson,
    Contact,
    Incident,
    PlanGoal,
    RecordRevision,
)


class Amendable(StrEnum):
    """The records that can be changed after saving, by their table."""

    CASE = "case_episode"
    PERSON = "case_person"
    INCIDENT = "incident"
    CONTACT = "contact"
    GOAL = "plan_goal"


@dataclass(frozen=True)
class _Kind:
    model: type[Base]
    entity: dd.EntitySpec
    fields: frozenset[str]


# The site is not here: moving a case to another site is a transfer, not a correction.
_CASE_FIELDS = {"arrival_at", "referral_source", "consent_support", "consent_share", "consent_recorded_on"}
_CASE_FIELDS |= {"engagement", "next_action_due", "notes"}
KINDS: dict[Amendable, _Kind] = {
    Amendable.CASE: _Kind(CaseEpisode, dd.CASE, frozenset(_CASE_FIELDS)),
    Amendable.PERSON: _Kind(CasePerson, dd.YOUNG_PERSON, frozenset(f.name for f in dd.YOUNG_PERSON.fields)),
    Amendable.INCIDENT: _Kind(Incident, dd.INCIDENT, frozenset(f.name for f in dd.INCIDENT.fields)),
    Amendable.CONTACT: _Kind(Contact, dd.CONTACT, frozenset(f.name for f in dd.CONTACT.fields)),
    Amendable.GOAL: _Kind(PlanGoal, dd.PLAN_GOAL, frozenset(f.name for f in dd.PLAN_GOAL.fields)),
}


class RecordChanged(InvalidInput):
    """The record was changed by someone else after the screen that asked for this change showed it."""


@dataclass(frozen=True)
class Revision:
    """One change of one record, as History shows it: what the fields were before it."""

    record: Amendable
    row_id: uuid.UUID
    replaced_version: int
    action: str  # "updated", "corrected" or "struck out"
    changed_by: str
    changed_at: dt.datetime
    reason: str | None
    previous: dict[str, Any]  # field -> earlier value, as text (dates ISO)


class CorrectionService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def amend(
        self,
        case_id: uuid.UUID,
        record: Amendable,
        row_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        reason: str,
        expected_version: int,
    ) -> int:
        """Correct a saved record, saying why. Returns its new version."""
        if not reason.strip():
            raise InvalidInput("say why the record is being corrected")
        return self.change(case_id, record, row_id, values, reason=reason.strip(), expected_version=expected_version)

    def change(
        self,
        case_id: uuid.UUID,
        record: Amendable,
        row_id: uuid.UUID,
        values: Mapping[str, Any],
        *,
        reason: str | None = None,
        expected_version: int | None = None,
    ) -> int:
        """Change a record, keeping what it was; ``reason`` makes it a correction. Routine updates
        (engagement, the next action) pass no reason. ``expected_version`` None skips the stale-view
        check (a caller that just read the record in this same step)."""
        kind = KINDS[record]
        refused = set(values) - kind.fields
        if refused:
            if "site" in refused:
                raise InvalidInput("the site cannot be corrected: moving a case to another site is a transfer")
            raise InvalidInput(f"these cannot be changed here: {', '.join(sorted(refused))}")
        # Imported here: CaseService builds on this module for its routine updates.
        from youthcase.services.cases import CaseService

        cases = CaseService(self.vault)
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            row = self._locked_row(session, kind, case, row_id)
            self._check_version(session, record, row, expected_version)
            checked = cases.checked_values(kind.entity, values, session, case, partial=True)
            previous = {name: getattr(row, name) for name, value in checked.items() if getattr(row, name) != value}
            if not previous:
                if reason:
                    raise InvalidInput("nothing was changed: the correction is the same as the record")
                return int(row.version)
            for name, value in checked.items():
                setattr(row, name, value)
            action = "corrected" if reason else "updated"
            self._keep(session, case, record, row, action, reason, previous)
            if record is Amendable.PERSON:
                cases.relink_person(session, case, row)
            if record in (Amendable.CASE, Amendable.PERSON):
                _refresh_age(session, case)
            if record is Amendable.CONTACT:
                refresh_contact_dates(session, case)
            self.vault.audit(session, AuditAction.UPDATE if reason is None else AuditAction.CORRECT, record, row.id)
            new_version: int = row.version
            return new_version

    def strike_out_contact(
        self, case_id: uuid.UUID, contact_id: uuid.UUID, *, reason: str, expected_version: int
    ) -> None:
        """A contact recorded in error: kept and shown struck out, with the reason; counted nowhere."""
        if not reason.strip():
            raise InvalidInput("say why the contact is being struck out")
        kind = KINDS[Amendable.CONTACT]
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            contact = self._locked_row(session, kind, case, contact_id)
            assert isinstance(contact, Contact)
            self._check_version(session, Amendable.CONTACT, contact, expected_version)
            if contact.struck_out:
                raise InvalidInput("this contact is already struck out")
            contact.struck_out = True
            self._keep(session, case, Amendable.CONTACT, contact, "struck out", reason.strip(), {"struck_out": False})
            refresh_contact_dates(session, case)
            self.vault.audit(session, AuditAction.CORRECT, Amendable.CONTACT, contact.id)

    def history(self, case_id: uuid.UUID) -> list[Revision]:
        """Every change of the case's records, oldest first."""
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, audit_view=False)
            return revisions_of(session, case.id)

    # --- steps ---------------------------------------------------------------------------------

    @staticmethod
    def _locked_row(session: Session, kind: _Kind, case: CaseEpisode, row_id: uuid.UUID) -> Any:
        model: Any = kind.model
        query: Select[Any]
        if model is CaseEpisode:
            if row_id != case.id:
                raise InvalidInput("that record is not this case")
            query = select(CaseEpisode).where(CaseEpisode.id == case.id)
        elif model is CasePerson:  # one per case; case_detail names it by the person link's id
            if row_id not in (case.id, case.person_id):
                query = select(CasePerson).where(CasePerson.id == row_id, CasePerson.case_id == case.id)
            else:
                query = select(CasePerson).where(CasePerson.case_id == case.id)
        else:
            query = select(model).where(model.id == row_id, model.case_id == case.id)
        # FOR UPDATE on a server (two changes from one version: the second waits, then is refused);
        # a SQLite write transaction already holds the only write lock.
        row = session.scalar(query.with_for_update().execution_options(populate_existing=True))
        if row is None:
            raise InvalidInput(f"there is no such {kind.entity.label.lower()} on this case")
        return row

    def _check_version(self, session: Session, record: Amendable, row: Any, expected: int | None) -> None:
        if expected is None or row.version == expected:
            return
        last = session.execute(
            select(AppUser.username, RecordRevision.changed_at)
            .join(AppUser, AppUser.id == RecordRevision.changed_by)
            .where(RecordRevision.record == record, RecordRevision.row_id == row.id)
            .order_by(RecordRevision.version.desc())
            .limit(1)
        ).first()
        who = f" by {last[0]} at {last[1].astimezone(LONDON):%H:%M on %d %b %Y}" if last else ""
        raise RecordChanged(
            f"this record was changed{who} after you opened it: your change was not saved; "
            "look at the record again and make your change on the current version"
        )

    def _keep(
        self,
        session: Session,
        case: CaseEpisode,
        record: Amendable,
        row: Any,
        action: str,
        reason: str | None,
        previous: Mapping[str, Any],
    ) -> None:
        session.add(
            RecordRevision(
                case_id=case.id,
                record=record.value,
                row_id=row.id,
                version=row.version,
                action=action,
                changed_by=self.vault.actor.user_id,
                changed_at=self.vault.clock.now(),
                reason=reason,
                previous=json.dumps(previous, default=_as_text, sort_keys=True),
            )
        )
        row.version += 1


def revisions_of(session: Session, case_id: uuid.UUID) -> list[Revision]:
    """A case's revisions, oldest first (the caller has checked that the case may be read)."""
    rows = session.execute(
        select(RecordRevision, AppUser.username)
        .join(AppUser, AppUser.id == RecordRevision.changed_by)
        .where(RecordRevision.case_id == case_id)
        .order_by(RecordRevision.changed_at, RecordRevision.version)
    ).all()
    return [
        Revision(
            Amendable(r.record), r.row_id, r.version, r.action, name, r.changed_at, r.reason, json.loads(r.previous)
        )
        for r, name in rows
    ]


def refresh_contact_dates(session: Session, case: CaseEpisode) -> None:
    """The case's first and last successful contact, from the contacts that stand."""
    session.flush()
    standing = (Contact.case_id == case.id, Contact.successful, ~Contact.struck_out)
    first, last = session.execute(
        select(func.min(Contact.contact_at), func.max(Contact.contact_at)).where(*standing)
    ).one()
    case.first_contact_at, case.last_successful_contact_at = first, last


def _refresh_age(session: Session, case: CaseEpisode) -> None:
    """Age at arrival follows a corrected date of birth or arrival time."""
    session.flush()
    person = session.scalar(select(CasePerson).where(CasePerson.case_id == case.id))
    if person is not None and person.date_of_birth is not None:
        case.age_at_arrival = age_in_years(person.date_of_birth, london_today(case.arrival_at))
    elif person is not None:
        case.age_at_arrival = person.estimated_age


def _as_text(value: object) -> object:
    """JSON for the values JSON has no type for (code sets are tuples: JSON lists already)."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"cannot keep a {type(value).__name__} in a revision")
