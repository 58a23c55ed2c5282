"""Disclosure control: every number published in the monthly return passes through here.

The method is NHS Digital's for HES/ECDS (since 2018): a count from 1 to 7 is shown as ``*``; any
other count is rounded to the nearest 5; zero stays zero. Rates are computed from the *rounded*
figures and withheld when their numerator or denominator is suppressed. Medians are computed from the
unrounded data and withheld when the count of cases behind them is suppressed. Commissioners may ask
for a stricter threshold and a larger rounding base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

SUPPRESSED = "*"
NOT_APPLICABLE = "-"


@dataclass(frozen=True)
class DisclosureRule:
    max_suppressed: int = 7
    rounding_base: int = 5

    def __post_init__(self) -> None:
        if self.max_suppressed < 7 or self.rounding_base < 5:
            raise ValueError("the rule can be made stricter (suppress more, round coarser), never looser")
        if 2 * (self.max_suppressed + 1) < self.rounding_base:
            raise ValueError(
                "the rounding base is too large for the threshold: the smallest count shown would round to zero"
            )

    @property
    def smallest_shown(self) -> int:
        """The first multiple of the base above the threshold: 10 for the standard rule."""
        return (self.max_suppressed // self.rounding_base + 1) * self.rounding_base

    def describe(self) -> str:
        return (
            f"Counts from 1 to {self.max_suppressed} are shown as {SUPPRESSED}; other counts are "
            f"rounded to the nearest {self.rounding_base} (never below {self.smallest_shown}); "
            "zero is shown as 0. Rates are calculated "
            "from the rounded counts and withheld when either count is suppressed. Medians are "
            "calculated from unrounded data and withheld when the number of cases behind them is "
            "suppressed."
        )


STANDARD = DisclosureRule()


@dataclass(frozen=True)
class Published:
    """A value ready to print: ``text`` for people, ``number`` for charts (None when withheld)."""

    text: str
    number: float | None

    @property
    def withheld(self) -> bool:
        return self.number is None


def _round_half_up(value: int, base: int) -> int:
    return int(math.floor(value / base + 0.5)) * base


def count(value: int, rule: DisclosureRule = STANDARD) -> Published:
    if value < 0:
        raise ValueError("counts cannot be negative")
    if value == 0:
        return Published("0", 0)
    if value <= rule.max_suppressed:
        return Published(SUPPRESSED, None)
    # A stricter threshold could round a shown count back into the suppressed range (11 -> 10 with
    # threshold 10): such counts show as the first multiple of the base above the threshold.
    rounded = max(_round_half_up(value, rule.rounding_base), rule.smallest_shown)
    return Published(str(rounded), rounded)


def rate(numerator: int, denominator: int, rule: DisclosureRule = STANDARD) -> Published:
    """A percentage from the rounded counts; withheld when either count is suppressed."""
    top, bottom = count(numerator, rule), count(denominator, rule)
    if denominator == 0:
        return Published(NOT_APPLICABLE, None)
    if top.withheld or bottom.withheld:
        return Published(SUPPRESSED, None)
    assert top.number is not None and bottom.number is not None
    percent = 100.0 * top.number / bottom.number
    # Half up, like counts (an f-string rounds half to even: 62.5 % would read 62 %).
    return Published(f"{math.floor(percent + 0.5)}%", percent)


def hours(minutes: int, rule: DisclosureRule = STANDARD) -> Published:
    """Hours of work published like a count: whole hours rounded half up, and any work at all
    at least one hour, so that some direct work is never published as none (then suppressed)."""
    if minutes < 0:
        raise ValueError("minutes cannot be negative")
    whole = max(1, (minutes + 30) // 60) if minutes else 0
    return count(whole, rule)


def median(value: float | None, cases: int, rule: DisclosureRule = STANDARD) -> Published:
    """A median from unrounded data, withheld when the cases behind it would be suppressed."""
    if cases == 0 or value is None:
        return Published(NOT_APPLICABLE, None)
    if count(cases, rule).withheld:
        return Published(SUPPRESSED, None)
    return Published(f"{value:.1f}".removesuffix(".0"), value)
