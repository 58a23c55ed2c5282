"""Disclosure control, property-tested: small cells can never be published or recovered."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthcase.returns.disclosure import STANDARD, SUPPRESSED, DisclosureRule, count, hours, median, rate

rules = st.builds(
    DisclosureRule, max_suppressed=st.integers(10, 20), rounding_base=st.sampled_from([5, 10, 20])
) | st.just(STANDARD)


@given(st.integers(0, 10**6), rules)
def test_no_published_count_is_small_and_every_count_is_a_multiple_of_the_base(
    value: int, rule: DisclosureRule
) -> None:
    published = count(value, rule)
    if value == 0:
        assert published.text == "0"
    elif value <= rule.max_suppressed:
        assert published.text == SUPPRESSED and published.number is None
    else:
        assert published.number is not None
        assert published.number % rule.rounding_base == 0
        assert not 1 <= published.number <= rule.max_suppressed
        assert abs(published.number - value) <= rule.rounding_base


@given(st.integers(0, 5000), st.integers(0, 5000), rules)
def test_no_rate_comes_from_a_suppressed_cell(numerator: int, denominator: int, rule: DisclosureRule) -> None:
    published = rate(numerator, denominator, rule)
    if count(numerator, rule).withheld or count(denominator, rule).withheld:
        assert published.number is None
    if published.number is not None:
        top, bottom = count(numerator, rule).number, count(denominator, rule).number
        assert top is not None and bottom
        assert published.number == pytest.approx(100 * top / bottom)


@given(st.floats(0, 400), st.integers(0, 100))
def test_medians_are_withheld_with_their_cell(value: float, cases: int) -> None:
    published = median(value, cases)
    assert (published.number is None) == (cases <= STANDARD.max_suppressed)


def test_examples() -> None:
    assert [count(n).text for n in (0, 1, 7, 8, 12, 13, 1234)] == ["0", "*", "*", "10", "10", "15", "1235"]
    assert rate(9, 20).text == "50%"  # 10 / 20, from the rounded counts
    assert rate(3, 20).text == SUPPRESSED
    assert rate(0, 0).text == "-"
    assert median(12.5, 30).text == "12.5" and median(4, 5).text == SUPPRESSED


def test_rule_cannot_be_loosened() -> None:
    with pytest.raises(ValueError):
        DisclosureRule(max_suppressed=3)
    with pytest.raises(ValueError, match="round to zero"):
        DisclosureRule(max_suppressed=7, rounding_base=20)


def test_rates_round_half_up_like_counts() -> None:
    """62.5 % was published as 62 % (an f-string rounds half to even)."""
    assert rate(25, 40).text == "63%"
    assert rate(15, 40).text == "38%"  # 37.5


@given(st.integers(1, 10**6), rules)
def test_hours_round_half_up_and_some_work_is_never_published_as_none(minutes: int, rule: DisclosureRule) -> None:
    published = hours(minutes, rule)
    assert published.text != "0"
    exact = minutes / 60
    if published.number is not None:
        assert abs(published.number - exact) <= rule.rounding_base + 0.5


def test_hours_on_the_half_go_up() -> None:
    """12.5 hours were published as 12, then rounded to 10; 0.4 hours as 0."""
    assert hours(750).text == "15"  # 12.5 -> 13 -> 15
    assert hours(24).text == SUPPRESSED  # some direct work: never "0"
    assert hours(0).text == "0"
