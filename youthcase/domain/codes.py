"""Code lists: every coded field's allowed values, with labels people read.

Codes are what is stored and aggregated; labels are what forms show. Imports accept either (labels
case-insensitively), so spreadsheets typed by hand still load.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    group: str = ""  # e.g. the broad ethnic group a detailed category rolls up into


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: tuple[Code, ...]

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    def label(self, code: str) -> str:
        for item in self.codes:
            if item.code == code:
                return item.label
        raise KeyError(code)

    def group(self, code: str) -> str:
        for item in self.codes:
            if item.code == code:
                return item.group
        raise KeyError(code)

    def lookup(self, text: str) -> str | None:
        """The code for ``text`` given as a code or a label (case-insensitive), else None."""
        wanted = text.strip().casefold()
        for item in self.codes:
            if item.code.casefold() == wanted or item.label.casefold() == wanted:
                return item.code
        return None

    def describe(self) -> str:
        return "; ".join(f"{c.code} = {c.label}" for c in self.codes)


def _codes(name: str, *pairs: tuple[str, str] | tuple[str, str, str]) -> CodeList:
    return CodeList(name, tuple(Code(*pair) for pair in pairs))


SEX = _codes(
    "sex",
    ("1", "Male"),
    ("2", "Female"),
    ("9", "Indeterminate"),
    ("X", "Not known"),
)

ETHNICITY = _codes(
    "ethnicity",
    ("A", "White British", "White"),
    ("B", "White Irish", "White"),
    ("C", "Any other White background", "White"),
    ("D", "White and Black Caribbean", "Mixed"),
    ("E", "White and Black African", "Mixed"),
    ("F", "White and Asian", "Mixed"),
    ("G", "Any other mixed background", "Mixed"),
    ("H", "Indian", "Asian"),
    ("J", "Pakistani", "Asian"),
    ("K", "Bangladeshi", "Asian"),
    ("L", "Any other Asian background", "Asian"),
    ("M", "Caribbean", "Black"),
    ("N", "African", "Black"),
    ("P", "Any other Black background", "Black"),
    ("R", "Chinese", "Other"),
    ("S", "Any other ethnic group", "Other"),
    ("Z", "Not stated", "Not known"),
    ("99", "Not known", "Not known"),
)

BOROUGH = _codes(
    "borough",
    *(
        (name.lower().replace(" ", "_").replace("&", "and").replace(",", ""), name)
        for name in (
            "Barking and Dagenham",
            "Barnet",
            "Bexley",
            "Brent",
            "Bromley",
            "Camden",
            "City of London",
            "Croydon",
            "Ealing",
            "Enfield",
            "Greenwich",
            "Hackney",
            "Hammersmith and Fulham",
            "Haringey",
            "Harrow",
            "Havering",
            "Hillingdon",
            "Hounslow",
            "Islington",
            "Kensington and Chelsea",
            "Kingston upon Thames",
            "Lambeth",
            "Lewisham",
            "Merton",
            "Newham",
            "Redbridge",
            "Richmond upon Thames",
            "Southwark",
            "Sutton",
            "Tower Hamlets",
            "Waltham Forest",
            "Wandsworth",
            "Westminster",
            "Outside London",
            "Not known",
        )
    ),
)

EDUCATION_EMPLOYMENT = _codes(
    "education_employment",
    ("school", "At school"),
    ("college", "At college or university"),
    ("training", "In training or apprenticeship"),
    ("employed", "Employed"),
    ("neet", "Not in education, employment or training (NEET)"),
    ("excluded", "Excluded from school"),
    ("not_known", "Not known"),
)

REFERRAL_SOURCE = _codes(
    "referral_source",
    ("ed_staff", "Emergency department staff"),
    ("ward", "Ward staff"),
    ("trauma_team", "Trauma team"),
    ("police", "Police"),
    ("self", "Self-referral"),
    ("other", "Other"),
)

ASSAULT_METHOD = _codes(
    "assault_method",
    ("knife", "Knife or sharp object"),
    ("firearm", "Firearm"),
    ("blunt", "Blunt object"),
    ("body", "Body part (punch, kick)"),
    ("glass", "Glass or bottle"),
    ("other", "Other"),
    ("not_known", "Not known"),
)

ASSAULT_LOCATION_TYPE = _codes(
    "assault_location_type",
    ("street", "Street or public place"),
    ("licensed", "Licensed premises"),
    ("home", "Home"),
    ("school", "School or college"),
    ("transport", "Public transport"),
    ("park", "Park or open space"),
    ("workplace", "Workplace"),
    ("other", "Other"),
    ("not_known", "Not known"),
)

ENGAGEMENT = _codes(
    "engagement",
    ("not_yet_contacted", "Not yet contacted"),
    ("contact_attempted", "Contact attempted"),
    ("engaged", "Engaged"),
    ("declined", "Declined"),
    ("unable_to_contact", "Unable to contact"),
    ("transferred", "Transferred"),
)

CASE_STATUS = _codes("case_status", ("open", "Open"), ("closed", "Closed"))

CLOSURE_REASON = _codes(
    "closure_reason",
    ("goals_met", "Goals met"),
    ("disengaged", "Disengaged"),
    ("moved_away", "Moved away"),
    ("transferred", "Transferred"),
    ("not_eligible", "No longer eligible"),
    ("deceased", "Deceased"),
    ("other", "Other"),
)

CONTACT_MEDIUM = _codes(
    "contact_medium",
    ("bedside", "Bedside"),
    ("ed", "Emergency department"),
    ("phone", "Phone"),
    ("message", "Text or message"),
    ("video", "Video call"),
    ("home_visit", "Home visit"),
    ("community", "Community"),
    ("school", "School or college"),
    ("accompanied", "Accompanied appointment"),
    ("multi_agency", "Multi-agency meeting"),
)

CONTACT_WITH = _codes(
    "contact_with",
    ("young_person", "Young person"),
    ("parent_carer", "Parent or carer"),
    ("professional", "Professional"),
)

CONTACT_TOPIC = _codes(
    "contact_topic",
    ("safety", "Safety planning"),
    ("relationships", "Relationships"),
    ("education", "Education"),
    ("employment", "Employment"),
    ("housing", "Housing"),
    ("finances", "Finances"),
    ("mental_health", "Mental health"),
    ("substance_use", "Substance use"),
    ("offending", "Offending"),
    ("activities", "Sport and activities"),
)

RISK_LEVEL = _codes("risk_level", ("low", "Low"), ("medium", "Medium"), ("high", "High"))

ASSESSMENT_STAGE = _codes(
    "assessment_stage",
    ("start", "Start"),
    ("change", "Change"),
    ("end", "End"),
)

RISK_FACTOR = _codes(
    "risk_factor",
    ("weapon_carrying", "Carries or has carried a weapon"),
    ("gang_association", "Gang association"),
    ("exploitation", "Exploitation or county lines"),
    ("previous_victim", "Previous victim of violence"),
    ("retaliation", "Intent to retaliate"),
    ("school_exclusion", "Excluded from school"),
    ("substance_misuse", "Substance misuse"),
    ("family_conflict", "Family conflict"),
    ("mental_health", "Mental health concerns"),
    ("peer_offending", "Peers involved in offending"),
)

PROTECTIVE_FACTOR = _codes(
    "protective_factor",
    ("trusted_adult", "A trusted adult"),
    ("education_engaged", "Engaged in education or work"),
    ("positive_peers", "Positive peers"),
    ("stable_housing", "Stable housing"),
    ("motivation", "Motivated to change"),
    ("family_support", "Family support"),
    ("positive_activities", "Positive activities"),
)

NEED_AREA = _codes(
    "need_area",
    ("housing", "Housing"),
    ("education", "Education"),
    ("employment", "Employment"),
    ("mental_health", "Mental health"),
    ("rehabilitation", "Physical rehabilitation"),
    ("substance_use", "Substance use"),
    ("finances", "Finances"),
    ("legal", "Legal or court"),
    ("family", "Family"),
)

NEED_STATUS = _codes(
    "need_status",
    ("not_needed", "Not needed"),
    ("identified", "Identified (unmet)"),
    ("met", "Met"),
)

SAFEGUARDING_CATEGORY = _codes(
    "safeguarding_category",
    ("exploitation", "Exploitation or county lines"),
    ("gang", "Gang association"),
    ("domestic_abuse", "Domestic abuse"),
    ("neglect", "Neglect"),
    ("self_harm", "Self-harm or suicide risk"),
    ("sexual_abuse", "Sexual abuse"),
    ("risk_to_others", "Risk to others"),
    ("other", "Other"),
)

SAFEGUARDING_SHARED_WITH = _codes(
    "safeguarding_shared_with",
    ("hospital_safeguarding", "Hospital safeguarding team"),
    ("social_care", "Children's social care / MASH"),
    ("police", "Police"),
)

SAFEGUARDING_STATUS = _codes(
    "safeguarding_status",
    ("open", "Open"),
    ("closed", "Closed"),
    ("nfa", "No further action"),
)

GOAL_STATUS = _codes(
    "goal_status",
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("achieved", "Achieved"),
    ("not_achieved", "Not achieved"),
)

ALL_CODE_LISTS: tuple[CodeList, ...] = (
    SEX,
    ETHNICITY,
    BOROUGH,
    EDUCATION_EMPLOYMENT,
    REFERRAL_SOURCE,
    ASSAULT_METHOD,
    ASSAULT_LOCATION_TYPE,
    ENGAGEMENT,
    CASE_STATUS,
    CLOSURE_REASON,
    CONTACT_MEDIUM,
    CONTACT_WITH,
    CONTACT_TOPIC,
    RISK_LEVEL,
    ASSESSMENT_STAGE,
    RISK_FACTOR,
    PROTECTIVE_FACTOR,
    NEED_AREA,
    NEED_STATUS,
    SAFEGUARDING_CATEGORY,
    SAFEGUARDING_SHARED_WITH,
    SAFEGUARDING_STATUS,
    GOAL_STATUS,
)

SERVICE_TYPE = _codes(
    "service_type",
    ("camhs", "CAMHS (child and adolescent mental health)"),
    ("rehabilitation", "Physical rehabilitation"),
    ("substance_misuse", "Substance misuse"),
    ("ete", "Education, training or employment"),
    ("housing", "Housing"),
    ("victim_support", "Victim support"),
    ("sport_mentoring", "Sport or mentoring"),
    ("youth_justice", "Youth justice"),
    ("gp", "GP"),
    ("sexual_health", "Sexual health"),
    ("domestic_abuse", "Domestic abuse service"),
    ("social_care", "Social care"),
    ("other", "Other"),
)

REFERRAL_URGENCY = _codes(
    "referral_urgency",
    ("routine", "Routine"),
    ("urgent", "Urgent"),
    ("emergency", "Emergency"),
)

REFERRAL_STEP = _codes(
    "referral_step",
    ("drafted", "Drafted"),
    ("sent", "Sent"),
    ("acknowledged", "Acknowledged"),
    ("accepted", "Accepted"),
    ("declined", "Declined"),
    ("appointment_offered", "First appointment offered"),
    ("help_started", "Help started / first attended"),
    ("did_not_attend", "Did not attend"),
    ("completed", "Completed"),
    ("withdrawn", "Withdrawn"),
)

DECLINE_REASON = _codes(
    "decline_reason",
    ("inappropriate", "Inappropriate referral"),
    ("incomplete", "Incomplete referral"),
    ("duplicate", "Duplicate"),
    ("not_eligible", "Not eligible"),
    ("no_capacity", "No capacity"),
    ("declined_by_family", "Declined by young person or family"),
)

ALL_CODE_LISTS = (*ALL_CODE_LISTS, SERVICE_TYPE, REFERRAL_URGENCY, REFERRAL_STEP, DECLINE_REASON)
