"""Administration: staff accounts (add, disable) and sites (add an A&E department), with a warning
for the sites that have no supervisor (nobody there can admit people to the site's cases).

Loading and saving go through the background queue; the tables are cleared when the vault locks.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.roles import Role
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.add_site import AddSiteDialog
from youthcase.gui.forms.add_user import AddUserDialog, NewAccount
from youthcase.gui.inline import InlineError
from youthcase.gui.models import OBJECT_ROLE
from youthcase.gui.models import accounts as accounts_columns
from youthcase.gui.models import sites as sites_columns
from youthcase.gui.models.accounts import AccountTableModel
from youthcase.gui.models.sites import SiteTableModel
from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout, section_title
from youthcase.gui.pages.service_directory import ServiceDirectoryPanel
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import table_view
from youthcase.gui.windows import close_windows, open_form
from youthcase.services.accounts import AccountService, AccountSummary
from youthcase.services.sites import SiteService, SiteSummary
from youthcase.services.vault import UnlockedVault


@dataclass(frozen=True)
class AdministrationListing:
    accounts: list[AccountSummary]
    sites: list[SiteSummary]
    unsupervised: list[str]  # codes of active sites with no active supervisor


def load_listing(vault: UnlockedVault) -> AdministrationListing:
    sites = SiteService(vault)
    return AdministrationListing(
        AccountService(vault).list_users(), sites.list_sites(), sites.sites_without_supervisor()
    )


FIRST_SUPERVISOR_COMMAND = "youthcase users grant --db PATH --recovery-key-stdin --target-user NAME --site CODE"


def no_supervisor_text(codes: Sequence[str]) -> str:
    """The warning for sites without a supervisor, naming each, and how the first one is admitted."""
    listed = html.escape(", ".join(codes))
    return (
        f"<b>No supervisor at {listed}:</b> nobody can admit staff to {'its' if len(codes) == 1 else 'their'} "
        "cases. The information-governance lead admits the first one with the recovery key:<br>"
        f"<code>{FIRST_SUPERVISOR_COMMAND}</code>"
    )


def disabled_text(account: AccountSummary) -> str:
    """What disabling did, and (for staff with cases) what their supervisors will be asked to do."""
    text = f"{account.username} is disabled and can no longer sign in."
    if account.role is Role.ADMIN:
        return text
    return (
        f"{text} Administrators hold no case keys: the supervisors of {account.username}'s sites will be "
        f"asked to hand over {account.username}'s open cases to another worker and to rotate the site keys."
    )


def _table(model: AccountTableModel | SiteTableModel, name: str, stretch_column: int) -> QTableView:
    view = table_view(model, name, sort_column=0, stretch_last=False)
    view.horizontalHeader().setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    return view


class AdministrationPage(QWidget):
    def __init__(
        self,
        spec: SectionSpec,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("administrationPage")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        background.notice.changed.connect(self._vault_changed)

        self.accounts = AccountTableModel(self)
        self.sites = SiteTableModel(self)
        self.account_view = _table(self.accounts, "accountTable", accounts_columns.FULL_NAME)
        self.site_view = _table(self.sites, "siteTable", sites_columns.NAME)

        self.add_user_button = QPushButton("Add user…")
        self.add_user_button.setObjectName("primaryButton")
        self.disable_button = QPushButton("Disable…")
        self.disable_button.setEnabled(False)
        self.add_site_button = QPushButton("Add A&&E department…")
        self.error = InlineError()
        self.loading = busy_bar()
        self.no_supervisor = QFrame()
        self.no_supervisor.setObjectName("noSupervisorBanner")  # the amber notice style
        self.no_supervisor_text = QLabel()
        self.no_supervisor_text.setWordWrap(True)
        self.no_supervisor_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner = QHBoxLayout(self.no_supervisor)
        banner.setContentsMargins(12, 8, 12, 8)
        banner.addWidget(self.no_supervisor_text, 1)
        self.no_supervisor.setVisible(False)

        layout = page_layout(self)
        page_header(
            layout,
            spec.title,
            "Staff accounts, the sites they work at and the services "
            "young people are referred to. Administrators run the system but cannot open "
            "case records.",
        )
        layout.addWidget(self.loading)
        layout.addWidget(self.error)
        layout.addWidget(self.no_supervisor)
        # One at a time, each with the page's full height: every member of staff shows at
        # 1366x768 (stacked, the three lists got four rows each).
        self.tabs = QTabWidget()
        self.tabs.setObjectName("administrationTabs")
        self.tabs.setDocumentMode(True)
        staff = QWidget()
        staff_layout = QVBoxLayout(staff)
        staff_layout.setContentsMargins(0, 12, 0, 0)
        staff_layout.addLayout(self._heading_row("Staff accounts", self.disable_button, self.add_user_button))
        staff_layout.addWidget(self.account_view, 1)
        sites = QWidget()
        sites_layout = QVBoxLayout(sites)
        sites_layout.setContentsMargins(0, 12, 0, 0)
        sites_layout.addLayout(self._heading_row("Sites", self.add_site_button))
        sites_layout.addWidget(self.site_view, 1)
        self.services = ServiceDirectoryPanel(vault, background, prompts)
        self.tabs.addTab(staff, "Staff accounts")
        self.tabs.addTab(sites, "Sites")
        self.tabs.addTab(self.services, "Service directory")
        layout.addWidget(self.tabs, 1)

        self.add_user_button.clicked.connect(self.open_add_user)
        self.disable_button.clicked.connect(self.disable_selected)
        self.add_site_button.clicked.connect(self.open_add_site)
        self.account_view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.accounts.modelReset.connect(self._update_buttons)

    @staticmethod
    def _heading_row(title: str, *buttons: QPushButton) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(section_title(title))
        row.addStretch(1)
        for button in buttons:
            row.addWidget(button)
        return row

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        self._load()
        self.services.refresh()

    def _load(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self.loading.setVisible(True)
        self._background.run(
            lambda: load_listing(vault), name="load administration", on_returned=self._loaded, on_errored=self._failed
        )

    def _vault_changed(self, changes: Changes) -> None:
        """Accounts, sites and who supervises them (the service directory reloads itself)."""
        if changes.accounts or changes.sites or changes.access:
            self._load()

    def _loaded(self, listing: AdministrationListing) -> None:
        self.loading.setVisible(False)
        self.error.clear()
        self.accounts.set_rows(listing.accounts)
        self.sites.set_rows(listing.sites)
        self.no_supervisor_text.setText(no_supervisor_text(listing.unsupervised))
        self.no_supervisor.setVisible(bool(listing.unsupervised))

    def _failed(self, error: BaseException) -> None:
        self.loading.setVisible(False)
        self.error.show_message(user_message(error))

    def clear(self) -> None:
        close_windows(self)
        self.accounts.clear()
        self.sites.clear()
        self.services.clear()
        self.error.clear()
        self.no_supervisor_text.clear()
        self.no_supervisor.setVisible(False)
        self.loading.setVisible(False)
        self._vault = None

    # --- accounts --------------------------------------------------------------------------

    def selected_account(self) -> AccountSummary | None:
        rows = self.account_view.selectionModel().selectedRows()
        if not rows:
            return None
        account: AccountSummary = rows[0].data(OBJECT_ROLE)
        return account

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        account = self.selected_account()
        me = self._vault.actor.username if self._vault is not None else None
        self.disable_button.setEnabled(account is not None and account.active and account.username != me)

    def open_add_user(self) -> AddUserDialog | None:
        vault = self._vault
        if vault is None:
            return None

        def save(account: NewAccount) -> AccountSummary:
            return AccountService(vault).add_user(
                account.username, account.role, account.temporary_password, account.site_codes, account.full_name
            )

        dialog = AddUserDialog(self.sites.rows, save, self._background, self)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def disable_selected(self) -> None:
        vault, account = self._vault, self.selected_account()
        if vault is None or account is None:
            return
        if not self._prompts.confirm(
            self,
            "Disable account",
            f"Disable the account {account.username}? They will no longer be able to sign in. "
            "Their records stay in the vault.",
            "Disable account",
        ):
            return
        username = account.username

        def disabled(_result: object) -> None:
            self._prompts.inform(self, "Disable account", disabled_text(account))

        self._background.run(
            lambda: AccountService(vault).disable_user(username),
            name="disable user",
            on_returned=disabled,
            on_errored=self._failed,
            changes=Changes(accounts=True),
        )

    # --- sites -----------------------------------------------------------------------------

    def open_add_site(self) -> AddSiteDialog | None:
        vault = self._vault
        if vault is None:
            return None

        def save(code: str, name: str) -> SiteSummary:
            return SiteService(vault).add_emergency_department(code, name)

        dialog = AddSiteDialog(save, self._background, self)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog
