"""The sections of the main window and which roles see them.

The GUI only mirrors the permissions (the services enforce them): a section is shown when the role
holds any permission the section needs. Administrators therefore never see the caseload.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from youthcase.domain.roles import ROLE_PERMISSIONS, Permission, Role


class Section(Enum):
    CASELOAD = "caseload"
    REFERRALS = "referrals"
    SUPERVISION = "supervision"
    RETURNS = "returns"
    ADMINISTRATION = "administration"


@dataclass(frozen=True)
class SectionSpec:
    section: Section
    title: str
    summary: str  # what the screen is for; the placeholder shows it until the screen is built
    needs_any: frozenset[Permission]


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        Section.CASELOAD,
        "Caseload",
        "The young people you are working with: open cases, the next planned contact, "
        "safeguarding concerns and case notes, for your sites only.",
        frozenset({Permission.READ_OWN_CASES, Permission.READ_SITE_CASES}),
    ),
    SectionSpec(
        Section.REFERRALS,
        "Referrals",
        "Referrals out to CAMHS, rehabilitation and other services across your caseload: "
        "waiting days, next steps and the ones overdue for chasing.",
        frozenset({Permission.READ_OWN_CASES, Permission.READ_SITE_CASES}),
    ),
    SectionSpec(
        Section.SUPERVISION,
        "Supervision",
        "Supervision sessions and case reviews for the youth workers at the sites you supervise, "
        "with open safeguarding concerns flagged.",
        frozenset({Permission.READ_SITE_CASES}),
    ),
    SectionSpec(
        Section.RETURNS,
        "Returns",
        "The monthly return: anonymised counts by site, age band and type of violence, checked "
        "for small numbers and exported as PDF and CSV.",
        frozenset({Permission.PRODUCE_RETURNS}),
    ),
    SectionSpec(
        Section.ADMINISTRATION,
        "Administration",
        "Staff accounts and sites.",
        frozenset({Permission.MANAGE_USERS, Permission.MANAGE_SITES}),
    ),
)


def sections_for(role: Role) -> list[SectionSpec]:
    """The sections a role may open, in navigation order."""
    held = ROLE_PERMISSIONS[role]
    return [spec for spec in SECTIONS if spec.needs_any & held]


def home_section(role: Role) -> Section:
    """Where a fresh main window opens: administrators start on Administration."""
    visible = [spec.section for spec in sections_for(role)]
    if Section.ADMINISTRATION in visible:
        return Section.ADMINISTRATION
    return visible[0]
