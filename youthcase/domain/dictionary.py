"""The data dictionary: every recorded field defined once.

Each ``FieldSpec`` carries the label forms show, the type, the code list, whether it is required,
its sensitivity (which decides encryption) and how a typed-in or imported text becomes a value.
Forms, the CSV import, validation and docs/data-dictionary.md are all driven from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from youthcase.domain import codes
from youthcase.domain.codes import CodeList
from youthcase.domain.sites import normalise_site_code
from youthcase.domain.validation import (
    FieldError,
    check_range,
    check_text,
    parse_boolean,
    parse_date,
    parse_instant,
    parse_integer,
    parse_nhs_number,
    parse_postcode,
)

MIN_AGE = 10
MAX_AGE = 25
"""The ages the service supports (at arrival): a date of birth or an estimated age outside is refused."""


class FieldKind(Enum):
    TEXT = "text"
    NAME = "name"
    NOTES = "free text"
    CODE = "code"
    CODES = "list of codes"
    DATE = "date"
    INSTANT = "date and time"
    INTEGER = "whole number"
    BOOLEAN = "yes / no"
    NHS_NUMBER = "NHS number"
    POSTCODE = "postcode"
    SITE = "site code"


class Sensitivity(Enum):
    IDENTIFYING = "identifying (encrypted)"
    FREE_TEXT = "free text (encrypted)"
    CODED = "coded (plain, aggregated by returns)"

    @property
    def encrypted(self) -> bool:
        return self is not Sensitivity.CODED


MULTI_SEPARATOR = ";"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: FieldKind
    sensitivity: Sensitivity = Sensitivity.CODED
    required: bool = False
    code_list: CodeList | None = None
    max_length: int = 200
    minimum: int = 0
    maximum: int = 10_000
    help: str = ""

    def parse(self, text: str) -> Any:
        """Turn typed or imported text into a value, or raise ``FieldError`` saying what to fix.

        Empty text is ``None`` (or an empty tuple for lists), refused when the field is required.
        """
        if text is None or not text.strip():
            if self.required:
                raise FieldError(f"{self.label} is required")
            return () if self.kind is FieldKind.CODES else None
        return _PARSERS[self.kind](self, text)

    def check(self, value: Any) -> Any:
        """Check a value that already has its Python type (from a form widget)."""
        if value is None or value == "" or value == ():
            if self.required:
                raise FieldError(f"{self.label} is required")
            return () if self.kind is FieldKind.CODES else None
        if isinstance(value, str):
            return self.parse(value)
        if self.kind is FieldKind.CODES:
            return tuple(self._code(str(v)) for v in value)
        if self.kind is FieldKind.INTEGER:
            check_range(int(value), self.minimum, self.maximum)
        return value

    def _code(self, text: str) -> str:
        assert self.code_list is not None
        code = self.code_list.lookup(text)
        if code is None:
            raise FieldError(
                f"{text.strip()!r} is not a {self.label.lower()} code; use one of: {self.code_list.describe()}"
            )
        return code

    def describe_values(self) -> str:
        if self.code_list is not None:
            return self.code_list.describe()
        return {
            FieldKind.DATE: "YYYY-MM-DD",
            FieldKind.INSTANT: "YYYY-MM-DD HH:MM (London time unless an offset is given)",
            FieldKind.NHS_NUMBER: "10 digits with a valid check digit",
            FieldKind.POSTCODE: "UK postcode",
            FieldKind.BOOLEAN: "yes or no",
            FieldKind.INTEGER: f"{self.minimum}-{self.maximum}",
        }.get(self.kind, f"up to {self.max_length} characters")


def _parse_text(spec: FieldSpec, text: str) -> str:
    return check_text(text, spec.max_length, allow_formula_start=spec.kind is FieldKind.NOTES)


_PARSERS: dict[FieldKind, Callable[[FieldSpec, str], Any]] = {
    FieldKind.TEXT: _parse_text,
    FieldKind.NAME: _parse_text,
    FieldKind.NOTES: _parse_text,
    FieldKind.CODE: lambda spec, text: spec._code(text),
    FieldKind.CODES: lambda spec, text: tuple(
        dict.fromkeys(spec._code(part) for part in text.split(MULTI_SEPARATOR) if part.strip())
    ),
    FieldKind.DATE: lambda spec, text: parse_date(text),
    FieldKind.INSTANT: lambda spec, text: parse_instant(text),
    FieldKind.INTEGER: lambda spec, text: parse_integer(text, spec.minimum, spec.maximum),
    FieldKind.BOOLEAN: lambda spec, text: parse_boolean(text),
    FieldKind.NHS_NUMBER: lambda spec, text: parse_nhs_number(text),
    FieldKind.POSTCODE: lambda spec, text: parse_postcode(text),
    FieldKind.SITE: lambda spec, text: _parse_site(text),
}


def _parse_site(text: str) -> str:
    try:
        return normalise_site_code(text)
    except ValueError as error:
        raise FieldError(str(error)) from None


@dataclass(frozen=True)
class EntitySpec:
    name: str
    label: str
    fields: tuple[FieldSpec, ...]
    description: str = ""
    by_name: dict[str, FieldSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    def __getitem__(self, name: str) -> FieldSpec:
        return self.by_name[name]


ID = Sensitivity.IDENTIFYING
FREE = Sensitivity.FREE_TEXT
K = FieldKind

YOUNG_PERSON = EntitySpec(
    "young_person",
    "Young person",
    (
        FieldSpec("given_name", "Given name", K.NAME, ID, required=True, max_length=100),
        FieldSpec("family_name", "Family name", K.NAME, ID, required=True, max_length=100),
        FieldSpec("preferred_name", "Preferred name", K.NAME, ID, max_length=100),
        FieldSpec(
            "date_of_birth", "Date of birth", K.DATE, ID, help="If unknown, leave empty and give an estimated age"
        ),
        FieldSpec(
            "estimated_age",
            "Estimated age",
            K.INTEGER,
            minimum=MIN_AGE,
            maximum=MAX_AGE,
            help="Only when the date of birth is not known",
        ),
        FieldSpec("nhs_number", "NHS number", K.NHS_NUMBER, ID),
        FieldSpec("address", "Address", K.TEXT, ID, max_length=300),
        FieldSpec("postcode", "Postcode", K.POSTCODE, ID),
        FieldSpec("phone", "Phone", K.TEXT, ID, max_length=40),
        FieldSpec("contacts", "Parent, carer and other contacts", K.NOTES, ID, max_length=2000),
        FieldSpec("school_or_employer", "School, college or employer", K.TEXT, ID, max_length=200),
        FieldSpec("interpreter_language", "Interpreter needed (language)", K.TEXT, ID, max_length=60),
        FieldSpec("sex", "Sex / stated gender", K.CODE, code_list=codes.SEX, required=True),
        FieldSpec("ethnicity", "Ethnic category", K.CODE, code_list=codes.ETHNICITY, required=True),
        FieldSpec("borough", "Borough of residence", K.CODE, code_list=codes.BOROUGH, required=True),
        FieldSpec("education_employment", "Education / employment", K.CODE, code_list=codes.EDUCATION_EMPLOYMENT),
        FieldSpec("known_to_social_care", "Known to social care", K.BOOLEAN),
        FieldSpec("known_to_youth_justice", "Known to youth justice", K.BOOLEAN),
        FieldSpec("known_to_camhs", "Known to CAMHS", K.BOOLEAN),
    ),
    "The young person; one person may have several cases (re-attendance).",
)

CASE = EntitySpec(
    "case",
    "Case",
    (
        FieldSpec("site", "Site", K.SITE, required=True, help="A site code from the vault, such as RLH"),
        FieldSpec("arrival_at", "Arrival at A&E", K.INSTANT, required=True),
        FieldSpec("referral_source", "Referral source", K.CODE, code_list=codes.REFERRAL_SOURCE, required=True),
        FieldSpec("consent_support", "Consent to support", K.BOOLEAN),
        FieldSpec("consent_share", "Consent to share information", K.BOOLEAN),
        FieldSpec("consent_recorded_on", "Consent recorded on", K.DATE),
        FieldSpec("engagement", "Engagement", K.CODE, code_list=codes.ENGAGEMENT, required=True),
        FieldSpec("next_action_due", "Next action due", K.DATE),
        FieldSpec("closure_reason", "Closure reason", K.CODE, code_list=codes.CLOSURE_REASON),
        FieldSpec("closure_note", "Closure note", K.NOTES, FREE, max_length=4000),
        FieldSpec("notes", "Referral notes", K.NOTES, FREE, max_length=20_000),
    ),
    "One referral into the service (an episode).",
)

INCIDENT = EntitySpec(
    "incident",
    "Index incident",
    (
        FieldSpec("assault_at", "Assault date and time", K.INSTANT),
        FieldSpec("assault_method", "Assault method", K.CODE, code_list=codes.ASSAULT_METHOD, required=True),
        FieldSpec("assault_method_other", "Assault method (other)", K.TEXT, FREE, max_length=200),
        FieldSpec(
            "assault_location_type",
            "Assault location type",
            K.CODE,
            code_list=codes.ASSAULT_LOCATION_TYPE,
            required=True,
        ),
        FieldSpec("assault_location_description", "Assault location", K.TEXT, ID, max_length=300),
        FieldSpec("injury_description", "Injury", K.NOTES, FREE, max_length=4000),
    ),
    "The violent injury that brought the young person in (ISTV minimum dataset, ISB 1594).",
)

CONTACT = EntitySpec(
    "contact",
    "Contact",
    (
        FieldSpec("contact_at", "Date and time", K.INSTANT, required=True),
        FieldSpec("duration_minutes", "Duration (minutes)", K.INTEGER, minimum=0, maximum=600),
        FieldSpec("medium", "How", K.CODE, code_list=codes.CONTACT_MEDIUM, required=True),
        FieldSpec(
            "successful",
            "Contact made",
            K.BOOLEAN,
            required=True,
            help="No for a failed attempt: failed attempts count too",
        ),
        FieldSpec("contact_with", "With", K.CODE, code_list=codes.CONTACT_WITH, required=True),
        FieldSpec("topics", "Topics", K.CODES, code_list=codes.CONTACT_TOPIC),
        FieldSpec("notes", "Notes", K.NOTES, FREE, max_length=20_000),
        FieldSpec("follow_up_due", "Follow-up due", K.DATE),
    ),
    "A contact or intervention, including failed attempts.",
)

RISK_ASSESSMENT = EntitySpec(
    "risk_assessment",
    "Risk and needs assessment",
    (
        FieldSpec("assessed_on", "Assessed on", K.DATE, required=True),
        FieldSpec("stage", "Stage", K.CODE, code_list=codes.ASSESSMENT_STAGE, required=True),
        FieldSpec("risk_level", "Risk level", K.CODE, code_list=codes.RISK_LEVEL, required=True),
        FieldSpec("risk_factors", "Risk factors", K.CODES, code_list=codes.RISK_FACTOR),
        FieldSpec("protective_factors", "Protective factors", K.CODES, code_list=codes.PROTECTIVE_FACTOR),
        FieldSpec("needs_identified", "Needs identified (unmet)", K.CODES, code_list=codes.NEED_AREA),
        FieldSpec("needs_met", "Needs met", K.CODES, code_list=codes.NEED_AREA),
        FieldSpec("notes", "Notes", K.NOTES, FREE, max_length=20_000),
    ),
    "Risk and needs at the start, on change, and at the end.",
)

SAFEGUARDING = EntitySpec(
    "safeguarding_concern",
    "Safeguarding concern",
    (
        FieldSpec("raised_at", "Raised at", K.INSTANT, required=True),
        FieldSpec("category", "Category", K.CODE, code_list=codes.SAFEGUARDING_CATEGORY, required=True),
        FieldSpec("facts", "Facts", K.NOTES, FREE, required=True, max_length=20_000),
        FieldSpec("own_words", "The young person's own words", K.NOTES, FREE, max_length=20_000),
        FieldSpec("action_taken", "Action taken", K.NOTES, FREE, max_length=20_000),
        FieldSpec("shared_with", "Shared with", K.CODES, code_list=codes.SAFEGUARDING_SHARED_WITH),
        FieldSpec("shared_on", "Shared on", K.DATE),
        FieldSpec("shared_reference", "Reference from the agency", K.TEXT, FREE, max_length=100),
        FieldSpec("status", "Status", K.CODE, code_list=codes.SAFEGUARDING_STATUS, required=True),
    ),
    "Recorded once; amended only by a new version.",
)

PLAN_GOAL = EntitySpec(
    "plan_goal",
    "Case plan goal",
    (
        FieldSpec("goal", "Goal", K.NOTES, FREE, required=True, max_length=1000),
        FieldSpec("status", "Status", K.CODE, code_list=codes.GOAL_STATUS, required=True),
        FieldSpec("target_date", "Target date", K.DATE),
    ),
    "What the young person and worker agree to work towards.",
)

FOLLOW_UP = EntitySpec(
    "follow_up",
    "Six-month follow-up",
    (
        FieldSpec("followed_up_on", "Followed up on", K.DATE, required=True),
        FieldSpec("reached", "Young person reached", K.BOOLEAN, required=True),
        FieldSpec("reinjured", "Injured again since closure", K.BOOLEAN),
        FieldSpec("in_education_or_work", "In education, training or work", K.BOOLEAN),
        FieldSpec("notes", "Notes", K.NOTES, FREE, max_length=4000),
    ),
    "Six months after closure: how is the young person doing?",
)

ENTITIES: tuple[EntitySpec, ...] = (
    YOUNG_PERSON,
    CASE,
    INCIDENT,
    CONTACT,
    RISK_ASSESSMENT,
    SAFEGUARDING,
    PLAN_GOAL,
    FOLLOW_UP,
)
