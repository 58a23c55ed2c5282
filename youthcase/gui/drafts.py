"""Encrypted autosave of an unsaved form (``DraftService`` on the background queue).

While a form is dirty its values are saved every few seconds, and once more right before the
vault locks (as an essential task, queued ahead of the lock itself). Submitting or discarding the
form removes the draft. A draft left behind by a lock or a crash is offered on the caseload page
after the next unlock.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from youthcase.gui.background import Background
from youthcase.services.drafts import DraftService
from youthcase.services.vault import UnlockedVault

NEW_CASE_FORM = "new_case"
NEW_CONTACT_FORM = "new_contact"
AUTOSAVE_INTERVAL_MS = 4_000


class DraftKeeper(QObject):
    """Keeps one form's draft: ``mark_dirty()`` on every change; the rest happens by itself."""

    def __init__(
        self,
        vault: UnlockedVault,
        background: Background,
        form: str,
        subject_id: uuid.UUID | None,
        values: Callable[[], dict[str, Any]],
        parent: QObject | None = None,
        interval_ms: int = AUTOSAVE_INTERVAL_MS,
    ) -> None:
        super().__init__(parent)
        self._vault: UnlockedVault | None = vault
        self._background = background
        self.form = form
        self.subject_id = subject_id
        self._values = values
        self.dirty = False
        self.saves = 0  # drafts written (tests and the status line read it)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.save_if_dirty)
        self._timer.start()

    def mark_dirty(self) -> None:
        self.dirty = True

    def save_if_dirty(self) -> None:
        if self.dirty:
            self.save_now()

    def save_now(self, essential: bool = False) -> None:
        """Queue a save of the form as it is now. ``essential`` saves survive the lock's purge
        of the queue and run before the lock drops the keys."""
        vault = self._vault
        if vault is None or vault.is_locked:
            return
        values, form, subject = self._values(), self.form, self.subject_id
        self.dirty = False

        def save() -> None:
            DraftService(vault).save(form, values, subject)

        self._background.run(save, name=f"save draft {form}", essential=essential, on_returned=self._saved)

    def _saved(self, _result: object) -> None:
        self.saves += 1

    def discard(self) -> None:
        """The form was submitted or thrown away: remove its draft and stop saving."""
        vault = self._vault
        self.stop()
        if vault is None or vault.is_locked:
            return
        form, subject = self.form, self.subject_id
        self._background.run(lambda: DraftService(vault).discard(form, subject), name=f"discard draft {form}")

    def stop(self) -> None:
        """Stop saving (the vault locked and the form closed; its draft stays for next time)."""
        self._timer.stop()
        self._vault = None

    @property
    def active(self) -> bool:
        return self._vault is not None


def discard_draft(vault: UnlockedVault, form: str, subject_id: uuid.UUID | None) -> None:
    DraftService(vault).discard(form, subject_id)
