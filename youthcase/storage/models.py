"""SQLAlchemy models. Personal and free-text columns use the encrypted types.

Every row has a client-generated UUID primary key, set when the object is created, because the
encrypted columns bind their ciphertext to the row id before the INSERT happens.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    event,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from youthcase.storage.encrypted import (
    EncryptedDate,
    EncryptedText,
    FieldKey,
    KeyScope,
    install_encryption_hooks,
)
from youthcase.storage.types import CodeSet, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)

    def __init__(self, **kwargs: Any) -> None:
        # The id comes first: encrypted attributes set next are bound to it.
        self.id = kwargs.pop("id", None) or uuid.uuid4()
        for name, value in kwargs.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no attribute {name!r}")
            setattr(self, name, value)


@event.listens_for(Base, "mapper_configured", propagate=True)
def _hook_encrypted_columns(mapper: Mapper[Any], cls: type) -> None:
    install_encryption_hooks(mapper, cls)


class Site(Base):
    """A hospital where youth workers are based: a major trauma centre or a priority A&E."""

    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


user_site = Table(
    "user_site",
    Base.metadata,
    Column("user_id", Uuid, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", Uuid, ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)
"""Which sites a worker works at or a supervisor supervises."""


class AppUser(Base):
    """A staff account. The user name is a staff identifier (plain); the full name is encrypted."""

    __tablename__ = "app_user"
    __field_key__ = FieldKey(KeyScope.DIRECTORY)

    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(EncryptedText)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sites: Mapped[list[Site]] = relationship(secondary=user_site, lazy="selectin")
    # The account record (name, role, active, home sites, enrolment key) signed by an administrator,
    # or by the recovery key when ``signed_by`` is None: an edited role or site list does not verify.
    enrolment_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    signed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class VaultSetting(Base):
    """Vault-wide settings that are not secret (idle timeout, for instance)."""

    __tablename__ = "vault_setting"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[str] = mapped_column(String(200))


class AuditEvent(Base):
    """Append-only audit trail: hash-chained, each event signed by whoever acted (``signer`` says
    with which key: the account's own, its enrolment key, or the recovery key). Holds no personal
    data, only ids and codes."""

    __tablename__ = "audit_event"

    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    previous_digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    signer: Mapped[str] = mapped_column(String(12))
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class ServerKeySlot(Base):
    """Team mode only: key slots live in the server database (locally they are in the header file).

    Holds wrapped keys and salts, never a usable key; ``login_id`` is a hash of the user name.
    """

    __tablename__ = "key_slot"

    login_id: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(Text)


class ServerVaultMeta(Base):
    """Team mode only: the vault id and unlock-failure record that the header file holds locally."""

    __tablename__ = "vault_meta"

    name: Mapped[str] = mapped_column(String(128), unique=True)
    value: Mapped[str] = mapped_column(Text)


class ServerLogin(Base):
    """Team mode only: which PostgreSQL login is which account. Written only by the server function
    that creates the login (``youthcase server init`` installs it); the row-level policies map
    ``current_user`` to the account through it."""

    __tablename__ = "server_login"

    role_name: Mapped[str] = mapped_column(String(63), unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)


# --- case recording --------------------------------------------------------------------------


class YoungPerson(Base):
    """The link between the cases of one young person: keyed blind indexes only, never identifiers.

    ``nhs_index`` and ``name_dob_index`` are HMAC-SHA256 values under the matching key (held by
    accounts admitted to a site) that recognise a returning person without storing who they are.
    The identifiers themselves live with each case (``CasePerson``), under that case's key.
    """

    __tablename__ = "young_person"

    nhs_index: Mapped[str | None] = mapped_column(String(64), index=True)
    name_dob_index: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CasePerson(Base):
    """The young person as recorded on one case. Identifiers are encrypted under the case key;
    the codes stay plain for the returns. A returning person has one of these per case."""

    __tablename__ = "case_person"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), unique=True)
    # Bumped by each correction (services/corrections.py): a change made from an older view is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    given_name: Mapped[str] = mapped_column(EncryptedText)
    family_name: Mapped[str] = mapped_column(EncryptedText)
    preferred_name: Mapped[str | None] = mapped_column(EncryptedText)
    date_of_birth: Mapped[dt.date | None] = mapped_column(EncryptedDate)
    estimated_age: Mapped[int | None] = mapped_column(Integer)
    nhs_number: Mapped[str | None] = mapped_column(EncryptedText)
    address: Mapped[str | None] = mapped_column(EncryptedText)
    postcode: Mapped[str | None] = mapped_column(EncryptedText)
    phone: Mapped[str | None] = mapped_column(EncryptedText)
    contacts: Mapped[str | None] = mapped_column(EncryptedText)
    school_or_employer: Mapped[str | None] = mapped_column(EncryptedText)
    interpreter_language: Mapped[str | None] = mapped_column(EncryptedText)
    sex: Mapped[str] = mapped_column(String(2))
    ethnicity: Mapped[str] = mapped_column(String(2))
    borough: Mapped[str] = mapped_column(String(40))
    education_employment: Mapped[str | None] = mapped_column(String(20))
    known_to_social_care: Mapped[bool | None] = mapped_column(Boolean)
    known_to_youth_justice: Mapped[bool | None] = mapped_column(Boolean)
    known_to_camhs: Mapped[bool | None] = mapped_column(Boolean)
    case: Mapped[CaseEpisode] = relationship(lazy="raise")  # flush order: the case first


class CaseEpisode(Base):
    """One referral into the service. Derived columns (last contact, current risk) are kept here
    so the caseload and the returns can filter in SQL without decrypting anything."""

    __tablename__ = "case_episode"
    __field_key__ = FieldKey(KeyScope.CASE)
    __table_args__ = (
        # Covering indexes for the monthly return's aggregates (coded columns only).
        Index(
            "ix_case_episode_received",
            "arrival_at",
            "site_id",
            "worker_id",
            "person_id",
            "referral_source",
            "engagement",
            "first_contact_at",
            "age_at_arrival",
        ),
        Index("ix_case_episode_person_arrival", "person_id", "arrival_at"),
        Index("ix_case_episode_unit", "id", "site_id", "worker_id"),
        # Unlock reads the open cases' key wraps: this index answers "which cases are open" alone.
        Index("ix_case_episode_status_id", "status", "id"),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # Bumped by each correction (services/corrections.py): a change made from an older view is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("young_person.id"), index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"), index=True)
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    supervisor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    arrival_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    age_at_arrival: Mapped[int | None] = mapped_column(Integer)
    referral_source: Mapped[str] = mapped_column(String(20))
    consent_support: Mapped[bool | None] = mapped_column(Boolean)
    consent_share: Mapped[bool | None] = mapped_column(Boolean)
    consent_recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    engagement: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closure_reason: Mapped[str | None] = mapped_column(String(20))
    closure_note: Mapped[str | None] = mapped_column(EncryptedText)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    first_contact_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_successful_contact_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    current_risk: Mapped[str | None] = mapped_column(String(10))
    next_action_due: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    import_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Never loaded (lazy="raise"): declared so that a flush inserts a new person before their case.
    person: Mapped[YoungPerson] = relationship(lazy="raise")


class CaseStatusChange(Base):
    """Append-only history of a case's status (the case row keeps only the current state), so the
    monthly return can count cases opened, closed and reopened in a month and the open caseload at
    any month end. ``changed_on`` is a London calendar day: the arrival day for ``opened``, the
    closure date for ``closed``, the day of reopening for ``reopened``. Codes only."""

    __tablename__ = "case_status_change"
    __table_args__ = (Index("ix_case_status_change_history", "case_id", "changed_on", "change"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    change: Mapped[str] = mapped_column(String(10))
    changed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    reason: Mapped[str | None] = mapped_column(String(20))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    case: Mapped[CaseEpisode] = relationship(lazy="raise")  # flush order: the case first


case_share = Table(
    "case_share",
    Base.metadata,
    Column("case_id", Uuid, ForeignKey("case_episode.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Uuid, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
)
"""Cases a worker may read and edit besides their own (cover during leave)."""


class Incident(Base):
    """The index incident (ISTV minimum dataset). Free-text descriptions are encrypted."""

    __tablename__ = "incident"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), unique=True)
    # Bumped by each correction (services/corrections.py): a change made from an older view is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    assault_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    assault_method: Mapped[str] = mapped_column(String(20))
    assault_method_other: Mapped[str | None] = mapped_column(EncryptedText)
    assault_location_type: Mapped[str] = mapped_column(String(20))
    assault_location_description: Mapped[str | None] = mapped_column(EncryptedText)
    injury_description: Mapped[str | None] = mapped_column(EncryptedText)
    case: Mapped[CaseEpisode] = relationship(lazy="raise")  # flush order: the case first


class Contact(Base):
    __tablename__ = "contact"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")
    __table_args__ = (
        Index("ix_contact_return", "contact_at", "case_id", "medium", "successful", "contact_with", "duration_minutes"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    # Bumped by each correction (services/corrections.py): a change made from an older view is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    contact_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    medium: Mapped[str] = mapped_column(String(20))
    successful: Mapped[bool] = mapped_column(Boolean)
    contact_with: Mapped[str] = mapped_column(String(20))
    topics: Mapped[tuple[str, ...]] = mapped_column(CodeSet)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    follow_up_due: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Recorded in error: kept, shown struck out, counted nowhere (the reason is in record_revision).
    struck_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class RiskAssessment(Base):
    __tablename__ = "risk_assessment"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")
    __table_args__ = (
        Index(
            "ix_risk_assessment_order",
            "case_id",
            "assessed_on",
            "created_at",
            "id",
            "risk_level",
            "needs_identified",
            "needs_met",
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    assessed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    assessed_on: Mapped[dt.date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(10))
    risk_level: Mapped[str] = mapped_column(String(10))
    risk_factors: Mapped[tuple[str, ...]] = mapped_column(CodeSet)
    protective_factors: Mapped[tuple[str, ...]] = mapped_column(CodeSet)
    needs_identified: Mapped[tuple[str, ...]] = mapped_column(CodeSet)
    needs_met: Mapped[tuple[str, ...]] = mapped_column(CodeSet)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SafeguardingConcern(Base):
    """One version of a concern. Rows are never updated: an amendment is a new version with the
    same ``concern_id`` and the next ``version`` number."""

    __tablename__ = "safeguarding_concern"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")
    __table_args__ = (UniqueConstraint("concern_id", "version"),)

    concern_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    version: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    raised_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    category: Mapped[str] = mapped_column(String(20))
    facts: Mapped[str] = mapped_column(EncryptedText)
    own_words: Mapped[str | None] = mapped_column(EncryptedText)
    action_taken: Mapped[str | None] = mapped_column(EncryptedText)
    shared_with: Mapped[tuple[str, ...]] = mapped_column(CodeSet)
    shared_on: Mapped[dt.date | None] = mapped_column(Date)
    shared_reference: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(10))
    signed_off_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class PlanGoal(Base):
    __tablename__ = "plan_goal"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    # Bumped by each correction (services/corrections.py): a change made from an older view is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    goal: Mapped[str] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(20))
    target_date: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class FollowUp(Base):
    __tablename__ = "follow_up"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    followed_up_on: Mapped[dt.date] = mapped_column(Date)
    reached: Mapped[bool] = mapped_column(Boolean)
    reinjured: Mapped[bool | None] = mapped_column(Boolean)
    in_education_or_work: Mapped[bool | None] = mapped_column(Boolean)
    notes: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))


class Draft(Base):
    """An unsaved form, autosaved so a crash or an auto-lock loses nothing. The whole payload is
    encrypted; only its owner and the form it belongs to are plain."""

    __tablename__ = "draft"
    __field_key__ = FieldKey(KeyScope.OWNER, "user_id")
    __table_args__ = (UniqueConstraint("user_id", "form", "subject_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    payload: Mapped[str] = mapped_column(EncryptedText)
    saved_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


# --- referrals out ---------------------------------------------------------------------------


class ServiceProvider(Base):
    """An entry of the service directory kept by administrators. Organisations, not people."""

    __tablename__ = "service_provider"

    service_type: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str | None] = mapped_column(String(200))
    borough: Mapped[str | None] = mapped_column(String(40))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    chase_interval_days: Mapped[int] = mapped_column(Integer, default=14)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Referral(Base):
    """A referral of a case's young person to a service. ``status`` and ``status_on`` mirror the
    last milestone so lists and returns can filter in SQL."""

    __tablename__ = "referral"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_provider.id"), index=True)
    urgency: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(EncryptedText)
    consent_override_reason: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_on: Mapped[dt.date] = mapped_column(Date)
    re_referral_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("referral.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ReferralMilestone(Base):
    __tablename__ = "referral_milestone"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")
    __table_args__ = (Index("ix_referral_milestone_steps", "referral_id", "step", "occurred_on"),)

    referral_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("referral.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    step: Mapped[str] = mapped_column(String(20))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    decline_reason: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


# --- supervision ---------------------------------------------------------------------------------


class SupervisionNote(Base):
    """A supervisor's review of a case: what was discussed and decided."""

    __tablename__ = "supervision_note"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    supervisor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    discussion: Mapped[str | None] = mapped_column(EncryptedText)
    decisions: Mapped[str | None] = mapped_column(EncryptedText)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SupervisionAction(Base):
    """An action agreed in supervision, with an owner and a due date."""

    __tablename__ = "supervision_action"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    note_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_note.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(EncryptedText)
    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ClosureRequest(Base):
    """A worker asks to close a case; a supervisor approves it or returns it with a comment."""

    __tablename__ = "closure_request"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(EncryptedText)
    status: Mapped[str] = mapped_column(String(10), index=True)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    comment: Mapped[str | None] = mapped_column(EncryptedText)


class CaseAssignment(Base):
    """Each reassignment of a case between workers, with the reason."""

    __tablename__ = "case_assignment"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    from_worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    to_worker_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str] = mapped_column(EncryptedText)
    assigned_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    assigned_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


# --- keys v2: who holds which key (public halves, sealed and wrapped keys only) ----------------


class RecoveryPublicKey(Base):
    """The recovery key's public halves: escrow copies are sealed to it, break-glass grants signed
    by it. One row per generation; ``recovery rotate`` adds the next and retires this one."""

    __tablename__ = "recovery_public_key"

    generation: Mapped[int] = mapped_column(Integer, unique=True)
    exchange_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    signing_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # Signed by the previous generation's signing key (the first by itself): slots pin a generation.
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    # This generation's signature over the previous one: a slot pinning it still trusts what the
    # previous generations signed (older audit events, break-glass grants). None before 0011.
    vouches_for_previous: Mapped[bytes | None] = mapped_column(LargeBinary(64))


class RecoveryEscrow(Base):
    """A secret sealed to the recovery key: an account's private keys, a site's private key or the
    matching key. ``kind`` and ``subject_id`` say which; the sealed bytes are bound to both."""

    __tablename__ = "recovery_escrow"
    __table_args__ = (UniqueConstraint("kind", "subject_id", "generation"),)

    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    generation: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class AccountKey(Base):
    """An account's public keys, published at its first password change."""

    __tablename__ = "account_key"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), unique=True)
    exchange_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    signing_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Signed with the enrolment key of the account's record: only the slot holder could publish.
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class SiteKey(Base):
    """A site's public key at one generation. Rotation adds the next generation; the private half is
    only ever stored sealed (to the site's supervisors in ``SiteGrant`` and to the recovery key)."""

    __tablename__ = "site_key"
    __table_args__ = (UniqueConstraint("site_id", "generation"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    generation: Mapped[int] = mapped_column(Integer)
    exchange_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    rotation_due: Mapped[bool] = mapped_column(Boolean, default=False)
    # Signed by an administrator (a new site), a supervisor (rotation) or the recovery key (None).
    signed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))


class SiteGrant(Base):
    """An account admitted to a site's cases by a holder of the site's key (or the recovery key).

    ``sealed`` holds, sealed to the account's exchange key, the matching key and for supervisors the
    site's private key at ``generation``: holding it is what the admission gives, so an edited row
    gives nothing. ``granted_by`` is None for a break-glass grant made with the recovery key."""

    __tablename__ = "site_grant"
    __table_args__ = (UniqueConstraint("site_id", "account_id"),)

    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    generation: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))  # by ``granted_by`` (or the recovery key)


class CaseKey(Base):
    """A case's key wrapped for one account: under the static site-account key of the case's site,
    so the account and every supervisor of the site can open it. One row for the assigned worker,
    one per share."""

    __tablename__ = "case_key"
    __table_args__ = (
        UniqueConstraint("case_id", "account_id"),
        Index("ix_case_key_site", "site_id", "generation", "account_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    generation: Mapped[int] = mapped_column(Integer)
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)
    case: Mapped[CaseEpisode] = relationship(lazy="raise")  # flush order: the case first


class CaseSiteKey(Base):
    """A case's key sealed to its site's public key (ECIES): the supervisors' way in that does not
    depend on any account's wrap, so a disabled account's wraps are deleted at once without
    orphaning its cases. Written by whoever makes or re-keys the case key (who needs only the
    site's public key); opened only when no ``case_key`` wrap of the case opens."""

    __tablename__ = "case_site_key"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("site.id"))
    generation: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    case: Mapped[CaseEpisode] = relationship(lazy="raise")  # flush order: the case first


class RecordRevision(Base):
    """What a record was before a change: one row per change of a case's details, person,
    incident, contact or goal (the one versioning mechanism: docs/architecture.md, "Corrections").
    ``previous`` holds the changed fields' earlier values (JSON) and ``reason`` why, both under
    the case key; ``version`` is the version the change replaced."""

    __tablename__ = "record_revision"
    __field_key__ = FieldKey(KeyScope.CASE, "case_id")
    __table_args__ = (UniqueConstraint("record", "row_id", "version"),)

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_episode.id", ondelete="CASCADE"), index=True)
    record: Mapped[str] = mapped_column(String(32))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    changed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(EncryptedText)
    previous: Mapped[str] = mapped_column(EncryptedText)
    case: Mapped[CaseEpisode] = relationship(lazy="raise")  # flush order: the case first


def case_child_tables() -> tuple[Table, ...]:
    """Every table whose rows belong to one case (a ``case_id`` referencing ``case_episode``).

    Row-level security on a team server and the audit viewer's case filter both follow this, so a
    new case table is covered without being listed by hand in either place."""
    return tuple(
        table
        for table in Base.metadata.sorted_tables
        if any(fk.parent.name == "case_id" and fk.column.table.name == "case_episode" for fk in table.foreign_keys)
    )
