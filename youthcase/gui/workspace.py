"""The main window's content for one unlocked session: navigation on the left, a page on the right.

A workspace belongs to one vault and one user. Locking clears it; unlocking builds a new one (the
shell re-opens the same section when the same user comes back), so nothing carries over.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from youthcase.gui.background import Background
from youthcase.gui.backups import missing_commits_banner
from youthcase.gui.case.host import CaseHost
from youthcase.gui.navigation import Section, SectionSpec, home_section, sections_for
from youthcase.gui.overdue_referrals import OverdueReferrals, overdue_tip, overdue_title
from youthcase.gui.pages.administration import AdministrationPage
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.pages.referrals_board import ReferralsBoardPage
from youthcase.gui.pages.returns import ReturnsPage
from youthcase.gui.pages.supervision import SupervisionPage
from youthcase.gui.prompts import Prompts
from youthcase.gui.windows import first_control
from youthcase.services.vault import UnlockedVault

# Each satisfies youthcase.gui.pages.Page (refresh and clear).
PageWidget = AdministrationPage | CaseloadPage | ReturnsPage | SupervisionPage | ReferralsBoardPage


def integrity_banner(problems: list[str]) -> QLabel:
    """What did not verify when the vault opened (signed records, the audit trail): shown above
    every page, because it means someone changed the vault outside the app."""
    banner = QLabel()
    banner.setObjectName("integrityWarning")
    banner.setProperty("tone", "problem")
    banner.setWordWrap(True)
    banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if problems:
        listed = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        banner.setText(
            "Some of this vault's records do not verify and are not being used: "
            f"{listed}. Someone may have changed the vault outside youthcase: tell your "
            "information-governance lead."
        )
    banner.setVisible(bool(problems))
    return banner


@dataclass(frozen=True)
class Place:
    """Where a person was when the vault locked: the section, and the case and tab if one was open."""

    section: Section | None
    case: tuple[uuid.UUID, int] | None = None


class Workspace(QWidget):
    section_changed = Signal(object)  # Section

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.username = vault.actor.username
        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Sections")
        self.navigation.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        self.pages: dict[Section, PageWidget] = {}
        self.titles: dict[Section, str] = {}

        for spec in sections_for(vault.actor.role):
            page = self._page_for(spec, vault, background, prompts)
            self.pages[spec.section] = page
            self.titles[spec.section] = spec.title
            self.stack.addWidget(page)
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.section)
            self.navigation.addItem(item)

        self.missing_commits_warning = missing_commits_banner(vault.missing_commits)
        self.integrity_warning = integrity_banner([p for p in vault.integrity_problems if p != vault.missing_commits])
        content = QVBoxLayout()
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(0)
        content.addWidget(self.missing_commits_warning)
        content.addWidget(self.integrity_warning)
        content.addWidget(self.stack, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addLayout(content, 1)
        self.navigation.currentRowChanged.connect(self._row_changed)
        self.overdue = OverdueReferrals(vault, background, self)
        self.overdue.counted.connect(self._show_overdue)
        board = self.pages.get(Section.REFERRALS)
        if isinstance(board, ReferralsBoardPage):
            self._watch_referrals(board)
        self.show_section(home_section(vault.actor.role))

    @staticmethod
    def _page_for(spec: SectionSpec, vault: UnlockedVault, background: Background, prompts: Prompts) -> PageWidget:
        if spec.section is Section.ADMINISTRATION:
            return AdministrationPage(spec, vault, background, prompts)
        if spec.section is Section.CASELOAD:
            return CaseloadPage(spec, vault, background, prompts)
        if spec.section is Section.RETURNS:
            return ReturnsPage(spec, vault, background, prompts)
        if spec.section is Section.SUPERVISION:
            return SupervisionPage(spec, vault, background, prompts)
        if spec.section is Section.REFERRALS:
            return ReferralsBoardPage(spec, vault, background, prompts)
        raise ValueError(f"no screen for the section {spec.section.value}")

    @property
    def caseload(self) -> CaseloadPage | None:
        page = self.pages.get(Section.CASELOAD)
        return page if isinstance(page, CaseloadPage) else None

    def _watch_referrals(self, board: ReferralsBoardPage) -> None:
        """The overdue count in the navigation (now, with every board listing, and after every
        change to referrals: see ``OverdueReferrals``), and the board opening a case at its
        Referrals tab."""
        board.overdue_counted.connect(self.overdue.set_count)
        board.open_case_requested.connect(self.open_case_at_referrals)
        self.overdue.refresh()

    def _show_overdue(self, count: int | None) -> None:
        board = self.pages.get(Section.REFERRALS)
        if not isinstance(board, ReferralsBoardPage):
            return
        for row in range(self.navigation.count()):
            item = self.navigation.item(row)
            if item.data(Qt.ItemDataRole.UserRole) is Section.REFERRALS:
                item.setText(overdue_title(board.spec.title, count))
                item.setToolTip(overdue_tip(count))

    def open_case_at_referrals(self, case_id: uuid.UUID) -> None:
        caseload = self.caseload
        if caseload is not None and self.show_section(Section.CASELOAD):
            caseload.open_case(case_id, at=lambda view: view.referrals_tab)

    @property
    def supervision(self) -> SupervisionPage | None:
        page = self.pages.get(Section.SUPERVISION)
        return page if isinstance(page, SupervisionPage) else None

    def set_hide_names(self, hide: bool) -> None:
        """Names as initials on every page that shows them (against shoulder-surfing)."""
        if self.caseload is not None:
            self.caseload.set_hide_names(hide)
        if self.supervision is not None:
            self.supervision.set_hide_names(hide)

    def save_drafts_now(self) -> None:
        """Right before a lock: every open form that keeps a draft queues a last save."""
        if self.caseload is not None:
            self.caseload.save_drafts_now()
        if self.supervision is not None:
            self.supervision.save_drafts_now()

    @property
    def sections(self) -> list[Section]:
        return list(self.pages)

    @property
    def current_section(self) -> Section | None:
        item = self.navigation.currentItem()
        if item is None:
            return None
        section: Section = item.data(Qt.ItemDataRole.UserRole)
        return section

    def place(self) -> Place:
        section = self.current_section
        page = self.pages.get(section) if section is not None else None
        host = getattr(page, "host", None)
        return Place(section, host.place() if isinstance(host, CaseHost) else None)

    def return_to(self, place: Place) -> None:
        """After an unlock by the same person: the same section, case and tab (the case loads again)."""
        if place.section is None or not self.show_section(place.section) or place.case is None:
            return
        case_id, tab = place.case
        page = self.pages[place.section]
        if isinstance(page, CaseloadPage | SupervisionPage):
            page.open_case(case_id, at=lambda view: view.tabs.widget(tab))

    def title_of(self, section: Section) -> str:
        return self.titles[section]

    @property
    def current_page(self) -> PageWidget | None:
        section = self.current_section
        return self.pages.get(section) if section is not None else None

    @property
    def showing_case(self) -> bool:
        host = getattr(self.current_page, "host", None)
        return isinstance(host, CaseHost) and host.showing_case

    def back_from_case(self) -> None:
        host = getattr(self.current_page, "host", None)
        if isinstance(host, CaseHost):
            host.back()

    def refresh_current(self) -> None:
        page = self.current_page
        if page is not None:
            page.refresh()

    def focus_first(self) -> None:
        """The focus on the first control of the page shown (after an unlock, a section change)."""
        page = self.current_page
        target = first_control(page) if page is not None else None
        (target or self.navigation).setFocus(Qt.FocusReason.OtherFocusReason)

    def show_section(self, section: Section) -> bool:
        """Open a section; False when this user's role does not include it."""
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(Qt.ItemDataRole.UserRole) is section:
                if self.navigation.currentRow() == row:
                    self._row_changed(row)
                else:
                    self.navigation.setCurrentRow(row)
                return True
        return False

    def _row_changed(self, row: int) -> None:
        if row < 0:
            return
        section: Section = self.navigation.item(row).data(Qt.ItemDataRole.UserRole)
        page = self.pages[section]
        self.stack.setCurrentWidget(page)
        page.refresh()
        self.section_changed.emit(section)

    def clear(self) -> None:
        """Called when the vault locks: every page forgets what it shows."""
        for page in self.pages.values():
            page.clear()
        self.overdue.clear()
