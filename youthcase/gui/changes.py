"""What a service operation run from the GUI changed, as flags (after Anki's ``OpChanges``).

An operation says what it changes when it is queued (``Background.run(..., changes=...)``); once it
has succeeded the one ``ChangeNotice`` tells every screen, and each screen looks at the flags it
shows and refreshes itself (now if it is on screen, else when it next shows). Nobody is wired to
anybody else: a contact logged in the supervision page's case view reaches the caseload, the
referrals count and the dashboard the same way. No Qt here: the flags are plain values.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Changes:
    cases: bool = False  # a case was created, imported, edited, closed or reopened; a person's details
    contacts: bool = False  # a contact (or a failed attempt) was logged
    records: bool = False  # risk assessments, safeguarding concerns, plan goals, follow-ups
    supervision: bool = False  # supervision notes and actions, sign-offs, closure requests and decisions
    referrals: bool = False  # a referral was made or moved on
    assignments: bool = False  # cases moved to another worker or were shared with one
    access: bool = False  # admissions to sites, revocations, site keys
    accounts: bool = False  # staff accounts
    sites: bool = False
    directory: bool = False  # the service directory

    def __or__(self, other: Changes) -> Changes:
        return Changes(**{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)})

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @property
    def case_content(self) -> bool:
        """What a case view shows may differ (its header, tabs and history)."""
        return self.cases or self.contacts or self.records or self.supervision or self.assignments

    @property
    def caseload(self) -> bool:
        """Which cases a list holds, or their flags (contact, risk, actions), may differ."""
        return self.case_content or self.access

    @property
    def names(self) -> list[str]:
        """The flags that are set, for logs and tests."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


__all__ = ["Changes"]
