"""Referrals out: the milestone state machine and the one definition of "waiting" and "overdue".

The referrals screen, the supervisor dashboard and the monthly return all use these functions.
Milestones are dated (London calendar days), so waiting days do not depend on clock changes.

States follow the last milestone. From each state only some next steps make sense; anything else
(accepted before sent, a step after completion or withdrawal, a date before the referral or before
the previous step) is refused with a message saying why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from youthcase.domain.codes import REFERRAL_STEP

DEFAULT_CHASE_INTERVAL_DAYS = 14

NEXT_STEPS: dict[str, frozenset[str]] = {
    "drafted": frozenset({"sent", "withdrawn"}),
    "sent": frozenset({"acknowledged", "accepted", "declined", "withdrawn"}),
    "acknowledged": frozenset({"accepted", "declined", "withdrawn"}),
    "accepted": frozenset({"appointment_offered", "help_started", "withdrawn"}),
    "appointment_offered": frozenset({"help_started", "did_not_attend", "withdrawn"}),
    "did_not_attend": frozenset({"appointment_offered", "help_started", "withdrawn"}),
    "help_started": frozenset({"did_not_attend", "completed", "withdrawn"}),
    "declined": frozenset(),
    "completed": frozenset(),
    "withdrawn": frozenset(),
}
TERMINAL = frozenset(step for step, nexts in NEXT_STEPS.items() if not nexts)
# Waiting on the other service: these states are chased when nothing happens for a while.
AWAITING_SERVICE = frozenset({"drafted", "sent", "acknowledged", "accepted", "appointment_offered", "did_not_attend"})
FIRST_RESPONSE = frozenset({"acknowledged", "accepted", "declined", "appointment_offered"})


class StepRefused(ValueError):
    """An impossible next step; the message says why."""


@dataclass(frozen=True)
class Milestone:
    step: str
    on: dt.date


def _label(step: str) -> str:
    return REFERRAL_STEP.label(step).lower()


def check_next_step(
    history: Sequence[Milestone], step: str, on: dt.date, today: dt.date, decline_reason: str | None = None
) -> None:
    """Refuse a step that the state machine or the calendar does not allow."""
    if step not in NEXT_STEPS:
        raise StepRefused(f"unknown step {step!r}")
    if on > today:
        raise StepRefused(f"the date of '{_label(step)}' cannot be in the future")
    if not history:
        if step != "drafted":
            raise StepRefused("a referral starts as drafted")
        return
    current = history[-1]
    if step not in NEXT_STEPS[current.step]:
        if current.step in TERMINAL:
            raise StepRefused(f"this referral is {_label(current.step)}: no further steps; make a new referral instead")
        allowed = ", ".join(sorted(_label(s) for s in NEXT_STEPS[current.step]))
        raise StepRefused(f"'{_label(step)}' cannot follow '{_label(current.step)}'; next can be: {allowed}")
    if on < history[0].on:
        raise StepRefused(f"'{_label(step)}' cannot be dated before the referral ({history[0].on.isoformat()})")
    if on < current.on:
        raise StepRefused(
            f"'{_label(step)}' cannot be dated before '{_label(current.step)}' ({current.on.isoformat()})"
        )
    if step == "declined" and not decline_reason:
        raise StepRefused("give the reason the service declined the referral")


def status(history: Sequence[Milestone]) -> str:
    return history[-1].step if history else "drafted"


def _first(history: Sequence[Milestone], steps: frozenset[str]) -> Milestone | None:
    return next((m for m in history if m.step in steps), None)


def sent_on(history: Sequence[Milestone]) -> dt.date | None:
    sent = _first(history, frozenset({"sent"}))
    return sent.on if sent else None


def days_to_first_response(history: Sequence[Milestone]) -> int | None:
    """Days from sending to the service's first response (acknowledged, accepted, declined or an
    appointment offered); None until both happened."""
    sent = sent_on(history)
    response = _first(history, FIRST_RESPONSE)
    return None if sent is None or response is None else (response.on - sent).days


def days_to_help_started(history: Sequence[Milestone]) -> int | None:
    """Days from sending to help starting (first attended); None until both happened."""
    sent = sent_on(history)
    started = _first(history, frozenset({"help_started"}))
    return None if sent is None or started is None else (started.on - sent).days


def days_waiting(history: Sequence[Milestone], today: dt.date) -> int | None:
    """For a referral still waiting for help to start: days since it was sent."""
    sent = sent_on(history)
    if sent is None or status(history) in TERMINAL or _first(history, frozenset({"help_started"})):
        return None
    return (today - sent).days


def is_overdue(history: Sequence[Milestone], today: dt.date, chase_interval_days: int) -> bool:
    """Waiting on the service and nothing recorded within its chase interval."""
    if not history:
        return False
    return overdue_since(history[-1].step, history[-1].on, today, chase_interval_days)


def overdue_since(current_step: str, last_step_on: dt.date, today: dt.date, chase_interval_days: int) -> bool:
    """The same rule from a referral's current status and the date of its last milestone."""
    return current_step in AWAITING_SERVICE and (today - last_step_on).days > chase_interval_days
