"""Supervision as tables: the notes of one case, their actions, and the closures waiting for a
supervisor. A handful of rows each: a reset per load."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from youthcase.domain import dictionary as dd
from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.values import code_label, day_text, instant_text

if TYPE_CHECKING:
    from youthcase.services.supervision import ActionView, ClosureRequestView, NoteView

OVERDUE_COLOUR = "#b42318"
DONE_COLOUR = "#7b8794"


def first_line(text: str | None, limit: int = 80) -> str:
    """A long note as one line of a table cell; the panel under the table shows all of it."""
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _actions_summary(note: NoteView) -> str:
    if not note.actions:
        return "None"
    done = sum(1 for action in note.actions if action.done_on is not None)
    still = len(note.actions) - done
    parts = [f"{still} open"] if still else []
    if done:
        parts.append(f"{done} done")
    return ", ".join(parts)


class NoteTableModel(TableModel["NoteView"]):
    HELD_ON, SUPERVISOR, DISCUSSION, DECISIONS, ACTIONS = range(5)
    columns = (
        Column("Held on", lambda n: day_text(n.held_on), lambda n: n.held_on.toordinal()),
        Column("Supervisor", lambda n: n.supervisor, lambda n: n.supervisor),
        Column("Discussion", lambda n: first_line(n.discussion), lambda n: n.discussion or ""),
        Column("Decisions", lambda n: first_line(n.decisions), lambda n: n.decisions or ""),
        Column("Actions", _actions_summary, lambda n: len(n.actions)),
    )


def action_state(action: ActionView) -> str:
    if action.done_on is not None:
        return f"Done {day_text(action.done_on)}"
    return "Overdue" if action.overdue else "Open"


@dataclass(frozen=True)
class CaseAction:
    """An action with the date of the supervision it came from."""

    action: ActionView
    held_on: dt.date


class ActionTableModel(TableModel[CaseAction]):
    DESCRIPTION, OWNER, DUE, STATE, FROM = range(5)
    columns = (
        Column("Action", lambda a: a.action.description, lambda a: a.action.description.casefold()),
        Column("Owner", lambda a: a.action.owner, lambda a: a.action.owner),
        Column("Due", lambda a: day_text(a.action.due_on), lambda a: a.action.due_on.toordinal()),
        Column(
            "State", lambda a: action_state(a.action), lambda a: (a.action.done_on is not None, not a.action.overdue)
        ),
        Column("From supervision on", lambda a: day_text(a.held_on), lambda a: a.held_on.toordinal()),
    )

    def set_notes(self, notes: Sequence[NoteView]) -> None:
        """Every action of the case: open ones first (soonest due), then the done ones."""
        actions = [CaseAction(action, note.held_on) for note in notes for action in note.actions]
        actions.sort(key=lambda a: (a.action.done_on is not None, a.action.due_on))
        self.set_rows(actions)

    def other_role(self, item: CaseAction, column: int, role: int) -> Any:
        action = item.action
        if role == Qt.ItemDataRole.ForegroundRole:
            if action.done_on is not None:
                return QColor(DONE_COLOUR)
            if action.overdue and column in (self.DUE, self.STATE):
                return QColor(OVERDUE_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and column == self.DESCRIPTION:
            return action.description
        return None


class ClosureTableModel(TableModel["ClosureRequestView"]):
    REFERENCE, REQUESTED_BY, REQUESTED_AT, REASON, NOTE = range(5)
    columns = (
        Column("Case", lambda r: r.case_reference, lambda r: r.case_reference),
        Column("Asked for by", lambda r: r.requested_by, lambda r: r.requested_by),
        Column("Asked on", lambda r: instant_text(r.requested_at), lambda r: r.requested_at.timestamp()),
        Column("Reason", lambda r: code_label(dd.CASE["closure_reason"], r.reason), lambda r: r.reason),
        Column("Worker's note", lambda r: first_line(r.note), lambda r: r.note or ""),
    )

    def other_role(self, item: ClosureRequestView, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == self.NOTE and item.note:
            return item.note
        return None
