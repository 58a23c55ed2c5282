"""One case: a header (reference, name or initials, age, site, worker, status, engagement, risk)
over a tab per part of the record, each a module of this package.

The detail is loaded by the case host (``load_detail`` on the background queue) and handed in with
``show_detail``; every tab's form saves on the background queue and announces what it changed, and
the view then loads the case again (on screen now, else when it next shows), whichever screen the
change came from. ``clear()`` forgets the case and drops the session (locking calls it).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from youthcase.domain import dictionary as dd
from youthcase.domain.caseload_rules import age_in_years
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.case.blocks import set_tone
from youthcase.gui.case.contacts import NEW_CONTACT_SHORTCUT, ContactsTab
from youthcase.gui.case.context import CaseContext, CaseTab
from youthcase.gui.case.history import HistoryTab
from youthcase.gui.case.incident import IncidentTab
from youthcase.gui.case.person import PersonTab
from youthcase.gui.case.plan import PlanTab
from youthcase.gui.case.referrals import ReferralsTab
from youthcase.gui.case.risk import RiskTab, current_risk
from youthcase.gui.case.safeguarding import SafeguardingTab
from youthcase.gui.case.supervision import CaseSupervision, SupervisionTab
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.icons import icon
from youthcase.gui.inline import InlineError
from youthcase.gui.prompts import Prompts
from youthcase.gui.values import code_label, day_text, instant_text, person_name
from youthcase.gui.windows import close_windows, first_control
from youthcase.services.cases import CaseDetail, CaseService
from youthcase.services.vault import UnlockedVault

RISK_TONES = {"high": "problem", "medium": "warning", "low": "good"}


def load_detail(vault: UnlockedVault, case_id: uuid.UUID) -> CaseDetail:
    return CaseService(vault).case_detail(case_id)


class CaseView(QWidget):
    back_requested = Signal()

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("caseView")
        self.context = CaseContext(vault, background, prompts)
        self.detail: CaseDetail | None = None
        self.site_names: dict[str, str] = {}
        self._stale = False  # a change arrived while hidden: load again when shown

        self.back_button = QPushButton(icon("back"), "Caseload")
        self.back_button.setObjectName("backButton")
        self.back_button.setToolTip("Back to the caseload (Esc)")
        self.title = QLabel()
        self.title.setObjectName("caseTitle")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel()
        self.facts.setObjectName("caseFacts")
        self.facts.setWordWrap(True)
        self.status_chip = QLabel()
        self.status_chip.setObjectName("chip")
        self.risk_chip = QLabel()
        self.risk_chip.setObjectName("chip")
        self.new_contact_button = QPushButton("New contact…")
        self.new_contact_button.setObjectName("primaryButton")
        self.new_contact_button.setToolTip(f"Log a contact or a failed attempt ({NEW_CONTACT_SHORTCUT})")
        self.error = InlineError()
        self.loading = busy_bar()
        self.context.show_busy = self.loading.setVisible
        self.context.show_error = self._failed

        self.tabs = QTabWidget()
        self.tabs.setObjectName("caseTabs")
        context = self.context
        self.person_tab = PersonTab(context)
        self.incident_tab = IncidentTab(context)
        self.contacts_tab = ContactsTab(context)
        self.risk_tab = RiskTab(context)
        self.safeguarding_tab = SafeguardingTab(context)
        self.referrals_tab = ReferralsTab(context)
        self.plan_tab = PlanTab(context)
        self.supervision_tab = SupervisionTab(context)
        self.history_tab = HistoryTab(context)
        self.case_tabs: tuple[CaseTab, ...] = (
            self.person_tab,
            self.incident_tab,
            self.contacts_tab,
            self.risk_tab,
            self.safeguarding_tab,
            self.referrals_tab,
            self.plan_tab,
            self.supervision_tab,
            self.history_tab,
        )
        for tab in self.case_tabs:
            assert isinstance(tab, QWidget)
            self.tabs.addTab(tab, tab.title)
        self.supervision_tab.loaded.connect(self._supervision_loaded)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 16, 24, 16)
        layout.setSpacing(8)
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch(1)
        layout.addLayout(back_row)
        layout.addWidget(self._header())
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)

        self.back_button.clicked.connect(self.back_requested)
        self.new_contact_button.clicked.connect(lambda: self.open_new_contact())
        for keys in ("Escape", "Alt+Left"):
            back = QShortcut(QKeySequence(keys), self)
            back.setContext(Qt.ShortcutContext.WindowShortcut)
            back.activated.connect(self.back_requested)
        contact = QShortcut(QKeySequence(NEW_CONTACT_SHORTCUT), self)
        contact.setContext(Qt.ShortcutContext.WindowShortcut)
        contact.activated.connect(lambda: self.open_new_contact())
        background.notice.changed.connect(self._vault_changed)
        self.tabs.currentChanged.connect(self._tab_shown)

    def _header(self) -> QFrame:
        header = QFrame()
        header.setObjectName("caseHeader")
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(20, 14, 20, 14)
        header_layout.setSpacing(4)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(8)
        top.addWidget(self.status_chip)
        top.addWidget(self.risk_chip)
        top.addStretch(1)
        top.addWidget(self.new_contact_button)
        header_layout.addLayout(top)
        header_layout.addWidget(self.facts)
        return header

    # --- showing a case --------------------------------------------------------------------

    @property
    def case_id(self) -> uuid.UUID | None:
        return None if self.detail is None else self.detail.case_id

    @property
    def hide_names(self) -> bool:
        return self.context.hide_names

    def show_detail(self, detail: CaseDetail) -> None:
        if self.detail is not None and self.detail.case_id != detail.case_id:
            self.clear_detail()
        self.detail = detail
        self._stale = False
        self.error.clear()
        self.loading.setVisible(False)
        self._show_header()
        for tab in self.case_tabs:
            tab.show_case(detail)

    def _show_header(self) -> None:
        detail = self.detail
        if detail is None:
            return
        person, case = detail.person.values, detail.case.values
        name = person_name(person["given_name"], person["family_name"], self.hide_names)
        self.title.setText(f"{detail.reference}  ·  {name}")
        dob = person.get("date_of_birth")
        if dob is not None:
            age = f"Age {age_in_years(dob, self.context.today())}"
        elif person.get("estimated_age") is not None:
            age = f"Age about {person['estimated_age']}"
        else:
            age = "Age not known"
        site = self.site_names.get(detail.site_code, "")
        site_text = f"{detail.site_code} ({site})" if site else detail.site_code
        engagement = code_label(dd.CASE["engagement"], case.get("engagement"))
        facts = [age, site_text, f"Worker {detail.worker}", f"Arrived {instant_text(case['arrival_at'])}", engagement]
        self.facts.setText("  ·  ".join(facts))
        closed = detail.status != "open"
        self.status_chip.setText(f"Closed {day_text(detail.closed_on)}" if closed else "Open")
        set_tone(self.status_chip, "muted" if closed else "good")
        risk = current_risk(detail.assessments)
        self.risk_chip.setText(
            f"Risk {code_label(dd.RISK_ASSESSMENT['risk_level'], risk).lower()}" if risk else "Risk not assessed"
        )
        set_tone(self.risk_chip, RISK_TONES.get(risk or "", "muted"))

    def _supervision_loaded(self, data: CaseSupervision) -> None:
        """The sign-offs come with the notes; their lines are on the Risk and Safeguarding tabs."""
        for line in (self.risk_tab.sign_off, self.safeguarding_tab.sign_off):
            line.set_sign_offs(data.sign_offs)

    def set_hide_names(self, hide: bool) -> None:
        self.context.hide_names = hide
        if self.detail is not None:
            self._show_header()
            self.person_tab.show_case(self.detail)

    # --- loading again ---------------------------------------------------------------------

    def reload(self) -> None:
        vault, case_id = self.context.vault, self.case_id
        if vault is None or case_id is None:
            return
        self.loading.setVisible(True)
        self.context.background.run(
            lambda: load_detail(vault, case_id), name="reload case", on_returned=self._reloaded, on_errored=self._failed
        )

    def _reloaded(self, detail: CaseDetail) -> None:
        if self.detail is not None and detail.case_id == self.detail.case_id:
            tab = self.tabs.currentIndex()
            self.show_detail(detail)
            self.tabs.setCurrentIndex(tab)

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def _vault_changed(self, changes: Changes) -> None:
        """An operation succeeded, on this screen or another: load the case again if what it
        shows may differ (now when on screen, else when it next shows)."""
        if self.detail is None or not (changes.case_content or changes.referrals or changes.directory):
            return
        if not self.isVisible():
            self._stale = True
        elif changes.case_content:
            self.reload()
        else:
            self.referrals_tab.reload()  # referrals are not part of the case detail

    def _tab_shown(self, _index: int) -> None:
        """Ctrl+Tab (or a click) to another tab: the focus goes to its first control, never left
        on a widget of the tab just hidden; on the tab bar itself it stays."""
        focus = QApplication.focusWidget()
        if focus is self.tabs.tabBar():
            return
        if focus is None or not focus.isVisible() or self.tabs.isAncestorOf(focus):
            page = self.tabs.currentWidget()
            target = first_control(page) if page is not None else None
            (target or self.tabs.tabBar()).setFocus(Qt.FocusReason.TabFocusReason)  # a tab to read only

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.reload()

    # --- forms and locking -----------------------------------------------------------------

    def open_new_contact(self, restored: Mapping[str, Any] | None = None) -> RecordDialog | None:
        """Ctrl+Shift+N, from any tab."""
        return self.contacts_tab.open_new_contact(restored)

    def save_drafts_now(self) -> None:
        for dialog in self.findChildren(RecordDialog):
            dialog.save_draft_now()

    def clear(self) -> None:
        """The vault locked: close the forms, forget the case and drop the session."""
        close_windows(self)
        self.context.lock()
        self.clear_detail()

    def clear_detail(self) -> None:
        self.detail = None
        self._stale = False
        self.title.clear()
        self.facts.clear()
        self.status_chip.clear()
        self.risk_chip.clear()
        for tab in self.case_tabs:
            tab.clear_case()
        self.error.clear()


__all__ = ["CaseView", "load_detail"]
