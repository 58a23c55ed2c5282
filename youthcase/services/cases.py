"""Recording cases: new cases (recognising a returning young person), contacts, assessments,
safeguarding concerns (versioned), plan goals, closure, reopening and follow-up.

Every method checks the actor's permissions and the case's visibility (``case_access``), validates
against the data dictionary and raises ``CaseInvalid`` listing every problem, saving nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from youthcase.crypto.blind_index import BlindIndex
from youthcase.domain import dictionary as dd
from youthcase.domain.caseload_rules import (
    RE_ATTENDANCE_DAYS,
    action_overdue,
    age_in_years,
    london_today,
    no_recent_successful_contact,
)
from youthcase.domain.records import Problem, check_dates, check_new_case, validate
from youthcase.domain.roles import Permission
from youthcase.domain.validation import LONDON
from youthcase.services.access import new_case_key
from youthcase.services.audit import AuditAction
from youthcase.services.case_access import load_case, require_case_reader, visible_cases
from youthcase.services.corrections import Amendable, CorrectionService, Revision, revisions_of
from youthcase.services.errors import InvalidInput, PermissionDenied, VaultCorrupt
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.encrypted import open_row
from youthcase.storage.models import (
    AppUser,
    AuditEvent,
    CaseEpisode,
    CasePerson,
    CaseStatusChange,
    Contact,
    FollowUp,
    Incident,
    PlanGoal,
    RiskAssessment,
    SafeguardingConcern,
    Site,
    YoungPerson,
)
from youthcase.storage.server_queries import latest_reference

MATCH_LIMIT = 30
MATCH_WINDOW = dt.timedelta(hours=1)
MATCH_SEARCH = "person_search"
"""The audit entity of one returning-person search (each person it finds is audited as well)."""


class CaseInvalid(InvalidInput):
    """Problems with what was entered; ``problems`` lists each with its field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.entity}.{p.field}: {p.message}" for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class NewCase:
    """A new case as typed in a form or read from a spreadsheet row (typed values or text)."""

    person: Mapping[str, Any]
    case: Mapping[str, Any]
    incident: Mapping[str, Any]
    existing_person_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ValidatedCase:
    person: dict[str, Any]
    case: dict[str, Any]
    incident: dict[str, Any]
    existing_person_id: uuid.UUID | None


@dataclass(frozen=True)
class PersonMatch:
    """A young person already known to the service who may be the one arriving now."""

    person_id: uuid.UUID
    matched_on: str
    earlier_cases: tuple[EarlierCase, ...]  # newest first
    within_re_attendance_window: bool

    @property
    def open_case(self) -> EarlierCase | None:
        return next((case for case in self.earlier_cases if case.open), None)


@dataclass(frozen=True)
class EarlierCase:
    """What a returning-person match tells about an earlier case: never its content, only that it
    exists, where and when, whether it is still open and who holds it (to ask them or a supervisor)."""

    site_code: str
    arrival_month: dt.date  # the first of the month
    open: bool
    held_by: str


@dataclass(frozen=True)
class CaseloadRow:
    case_id: uuid.UUID
    reference: str
    given_name: str
    family_name: str
    age: int | None
    site_code: str
    worker: str
    arrival_at: dt.datetime
    engagement: str
    status: str
    risk: str | None
    last_successful_contact_at: dt.datetime | None
    next_action_due: dt.date | None
    no_recent_contact: bool
    action_overdue: bool


@dataclass(frozen=True)
class RecordView:
    """One record's values by data-dictionary field name."""

    id: uuid.UUID
    values: dict[str, Any]


@dataclass(frozen=True)
class ConcernHistory:
    concern_id: uuid.UUID
    versions: list[RecordView]  # oldest first; the last is current


_STATUS_ORDER = {"opened": 0, "closed": 1, "reopened": 2}  # ties within one instant


@dataclass(frozen=True)
class StatusChangeView:
    change: str  # opened, closed, reopened
    on: dt.date
    reason: str | None


@dataclass(frozen=True)
class CaseDetail:
    case_id: uuid.UUID
    reference: str
    status: str
    site_code: str
    worker: str
    reopen_count: int
    closed_on: dt.date | None
    person: RecordView
    case: RecordView
    incident: RecordView | None
    contacts: list[RecordView]
    assessments: list[RecordView]
    concerns: list[ConcernHistory]
    goals: list[RecordView]
    follow_ups: list[RecordView]
    status_history: list[StatusChangeView]
    revisions: list[Revision]  # every change of a saved record, oldest first (History)


def _view(entity: dd.EntitySpec, record: Any, **overrides: Any) -> RecordView:
    """A record's fields; a versioned record also its ``version`` (what a correction must name)."""
    values = {spec.name: getattr(record, spec.name, None) for spec in entity.fields}
    if hasattr(record, "version"):
        values["version"] = record.version
    values.update(overrides)
    return RecordView(record.id, values)


def _cases_of_person(
    session: Session, person_id: uuid.UUID, besides: uuid.UUID | None = None
) -> list[tuple[dt.datetime, EarlierCase]]:
    """The person's cases, newest first, as a match may describe them (no content), with arrival times."""
    query = (
        select(CaseEpisode.arrival_at, CaseEpisode.status, Site.code, AppUser.username)
        .join(Site, Site.id == CaseEpisode.site_id)
        .join(AppUser, AppUser.id == CaseEpisode.worker_id)
        .where(CaseEpisode.person_id == person_id)
        .order_by(CaseEpisode.arrival_at.desc())
    )
    if besides is not None:
        query = query.where(CaseEpisode.id != besides)
    return [
        (
            row.arrival_at,
            EarlierCase(row.code, london_today(row.arrival_at).replace(day=1), row.status == "open", row.username),
        )
        for row in session.execute(query)
    ]


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise CaseInvalid(problems)


ROUTINE_CASE_FIELDS = frozenset(
    {"engagement", "consent_support", "consent_share", "consent_recorded_on", "next_action_due", "notes"}
    | {"referral_source"}
)
"""What the case screens change as work goes on; anything else of the case is a correction."""

_CASELOAD_SEALED = (CasePerson.given_name, CasePerson.family_name, CasePerson.date_of_birth)
"""The caseload's encrypted columns, in the order ``caseload`` opens them."""


class CaseService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    @property
    def index(self) -> BlindIndex:
        """Blind indexes under the matching key, which only accounts admitted to a site hold."""
        key = self.vault.keyring.matching_key
        if key is None:
            raise PermissionDenied("you are not admitted to any site's cases yet: ask a supervisor of your site")
        return BlindIndex(key)

    # --- new cases -----------------------------------------------------------------------------

    def validate_new_case(
        self, new: NewCase, *, from_text: bool = False, site_codes: set[str] | None = None
    ) -> ValidatedCase:
        """Check a new case completely, raising ``CaseInvalid`` with every problem found.

        A returning young person (``existing_person_id``) is recorded in full on the new case too:
        each case holds its own copy of the identifiers, under its own key.
        """
        person, problems = validate(dd.YOUNG_PERSON, new.person, from_text=from_text)
        case_raw = dict(new.case)
        case_raw.setdefault("engagement", "not_yet_contacted")
        case, more = validate(dd.CASE, case_raw, from_text=from_text)
        problems += more
        incident, more = validate(dd.INCIDENT, new.incident, from_text=from_text)
        problems += more
        site = case.get("site")
        if site is not None:
            case["site"] = str(site).strip().upper()
            if site_codes is not None and case["site"] not in site_codes:
                problems.append(
                    Problem("case", "site", f"unknown site {site!r}: use one of {', '.join(sorted(site_codes))}")
                )
        if not problems:
            problems += check_new_case(person, case, incident, self.vault.clock.now())
        _raise_if(problems)
        return ValidatedCase(person, case, incident, new.existing_person_id)

    def find_returning_person(
        self, nhs_number: str | None, given_name: str, family_name: str, date_of_birth: dt.date | None
    ) -> list[PersonMatch]:
        """People already known by NHS number, or by normalised name and date of birth (audited).

        Says only that the person is known and where their earlier cases are: their content stays
        under those cases' keys. Each search is audited and at most ``MATCH_LIMIT`` are allowed per
        account in ``MATCH_WINDOW`` (``check_match_limit``), so nobody can sweep the vault's children."""
        require(self.vault.actor, Permission.RECORD_CASES)
        by_nhs = self.index.nhs_number(nhs_number)
        by_name = self.index.name_and_birth_date(given_name, family_name, date_of_birth)
        conditions = []
        if by_nhs:
            conditions.append(YoungPerson.nhs_index == by_nhs)
        if by_name:
            conditions.append(YoungPerson.name_dob_index == by_name)
        if not conditions:
            return []
        with self.vault.session() as session:
            self.check_match_limit(session)
            self.vault.audit(session, AuditAction.PERSON_MATCH, MATCH_SEARCH)
            people = session.scalars(select(YoungPerson).where(or_(*conditions))).all()
            for person in people:
                self.vault.audit(session, AuditAction.PERSON_MATCH, "young_person", person.id)
            return [self._match(session, person, by_nhs) for person in people]

    def check_match_limit(self, session: Session) -> None:
        """Refuse a returning-person search when the account made ``MATCH_LIMIT`` in the last
        ``MATCH_WINDOW``, counted from its audited searches, saying when it may search again."""
        now = self.vault.clock.now()
        recent = session.scalars(
            select(AuditEvent.at)
            .where(
                AuditEvent.user_id == self.vault.actor.user_id,
                AuditEvent.action == AuditAction.PERSON_MATCH.value,
                AuditEvent.entity == MATCH_SEARCH,
                AuditEvent.at > now - MATCH_WINDOW,
            )
            .order_by(AuditEvent.at.desc())
            .limit(MATCH_LIMIT)
        ).all()
        if len(recent) < MATCH_LIMIT:
            return
        again = recent[-1] + MATCH_WINDOW  # when the oldest of them leaves the window
        again = (again + dt.timedelta(seconds=59)).replace(second=0, microsecond=0)  # the next whole minute
        raise PermissionDenied(
            f"you have checked for a returning young person {MATCH_LIMIT} times in the last hour, the most "
            f"allowed: you can check again at {again.astimezone(LONDON):%H:%M}"
        )

    def _match(self, session: Session, person: YoungPerson, by_nhs: str | None) -> PersonMatch:
        earlier = _cases_of_person(session, person.id)
        now = self.vault.clock.now()
        recent = bool(earlier) and now - earlier[0][0] <= dt.timedelta(days=RE_ATTENDANCE_DAYS)
        return PersonMatch(
            person.id,
            "NHS number" if by_nhs and person.nhs_index == by_nhs else "name and date of birth",
            tuple(case for _arrival, case in earlier),
            recent,
        )

    def recording_sites(self, session: Session) -> dict[str, uuid.UUID]:
        """The active sites I am admitted to, by code: where I may open cases."""
        query = select(Site.code, Site.id).where(Site.active, Site.code.in_(self.vault.actor.site_codes))
        return dict(session.execute(query).all())

    def create_case(self, new: NewCase) -> CaseDetail:
        """Record a new case for me (worker) at a site; the person is new or ``existing_person_id``."""
        require(self.vault.actor, Permission.RECORD_CASES)
        with self.vault.session() as session:
            sites = self.recording_sites(session)
            checked = self.validate_new_case(new, site_codes=set(sites))
            case = self.add_case(session, checked, sites, import_key=None)
            case_id = case.id
        return self.case_detail(case_id)

    def add_case(
        self,
        session: Session,
        checked: ValidatedCase,
        sites: Mapping[str, uuid.UUID],
        import_key: str | None,
        references: dict[str, int] | None = None,
    ) -> CaseEpisode:
        """Insert a validated case in ``session`` (shared by the form and the import)."""
        now = self.vault.clock.now()
        person = self._person_for(session, checked, now)
        arrival: dt.datetime = checked.case["arrival_at"]
        dob = checked.person.get("date_of_birth")
        age = age_in_years(dob, london_today(arrival)) if dob else checked.person.get("estimated_age")
        case_values = {k: v for k, v in checked.case.items() if k != "site"}
        case = CaseEpisode(
            reference=self._next_reference(session, checked.case["site"], arrival, references),
            person_id=person.id,
            site_id=sites[checked.case["site"]],
            worker_id=self.vault.actor.user_id,
            age_at_arrival=age,
            status="open",
            opened_at=now,
            reopen_count=0,
            import_key=import_key,
            created_at=now,
            **case_values,
        )
        new_case_key(self.vault.keyring, session, case.id, case.site_id, case.worker_id)
        session.add(case)
        session.add(CasePerson(case_id=case.id, **checked.person))
        session.add(Incident(case_id=case.id, **checked.incident))
        session.add(
            CaseStatusChange(
                case_id=case.id, change="opened", changed_on=london_today(arrival), reason=None, recorded_at=now
            )
        )
        self.vault.audit(session, AuditAction.CREATE, "case_episode", case.id)
        return case

    def _person_for(self, session: Session, checked: ValidatedCase, now: dt.datetime) -> YoungPerson:
        """The person link: the returning person's, or a new one holding only blind indexes."""
        if checked.existing_person_id is not None:
            person = session.get(YoungPerson, checked.existing_person_id)
            if person is None:
                raise InvalidInput("the young person chosen as returning no longer exists")
            return person
        values = checked.person
        person = YoungPerson(
            created_at=now,
            nhs_index=self.index.nhs_number(values.get("nhs_number")),
            name_dob_index=self.index.name_and_birth_date(
                values["given_name"], values["family_name"], values.get("date_of_birth")
            ),
        )
        session.add(person)
        return person

    @staticmethod
    def _next_reference(session: Session, site: str, arrival: dt.datetime, counters: dict[str, int] | None) -> str:
        """``RLH-26-00042``: site, year of arrival, a number counting up per site and year."""
        prefix = f"{site}-{london_today(arrival):%y}-"
        if counters is not None and prefix in counters:
            counters[prefix] += 1
            return f"{prefix}{counters[prefix]:05d}"
        latest = latest_reference(session, prefix)
        number = int(latest.rsplit("-", 1)[1]) + 1 if latest else 1
        if counters is not None:
            counters[prefix] = number
        return f"{prefix}{number:05d}"

    # --- the caseload ---------------------------------------------------------------------------

    def caseload(self, include_closed: bool = True) -> list[CaseloadRow]:
        """Every case the actor may see, names decrypted, flags computed. No personal data in SQL."""
        actor = self.vault.actor
        require_case_reader(actor)
        query = (
            select(
                CaseEpisode.id,
                CaseEpisode.reference,
                CaseEpisode.status,
                CaseEpisode.engagement,
                CaseEpisode.current_risk,
                CaseEpisode.arrival_at,
                CaseEpisode.opened_at,
                CaseEpisode.last_successful_contact_at,
                CaseEpisode.next_action_due,
                Site.code,
                AppUser.username,
                CasePerson.id.label("person_id"),
                CasePerson.given_name,
                CasePerson.family_name,
                CasePerson.date_of_birth,
                CasePerson.estimated_age,
            )
            .join(Site, Site.id == CaseEpisode.site_id)
            .join(AppUser, AppUser.id == CaseEpisode.worker_id)
            .join(CasePerson, CasePerson.case_id == CaseEpisode.id)
            .where(visible_cases(actor))
        )
        if not include_closed:
            query = query.where(CaseEpisode.status == "open")
        now = self.vault.clock.now()
        today = london_today(now)
        with self.vault.session() as session:
            # Core on the session's connection: thousands of rows, no ORM entities wanted.
            rows = session.connection().execute(query).all()
        result = []
        for row in rows:
            given, family, dob = open_row(
                _CASELOAD_SEALED, (row.given_name, row.family_name, row.date_of_birth), row.person_id, row.id
            )
            open_case = row.status == "open"
            result.append(
                CaseloadRow(
                    row.id,
                    row.reference,
                    given,
                    family,
                    age_in_years(dob, today) if dob else row.estimated_age,
                    row.code,
                    row.username,
                    row.arrival_at,
                    row.engagement,
                    row.status,
                    row.current_risk,
                    row.last_successful_contact_at,
                    row.next_action_due,
                    open_case and no_recent_successful_contact(now, row.opened_at, row.last_successful_contact_at),
                    open_case and action_overdue(now, row.next_action_due),
                )
            )
        return result

    # --- one case -------------------------------------------------------------------------------

    def case_detail(self, case_id: uuid.UUID) -> CaseDetail:
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id)
            person = self._case_person(session, case)
            site = session.get_one(Site, case.site_id)
            worker = session.get_one(AppUser, case.worker_id)
            incident = session.scalar(select(Incident).where(Incident.case_id == case.id))

            def rows(model: Any, order: Any) -> list[Any]:
                return list(session.scalars(select(model).where(model.case_id == case.id).order_by(order)))

            names = {row.id: row.username for row in session.execute(select(AppUser.id, AppUser.username))}
            concerns: dict[uuid.UUID, list[RecordView]] = {}
            for version in rows(SafeguardingConcern, SafeguardingConcern.version):
                # Who recorded each version and when: the history of an amended concern.
                concerns.setdefault(version.concern_id, []).append(
                    _view(
                        dd.SAFEGUARDING,
                        version,
                        version=version.version,
                        recorded_at=version.recorded_at,
                        recorded_by=names.get(version.recorded_by),
                    )
                )
            return CaseDetail(
                case.id,
                case.reference,
                case.status,
                site.code,
                worker.username,
                case.reopen_count,
                case.closed_on,
                RecordView(case.person_id, _view(dd.YOUNG_PERSON, person).values),  # the person link's id
                _view(dd.CASE, case, site=site.code),
                _view(dd.INCIDENT, incident) if incident else None,
                [
                    _view(dd.CONTACT, c, recorded_by=names.get(c.worker_id), struck_out=c.struck_out)
                    for c in rows(Contact, Contact.contact_at.desc())
                ],
                [
                    _view(dd.RISK_ASSESSMENT, a, recorded_by=names.get(a.assessed_by))
                    for a in rows(RiskAssessment, RiskAssessment.assessed_on)
                ],
                [ConcernHistory(cid, versions) for cid, versions in concerns.items()],
                [_view(dd.PLAN_GOAL, g) for g in rows(PlanGoal, PlanGoal.created_at)],
                [_view(dd.FOLLOW_UP, f) for f in rows(FollowUp, FollowUp.followed_up_on)],
                [
                    StatusChangeView(s.change, s.changed_on, s.reason)
                    for s in sorted(
                        rows(CaseStatusChange, CaseStatusChange.recorded_at),
                        key=lambda s: (s.changed_on, s.recorded_at, _STATUS_ORDER[s.change]),
                    )
                ],
                revisions_of(session, case.id),
            )

    def checked_values(
        self, entity: dd.EntitySpec, raw: Mapping[str, Any], session: Session, case: CaseEpisode, partial: bool = False
    ) -> dict[str, Any]:
        values, problems = validate(entity, raw, partial=partial)
        if not problems:
            person = self._case_person(session, case)
            problems = check_dates(entity.name, values, self.vault.clock.now(), person.date_of_birth)
        _raise_if(problems)
        return values

    def _record(
        self, case_id: uuid.UUID, entity: dd.EntitySpec, model: Any, raw: Mapping[str, Any], **extra: Any
    ) -> uuid.UUID:
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            record = model(case_id=case.id, **self.checked_values(entity, raw, session, case), **extra)
            session.add(record)
            self.vault.audit(session, AuditAction.CREATE, model.__tablename__, record.id)
            record_id: uuid.UUID = record.id
            return record_id

    def add_contact(self, case_id: uuid.UUID, values: Mapping[str, Any]) -> uuid.UUID:
        """Log a contact (or a failed attempt); keeps the case's engagement and dates current."""
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            checked = self.checked_values(dd.CONTACT, values, session, case)
            contact = Contact(
                case_id=case.id, worker_id=self.vault.actor.user_id, created_at=self.vault.clock.now(), **checked
            )
            session.add(contact)
            at = checked["contact_at"]
            if checked["successful"]:
                case.first_contact_at = min(filter(None, (case.first_contact_at, at)))
                case.last_successful_contact_at = max(filter(None, (case.last_successful_contact_at, at)))
                if case.engagement in {"not_yet_contacted", "contact_attempted", "unable_to_contact"}:
                    case.engagement = "engaged"
            elif case.engagement == "not_yet_contacted":
                case.engagement = "contact_attempted"
            if checked.get("follow_up_due"):
                case.next_action_due = checked["follow_up_due"]
            self.vault.audit(session, AuditAction.CREATE, "contact", contact.id)
            return contact.id

    def record_assessment(self, case_id: uuid.UUID, values: Mapping[str, Any]) -> uuid.UUID:
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            checked = self.checked_values(dd.RISK_ASSESSMENT, values, session, case)
            assessment = RiskAssessment(
                case_id=case.id, assessed_by=self.vault.actor.user_id, created_at=self.vault.clock.now(), **checked
            )
            session.add(assessment)
            latest = session.scalar(
                select(func.max(RiskAssessment.assessed_on)).where(RiskAssessment.case_id == case.id)
            )
            if latest is None or checked["assessed_on"] >= latest:
                case.current_risk = checked["risk_level"]
            self.vault.audit(session, AuditAction.CREATE, "risk_assessment", assessment.id)
            return assessment.id

    def raise_concern(self, case_id: uuid.UUID, values: Mapping[str, Any]) -> uuid.UUID:
        """Record a safeguarding concern (version 1). Returns the concern id."""
        concern_id = uuid.uuid4()
        self._record(
            case_id,
            dd.SAFEGUARDING,
            SafeguardingConcern,
            values,
            concern_id=concern_id,
            version=1,
            recorded_by=self.vault.actor.user_id,
            recorded_at=self.vault.clock.now(),
        )
        return concern_id

    def amend_concern(self, case_id: uuid.UUID, concern_id: uuid.UUID, values: Mapping[str, Any]) -> int:
        """Amend a concern by adding a new version; earlier versions stay as they were."""
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            latest = session.scalar(
                select(SafeguardingConcern)
                .where(SafeguardingConcern.concern_id == concern_id, SafeguardingConcern.case_id == case.id)
                .order_by(SafeguardingConcern.version.desc())
                .limit(1)
            )
            if latest is None:
                raise InvalidInput("there is no such safeguarding concern on this case")
            merged = {spec.name: getattr(latest, spec.name) for spec in dd.SAFEGUARDING.fields}
            merged.update(values)
            checked = self.checked_values(dd.SAFEGUARDING, merged, session, case)
            version = SafeguardingConcern(
                case_id=case.id,
                concern_id=concern_id,
                version=latest.version + 1,
                recorded_by=self.vault.actor.user_id,
                recorded_at=self.vault.clock.now(),
                **checked,
            )
            session.add(version)
            self.vault.audit(session, AuditAction.UPDATE, "safeguarding_concern", version.id)
            return version.version

    def add_goal(self, case_id: uuid.UUID, values: Mapping[str, Any]) -> uuid.UUID:
        return self._record(case_id, dd.PLAN_GOAL, PlanGoal, values, created_at=self.vault.clock.now())

    def record_follow_up(self, case_id: uuid.UUID, values: Mapping[str, Any]) -> uuid.UUID:
        return self._record(case_id, dd.FOLLOW_UP, FollowUp, values, recorded_by=self.vault.actor.user_id)

    def update_case(self, case_id: uuid.UUID, values: Mapping[str, Any], expected_version: int | None = None) -> None:
        """Change some of the case's own fields (engagement, consent, next action, notes); the
        earlier values are kept (``CorrectionService``). Arrival time: a correction, with a reason."""
        refused = set(values) - ROUTINE_CASE_FIELDS
        if refused:
            raise InvalidInput(f"these cannot be changed here: {', '.join(sorted(refused))}")
        CorrectionService(self.vault).change(
            case_id, Amendable.CASE, case_id, values, expected_version=expected_version
        )

    def update_person(
        self, case_id: uuid.UUID, values: Mapping[str, Any], expected_version: int | None = None
    ) -> list[EarlierCase]:
        """Correct the young person's details on this case. Other cases of the same person keep
        their own copies (under their own keys): the list returned says where they are and who
        holds them, so the correction can be passed on."""
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True, audit_view=False)
            person_id = self._case_person(session, case).id
        CorrectionService(self.vault).change(
            case_id, Amendable.PERSON, person_id, values, expected_version=expected_version
        )
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, audit_view=False)
            return [other for _arrival, other in _cases_of_person(session, case.person_id, besides=case.id)]

    def relink_person(self, session: Session, case: CaseEpisode, person: CasePerson) -> None:
        """The person link follows corrected identifiers; other cases keep their own copies."""
        link = session.get_one(YoungPerson, case.person_id)
        link.nhs_index = self.index.nhs_number(person.nhs_number)
        link.name_dob_index = self.index.name_and_birth_date(
            person.given_name, person.family_name, person.date_of_birth
        )

    @staticmethod
    def _case_person(session: Session, case: CaseEpisode) -> CasePerson:
        person = session.scalar(select(CasePerson).where(CasePerson.case_id == case.id))
        if person is None:
            raise VaultCorrupt(f"case {case.reference} has lost its young person's record")
        return person

    def close_case(
        self, case_id: uuid.UUID, reason: str, note: str | None = None, closed_on: dt.date | None = None
    ) -> None:
        """Close a case directly: supervisors only. Workers ask (``SupervisionService.request_closure``)
        and a supervisor approves, which closes the case through ``close_in_session``."""
        require(self.vault.actor, Permission.SUPERVISE)
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            self.close_in_session(session, case, reason, note, closed_on)

    def close_in_session(
        self, session: Session, case: CaseEpisode, reason: str, note: str | None, closed_on: dt.date | None
    ) -> None:
        """Close ``case`` (already loaded with access checked); shared with closure approval."""
        if case.status == "closed":
            raise InvalidInput(f"case {case.reference} is already closed")
        checked = self.checked_values(
            dd.CASE, {"closure_reason": reason, "closure_note": note}, session, case, partial=True
        )
        if checked["closure_reason"] is None:
            raise CaseInvalid([Problem("case", "closure_reason", "give a reason for closing")])
        day = closed_on or london_today(self.vault.clock.now())
        _raise_if(check_dates("case", {"closed_on": day}, self.vault.clock.now(), None))
        opened_on = session.scalar(
            select(func.max(CaseStatusChange.changed_on)).where(
                CaseStatusChange.case_id == case.id, CaseStatusChange.change != "closed"
            )
        )
        if opened_on is not None and day < opened_on:
            # The status history must alternate in date order for the monthly return.
            raise CaseInvalid(
                [
                    Problem(
                        "case",
                        "closed_on",
                        f"cannot be before the case was opened or reopened ({opened_on.isoformat()})",
                    )
                ]
            )
        case.status, case.closed_on = "closed", day
        case.closure_reason, case.closure_note = checked["closure_reason"], checked["closure_note"]
        session.add(
            CaseStatusChange(
                case_id=case.id,
                change="closed",
                changed_on=day,
                reason=case.closure_reason,
                recorded_at=self.vault.clock.now(),
            )
        )
        self.vault.audit(session, AuditAction.UPDATE, "case_episode", case.id)

    def reopen_case(self, case_id: uuid.UUID) -> None:
        with self.vault.session() as session:
            case = load_case(self.vault, session, case_id, for_update=True)
            if case.status != "closed":
                raise InvalidInput(f"case {case.reference} is not closed")
            case.status, case.closed_on, case.closure_reason = "open", None, None
            case.reopen_count += 1
            now = self.vault.clock.now()
            session.add(
                CaseStatusChange(
                    case_id=case.id, change="reopened", changed_on=london_today(now), reason=None, recorded_at=now
                )
            )
            self.vault.audit(session, AuditAction.UPDATE, "case_episode", case.id)


__all__ = [
    "CaseDetail",
    "CaseInvalid",
    "CaseService",
    "CaseloadRow",
    "NewCase",
    "EarlierCase",
    "PersonMatch",
    "require_case_reader",
]
