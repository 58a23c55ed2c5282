"""The Plan and outcomes tab: the case's own details (engagement, consent, next action) and their
editing, closing (or asking a supervisor to close) and reopening, the plan's goals and the
six-month follow-up."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import RecordSheet, ScrolledTab, heading_row, record_table
from youthcase.gui.case.context import CaseContext
from youthcase.gui.changes import Changes
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.models.records import RecordTableModel
from youthcase.gui.values import code_label, day_text, edit_text
from youthcase.services.cases import CaseDetail, CaseService
from youthcase.services.supervision import ClosureRequestView, SupervisionService
from youthcase.services.vault import UnlockedVault

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


class PlanTab(ScrolledTab):
    title = "Plan and outcomes"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: CaseDetail | None = None
        self.closure_request: ClosureRequestView | None = None
        # Workers ask a supervisor to close a case; supervisors close it themselves.
        self.closes_directly = context.supervises
        layout = self.column
        self.edit_case_button = QPushButton("Edit case details…")
        self.edit_case_button.clicked.connect(self.open_edit_case)
        self.close_button = QPushButton("Close case…" if self.closes_directly else "Ask to close…")
        self.close_button.setToolTip("" if self.closes_directly else "A supervisor approves the closure")
        self.close_button.clicked.connect(self.open_close_case)
        self.reopen_button = QPushButton("Reopen case")
        self.reopen_button.clicked.connect(self.reopen_case)
        layout.addLayout(heading_row("Case", self.edit_case_button, self.reopen_button, self.close_button))
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
        layout.addLayout(heading_row("Case plan goals", add_goal))
        self.goals = RecordTableModel(dd.PLAN_GOAL, GOAL_FIELDS, self)
        self.goal_view = record_table(self.goals, "goalTable", sort_column=None)
        self.goal_view.setMinimumHeight(120)
        layout.addWidget(self.goal_view)
        add_follow_up = QPushButton("Record follow-up…")
        add_follow_up.clicked.connect(self.open_follow_up)
        layout.addSpacing(8)
        layout.addLayout(heading_row("Six-month follow-up", add_follow_up))
        self.follow_ups = RecordTableModel(dd.FOLLOW_UP, FOLLOW_UP_FIELDS, self)
        self.follow_up_view = record_table(self.follow_ups, "followUpTable", sort_column=None)
        self.follow_up_view.setMinimumHeight(90)
        layout.addWidget(self.follow_up_view)
        layout.addStretch(1)

    # --- showing ---------------------------------------------------------------------------

    def show_case(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.case_sheet.show_values(detail.case.values)
        self.goals.set_rows(detail.goals)
        self.follow_ups.set_rows(detail.follow_ups)
        closed = detail.status != "open"
        self.close_button.setVisible(not closed)
        self.reopen_button.setVisible(closed)
        self._show_closure(None)
        if not closed:
            self._load_closure(detail.case_id)

    def clear_case(self) -> None:
        self.detail = None
        self.case_sheet.clear()
        self.goals.clear()
        self.follow_ups.clear()
        self.closure_request = None
        self.closure_state.clear()
        self.closure_state.setVisible(False)

    def _load_closure(self, case_id: uuid.UUID) -> None:
        vault = self.context.vault
        if vault is None:
            return
        self.context.background.run(
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

    # --- forms -----------------------------------------------------------------------------

    def open_goal(self) -> RecordDialog | None:
        return self.context.open_form(
            self,
            self.detail,
            entity=dd.PLAN_GOAL,
            names=GOAL_FIELDS,
            title="Case plan goal",
            heading="Add a case plan goal",
            intro="What the young person and you agree to work towards.",
            submit="Add goal",
            initial={"status": "not_started"},
            save=lambda service, case_id, values: service.add_goal(case_id, values),
            changes=Changes(records=True),
        )

    def open_follow_up(self) -> RecordDialog | None:
        return self.context.open_form(
            self,
            self.detail,
            entity=dd.FOLLOW_UP,
            names=FOLLOW_UP_FIELDS,
            title="Six-month follow-up",
            heading="Record the six-month follow-up",
            intro="Six months after closure: how is the young person doing?",
            submit="Save follow-up",
            initial={"followed_up_on": self.context.today().isoformat()},
            save=lambda service, case_id, values: service.record_follow_up(case_id, values),
            changes=Changes(records=True),
        )

    def open_edit_case(self) -> RecordDialog | None:
        detail = self.detail
        if detail is None:
            return None
        initial = {name: edit_text(dd.CASE[name], detail.case.values.get(name)) for name in CASE_EDIT_FIELDS}
        return self.context.open_form(
            self,
            detail,
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

    def open_close_case(self) -> RecordDialog | None:
        detail, vault = self.detail, self.context.vault
        if detail is None or vault is None:
            return None
        if self.closes_directly:
            return self.context.open_form(
                self,
                detail,
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

        return self.context.open_form(
            self,
            detail,
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
        vault, detail = self.context.vault, self.detail
        if vault is None or detail is None:
            return
        if not self.context.prompts.confirm(
            self, "Reopen case", f"Reopen {detail.reference}? It goes back on the open caseload.", "Reopen case"
        ):
            return
        case_id = detail.case_id
        self.context.show_busy(True)  # until the change notice has loaded the case again
        self.context.background.run(
            lambda: CaseService(vault).reopen_case(case_id),
            name="reopen case",
            on_errored=self.context.show_error,
            changes=Changes(cases=True),
        )
