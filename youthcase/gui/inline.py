"""A line under a form that says what went wrong; hidden while nothing has."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget


class InlineError(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inlineError")
        self.setWordWrap(True)
        self.setVisible(False)

    def show_message(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        self.show_message("")
