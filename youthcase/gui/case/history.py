"""The History tab: what happened on the case, newest first, worked out from the case detail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import secondary, tab_layout
from youthcase.gui.case.context import CaseContext
from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.pages import section_title
from youthcase.gui.tables import table_view
from youthcase.gui.values import code_label, day_text, display, instant_text
from youthcase.services.cases import CaseDetail
from youthcase.services.corrections import Amendable, Revision

HISTORY_NOTE = (
    "Amendments to a safeguarding concern are listed under the date the concern was "
    "raised; every other change of a saved record is listed when it was made, with what it "
    "replaced and why (the young person's details only by name of the field). When each entry was "
    "recorded, and by whom, is kept in the audit trail; closures before a reopening are not listed here yet."
)


@dataclass(frozen=True)
class HistoryItem:
    when: dt.datetime | dt.date
    what: str
    detail: str

    @property
    def sort_key(self) -> float:
        when = self.when
        if isinstance(when, dt.datetime):
            return when.timestamp()
        return dt.datetime(when.year, when.month, when.day, 23, 59, tzinfo=dt.UTC).timestamp()

    @property
    def when_text(self) -> str:
        return instant_text(self.when) if isinstance(self.when, dt.datetime) else day_text(self.when)


def case_history(detail: CaseDetail) -> list[HistoryItem]:
    """What happened on the case, newest first, from what the case detail holds."""
    items: list[HistoryItem] = []
    case = detail.case.values
    items.append(
        HistoryItem(
            case["arrival_at"],
            "Arrived at A&E",
            f"{detail.site_code}; referred by {code_label(dd.CASE['referral_source'], case['referral_source'])}",
        )
    )
    if detail.incident is not None and detail.incident.values.get("assault_at"):
        incident = detail.incident.values
        items.append(
            HistoryItem(
                incident["assault_at"], "Assault", code_label(dd.INCIDENT["assault_method"], incident["assault_method"])
            )
        )
    if case.get("consent_recorded_on"):
        support = display(dd.CASE["consent_support"], case.get("consent_support")) or "not given"
        items.append(HistoryItem(case["consent_recorded_on"], "Consent recorded", f"to support: {support.lower()}"))
    for contact in detail.contacts:
        values = contact.values
        made = "Contact made" if values["successful"] else "Contact attempt failed"
        if values.get("struck_out"):
            made += " (struck out: recorded in error)"
        items.append(
            HistoryItem(
                values["contact_at"],
                made,
                f"{display(dd.CONTACT['medium'], values['medium'])}, "
                f"{display(dd.CONTACT['contact_with'], values['contact_with']).lower()}",
            )
        )
    for assessment in detail.assessments:
        values = assessment.values
        items.append(
            HistoryItem(
                values["assessed_on"],
                f"Risk assessment ({display(dd.RISK_ASSESSMENT['stage'], values['stage']).lower()})",
                f"risk {display(dd.RISK_ASSESSMENT['risk_level'], values['risk_level']).lower()}",
            )
        )
    for concern in detail.concerns:
        for number, version in enumerate(concern.versions, start=1):
            values = version.values
            what = "Safeguarding concern raised" if number == 1 else f"Safeguarding concern amended (version {number})"
            items.append(
                HistoryItem(
                    values["raised_at"],
                    what,
                    f"{display(dd.SAFEGUARDING['category'], values['category'])}; "
                    f"{display(dd.SAFEGUARDING['status'], values['status']).lower()}",
                )
            )
    for follow_up in detail.follow_ups:
        values = follow_up.values
        reached = "reached" if values["reached"] else "not reached"
        items.append(HistoryItem(values["followed_up_on"], "Six-month follow-up", reached))
    for revision in detail.revisions:
        items.append(HistoryItem(revision.changed_at, revision_title(revision), revision_detail(revision)))
    if detail.closed_on is not None:
        items.append(
            HistoryItem(detail.closed_on, "Case closed", display(dd.CASE["closure_reason"], case.get("closure_reason")))
        )
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return items


RECORD_NAMES = {
    Amendable.CASE: ("case details", dd.CASE),
    Amendable.PERSON: ("young person", dd.YOUNG_PERSON),
    Amendable.INCIDENT: ("incident", dd.INCIDENT),
    Amendable.CONTACT: ("contact", dd.CONTACT),
    Amendable.GOAL: ("plan goal", dd.PLAN_GOAL),
}


def revision_title(revision: Revision) -> str:
    name = RECORD_NAMES[revision.record][0]
    return f"{name[0].upper()}{name[1:]} {revision.action} by {revision.changed_by}"


def revision_detail(revision: Revision) -> str:
    """The fields' earlier values (labels, not codes) and the reason: what the change replaced."""
    entity = RECORD_NAMES[revision.record][1]
    was = []
    for name, value in sorted(revision.previous.items()):
        spec = entity.by_name.get(name)
        if spec is None:  # struck_out: the action says it
            continue
        if revision.record is Amendable.PERSON:
            was.append(f"{spec.label} changed")  # identifiers: never shown here (hide-names, screens)
            continue
        values = value if isinstance(value, list) else [value]
        shown = ", ".join(_earlier(spec, v) for v in values if v is not None and v != "")
        was.append(f"{spec.label} was {_short(shown) or 'empty'}")
    reason = f"reason: {revision.reason}" if revision.reason else ""
    return "; ".join([*was, reason] if reason else was)


def _earlier(spec: dd.FieldSpec, value: object) -> str:
    """An earlier value as kept (JSON: codes, booleans, numbers, ISO dates, text) in words."""
    if spec.code_list is not None:
        return code_label(spec, str(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


class HistoryModel(TableModel[HistoryItem]):
    WHEN, WHAT, DETAIL = range(3)
    columns = (
        Column("When", lambda i: i.when_text, lambda i: i.sort_key),
        Column("What", lambda i: i.what, lambda i: i.sort_key),
        Column("Detail", lambda i: i.detail, lambda i: i.sort_key),
    )


class HistoryTab(QWidget):
    title = "History"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        layout = tab_layout(self)
        layout.addWidget(section_title("History, newest first"))
        self.model = HistoryModel(self)
        self.view = table_view(self.model, "historyTable")
        layout.addWidget(self.view, 1)
        layout.addWidget(secondary(HISTORY_NOTE, wrap=True))

    def show_case(self, detail: CaseDetail) -> None:
        self.model.set_rows(case_history(detail))

    def clear_case(self) -> None:
        self.model.clear()
