"""Validating whole records against the dictionary, with the rules that span fields."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from youthcase.domain.caseload_rules import age_in_years
from youthcase.domain.dictionary import MAX_AGE, MIN_AGE, EntitySpec
from youthcase.domain.validation import LONDON, FieldError


@dataclass(frozen=True)
class Problem:
    """One thing to fix: which record, which field, and what is wrong."""

    entity: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RecordInvalid(ValueError):
    """A record with problems; nothing was saved."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def validate(
    entity: EntitySpec, raw: Mapping[str, Any], *, from_text: bool = False, partial: bool = False
) -> tuple[dict[str, Any], list[Problem]]:
    """Parse (text) or check (typed values) each field; unknown keys are refused.

    With ``partial`` only the fields present are checked (an edit of some fields).
    """
    values: dict[str, Any] = {}
    problems = [Problem(entity.name, key, "is not a field of this record") for key in raw if key not in entity.by_name]
    for spec in entity.fields:
        if partial and spec.name not in raw:
            continue
        value = raw.get(spec.name)
        try:
            values[spec.name] = spec.parse(value or "") if from_text else spec.check(value)
        except FieldError as error:
            problems.append(Problem(entity.name, spec.name, str(error)))
    return values, problems


def _day(value: dt.date | dt.datetime) -> dt.date:
    return value.astimezone(LONDON).date() if isinstance(value, dt.datetime) else value


def check_dates(
    entity: str, values: Mapping[str, Any], now: dt.datetime, date_of_birth: dt.date | None
) -> list[Problem]:
    """No date in the future (five minutes' slack for a laptop clock), none before birth."""
    problems = []
    for name, value in values.items():
        if not isinstance(value, dt.date):
            continue
        if isinstance(value, dt.datetime):
            future = value > now + dt.timedelta(minutes=5)
        else:
            future = value > _day(now)
        if future and not name.endswith(("_due", "target_date")):
            problems.append(Problem(entity, name, "cannot be in the future"))
        elif date_of_birth is not None and name != "date_of_birth" and _day(value) < date_of_birth:
            problems.append(Problem(entity, name, f"cannot be before the date of birth ({date_of_birth.isoformat()})"))
    return problems


def check_new_case(
    person: Mapping[str, Any], case: Mapping[str, Any], incident: Mapping[str, Any], now: dt.datetime
) -> list[Problem]:
    """The rules that span the person, the case and the incident."""
    dob = person.get("date_of_birth")
    problems = check_dates("young_person", person, now, None)
    problems += check_dates("case", case, now, dob)
    problems += check_dates("incident", incident, now, dob)
    arrival, assault = case.get("arrival_at"), incident.get("assault_at")
    if arrival and assault and assault > arrival:
        problems.append(Problem("incident", "assault_at", "cannot be after the arrival at A&E"))
    if dob and arrival:
        age = age_in_years(dob, _day(arrival))
        if not MIN_AGE <= age <= MAX_AGE:
            problems.append(
                Problem(
                    "young_person",
                    "date_of_birth",
                    f"the service supports ages {MIN_AGE}-{MAX_AGE}; this gives {age} "
                    "at arrival: check the date of birth",
                )
            )
    elif person.get("estimated_age") is None and dob is None:
        problems.append(
            Problem("young_person", "date_of_birth", "give a date of birth, or an estimated age when it is not known")
        )
    if incident.get("assault_method") == "other" and not incident.get("assault_method_other"):
        problems.append(
            Problem("incident", "assault_method_other", "describe the method when the assault method is Other")
        )
    return problems
