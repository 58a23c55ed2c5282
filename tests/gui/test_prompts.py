"""The real message boxes behind ``Prompts``, driven the way a user would answer them."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from youthcase.gui.prompts import Prompts

pytestmark = pytest.mark.gui


def _answer_with(button_text: str) -> list[str]:
    """Click a button of the next message box as soon as it is shown; returns what was clicked."""
    clicked: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        for button in box.buttons():
            if button.text().replace("&", "") == button_text:
                clicked.append(button_text)
                button.click()
                return
        box.reject()

    QTimer.singleShot(0, click)
    return clicked


@pytest.mark.parametrize(("answer", "expected"), [("Disable account", True), ("Cancel", False)])
def test_confirm_returns_true_only_for_the_action(qtbot, answer: str, expected: bool) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    clicked = _answer_with(answer)
    assert Prompts().confirm(parent, "Disable account", "Disable wendy?", "Disable account") is expected
    assert clicked == [answer]
