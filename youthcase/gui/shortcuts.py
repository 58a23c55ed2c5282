"""Every keyboard shortcut of the main window, in one list: the menus show them, Help > Keyboard
shortcuts (F1) lists them, and the pages bind theirs from the same constants.

Light on purpose (no services): the shell imports it on the start-up path.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

LOCK = "Ctrl+L"
HIDE_NAMES = "Ctrl+Shift+H"
HELP = "F1"
NEW_CASE = "Ctrl+N"
NEW_CONTACT = "Ctrl+Shift+N"
SEARCH = "Ctrl+F"
REFRESH = "F5"
BACK = "Esc"
SAVE = "Ctrl+Enter"
NEXT_TAB = "Ctrl+Tab"
PREVIOUS_TAB = "Ctrl+Shift+Tab"
SECTION = "Ctrl+{}"  # Ctrl+1 for the first section in the navigation, and so on

SHORTCUTS: tuple[tuple[str, str], ...] = (
    (LOCK, "Lock youthcase now (from any window, a form included)"),
    (HIDE_NAMES, "Hide names and identifiers, or show them again"),
    (SECTION.format("1-5"), "Go to a section, in the order of the list on the left"),
    (NEW_CASE, "New case (Caseload)"),
    (SEARCH, "Search the caseload"),
    (REFRESH, "Load the page again"),
    (NEW_CONTACT, "New contact (an open case, any tab)"),
    (NEXT_TAB, "Next tab of a case"),
    (PREVIOUS_TAB, "Previous tab of a case"),
    (f"{BACK} or Alt+Left", "Back from a case to the list"),
    (SAVE, "Save the form (Esc cancels it)"),
    ("Tab / Shift+Tab", "Next / previous field, top to bottom and left to right"),
    (HELP, "This list"),
)


class ShortcutsDialog(QDialog):
    """Help > Keyboard shortcuts: the list above, read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        heading = QLabel("Keyboard shortcuts")
        heading.setObjectName("dialogHeading")
        self.table = QTableWidget(len(SHORTCUTS), 2)
        self.table.setObjectName("shortcutTable")
        self.table.setAccessibleName("Keyboard shortcuts")
        self.table.setHorizontalHeaderLabels(["Keys", "What they do"])
        self.table.horizontalHeader().setAccessibleName("Keyboard shortcuts columns")
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setShowGrid(False)
        for row, (keys, what) in enumerate(SHORTCUTS):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(620, 460)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
