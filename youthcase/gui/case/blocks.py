"""The pieces every case tab is built from: a record shown read-only from the data dictionary, a
tab's padded body, a heading with its buttons, a scrolled panel and a record table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.dictionary import EntitySpec
from youthcase.gui.pages import section_title
from youthcase.gui.tables import table_view
from youthcase.gui.values import display, initials

NAME_FIELDS = frozenset({"given_name", "family_name", "preferred_name"})  # hidden as initials
IDENTIFIER_FIELDS = frozenset({"date_of_birth", "nhs_number", "address", "postcode", "phone"})  # hidden entirely
HIDDEN_TEXT = "hidden"


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
            caption.setTextFormat(Qt.TextFormat.PlainText)
            caption.setObjectName("sheetLabel")
            value = QLabel()
            value.setObjectName(f"value_{name}")
            value.setAccessibleName(entity[name].label)  # read out with what it is
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            layout.addRow(caption, value)
            self.values[name] = value

    def show_values(self, values: Mapping[str, Any] | None, hide_names: bool = False) -> None:
        for name, label in self.values.items():
            value = None if values is None else values.get(name)
            if hide_names and name in NAME_FIELDS and value:
                text = initials(str(value))
            elif hide_names and name in IDENTIFIER_FIELDS and value:
                text = HIDDEN_TEXT
            else:
                text = display(self.entity[name], value)
            label.setText(text or "—")
            label.setProperty("empty", not text)

    def clear(self) -> None:
        self.show_values(None)


def set_tone(widget: QWidget, tone: str) -> None:
    """The stylesheet's colour for a label (good, warning, problem, muted, hint), applied now."""
    widget.setProperty("tone", tone)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def scrolled(widget: QWidget) -> QScrollArea:
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(widget)
    return scroll


class ScrolledTab(QScrollArea):
    """A tab whose padded column scrolls (``self.column``) when the window is short."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        self.column = tab_layout(body)
        self.setWidget(body)


def tab_layout(body: QWidget) -> QVBoxLayout:
    """A tab's padded column (the body is named for the stylesheet)."""
    body.setObjectName("tabBody")
    layout = QVBoxLayout(body)
    layout.setContentsMargins(20, 16, 20, 16)
    layout.setSpacing(10)
    return layout


def heading_row(title: str, *buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(section_title(title))
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def notes_panel() -> QLabel:
    """Free text under a table: the selected record's notes, wrapped and selectable."""
    label = QLabel()
    label.setObjectName("notesPanel")
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def secondary(text: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    label.setObjectName("secondaryText")
    label.setWordWrap(wrap)
    return label


def record_table(model: QAbstractItemModel, name: str, sort_column: int | None = 0) -> QTableView:
    """The case view's record tables: newest first unless they keep their own order."""
    return table_view(model, name, sort_column=sort_column, descending=True)


__all__ = [
    "RecordSheet",
    "ScrolledTab",
    "heading_row",
    "notes_panel",
    "record_table",
    "scrolled",
    "secondary",
    "set_tone",
    "tab_layout",
]
