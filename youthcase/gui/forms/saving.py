"""The behaviour the small account and site forms share: save on the background queue, stay busy
while saving, show the service's message inline on failure, and never close mid-save."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog

from youthcase.gui.background import Background
from youthcase.gui.busy import Busy
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError


class SavingDialog(QDialog):
    """Subclasses create ``self.busy`` and ``self.error`` and say when the form may be submitted
    (``_judge``)."""

    busy: Busy
    error: InlineError
    _background: Background

    def _save_in_background(self, work: Callable[[], object], name: str, changes: Changes | None = None) -> None:
        self.error.clear()
        self.busy.start()
        self._background.run(work, name=name, on_returned=self._saved, on_errored=self._failed, changes=changes)

    def _saved(self, _result: object) -> None:
        self.busy.stop()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        self.error.show_message(user_message(error))
        self._judge()

    def _judge(self) -> None:
        """Enable or disable submitting from the current input."""

    def reject(self) -> None:
        if not self.busy.active:  # the record is being written: let it finish
            super().reject()
