"""One case: a header (reference, name or initials, age, site, worker, status, engagement, risk)
and tabs for the person, the incident, contacts, risk and needs, safeguarding, referrals, the plan
and outcomes, and the history.

The detail is loaded by the caseload page (``load_detail`` on the background queue) and handed in
with ``show_detail``; every form here saves on the background queue and the case is then loaded
again. ``clear()`` forgets the case (locking calls it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain import codes
from youthcase.domain import dictionary as dd
from youthcase.domain.caseload_rules import age_in_years, london_today
from youthcase.domain.codes import Code
from youthcase.domain.dictionary import EntitySpec
from youthcase.domain.roles import Permission
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.drafts import NEW_CONTACT_FORM, DraftKeeper
from youthcase.gui.errors import user_message
from youthcase.gui.forms.fields import Raw
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.icons import icon
from youthcase.gui.inline import InlineError
from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE
from youthcase.gui.models.records import (
    ConcernTableModel,
    ContactTableModel,
    RecordTableModel,
    version_label,
)
from youthcase.gui.pages.case_supervision import SupervisionTab
from youthcase.gui.prompts import Prompts
from youthcase.gui.referrals_tab import ReferralsTab
from youthcase.gui.tables import selected_object, table_view
from youthcase.gui.values import (
    code_label,
    day_text,
    display,
    earlier_case_text,
    edit_text,
    initials,
    instant_edit_text,
    instant_text,
    person_name,
)
from youthcase.services.cases import CaseDetail, CaseService, ConcernHistory, EarlierCase, RecordView
from youthcase.services.permissions import allowed
from youthcase.services.supervision import ClosureRequestView, SupervisionService
from youthcase.services.vault import UnlockedVault

AnyIndex = QModelIndex | QPersistentModelIndex
NEW_CONTACT_SHORTCUT = "Ctrl+Shift+N"
NAME_FIELDS = frozenset({"given_name", "family_name", "preferred_name"})
BEDSIDE_HOURS = 48  # a new contact defaults to the bedside while the arrival is this recent

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "estimated_age",
    "nhs_number",
    "sex",
    "ethnicity",
    "borough",
    "postcode",
    "address",
    "phone",
    "contacts",
    "school_or_employer",
    "education_employment",
    "interpreter_language",
    "known_to_social_care",
    "known_to_youth_justice",
    "known_to_camhs",
)
INCIDENT_FIELDS = (
    "assault_at",
    "assault_method",
    "assault_method_other",
    "assault_location_type",
    "assault_location_description",
    "injury_description",
)
ASSESSMENT_COLUMNS = ("assessed_on", "stage", "risk_level", "needs_identified", "needs_met")
CONTACT_FIELDS = (
    "contact_at",
    "medium",
    "successful",
    "contact_with",
    "duration_minutes",
    "notes",
    "topics",
    "follow_up_due",
)
ASSESSMENT_FIELDS = (
    "assessed_on",
    "stage",
    "risk_level",
    "risk_factors",
    "protective_factors",
    "needs_identified",
    "needs_met",
    "notes",
)
CONCERN_FIELDS = (
    "raised_at",
    "category",
    "facts",
    "own_words",
    "action_taken",
    "shared_with",
    "shared_on",
    "shared_reference",
    "status",
)
GOAL_FIELDS = ("goal", "status", "target_date")
FOLLOW_UP_FIELDS = ("followed_up_on", "reached", "reinjured", "in_education_or_work", "notes")
CASE_EDIT_FIELDS = (
    "engagement",
    "referral_source",
    "consent_support",
    "consent_share",
    "consent_recorded_on",
    "next_action_due",
    "notes",
)
CLOSE_FIELDS = ("closure_reason", "closure_note")
CASE_SUMMARY_FIELDS = (
    "arrival_at",
    "referral_source",
    "engagement",
    "consent_support",
    "consent_share",
    "consent_recorded_on",
    "next_action_due",
    "closure_reason",
    "closure_note",
    "notes",
)


def load_detail(vault: UnlockedVault, case_id: uuid.UUID) -> CaseDetail:
    return CaseService(vault).case_detail(case_id)


def latest_closure_request(vault: UnlockedVault, case_id: uuid.UUID) -> ClosureRequestView | None:
    requests = [r for r in SupervisionService(vault).closure_requests(pending_only=False) if r.case_id == case_id]
    return max(requests, key=lambda r: r.requested_at) if requests else None


def closure_text(request: ClosureRequestView | None) -> str:
    if request is None:
        return ""
    reason = code_label(dd.CASE["closure_reason"], request.reason).lower()
    asked = f"Closure ({reason}) asked for by {request.requested_by} on {day_text(request.requested_at.date())}"
    if request.status == "pending":
        return f"{asked}: waiting for a supervisor."
    if request.status == "returned":
        return f"{asked} was returned by a supervisor: {request.comment or 'no comment'}"
    return f"{asked} was approved."


# --- small building blocks -----------------------------------------------------------------------


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label


def _table(model: RecordTableModel, name: str, sort_column: int | None = 0, descending: bool = True) -> QTableView:
    """The case view's record tables: newest first unless they keep their own order."""
    return table_view(model, name, sort_column=sort_column, descending=descending)


class RecordSheet(QWidget):
    """A record shown read-only as label: value, from the dictionary (names can be masked)."""

    def __init__(self, entity: EntitySpec, names: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entity = entity
        self.setObjectName(f"sheet_{entity.name}")
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(24)
        layout.setVerticalSpacing(6)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.values: dict[str, QLabel] = {}
        for name in names:
            caption = QLabel(entity[name].label)
            caption.setObjectName("sheetLabel")
            value = QLabel()
            value.setObjectName(f"value_{name}")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addRow(caption, value)
            self.values[name] = value

    def show_values(self, values: Mapping[str, Any] | None, hide_names: bool = False) -> None:
        for name, label in self.values.items():
            value = None if values is None else values.get(name)
            if hide_names and name in NAME_FIELDS and value:
                text = initials(str(value))
            else:
                text = display(self.entity[name], value)
            label.setText(text or "—")
            label.setProperty("empty", not text)

    def clear(self) -> None:
        self.show_values(None)


def _scrolled(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


def _tab_body() -> tuple[QWidget, QVBoxLayout]:
    body = QWidget()
    body.setObjectName("tabBody")
    layout = QVBoxLayout(body)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(10)
    return body, layout


def _heading_row(title: str, *buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(_caption(title))
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


# --- history -------------------------------------------------------------------------------------


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
    if detail.closed_on is not None:
        items.append(
            HistoryItem(detail.closed_on, "Case closed", display(dd.CASE["closure_reason"], case.get("closure_reason")))
        )
    items.sort(key=lambda item: item.sort_key, reverse=True)
    return items


HISTORY_NOTE = (
    "Amendments to a safeguarding concern are listed under the date the concern was "
    "raised. When each entry was recorded, and by whom, is kept in the audit trail; "
    "closures before a reopening are not listed here yet."
)


# --- the view ------------------------------------------------------------------------------------


class CaseView(QWidget):
    back_requested = Signal()

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseView")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.detail: CaseDetail | None = None
        self.closure_request: ClosureRequestView | None = None
        # Workers ask a supervisor to close a case; supervisors close it themselves.
        self.closes_directly = allowed(vault.actor, Permission.SUPERVISE)
        self.hide_names = False
        self.site_names: dict[str, str] = {}
        self._stale = False  # a change arrived while hidden: load again when shown
        background.notice.changed.connect(self._vault_changed)

        self.back_button = QPushButton(icon("back"), "Caseload")
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip("Back to the caseload (Esc)")
        self.title = QLabel()
        self.title.setObjectName("caseTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("caseFacts")
        self.facts.setWordWrap(True)
        self.status_chip = QLabel()
        self.status_chip.setObjectName("chip")
        self.risk_chip = QLabel()
        self.risk_chip.setObjectName("chip")
        self.new_contact_button = QPushButton("New contact…")
        self.new_contact_button.setObjectName("primaryButton")
        self.new_contact_button.setToolTip(f"Log a contact or a failed attempt ({NEW_CONTACT_SHORTCUT})")
        self.error = InlineError()
        self.loading = busy_bar()

        header = QFrame()
        header.setObjectName("caseHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(20, 14, 20, 14)
        header_layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(8)
        top.addWidget(self.status_chip)
        top.addWidget(self.risk_chip)
        top.addStretch(1)
        top.addWidget(self.new_contact_button)
        header_layout.addLayout(top)
        header_layout.addWidget(self.facts)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("caseTabs")
        # Made first: its sign-off lines go on the Risk and Safeguarding tabs.
        self.supervision = SupervisionTab(vault, background, prompts)
        self._build_person_tab()
        self._build_incident_tab()
        self._build_contacts_tab()
        self._build_risk_tab()
        self._build_safeguarding_tab()
        self._build_referrals_tab()
        self._build_plan_tab()
        self.tabs.addTab(self.supervision, "Supervision")
        self._build_history_tab()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch(1)
        layout.addLayout(back_row)
        layout.addWidget(header)
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.new_contact_button.clicked.connect(lambda: self.open_new_contact())
        for keys in ("Escape", "Alt+Left"):
            back = QShortcut(QKeySequence(keys), self)
            back.setContext(Qt.ShortcutContext.WindowShortcut)
            back.activated.connect(self.back_requested)
        contact = QShortcut(QKeySequence(NEW_CONTACT_SHORTCUT), self)
        contact.setContext(Qt.ShortcutContext.WindowShortcut)
        contact.activated.connect(lambda: self.open_new_contact())

    # --- tabs ------------------------------------------------------------------------------

    def _build_person_tab(self) -> None:
        body, layout = _tab_body()
        self.edit_person_button = QPushButton("Edit details…")
        self.edit_person_button.clicked.connect(self.open_edit_person)
        layout.addLayout(_heading_row("Young person", self.edit_person_button))
        self.person_sheet = RecordSheet(dd.YOUNG_PERSON, PERSON_FIELDS)
        layout.addWidget(self.person_sheet)
        layout.addStretch(1)
        self.tabs.addTab(_scrolled(body), "Person")

    def _build_incident_tab(self) -> None:
        body, layout = _tab_body()
        layout.addWidget(_caption("Index incident"))
        note = QLabel("The violent injury that brought the young person in (ISTV minimum dataset).")
        note.setObjectName("secondaryText")
        layout.addWidget(note)
        self.incident_sheet = RecordSheet(dd.INCIDENT, INCIDENT_FIELDS)
        layout.addWidget(self.incident_sheet)
        layout.addStretch(1)
        self.tabs.addTab(_scrolled(body), "Incident")

    def _build_contacts_tab(self) -> None:
        body, layout = _tab_body()
        add = QPushButton("New contact…")
        add.setToolTip(NEW_CONTACT_SHORTCUT)
        add.clicked.connect(lambda: self.open_new_contact())
        self.contact_summary = QLabel()
        self.contact_summary.setObjectName("secondaryText")
        layout.addLayout(_heading_row("Contacts, newest first", add))
        layout.addWidget(self.contact_summary)
        self.contacts = ContactTableModel(self)
        self.contact_view = _table(self.contacts, "contactTable")
        self.contact_notes = QLabel()
        self.contact_notes.setObjectName("notesPanel")
        self.contact_notes.setWordWrap(True)
        self.contact_notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.contact_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.contact_view)
        split.addWidget(_scrolled(self.contact_notes))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.contact_view.selectionModel().selectionChanged.connect(self._contact_selected)
        self.tabs.addTab(body, "Contacts")

    def _build_risk_tab(self) -> None:
        body, layout = _tab_body()
        add = QPushButton("Record assessment…")
        add.clicked.connect(self.open_assessment)
        layout.addLayout(_heading_row("Risk and needs assessments", add))
        self.risk_change = QLabel()
        self.risk_change.setObjectName("secondaryText")
        layout.addWidget(self.risk_change)
        self.assessments = RecordTableModel(dd.RISK_ASSESSMENT, ASSESSMENT_COLUMNS, self)
        self.assessment_view = _table(self.assessments, "assessmentTable")
        self.assessment_sheet = RecordSheet(dd.RISK_ASSESSMENT, ASSESSMENT_FIELDS[3:])
        self.assessment_sheet.setObjectName("notesPanel")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.assessment_view)
        split.addWidget(_scrolled(self.assessment_sheet))
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        layout.addWidget(self.supervision.assessment_sign_off)
        layout.addWidget(split, 1)
        self.assessment_view.selectionModel().selectionChanged.connect(self._assessment_selected)
        self.tabs.addTab(body, "Risk and needs")

    def _build_safeguarding_tab(self) -> None:
        body, layout = _tab_body()
        raise_button = QPushButton("Raise concern…")
        raise_button.clicked.connect(self.open_raise_concern)
        self.amend_button = QPushButton("Amend…")
        self.amend_button.setToolTip("Amending adds a new version; earlier versions stay as they were")
        self.amend_button.setEnabled(False)
        self.amend_button.clicked.connect(self.open_amend_concern)
        layout.addLayout(_heading_row("Safeguarding concerns", self.amend_button, raise_button))
        self.concerns = ConcernTableModel(self)
        self.concern_view = _table(self.concerns, "concernTable")
        self.concern_view.setMaximumHeight(180)
        layout.addWidget(self.concern_view)
        layout.addWidget(self.supervision.concern_sign_off)
        self.version_title = _caption("Versions")
        layout.addWidget(self.version_title)
        versions = QHBoxLayout()
        self.version_list = QTableView()
        self.version_list.setObjectName("versionList")
        self.versions = VersionListModel(self)
        self.version_list.setModel(self.versions)
        self.version_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.version_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.version_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.version_list.verticalHeader().setVisible(False)
        self.version_list.horizontalHeader().setVisible(False)
        self.version_list.horizontalHeader().setStretchLastSection(True)
        self.version_list.setShowGrid(False)
        self.version_list.setFixedWidth(240)
        self.version_sheet = RecordSheet(dd.SAFEGUARDING, CONCERN_FIELDS)
        versions.addWidget(self.version_list)
        versions.addWidget(_scrolled(self.version_sheet), 1)
        layout.addLayout(versions, 1)
        self.concern_view.selectionModel().selectionChanged.connect(self._concern_selected)
        self.version_list.selectionModel().selectionChanged.connect(self._version_selected)
        self.tabs.addTab(body, "Safeguarding")

    def _build_referrals_tab(self) -> None:
        assert self._vault is not None
        self.referrals_tab = ReferralsTab(self._vault, self._background, self._prompts)
        self.tabs.addTab(self.referrals_tab, "Referrals")

    def _build_plan_tab(self) -> None:
        body, layout = _tab_body()
        self.edit_case_button = QPushButton("Edit case details…")
        self.edit_case_button.clicked.connect(self.open_edit_case)
        self.close_button = QPushButton("Close case…" if self.closes_directly else "Ask to close…")
        self.close_button.setToolTip("" if self.closes_directly else "A supervisor approves the closure")
        self.close_button.clicked.connect(self.open_close_case)
        self.reopen_button = QPushButton("Reopen case")
        self.reopen_button.clicked.connect(self.reopen_case)
        layout.addLayout(_heading_row("Case", self.edit_case_button, self.reopen_button, self.close_button))
        self.closure_state = QLabel()
        self.closure_state.setObjectName("closureState")
        self.closure_state.setWordWrap(True)
        self.closure_state.setVisible(False)
        layout.addWidget(self.closure_state)
        self.case_sheet = RecordSheet(dd.CASE, CASE_SUMMARY_FIELDS)
        layout.addWidget(self.case_sheet)
        add_goal = QPushButton("Add goal…")
        add_goal.clicked.connect(self.open_goal)
        layout.addSpacing(8)
        layout.addLayout(_heading_row("Case plan goals", add_goal))
        self.goals = RecordTableModel(dd.PLAN_GOAL, GOAL_FIELDS, self)
        self.goal_view = _table(self.goals, "goalTable", sort_column=None)
        self.goal_view.setMinimumHeight(120)
        layout.addWidget(self.goal_view)
        add_follow_up = QPushButton("Record follow-up…")
        add_follow_up.clicked.connect(self.open_follow_up)
        layout.addSpacing(8)
        layout.addLayout(_heading_row("Six-month follow-up", add_follow_up))
        self.follow_ups = RecordTableModel(dd.FOLLOW_UP, FOLLOW_UP_FIELDS, self)
        self.follow_up_view = _table(self.follow_ups, "followUpTable", sort_column=None)
        self.follow_up_view.setMinimumHeight(90)
        layout.addWidget(self.follow_up_view)
        layout.addStretch(1)
        self.tabs.addTab(_scrolled(body), "Plan and outcomes")

    def _build_history_tab(self) -> None:
        body, layout = _tab_body()
        layout.addWidget(_caption("History, newest first"))
        self.history = HistoryModel(self)
        self.history_view = table_view(self.history, "historyTable")
        layout.addWidget(self.history_view, 1)
        note = QLabel(HISTORY_NOTE)
        note.setObjectName("secondaryText")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.tabs.addTab(body, "History")

    # --- showing a case --------------------------------------------------------------------

    @property
    def case_id(self) -> uuid.UUID | None:
        return None if self.detail is None else self.detail.case_id

    def show_detail(self, detail: CaseDetail) -> None:
        self.detail = detail
        self._stale = False
        self.error.clear()
        self.loading.setVisible(False)
        self._show_header()
        self.person_sheet.show_values(detail.person.values, self.hide_names)
        self.incident_sheet.show_values(detail.incident.values if detail.incident else None)
        self.contacts.set_records(detail.contacts)
        made = sum(1 for c in detail.contacts if c.values.get("successful"))
        failed = len(detail.contacts) - made
        self.contact_summary.setText(
            f"{made} contact{'s' if made != 1 else ''} made, {failed} failed attempt{'s' if failed != 1 else ''}."
            if detail.contacts
            else "No contacts yet. Log every attempt, including the ones that fail."
        )
        self.contact_notes.clear()
        self.assessments.set_records(detail.assessments)
        self.assessment_sheet.clear()
        self.risk_change.setText(risk_change_text(detail.assessments))
        self.concerns.set_records(detail.concerns)
        self.versions.set_history(None)
        self.version_sheet.clear()
        self.amend_button.setEnabled(False)
        self.case_sheet.show_values(detail.case.values)
        self.goals.set_records(detail.goals)
        self.follow_ups.set_records(detail.follow_ups)
        self.history.set_items(case_history(detail))
        closed = detail.status != "open"
        self.close_button.setVisible(not closed)
        self.reopen_button.setVisible(closed)
        self._show_closure(None)
        if not closed:
            self._load_closure(detail.case_id)
        self.supervision.show_case(detail)
        self.referrals_tab.show_case(detail)
        for view in (self.contact_view, self.assessment_view, self.concern_view):
            if view.model().rowCount() > 0:
                view.selectRow(0)

    def _show_header(self) -> None:
        detail = self.detail
        if detail is None:
            return
        person, case = detail.person.values, detail.case.values
        name = person_name(person["given_name"], person["family_name"], self.hide_names)
        self.title.setText(f"{detail.reference}  ·  {name}")
        dob = person.get("date_of_birth")
        today = london_today(self._now())
        if dob is not None:
            age = f"Age {age_in_years(dob, today)}"
        elif person.get("estimated_age") is not None:
            age = f"Age about {person['estimated_age']}"
        else:
            age = "Age not known"
        site = self.site_names.get(detail.site_code, "")
        site_text = f"{detail.site_code} ({site})" if site else detail.site_code
        engagement = code_label(dd.CASE["engagement"], case.get("engagement"))
        facts = [age, site_text, f"Worker {detail.worker}", f"Arrived {instant_text(case['arrival_at'])}", engagement]
        self.facts.setText("  ·  ".join(facts))
        closed = detail.status != "open"
        self.status_chip.setText(f"Closed {day_text(detail.closed_on)}" if closed else "Open")
        self.status_chip.setProperty("tone", "muted" if closed else "good")
        risk = current_risk(detail.assessments)
        self.risk_chip.setText(
            f"Risk {code_label(dd.RISK_ASSESSMENT['risk_level'], risk).lower()}" if risk else "Risk not assessed"
        )
        self.risk_chip.setProperty(
            "tone", {"high": "problem", "medium": "warning", "low": "good"}.get(risk or "", "muted")
        )
        for chip in (self.status_chip, self.risk_chip):
            chip.style().unpolish(chip)
            chip.style().polish(chip)

    def _load_closure(self, case_id: uuid.UUID) -> None:
        vault = self._vault
        if vault is None:
            return
        self._background.run(
            lambda: latest_closure_request(vault, case_id),
            name="closure request",
            on_returned=self._show_closure,
            on_errored=lambda _error: None,
        )

    def _show_closure(self, request: ClosureRequestView | None) -> None:
        if request is not None and (self.detail is None or request.case_id != self.detail.case_id):
            return
        self.closure_request = request
        text = closure_text(request) if request is not None and request.status != "approved" else ""
        self.closure_state.setText(text)
        self.closure_state.setVisible(bool(text))
        pending = request is not None and request.status == "pending"
        self.close_button.setEnabled(not pending)

    def _now(self) -> dt.datetime:
        vault = self._vault
        return vault.clock.now() if vault is not None else dt.datetime.now(dt.UTC)

    def set_hide_names(self, hide: bool) -> None:
        self.hide_names = hide
        if self.detail is not None:
            self._show_header()
            self.person_sheet.show_values(self.detail.person.values, hide)

    def clear(self) -> None:
        """The vault locked: close the forms and forget the case."""
        for dialog in self.findChildren(QDialog):
            dialog.done(QDialog.DialogCode.Rejected)
        self.clear_detail()
        self.supervision.clear()
        self.referrals_tab.clear()
        self._vault = None

    def clear_detail(self) -> None:
        self.detail = None
        self._stale = False
        self.title.clear()
        self.facts.clear()
        self.status_chip.clear()
        self.risk_chip.clear()
        for sheet in (
            self.person_sheet,
            self.incident_sheet,
            self.case_sheet,
            self.version_sheet,
            self.assessment_sheet,
        ):
            sheet.clear()
        for model in (self.contacts, self.assessments, self.concerns, self.goals, self.follow_ups):
            model.clear()
        self.versions.set_history(None)
        self.history.set_items([])
        self.contact_notes.clear()
        self.contact_summary.clear()
        self.closure_request = None
        self.closure_state.clear()
        self.closure_state.setVisible(False)
        self.risk_change.clear()
        self.supervision.clear_case()
        self.referrals_tab.clear_case()
        self.error.clear()

    # --- selections ------------------------------------------------------------------------

    def _contact_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        record: RecordView | None = selected_object(self.contact_view)
        notes = record.values.get("notes") if record else None
        self.contact_notes.setText(notes or ("No notes for this contact." if record else ""))

    def _assessment_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        record: RecordView | None = selected_object(self.assessment_view)
        self.assessment_sheet.show_values(record.values if record else None)
        self.supervision.assessment_selected(record)

    def _concern_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        history: ConcernHistory | None = selected_object(self.concern_view)
        self.amend_button.setEnabled(history is not None)
        self.versions.set_history(history)
        self.supervision.concern_selected(history)
        if history is not None:
            self.version_list.selectRow(len(history.versions) - 1)

    def _version_selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        rows = self.version_list.selectionModel().selectedRows()
        record: RecordView | None = rows[0].data(OBJECT_ROLE) if rows else None
        self.version_sheet.show_values(record.values if record else None)

    # --- forms -----------------------------------------------------------------------------

    def _form(
        self,
        *,
        entity: EntitySpec,
        names: Sequence[str],
        title: str,
        heading: str,
        intro: str,
        submit: str,
        save: Callable[[CaseService, uuid.UUID, dict[str, Any]], object],
        initial: Mapping[str, Raw] | None = None,
        keeper_form: str | None = None,
        restored: Mapping[str, Any] | None = None,
        first_field: str | None = None,
        choices: Mapping[str, Sequence[Code]] | None = None,
        on_saved: Callable[[object], None] | None = None,
        changes: Changes = Changes(records=True),  # noqa: B008 - frozen
    ) -> RecordDialog | None:
        vault, detail = self._vault, self.detail
        if vault is None or detail is None:
            return None
        case_id = detail.case_id
        background = self._background

        def run(values: dict[str, Any]) -> object:
            return save(CaseService(vault), case_id, values)

        keeper = None
        if keeper_form is not None:

            def keeper(values: Callable[[], dict[str, Any]], parent: QWidget) -> DraftKeeper:
                return DraftKeeper(vault, background, keeper_form, case_id, values, parent)

        dialog = RecordDialog(
            entity=entity,
            names=names,
            title=title,
            heading=heading,
            intro=intro,
            submit_label=submit,
            save=run,
            background=self._background,
            prompts=self._prompts,
            initial=initial,
            keeper=keeper,
            restored=restored,
            first_field=first_field,
            choices=choices,
            changes=changes,
            parent=self,
        )
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _vault_changed(self, changes: Changes) -> None:
        """Any screen's operation succeeded: load the case again if what it shows may differ
        (now when on screen, else when it next shows)."""
        if self.detail is None:
            return
        if changes.case_content:
            if self.isVisible():
                self.reload()
            else:
                self._stale = True
        elif changes.referrals or changes.directory:
            self.referrals_tab.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    def reload(self) -> None:
        vault, case_id = self._vault, self.case_id
        if vault is None or case_id is None:
            return
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_detail(vault, case_id), name="reload case", on_returned=self._reloaded, on_errored=self._failed
        )

    def _reloaded(self, detail: CaseDetail) -> None:
        if self.detail is not None and detail.case_id == self.detail.case_id:
            tab = self.tabs.currentIndex()
            self.show_detail(detail)
            self.tabs.setCurrentIndex(tab)

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def contact_defaults(self) -> dict[str, Raw]:
        now = self._now()
        detail = self.detail
        recent = detail is not None and now - detail.case.values["arrival_at"] <= dt.timedelta(hours=BEDSIDE_HOURS)
        return {
            "contact_at": instant_edit_text(now),
            "medium": "bedside" if recent else "phone",
            "successful": "yes",
            "contact_with": "young_person",
        }

    def open_new_contact(self, restored: Mapping[str, Any] | None = None) -> RecordDialog | None:
        """Ctrl+Shift+N: defaults now, bedside or phone, contact made, with the young person."""
        if self.detail is None:
            return None
        name = person_name(
            self.detail.person.values["given_name"], self.detail.person.values["family_name"], self.hide_names
        )
        return self._form(
            entity=dd.CONTACT,
            names=CONTACT_FIELDS,
            title="New contact",
            heading=f"New contact  ·  {self.detail.reference}",
            intro=f"With {name} or about them. A failed attempt counts too: set Contact made to "
            "No. Saved as a draft while you type.",
            submit="Save contact",
            initial=self.contact_defaults(),
            keeper_form=NEW_CONTACT_FORM,
            restored=restored,
            first_field="medium",
            save=lambda service, case_id, values: service.add_contact(case_id, values),
            changes=Changes(contacts=True),
        )

    def open_assessment(self) -> RecordDialog | None:
        detail = self.detail
        if detail is None:
            return None
        stage = "change" if detail.assessments else "start"
        if detail.status != "open":
            stage = "end"
        return self._form(
            entity=dd.RISK_ASSESSMENT,
            names=ASSESSMENT_FIELDS,
            title="Risk and needs assessment",
            heading="Record a risk and needs assessment",
            intro="At the start of support, whenever risk changes, and at the end.",
            submit="Save assessment",
            initial={"assessed_on": london_today(self._now()).isoformat(), "stage": stage},
            first_field="risk_level",
            save=lambda service, case_id, values: service.record_assessment(case_id, values),
        )

    def open_raise_concern(self) -> RecordDialog | None:
        return self._form(
            entity=dd.SAFEGUARDING,
            names=CONCERN_FIELDS,
            title="Safeguarding concern",
            heading="Raise a safeguarding concern",
            intro="Record the facts and the young person's own words. Once saved, a concern is "
            "changed only by adding a new version.",
            submit="Record concern",
            initial={"raised_at": instant_edit_text(self._now()), "status": "open"},
            first_field="category",
            save=lambda service, case_id, values: service.raise_concern(case_id, values),
        )

    def open_amend_concern(self) -> RecordDialog | None:
        history: ConcernHistory | None = selected_object(self.concern_view)
        if history is None:
            return None
        current = history.versions[-1].values
        concern_id = history.concern_id
        initial = {name: edit_text(dd.SAFEGUARDING[name], current.get(name)) for name in CONCERN_FIELDS}
        return self._form(
            entity=dd.SAFEGUARDING,
            names=CONCERN_FIELDS,
            title="Amend safeguarding concern",
            heading=f"Amend the concern: version {len(history.versions) + 1}",
            intro="Saving adds a new version. The earlier versions stay exactly as recorded.",
            submit="Save new version",
            initial=initial,
            first_field="status",
            save=lambda service, case_id, values: service.amend_concern(case_id, concern_id, values),
        )

    def open_goal(self) -> RecordDialog | None:
        return self._form(
            entity=dd.PLAN_GOAL,
            names=GOAL_FIELDS,
            title="Case plan goal",
            heading="Add a case plan goal",
            intro="What the young person and you agree to work towards.",
            submit="Add goal",
            initial={"status": "not_started"},
            save=lambda service, case_id, values: service.add_goal(case_id, values),
        )

    def open_follow_up(self) -> RecordDialog | None:
        return self._form(
            entity=dd.FOLLOW_UP,
            names=FOLLOW_UP_FIELDS,
            title="Six-month follow-up",
            heading="Record the six-month follow-up",
            intro="Six months after closure: how is the young person doing?",
            submit="Save follow-up",
            initial={"followed_up_on": london_today(self._now()).isoformat()},
            save=lambda service, case_id, values: service.record_follow_up(case_id, values),
        )

    def open_edit_case(self) -> RecordDialog | None:
        detail = self.detail
        if detail is None:
            return None
        initial = {name: edit_text(dd.CASE[name], detail.case.values.get(name)) for name in CASE_EDIT_FIELDS}
        return self._form(
            entity=dd.CASE,
            names=CASE_EDIT_FIELDS,
            title="Case details",
            heading=f"Case details  ·  {detail.reference}",
            intro="Engagement, consent and the next action due.",
            submit="Save changes",
            initial=initial,
            save=lambda service, case_id, values: service.update_case(case_id, values),
            changes=Changes(cases=True),
        )

    def open_edit_person(self) -> RecordDialog | None:
        detail = self.detail
        if detail is None:
            return None
        initial = {name: edit_text(dd.YOUNG_PERSON[name], detail.person.values.get(name)) for name in PERSON_FIELDS}
        return self._form(
            entity=dd.YOUNG_PERSON,
            names=PERSON_FIELDS,
            title="Young person",
            heading="The young person's details",
            intro="Stored encrypted.",
            submit="Save changes",
            initial=initial,
            save=lambda service, case_id, values: service.update_person(case_id, values),
            changes=Changes(cases=True),
            on_saved=self._person_saved,
        )

    def _person_saved(self, others: object) -> None:
        """Other cases of the same young person keep their own copies: say where they are."""
        if not isinstance(others, list) or not others:
            return
        cases = [case for case in others if isinstance(case, EarlierCase)]
        count = len(cases)
        self._prompts.inform(
            self,
            "Young person",
            f"Saved on this case. {count} other case{'s' if count != 1 else ''} of this young person "
            f"exist{'s' if count == 1 else ''}, each with its own copy of their details: "
            + "; ".join(earlier_case_text(case) for case in cases)
            + ". Ask whoever holds them to correct them there if needed.",
        )

    def open_close_case(self) -> RecordDialog | None:
        detail, vault = self.detail, self._vault
        if detail is None or vault is None:
            return None
        if self.closes_directly:
            return self._form(
                entity=dd.CASE,
                names=CLOSE_FIELDS,
                title="Close case",
                heading=f"Close {detail.reference}",
                intro="The case closes today. It can be reopened.",
                submit="Close case",
                first_field="closure_reason",
                save=lambda service, case_id, values: service.close_case(
                    case_id, values["closure_reason"] or "", values.get("closure_note")
                ),
                changes=Changes(cases=True),
            )

        def ask(_service: CaseService, case_id: uuid.UUID, values: dict[str, Any]) -> object:
            return SupervisionService(vault).request_closure(
                case_id, values["closure_reason"] or "", values.get("closure_note")
            )

        return self._form(
            entity=dd.CASE,
            names=CLOSE_FIELDS,
            title="Ask to close",
            heading=f"Ask to close {detail.reference}",
            intro="A supervisor approves closures: the case closes when they do, or comes back to you with a comment.",
            submit="Ask to close",
            first_field="closure_reason",
            save=ask,
            changes=Changes(supervision=True),
        )

    def reopen_case(self) -> None:
        vault, detail = self._vault, self.detail
        if vault is None or detail is None:
            return
        if not self._prompts.confirm(
            self, "Reopen case", f"Reopen {detail.reference}? It goes back on the open caseload.", "Reopen case"
        ):
            return
        case_id = detail.case_id
        self.loading.setVisible(True)
        self._background.run(
            lambda: CaseService(vault).reopen_case(case_id),
            name="reopen case",
            on_errored=self._failed,
            changes=Changes(cases=True),
        )

    def save_drafts_now(self) -> None:
        for dialog in self.findChildren(RecordDialog):
            dialog.save_draft_now()


def current_risk(assessments: Sequence[RecordView]) -> str | None:
    if not assessments:
        return None
    latest = max(assessments, key=lambda a: a.values["assessed_on"])
    risk: str = latest.values["risk_level"]
    return risk


def risk_change_text(assessments: Sequence[RecordView]) -> str:
    """First to latest risk, the outcome measure (reduced / same / increased)."""
    if not assessments:
        return "No assessment yet. Record one at the start of support."
    ordered = sorted(assessments, key=lambda a: a.values["assessed_on"])
    first, last = ordered[0].values["risk_level"], ordered[-1].values["risk_level"]
    rank = {item.code: position for position, item in enumerate(codes.RISK_LEVEL)}
    label = dd.RISK_ASSESSMENT["risk_level"]
    if len(ordered) == 1:
        return f"Risk at the start: {code_label(label, first).lower()}."
    change = "reduced" if rank[last] < rank[first] else "increased" if rank[last] > rank[first] else "the same"
    return (
        f"Risk {code_label(label, first).lower()} at the first assessment, "
        f"{code_label(label, last).lower()} at the latest: {change}."
    )


# --- small models --------------------------------------------------------------------------------


class VersionListModel(QAbstractTableModel):
    """The versions of one safeguarding concern, oldest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._versions: list[RecordView] = []

    def set_history(self, history: ConcernHistory | None) -> None:
        self.beginResetModel()
        self._versions = list(history.versions) if history else []
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._versions)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 1

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return version_label(index.row() + 1, len(self._versions))
        if role == OBJECT_ROLE:
            return self._versions[index.row()]
        return None


HISTORY_HEADERS = ("When", "What", "Detail")


class HistoryModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[HistoryItem] = []

    def set_items(self, items: Sequence[HistoryItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HISTORY_HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,  # noqa: N802
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HISTORY_HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (item.when_text, item.what, item.detail)[index.column()]
        if role == SORT_ROLE:
            return item.sort_key
        if role == OBJECT_ROLE:
            return item
        return None


__all__ = ["CaseView", "case_history", "load_detail"]
