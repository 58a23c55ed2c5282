"""Copying sensitive text, then taking it back off the clipboard after 30 seconds.

Only if the clipboard still holds our text: whatever the user copied since is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication

CLEAR_AFTER_MS = 30_000


def copy_for_a_while(text: str, clear_after_ms: int = CLEAR_AFTER_MS) -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(text)

    def clear_if_still_ours() -> None:
        if clipboard.text() == text:
            clipboard.clear()

    QTimer.singleShot(clear_after_ms, clipboard, clear_if_still_ours)
