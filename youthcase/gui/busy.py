"""The busy indicator: an indeterminate bar shown, and inputs disabled, while a task runs."""

from __future__ import annotations

from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressBar, QWidget


def busy_bar(parent: QWidget | None = None) -> QProgressBar:
    bar = QProgressBar(parent)
    bar.setObjectName("busyBar")
    bar.setRange(0, 0)  # indeterminate
    bar.setTextVisible(False)
    bar.setFixedHeight(6)
    bar.setVisible(False)
    return bar


class Busy:
    """Switches a form between 'waiting for the background' and 'ready for input'."""

    def __init__(self, bar: QProgressBar, inputs: Iterable[QWidget]) -> None:
        self.bar = bar
        self._inputs = list(inputs)
        self.active = False
        self._focus: QWidget | None = None  # where the focus was: disabling moves it to the next button

    def start(self) -> None:
        self.active = True
        self.bar.setVisible(True)
        self._focus = QApplication.focusWidget()
        for widget in self._inputs:
            widget.setEnabled(False)

    def stop(self) -> None:
        self.active = False
        self.bar.setVisible(False)
        for widget in self._inputs:
            widget.setEnabled(True)
        focus, self._focus = self._focus, None
        if focus is not None and shiboken6.isValid(focus) and focus.isVisible() and focus.isEnabled():
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
