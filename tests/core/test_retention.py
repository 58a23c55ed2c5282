"""Retention dates (domain/retention.py) across birthdays, leap days and the child/adult boundary."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthcase.domain.retention import (
    NHS_CODE_2023,
    RetentionRule,
    age_on,
    anniversary,
    keep_until,
    review_month,
)

births = st.dates(dt.date(1990, 1, 1), dt.date(2016, 12, 31))
gaps = st.integers(0, 25 * 366)


def test_the_code_of_practice_examples() -> None:
    born = dt.date(2009, 5, 17)
    # 16 when support ended: until the 25th birthday.
    assert keep_until(dt.date(2026, 3, 1), date_of_birth=born) == dt.date(2034, 5, 17)
    # 17 when support ended: until the 26th.
    assert keep_until(dt.date(2026, 6, 1), date_of_birth=born) == dt.date(2035, 5, 17)
    # 18 when support ended: 8 years after it.
    assert keep_until(dt.date(2027, 6, 1), date_of_birth=born) == dt.date(2035, 6, 1)


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    born = dt.date(2008, 2, 29)
    assert anniversary(born, 25) == dt.date(2033, 3, 1)
    assert age_on(born, dt.date(2026, 2, 28)) == 17 and age_on(born, dt.date(2026, 3, 1)) == 18
    # Support ended on 28 Feb 2026: still 17, so kept until the 26th "birthday", 1 March 2034.
    assert keep_until(dt.date(2026, 2, 28), date_of_birth=born) == dt.date(2034, 3, 1)


@given(births, gaps)
def test_nothing_is_kept_for_less_than_the_code_requires(born: dt.date, gap: int) -> None:
    ended = born + dt.timedelta(days=10 * 365 + gap)
    until = keep_until(ended, date_of_birth=born)
    age = age_on(born, ended)
    assert until >= ended
    if age >= 18:
        assert until == anniversary(ended, 8)
    else:
        assert until >= anniversary(born, 25)
        assert (until == anniversary(born, 26)) == (age == 17)


@given(births, gaps, gaps)
def test_support_ending_later_never_shortens_retention(born: dt.date, gap: int, later: int) -> None:
    ended = born + dt.timedelta(days=10 * 365 + gap)
    assert keep_until(ended + dt.timedelta(days=later), date_of_birth=born) >= keep_until(ended, date_of_birth=born)


@given(births, gaps)
def test_the_stored_month_is_never_before_the_exact_date(born: dt.date, gap: int) -> None:
    until = keep_until(born + dt.timedelta(days=10 * 365 + gap), date_of_birth=born)
    year, month = review_month(until)
    assert dt.date(year, month, 1) > until
    assert dt.date(year, month, 1) - until <= dt.timedelta(days=31)


@given(st.integers(10, 25), st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31)), gaps)
def test_an_estimated_age_only_lengthens_retention(age: int, arrival: dt.date, gap: int) -> None:
    """Anyone of that estimated age was born at most ``age`` years before arrival: the rule keeps
    the record at least as long as for any of those birth dates."""
    ended = arrival + dt.timedelta(days=gap % 800)
    estimated = keep_until(ended, estimated_age=age, arrival=arrival)
    for days_older in (1, 100, 364):
        born = anniversary(arrival, -age) - dt.timedelta(days=days_older)
        assert estimated >= keep_until(ended, date_of_birth=born)


def test_a_local_schedule_stays_within_bounds() -> None:
    assert keep_until(
        dt.date(2027, 6, 1), RetentionRule(adult_years_after_support=10), date_of_birth=dt.date(2009, 5, 17)
    ) == dt.date(2037, 6, 1)
    with pytest.raises(ValueError, match="between 8 and 30"):
        RetentionRule(adult_years_after_support=7)
    with pytest.raises(ValueError, match="between 25 and 40"):
        RetentionRule(child_until_birthday=18)
    with pytest.raises(ValueError, match="date of birth"):
        keep_until(dt.date(2026, 1, 1), NHS_CODE_2023)
