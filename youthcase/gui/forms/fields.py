"""Form fields built from the data dictionary: one editor per ``FieldKind``, checked by the field's
own ``parse``/``check``, so forms, the CSV import and the services share one definition.

A ``FieldRow`` is the input and, under it, a line that shows the field's help (grey) or what is
wrong (red). A field is checked when the user leaves it, and again on every change once it has
shown a problem, so the message goes away as soon as the value is right. ``raw()``/``restore()``
give the typed text (or the ticked codes) for encrypted drafts.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.codes import Code
from youthcase.domain.dictionary import EntitySpec, FieldKind, FieldSpec
from youthcase.domain.records import Problem
from youthcase.domain.validation import FieldError
from youthcase.gui.errors import sentence

Raw = str | list[str]  # what a field holds as typed: text, or the codes ticked
PLACEHOLDERS = {
    FieldKind.DATE: "YYYY-MM-DD",
    FieldKind.INSTANT: "YYYY-MM-DD HH:MM",
    FieldKind.NHS_NUMBER: "10 digits, such as 943 476 5919",
    FieldKind.POSTCODE: "such as SE15 4QL",
}
CODES_COLUMNS = 2
CLOSEST_SHOWN = 3  # matches named in a choice field's message
NOTES_HEIGHT = 64


def _polish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FieldRow(QWidget):
    """One dictionary field: its editor and a message line under it."""

    changed = Signal()  # the user changed the value
    left = Signal()  # focus went to another field after the value was checked

    def __init__(self, spec: FieldSpec, choices: Sequence[Code] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(f"field_{spec.name}")
        self._has_problem = False
        self._loading = False
        self.input = self._make_input(choices)
        self.input.setObjectName(spec.name)
        self.input.setToolTip(spec.help or "")
        self.message = QLabel(spec.help)
        self.message.setObjectName("fieldHelp")
        self.message.setWordWrap(True)
        self.message.setVisible(bool(spec.help))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.input)
        layout.addWidget(self.message)
        self.setFocusProxy(self.input)
        for watched in self._focus_widgets():
            watched.installEventFilter(self)

    # --- building ----------------------------------------------------------------------------

    def _make_input(self, choices: Sequence[Code] | None) -> QWidget:
        kind = self.spec.kind
        if kind in (FieldKind.CODE, FieldKind.SITE):
            return self._code_box(choices if choices is not None else self._codes())
        if kind is FieldKind.BOOLEAN:
            box = QComboBox()
            if not self.spec.required:
                box.addItem("", "")
            box.addItem("Yes", "yes")
            box.addItem("No", "no")
            box.setCurrentIndex(0)
            box.currentIndexChanged.connect(self._edited)
            return box
        if kind is FieldKind.CODES:
            return self._code_ticks(self._codes())
        if kind is FieldKind.NOTES:
            notes = QPlainTextEdit()
            notes.setTabChangesFocus(True)
            notes.setFixedHeight(NOTES_HEIGHT)
            notes.textChanged.connect(self._edited)
            return notes
        line = QLineEdit()
        line.setPlaceholderText(PLACEHOLDERS.get(kind, ""))
        line.setMaxLength(max(self.spec.max_length, 32))
        line.textEdited.connect(self._edited)
        return line

    def _codes(self) -> Sequence[Code]:
        return tuple(self.spec.code_list) if self.spec.code_list is not None else ()

    def _code_box(self, choices: Sequence[Code]) -> QComboBox:
        """Type a few letters of the label (or the code) and pick, or just leave the field: a code,
        a label, or text only one label begins with (or, failing that, contains), any case, is
        taken as that choice and shown by its label (``settle_choice``)."""
        box = QComboBox()
        box.setEditable(True)
        box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for code in choices:
            box.addItem(code.label, code.code)
        # Inline: the rest of the first label that starts so is filled in as you type, and Tab
        # moves on at once (a popup list would take the Tab and the focus); F4 shows every choice.
        completer = QCompleter(box.model(), box)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchStartsWith)
        completer.setCompletionMode(QCompleter.CompletionMode.InlineCompletion)
        box.setCompleter(completer)
        box.setCurrentIndex(-1)
        line = box.lineEdit()
        assert line is not None
        line.setPlaceholderText("type to choose")
        line.textEdited.connect(self._edited)
        box.activated.connect(self._edited)
        return box

    def _code_ticks(self, choices: Sequence[Code]) -> QWidget:
        holder = QWidget()
        holder.setObjectName("codeTicks")
        grid = QGridLayout(holder)
        grid.setContentsMargins(0, 2, 0, 2)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(4)
        self._ticks: dict[str, QCheckBox] = {}
        rows = (len(choices) + CODES_COLUMNS - 1) // CODES_COLUMNS
        for position, code in enumerate(choices):
            tick = QCheckBox(code.label)
            tick.setObjectName(f"{self.spec.name}_{code.code}")
            tick.toggled.connect(self._edited)
            self._ticks[code.code] = tick
            grid.addWidget(tick, position % rows, position // rows)  # down the columns
        if choices:
            holder.setFocusProxy(self._ticks[choices[0].code])
        return holder

    def _focus_widgets(self) -> Iterable[QWidget]:
        if self.spec.kind is FieldKind.CODES:
            return self._ticks.values()
        return (self.input,)

    # --- values ------------------------------------------------------------------------------

    def raw(self) -> Raw:
        kind, widget = self.spec.kind, self.input
        if kind is FieldKind.CODES:
            return [code for code, tick in self._ticks.items() if tick.isChecked()]
        if isinstance(widget, QComboBox):
            if kind is FieldKind.BOOLEAN:
                return str(widget.currentData() or "")
            return self._combo_text(widget)
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        assert isinstance(widget, QLineEdit)
        return widget.text()

    @staticmethod
    def _combo_text(box: QComboBox) -> str:
        """The chosen code when the text is exactly an item's label, else the text as typed."""
        text = box.currentText()
        index = box.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0 and text.strip():
            return str(box.itemData(index))
        return text

    def restore(self, raw: Raw | None) -> None:
        """Put a value back (a default, a draft, the record being edited) without judging it."""
        self._loading = True
        try:
            self._set(raw)
        finally:
            self._loading = False
        self.clear_problem()

    def _set(self, raw: Raw | None) -> None:
        kind, widget = self.spec.kind, self.input
        if kind is FieldKind.CODES:
            chosen = set(raw or ())
            for code, tick in self._ticks.items():
                tick.setChecked(code in chosen)
            return
        text = raw if isinstance(raw, str) else ""
        if isinstance(widget, QComboBox):
            index = widget.findData(text) if text else (-1 if widget.isEditable() else 0)
            if index < 0 and text and self.spec.code_list is not None:
                found = self.spec.code_list.lookup(text)
                index = widget.findData(found) if found else -1
            widget.setCurrentIndex(index)
            if index < 0 and widget.isEditable():
                widget.setEditText(text)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        else:
            assert isinstance(widget, QLineEdit)
            widget.setText(text)

    @property
    def _choice_box(self) -> QComboBox | None:
        box = self.input
        return box if isinstance(box, QComboBox) and box.isEditable() else None

    def _matches(self, typed: str) -> list[int]:
        """The items ``typed`` stands for: an exact code or label; else the labels it begins; else
        the labels that contain it (any case)."""
        box = self._choice_box
        wanted = typed.strip().casefold()
        if box is None or not wanted:
            return []
        items = [(i, str(box.itemData(i)).casefold(), box.itemText(i).casefold()) for i in range(box.count())]
        for test in (
            lambda code, label: wanted in (code, label),
            lambda code, label: label.startswith(wanted),
            lambda code, label: wanted in label,
        ):
            found = [i for i, code, label in items if test(code, label)]
            if found:
                return found
        return []

    def settle_choice(self) -> None:
        """Show what was typed as the one choice it stands for (by its label); else leave it."""
        box = self._choice_box
        if box is None:
            return
        typed = box.currentText()
        found = self._matches(typed)
        if len(found) == 1 and (box.currentIndex() != found[0] or box.itemText(found[0]) != typed):
            box.setCurrentIndex(found[0])
            self._edited()

    def _choice_problem(self) -> str | None:
        """One short line with the closest choices, instead of the list of every code."""
        box = self._choice_box
        typed = box.currentText().strip() if box is not None else ""
        if box is None or not typed or len(self._matches(typed)) == 1:
            return None
        labels = [box.itemText(i) for i in range(box.count())]
        several = [labels[i] for i in self._matches(typed)]
        if several:
            more = len(several) - CLOSEST_SHOWN
            shown = ", ".join(several[:CLOSEST_SHOWN]) + (f" and {more} more" if more > 0 else "")
            return f"Several choices match '{typed}': {shown}. Type more of the one you mean"
        closest = difflib.get_close_matches(typed, labels, n=CLOSEST_SHOWN, cutoff=0.4)
        if closest:
            return f"'{typed}' is not one of the choices. Did you mean {' or '.join(closest)}?"
        return f"'{typed}' is not one of the choices: type part of a name and pick from the list"

    def value(self) -> Any:
        """The typed value, or ``FieldError`` saying what to fix."""
        self.settle_choice()
        problem = self._choice_problem()
        if problem is not None:
            raise FieldError(problem)
        raw = self.raw()
        if isinstance(raw, list):
            return self.spec.check(tuple(raw))
        return self.spec.parse(raw)

    def is_empty(self) -> bool:
        raw = self.raw()
        return not raw if isinstance(raw, list) else not raw.strip()

    # --- judging -----------------------------------------------------------------------------

    def validate(self) -> bool:
        try:
            self.value()
        except FieldError as error:
            self.show_problem(str(error))
            return False
        self.clear_problem()
        return True

    def show_problem(self, message: str) -> None:
        self._has_problem = True
        self.message.setText(sentence(message))
        self.message.setObjectName("fieldError")
        self.message.setVisible(True)
        self.input.setProperty("invalid", True)
        _polish(self.message)
        _polish(self.input)

    def clear_problem(self) -> None:
        if not self._has_problem and self.message.objectName() == "fieldHelp":
            return
        self._has_problem = False
        self.message.setText(self.spec.help)
        self.message.setObjectName("fieldHelp")
        self.message.setVisible(bool(self.spec.help))
        self.input.setProperty("invalid", False)
        _polish(self.message)
        _polish(self.input)

    @property
    def has_problem(self) -> bool:
        return self._has_problem

    def _edited(self, *_args: object) -> None:
        if self._loading:
            return
        if self._has_problem:
            self.validate()  # as you type, once a problem shows: it clears when put right
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.FocusOut and not self._loading:
            reason = getattr(event, "reason", lambda: None)()
            if reason != Qt.FocusReason.PopupFocusReason and not self._focus_inside():
                self.settle_choice()
                if not self.is_empty() or self._has_problem:
                    self.validate()
                self.left.emit()
        return False

    def _focus_inside(self) -> bool:
        focused = self.window().focusWidget() if self.window() is not None else None
        return focused is not None and self.isAncestorOf(focused) and focused is not self.input


class DictionaryForm(QWidget):
    """Rows for some fields of one entity, in the order given, laid out as a form."""

    changed = Signal()

    def __init__(
        self,
        entity: EntitySpec,
        names: Sequence[str],
        choices: Mapping[str, Sequence[Code]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.entity = entity
        self.setObjectName(f"form_{entity.name}")
        self.rows: dict[str, FieldRow] = {}
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setHorizontalSpacing(16)
        self.layout_.setVerticalSpacing(8)
        self.layout_.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.layout_.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        for name in names:
            spec = entity[name]
            row = FieldRow(spec, (choices or {}).get(name))
            # "&" doubled: a label with a buddy reads a single "&" as an Alt shortcut ("A&E").
            label = QLabel(spec.label.replace("&", "&&") + (" *" if spec.required else ""))
            label.setObjectName("fieldLabel")
            label.setBuddy(row.input)
            row.input.setAccessibleName(spec.label + (" (required)" if spec.required else ""))
            self.layout_.addRow(label, row)
            row.changed.connect(self.changed)
            self.rows[name] = row

    def __getitem__(self, name: str) -> FieldRow:
        return self.rows[name]

    def values(self) -> tuple[dict[str, Any], list[Problem]]:
        """Every field's value; each problem is also shown on its field."""
        values: dict[str, Any] = {}
        problems = []
        for name, row in self.rows.items():
            try:
                values[name] = row.value()
            except FieldError as error:
                row.show_problem(str(error))
                problems.append(Problem(self.entity.name, name, str(error)))
            else:
                row.clear_problem()
        return values, problems

    def raw(self) -> dict[str, Raw]:
        return {name: row.raw() for name, row in self.rows.items()}

    def restore(self, raw: Mapping[str, Any]) -> None:
        for name, row in self.rows.items():
            if name in raw:
                value = raw[name]
                row.restore(list(value) if isinstance(value, list | tuple) else value)

    def show_problem(self, problem: Problem) -> bool:
        """Show a problem the service found on its field; False when this form has no such field."""
        row = self.rows.get(problem.field)
        if row is None:
            return False
        row.show_problem(problem.message)
        return True

    def clear_problems(self) -> None:
        for row in self.rows.values():
            row.clear_problem()

    def first_problem(self) -> FieldRow | None:
        return next((row for row in self.rows.values() if row.has_problem), None)

    def set_editable(self, editable: bool, keep: Iterable[str] = ()) -> None:
        kept = set(keep)
        for name, row in self.rows.items():
            if name not in kept:
                row.setEnabled(editable)
