"""Rules about a case's state that the caseload, the supervisor dashboard and the returns share."""

from __future__ import annotations

import datetime as dt

from youthcase.domain.validation import LONDON

NO_CONTACT_DAYS = 14
ASSESSMENT_DUE_DAYS = 14  # a start assessment is expected within two weeks of opening
RE_ATTENDANCE_DAYS = 365


def no_recent_successful_contact(
    now: dt.datetime, opened_at: dt.datetime, last_successful_contact_at: dt.datetime | None
) -> bool:
    """True when an open case has had no successful contact for 14 days (counting from opening
    when there has been none yet)."""
    since = last_successful_contact_at or opened_at
    return now - since > dt.timedelta(days=NO_CONTACT_DAYS)


def london_today(now: dt.datetime) -> dt.date:
    return now.astimezone(LONDON).date()


def action_overdue(now: dt.datetime, next_action_due: dt.date | None) -> bool:
    return next_action_due is not None and next_action_due < london_today(now)


def age_in_years(date_of_birth: dt.date, on: dt.date) -> int:
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - before_birthday
