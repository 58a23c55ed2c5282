"""The sites every new vault starts with: London's four major trauma centres."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SiteKind(Enum):
    MAJOR_TRAUMA_CENTRE = "major_trauma_centre"
    EMERGENCY_DEPARTMENT = "emergency_department"


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name: str
    kind: SiteKind


MAJOR_TRAUMA_CENTRES: tuple[SiteSpec, ...] = (
    SiteSpec("RLH", "Royal London Hospital", SiteKind.MAJOR_TRAUMA_CENTRE),
    SiteSpec("KCH", "King's College Hospital", SiteKind.MAJOR_TRAUMA_CENTRE),
    SiteSpec("SGH", "St George's Hospital, Tooting", SiteKind.MAJOR_TRAUMA_CENTRE),
    SiteSpec("SMH", "St Mary's Hospital, Paddington", SiteKind.MAJOR_TRAUMA_CENTRE),
)


def normalise_site_code(text: str) -> str:
    """Site codes are 2-16 upper-case letters or digits, such as ``RLH``."""
    code = text.strip().upper()
    if not (2 <= len(code) <= 16 and code.isascii() and code.isalnum()):
        raise ValueError(f"site code {text!r} must be 2-16 letters or digits, such as RLH")
    return code
