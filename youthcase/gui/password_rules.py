"""Inline feedback on a new password, from the same rules the service enforces."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from youthcase.gui.errors import user_message
from youthcase.services.errors import InvalidInput


def password_problem(password: str, confirmation: str, username: str) -> str | None:
    """What is wrong with this new password and its confirmation, or None when it will do."""
    # Imported here: youthcase.services.vault pulls in SQLAlchemy, which must not slow start-up.
    from youthcase.services.vault import check_new_password

    try:
        check_new_password(password, username)
    except InvalidInput as error:
        return user_message(error)
    if confirmation != password:
        return "The two passwords do not match."
    return None


class PasswordVerdict(QLabel):
    """One line under the password fields: what to change, or that the password is fine."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passwordVerdict")
        self.setWordWrap(True)
        self.acceptable = False
        self.judge("", "", "")

    def judge(self, password: str, confirmation: str, username: str) -> bool:
        if not password:
            self.acceptable = False
            self._show("At least 12 characters. A few unrelated words together work well.", "hint")
            return False
        problem = password_problem(password, confirmation, username)
        self.acceptable = problem is None
        if problem is None:
            self._show("This password meets the rules.", "good")
        elif not confirmation and problem.startswith("The two passwords"):
            self._show("Now type the same password again to confirm it.", "hint")
        else:
            self._show(problem, "problem")
        return self.acceptable

    def _show(self, text: str, tone: str) -> None:
        self.setText(text)
        self.setProperty("tone", tone)
        self.style().unpolish(self)
        self.style().polish(self)
