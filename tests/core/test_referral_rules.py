"""The referral state machine and the waiting / overdue definitions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from youthcase.domain.referrals import (
    Milestone,
    StepRefused,
    check_next_step,
    days_to_first_response,
    days_to_help_started,
    days_waiting,
    is_overdue,
)

D0 = dt.date(2026, 1, 30)
TODAY = dt.date(2026, 6, 1)
STEPS = [
    "drafted",
    "sent",
    "acknowledged",
    "accepted",
    "declined",
    "appointment_offered",
    "help_started",
    "did_not_attend",
    "completed",
    "withdrawn",
]
# Written out by hand from the referral pathway (domain.md), independently of the code's table.
ALLOWED = {
    ("drafted", "sent"),
    ("drafted", "withdrawn"),
    ("sent", "acknowledged"),
    ("sent", "accepted"),
    ("sent", "declined"),
    ("sent", "withdrawn"),
    ("acknowledged", "accepted"),
    ("acknowledged", "declined"),
    ("acknowledged", "withdrawn"),
    ("accepted", "appointment_offered"),
    ("accepted", "help_started"),
    ("accepted", "withdrawn"),
    ("appointment_offered", "help_started"),
    ("appointment_offered", "did_not_attend"),
    ("appointment_offered", "withdrawn"),
    ("did_not_attend", "appointment_offered"),
    ("did_not_attend", "help_started"),
    ("did_not_attend", "withdrawn"),
    ("help_started", "completed"),
    ("help_started", "did_not_attend"),
    ("help_started", "withdrawn"),
}


def _history(*steps: str) -> list[Milestone]:
    return [Milestone(step, D0 + dt.timedelta(days=i)) for i, step in enumerate(steps)]


PATH_TO = {
    "drafted": ("drafted",),
    "sent": ("drafted", "sent"),
    "acknowledged": ("drafted", "sent", "acknowledged"),
    "accepted": ("drafted", "sent", "accepted"),
    "declined": ("drafted", "sent", "declined"),
    "appointment_offered": ("drafted", "sent", "accepted", "appointment_offered"),
    "help_started": ("drafted", "sent", "accepted", "help_started"),
    "did_not_attend": ("drafted", "sent", "accepted", "appointment_offered", "did_not_attend"),
    "completed": ("drafted", "sent", "accepted", "help_started", "completed"),
    "withdrawn": ("drafted", "withdrawn"),
}


@pytest.mark.parametrize("current", STEPS)
@pytest.mark.parametrize("step", STEPS)
def test_every_transition(current: str, step: str) -> None:
    history = _history(*PATH_TO[current])
    on = history[-1].on + dt.timedelta(days=1)
    if (current, step) in ALLOWED:
        check_next_step(history, step, on, TODAY, decline_reason="no_capacity")
    else:
        with pytest.raises(StepRefused):
            check_next_step(history, step, on, TODAY, decline_reason="no_capacity")


def test_refusals_explain_themselves() -> None:
    with pytest.raises(StepRefused, match="'accepted' cannot follow 'drafted'"):
        check_next_step(_history("drafted"), "accepted", D0, TODAY)
    with pytest.raises(StepRefused, match="before the referral"):
        check_next_step(_history("drafted"), "sent", D0 - dt.timedelta(days=1), TODAY)
    with pytest.raises(StepRefused, match="no further steps"):
        check_next_step(_history("drafted", "withdrawn"), "completed", TODAY, TODAY)
    with pytest.raises(StepRefused, match="future"):
        check_next_step(_history("drafted"), "sent", TODAY + dt.timedelta(days=1), TODAY)
    with pytest.raises(StepRefused, match="reason"):
        check_next_step(_history("drafted", "sent"), "declined", TODAY, TODAY)


@given(st.lists(st.tuples(st.sampled_from(STEPS), st.integers(-5, 20)), max_size=12))
def test_random_sequences_only_ever_build_sensible_histories(attempts: list[tuple[str, int]]) -> None:
    history: list[Milestone] = []
    day = D0
    for step, offset in attempts:
        on = day + dt.timedelta(days=offset)
        try:
            check_next_step(history, step, on, TODAY, decline_reason="duplicate")
        except StepRefused:
            continue
        history.append(Milestone(step, on))
        day = on
    steps = [m.step for m in history]
    assert not steps or steps[0] == "drafted"
    assert [m.on for m in history] == sorted(m.on for m in history)
    for terminal in ("declined", "completed", "withdrawn"):
        if terminal in steps:
            assert steps.index(terminal) == len(steps) - 1
    if "accepted" in steps:
        assert "sent" in steps[: steps.index("accepted")]
    if "help_started" in steps:
        assert "accepted" in steps[: steps.index("help_started")]
    if "completed" in steps:
        assert "help_started" in steps[: steps.index("completed")]
    assert not ("accepted" in steps and "declined" in steps)


def test_waiting_days_across_month_ends_and_the_clock_change() -> None:
    # Sent 30 January; first response 2 March (across February); help started 30 March, after
    # the clocks went forward on 29 March 2026: whole calendar days, no hour lost.
    history = [
        Milestone("drafted", dt.date(2026, 1, 30)),
        Milestone("sent", dt.date(2026, 1, 30)),
        Milestone("accepted", dt.date(2026, 3, 2)),
        Milestone("help_started", dt.date(2026, 3, 30)),
    ]
    assert days_to_first_response(history) == 31
    assert days_to_help_started(history) == 59
    assert days_waiting(history, dt.date(2026, 4, 1)) is None  # help has started
    assert days_waiting(history[:3], dt.date(2026, 10, 26)) == 269  # across the October change


def test_overdue_when_nothing_happens_within_the_chase_interval() -> None:
    history = _history("drafted", "sent")  # sent on 31 January
    sent = history[-1].on
    assert not is_overdue(history, sent + dt.timedelta(days=14), 14)
    assert is_overdue(history, sent + dt.timedelta(days=15), 14)
    assert not is_overdue(history, sent + dt.timedelta(days=15), 28)
    started = _history("drafted", "sent", "accepted", "help_started")
    assert not is_overdue(started, TODAY, 14)
    assert not is_overdue(_history("drafted", "withdrawn"), TODAY, 14)
