"""The supervisors' forms: a supervision note with its actions, reassigning cases, handing over a
disabled account's cases, sharing a case, and returning a closure request with a comment.

All are ``RecordDialog``s: the fields are ``FieldSpec``s (checked the way every form checks), the
save runs on the background queue, and a refusal from the service shows in the form, which stays
open. Supervision notes are not part of the case record's data dictionary (they are neither
imported nor counted in the return), so their fields are defined here. Staff to choose from are a
``CodeList`` built from the accounts when the form opens.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from youthcase.domain.codes import Code, CodeList
from youthcase.domain.dictionary import EntitySpec, FieldKind, FieldSpec, Sensitivity
from youthcase.domain.roles import Role
from youthcase.gui.background import Background
from youthcase.gui.changes import Changes
from youthcase.gui.forms.fields import FieldRow, Raw
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.prompts import Prompts
from youthcase.services.accounts import AccountSummary
from youthcase.services.supervision import ActionInput

FREE = Sensitivity.FREE_TEXT
MAX_NOTE = 20_000  # as the supervision service allows
MAX_REASON = 2_000
MAX_ACTION = 500
ACTION_DUE_DAYS = 7
DUE_WIDTH = 120  # a new action is due a week after the supervision, unless changed

NOTE = EntitySpec(
    "supervision_note",
    "Supervision note",
    (
        FieldSpec("held_on", "Supervision held on", FieldKind.DATE, required=True),
        FieldSpec(
            "discussion",
            "Discussion",
            FieldKind.NOTES,
            FREE,
            max_length=MAX_NOTE,
            help="What was discussed: risk, engagement, the plan",
        ),
        FieldSpec("decisions", "Decisions", FieldKind.NOTES, FREE, max_length=MAX_NOTE),
    ),
    "A supervisor's review of one case.",
)

RETURN_CLOSURE = EntitySpec(
    "closure_return",
    "Closure returned",
    (
        FieldSpec(
            "comment",
            "Comment to the worker",
            FieldKind.NOTES,
            FREE,
            required=True,
            max_length=MAX_REASON,
            help="What needs doing before the case can close",
        ),
    ),
    "A closure request sent back to the worker.",
)


# --- staff to choose from --------------------------------------------------------------------------


def staff_label(account: AccountSummary) -> str:
    sites = ", ".join(account.site_codes) or "no site"
    return f"{account.username}  ·  {account.role.label}  ·  {sites}"


def staff_codes(
    accounts: Iterable[AccountSummary],
    *,
    sites: Iterable[str] = (),
    exclude: Iterable[str] = (),
    names_only: bool = False,
) -> CodeList:
    """Active workers and supervisors (never administrators) at any of ``sites`` (any site when
    none are given), by user name; labelled with role and sites unless ``names_only``."""
    wanted, left_out = set(sites), set(exclude)
    return CodeList(
        "staff",
        tuple(
            Code(a.username, a.username if names_only else staff_label(a))
            for a in accounts
            if a.active
            and a.role is not Role.ADMIN
            and a.username not in left_out
            and (not wanted or wanted & set(a.site_codes))
        ),
    )


def _choice(name: str, label: str, staff: CodeList, help_text: str = "") -> FieldSpec:
    return FieldSpec(name, label, FieldKind.CODE, code_list=staff, required=True, help=help_text)


def action_entity(staff: CodeList) -> EntitySpec:
    return EntitySpec(
        "supervision_action",
        "Action",
        (
            FieldSpec("description", "Action", FieldKind.TEXT, FREE, required=True, max_length=MAX_ACTION),
            _choice("owner", "Owner", staff),
            FieldSpec("due_on", "Due", FieldKind.DATE, required=True),
        ),
    )


def reassign_entity(staff: CodeList) -> EntitySpec:
    return EntitySpec(
        "reassignment",
        "Reassignment",
        (
            _choice("to_worker", "Reassign to", staff, "Only staff at the cases' sites can take them"),
            FieldSpec(
                "reason",
                "Reason",
                FieldKind.NOTES,
                FREE,
                required=True,
                max_length=MAX_REASON,
                help="Kept with each case's assignment history",
            ),
        ),
    )


def handover_entity(staff: CodeList) -> EntitySpec:
    """Whom the open cases of a disabled account go to (the reason is kept for them)."""
    return EntitySpec(
        "handover",
        "Handover",
        (_choice("to_worker", "Hand over to", staff, "Only staff admitted to the site can take its cases"),),
    )


def share_entity(staff: CodeList) -> EntitySpec:
    return EntitySpec(
        "case_share",
        "Sharing",
        (
            _choice(
                "colleague", "Share with", staff, "They can read and record on this case as well (cover during leave)"
            ),
        ),
    )


# --- a supervision note with its actions -----------------------------------------------------------


class ActionRow(QWidget):
    """One action: what, who and by when, on one line, and a button to take it out again."""

    def __init__(self, entity: EntitySpec, initial: Mapping[str, Raw], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("actionRow")
        self.fields = {name: FieldRow(entity[name]) for name in ("description", "owner", "due_on")}
        for name, row in self.fields.items():
            if name in initial:
                row.restore(initial[name])
        description = self.fields["description"].input
        if isinstance(description, QLineEdit):
            description.setPlaceholderText("What needs doing")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take this action out of the note")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        self.fields["owner"].input.setToolTip("Who does it")
        self.fields["due_on"].input.setToolTip("Due date (YYYY-MM-DD)")
        self.fields["due_on"].setFixedWidth(DUE_WIDTH)
        layout.addWidget(self.fields["description"], 2)
        layout.addWidget(self.fields["owner"], 1)
        layout.addWidget(self.fields["due_on"])
        layout.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)

    def value(self) -> ActionInput | None:
        """The action, or None when a field is wrong (the field says what)."""
        checked = {name: row.validate() for name, row in self.fields.items()}
        if not all(checked.values()):
            return None
        return ActionInput(
            self.fields["description"].value(), self.fields["owner"].value(), self.fields["due_on"].value()
        )

    def raw(self) -> dict[str, Raw]:
        return {name: row.raw() for name, row in self.fields.items()}


class ActionsEditor(QWidget):
    """The actions agreed in supervision: none to start with, "Add action" for each."""

    def __init__(
        self, entity: EntitySpec, defaults: Callable[[], Mapping[str, Raw]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("actionsEditor")
        self._entity = entity
        self._defaults = defaults
        self.rows: list[ActionRow] = []
        title = QLabel("Actions")
        title.setObjectName("formSection")
        self.add_button = QPushButton("Add action")
        self.add_button.setToolTip("An action with an owner and a due date")
        self.empty = QLabel("No actions. Add one for each thing agreed, with who does it and by when.")
        self.empty.setObjectName("secondaryText")
        self.empty.setWordWrap(True)
        self.list_layout = QVBoxLayout()
        self.list_layout.setSpacing(6)
        head = QHBoxLayout()
        head.addWidget(title, 1)
        head.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(head)
        layout.addWidget(self.empty)
        layout.addLayout(self.list_layout)
        self.add_button.clicked.connect(lambda: self.add_action())

    def add_action(self, initial: Mapping[str, Raw] | None = None) -> ActionRow:
        row = ActionRow(self._entity, {**self._defaults(), **(initial or {})})
        row.remove_button.clicked.connect(lambda: self.remove_action(row))
        self.rows.append(row)
        self.list_layout.addWidget(row)
        self.empty.setVisible(False)
        row.fields["description"].setFocus(Qt.FocusReason.OtherFocusReason)
        return row

    def remove_action(self, row: ActionRow) -> None:
        self.rows.remove(row)
        self.list_layout.removeWidget(row)
        row.deleteLater()
        self.empty.setVisible(not self.rows)

    def values(self) -> list[ActionInput] | None:
        """Every action, or None when any is wrong (each wrong field says what)."""
        found = [row.value() for row in self.rows]
        if any(action is None for action in found):
            return None
        return [action for action in found if action is not None]

    def raw(self) -> list[dict[str, Raw]]:
        return [row.raw() for row in self.rows]


SaveNote = Callable[[dt.date, str | None, str | None, Sequence[ActionInput]], object]


class SupervisionNoteDialog(RecordDialog):
    """The note's date, discussion and decisions, then its actions (each owned and dated)."""

    def __init__(
        self,
        *,
        heading: str,
        staff: CodeList,
        default_owner: str | None,
        today: dt.date,
        save: SaveNote,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            entity=NOTE,
            names=("held_on", "discussion", "decisions"),
            title="Supervision note",
            heading=heading,
            intro="Record the discussion and the decisions. Every action gets an "
            "owner and a due date, and shows on the case until it is done.",
            submit_label="Save note",
            save=self._run,
            background=background,
            prompts=prompts,
            initial={"held_on": today.isoformat()},
            first_field="discussion",
            changes=Changes(supervision=True),
            parent=parent,
        )
        self._save_note = save
        self._actions: list[ActionInput] = []
        self.setMinimumWidth(720)
        due = (today + dt.timedelta(days=ACTION_DUE_DAYS)).isoformat()
        owner = default_owner if default_owner in staff else ""
        self.action_editor = ActionsEditor(action_entity(staff), lambda: {"owner": owner or "", "due_on": due})
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.indexOf(self.error), self.action_editor)

    def _run(self, values: dict[str, Any]) -> object:
        """On the background queue, with the actions taken from the form before it started."""
        return self._save_note(values["held_on"], values.get("discussion"), values.get("decisions"), self._actions)

    def start_save(self) -> None:
        if self.busy.active:
            return
        actions = self.action_editor.values()
        if actions is None:
            self.form.values()  # the note's own fields say what is wrong with them, too
            self.error.show_message("Put right the fields marked in red.")
            return
        self._actions = list(actions)
        super().start_save()
        self.action_editor.setEnabled(not self.busy.active)  # like the form, while the note saves

    def _failed(self, error: BaseException) -> None:
        super()._failed(error)
        self.action_editor.setEnabled(True)

    @property
    def edited(self) -> bool:
        return super().edited or bool(self.action_editor.rows)
