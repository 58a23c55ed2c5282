"""Where a page shows a case: the page's own panels in a stack, and the case view on top of them
once a case is opened. The caseload and the supervision page each have one.

``open_case`` loads the case on the background queue (the page says which busy bar and error line
to use) and shows it, at its first tab or the one asked for; Back (the button, Esc, Alt+Left)
returns to the panel the case was opened from and forgets the case. The case view is made the
first time a case opens, so unlocking does not pay for it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStackedWidget, QWidget

from youthcase.gui.background import Background
from youthcase.gui.case.view import CaseView, load_detail
from youthcase.gui.errors import user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.prompts import Prompts
from youthcase.services.cases import CaseDetail
from youthcase.services.vault import UnlockedVault

TabChoice = Callable[[CaseView], QWidget | None]  # which tab, e.g. ``lambda view: view.referrals_tab``


class CaseHost(QStackedWidget):
    opened = Signal(object)  # case id, once its detail shows
    closed = Signal(object)  # the case id Back left (the panel it was opened from shows again)

    def __init__(
        self,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        *,
        back_text: str,
        back_tip: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self._back = (back_text, back_tip)
        self._view: CaseView | None = None
        self._came_from: QWidget | None = None
        self.hide_names = False
        self.site_names: dict[str, str] = {}

    @property
    def view(self) -> CaseView:
        """The case view, made the first time it is needed."""
        if self._view is None:
            vault = self._vault
            assert vault is not None, "no case view once the vault has locked"
            view = CaseView(vault, self._background, self._prompts)
            view.back_button.setText(self._back[0])
            view.back_button.setToolTip(self._back[1])
            view.back_requested.connect(self.back)
            self.addWidget(view)
            self._view = view
        return self._view

    @property
    def showing_case(self) -> bool:
        return self._view is not None and self.currentWidget() is self._view

    def open_case(self, case_id: uuid.UUID, *, busy: QWidget, error: InlineError, at: TabChoice | None = None) -> None:
        """Load the case and show it; or say why not in ``error`` (and show no case)."""
        vault = self._vault
        if vault is None:
            return
        busy.setVisible(True)
        error.clear()

        def shown(detail: CaseDetail) -> None:
            busy.setVisible(False)
            self.present(detail, at)

        def failed(problem: BaseException) -> None:
            busy.setVisible(False)
            if self.showing_case:
                self.back()
            elif self._view is not None:
                self._view.clear_detail()
            error.show_message(user_message(problem))

        self._background.run(
            lambda: load_detail(vault, case_id), name="open case", on_returned=shown, on_errored=failed
        )

    def present(self, detail: CaseDetail, at: TabChoice | None = None) -> CaseView:
        """Show a case already loaded (a new case, a restored draft's case)."""
        view = self.view
        if not self.showing_case:
            self._came_from = self.currentWidget()
        view.site_names = self.site_names
        view.set_hide_names(self.hide_names)
        view.show_detail(detail)
        tab = at(view) if at is not None else None
        if tab is None:
            view.tabs.setCurrentIndex(0)
        else:
            view.tabs.setCurrentWidget(tab)
        self.setCurrentWidget(view)
        view.tabs.setFocus(Qt.FocusReason.OtherFocusReason)
        self.opened.emit(detail.case_id)
        return view

    def place(self) -> tuple[uuid.UUID, int] | None:
        """The case on screen and the index of its tab (a lock remembers it), or None."""
        if not self.showing_case or self._view is None or self._view.case_id is None:
            return None
        return self._view.case_id, self._view.tabs.currentIndex()

    def back(self) -> None:
        """To the panel the case was opened from; the case is forgotten."""
        if not self.showing_case or self._view is None:
            return
        case_id = self._view.case_id
        self.setCurrentIndex(self.indexOf(self._came_from) if self._came_from is not None else 0)
        self._view.clear_detail()
        self.closed.emit(case_id)

    def set_hide_names(self, hide: bool) -> None:
        self.hide_names = hide
        if self._view is not None:
            self._view.set_hide_names(hide)

    def save_drafts_now(self) -> None:
        if self._view is not None:
            self._view.save_drafts_now()

    def clear(self) -> None:
        """The vault locked: the case view forgets its case and the first panel shows."""
        if self._view is not None:
            self._view.clear()
        self.setCurrentIndex(0)
        self._came_from = None
        self._vault = None


__all__ = ["CaseHost", "TabChoice"]
