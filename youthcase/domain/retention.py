"""How long a case is kept: the NHS Records Management Code of Practice (2023) schedule for
children's and young people's records, applied to one case.

- The young person was a child (under 18) when support ended: keep until their 25th birthday, or
  their 26th if they were 17 when support ended.
- They were an adult (18 or over): keep for 8 years after support ended.
- Whichever applies, never less than ``minimum_years`` after support ended (a configurable floor,
  0 by default: the code sets none for children).

A birthday on 29 February falls on 1 March in other years (the later day: a record is never
disposed early). With no date of birth, an estimated age at arrival stands for every birth date it
allows, and the longest retention of those applies: an estimate can only lengthen retention.

The result is a month, not a day: a record is due for review in the month after the exact date, so
what is stored (possibly on a team server) tells nobody a date of birth more precisely than the
month, and nothing is disposed of before its exact date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

ADULT_AGE = 18


@dataclass(frozen=True)
class RetentionRule:
    """One record class's schedule; an administrator may change it within ``RULE_BOUNDS``."""

    child_until_birthday: int = 25
    child_aged_17_until_birthday: int = 26
    adult_years_after_support: int = 8
    minimum_years: int = 0

    def __post_init__(self) -> None:
        for name, (low, high) in RULE_BOUNDS.items():
            value = getattr(self, name)
            if not low <= value <= high:
                raise ValueError(f"{name.replace('_', ' ')} must be between {low} and {high}, not {value}")
        if self.child_aged_17_until_birthday < self.child_until_birthday:
            raise ValueError("a 17-year-old's record cannot be kept for less than a younger child's")


RULE_BOUNDS = {
    # Never below the Code of Practice; at most a generous local extension.
    "child_until_birthday": (25, 40),
    "child_aged_17_until_birthday": (26, 41),
    "adult_years_after_support": (8, 30),
    "minimum_years": (0, 30),
}
NHS_CODE_2023 = RetentionRule()


def anniversary(day: dt.date, years: int) -> dt.date:
    """``day`` plus whole years; 29 February becomes 1 March in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return dt.date(day.year + years, 3, 1)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (a 29 February birthday counts from 1 March)."""
    years = day.year - birth.year
    return years if anniversary(birth, years) <= day else years - 1


def keep_until(
    support_ended: dt.date,
    rule: RetentionRule = NHS_CODE_2023,
    *,
    date_of_birth: dt.date | None = None,
    estimated_age: int | None = None,
    arrival: dt.date | None = None,
) -> dt.date:
    """The exact last day the case must be kept (before rounding to a month)."""
    if date_of_birth is not None:
        return _keep_until(support_ended, rule, date_of_birth)
    if estimated_age is None or arrival is None:
        raise ValueError("a date of birth, or an estimated age and the arrival date, is needed")
    # Born on any day of a year-long range; within each age band at the end of support, the
    # youngest keeps longest, so the longest is at the youngest end of the range or of a band.
    youngest = anniversary(arrival, -estimated_age)
    oldest = anniversary(arrival, -estimated_age - 1) + dt.timedelta(days=1)
    band_ends = (anniversary(support_ended, -(ADULT_AGE - 1)), anniversary(support_ended, -ADULT_AGE))
    candidates = [youngest, *(day for day in band_ends if oldest <= day <= youngest)]
    return max(_keep_until(support_ended, rule, born) for born in candidates)


def _keep_until(support_ended: dt.date, rule: RetentionRule, date_of_birth: dt.date) -> dt.date:
    age = age_on(date_of_birth, support_ended)
    if age >= ADULT_AGE:
        until = anniversary(support_ended, rule.adult_years_after_support)
    else:
        birthday = rule.child_aged_17_until_birthday if age == ADULT_AGE - 1 else rule.child_until_birthday
        until = anniversary(date_of_birth, birthday)
    return max(until, anniversary(support_ended, rule.minimum_years))


def review_month(until: dt.date) -> tuple[int, int]:
    """The month (year, month) from whose first day a case kept until ``until`` may be disposed."""
    return (until.year + 1, 1) if until.month == 12 else (until.year, until.month + 1)
