"""The Administration page: accounts and sites from the services, add and disable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QApplication

from youthcase.domain.roles import Role
from youthcase.gui.app import stylesheet
from youthcase.gui.models import OBJECT_ROLE
from youthcase.gui.models.accounts import STATUS, USERNAME
from youthcase.gui.navigation import Section
from youthcase.gui.pages.administration import AdministrationPage
from youthcase.services.recovery import grant_with_recovery_key
from youthcase.services.vault import LockedVault

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


@pytest.fixture
def page(qtbot, shell, vault, log_in) -> AdministrationPage:
    log_in(vault.admin)
    assert shell.workspace is not None
    admin_page = shell.workspace.pages[Section.ADMINISTRATION]
    assert isinstance(admin_page, AdministrationPage)
    qtbot.waitUntil(lambda: admin_page.accounts.rowCount() == 4, timeout=WAIT_MS)
    return admin_page


def _usernames(page: AdministrationPage) -> list[str]:
    model = page.accounts
    return [model.index(row, USERNAME).data() for row in range(model.rowCount())]


def _select(page: AdministrationPage, username: str) -> None:
    view = page.account_view
    proxy = view.model()
    for row in range(proxy.rowCount()):
        if proxy.index(row, USERNAME).data() == username:
            view.selectionModel().select(
                proxy.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            return
    raise AssertionError(f"{username} is not listed")


def test_lists_accounts_and_sites(page: AdministrationPage) -> None:
    assert _usernames(page) == ["admin", "nadia", "sam", "wendy"]
    statuses = {page.accounts.index(r, USERNAME).data(): page.accounts.index(r, STATUS).data() for r in range(4)}
    assert statuses["nadia"] == "Temporary password"
    assert statuses["wendy"] == "Active"
    codes = [page.sites.index(r, 0).data() for r in range(page.sites.rowCount())]
    assert set(codes) == {"RLH", "KCH", "SGH", "SMH"}


def test_add_user_through_the_dialog(qtbot, page: AdministrationPage, vault) -> None:
    dialog = page.open_add_user()
    assert dialog is not None
    assert set(dialog.site_boxes) == {"RLH", "KCH", "SGH", "SMH"}
    dialog.username.setText("j.okafor")
    dialog.role.setCurrentIndex(dialog.role.findData(Role.SUPERVISOR))
    dialog.full_name.setText("Joy Okafor")
    dialog.site_boxes["KCH"].setChecked(True)
    dialog.password.setText("short")
    assert not dialog.submit.isEnabled()
    dialog.password.setText("welcome parcel thunder 12")
    assert dialog.submit.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.submit.click()
        assert dialog.busy.active
    qtbot.waitUntil(lambda: page.accounts.rowCount() == 5, timeout=WAIT_MS)
    added = next(page.accounts.row_at(r) for r in range(5) if page.accounts.row_at(r).username == "j.okafor")
    assert added.role is Role.SUPERVISOR
    assert added.site_codes == ("KCH",)
    assert added.full_name == "Joy Okafor"
    assert added.must_change_password


def test_add_user_shows_service_errors_inline(qtbot, page: AdministrationPage) -> None:
    dialog = page.open_add_user()
    assert dialog is not None
    dialog.username.setText("wendy")
    dialog.password.setText("welcome parcel thunder 12")
    dialog.submit.click()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    assert dialog.error.text() == "User name 'wendy' is already taken"
    assert dialog.isVisible()
    dialog.reject()


def test_disable_asks_first_then_disables(qtbot, page: AdministrationPage, prompts, vault) -> None:
    _select(page, "wendy")
    assert page.disable_button.isEnabled()
    prompts.confirm_answers.append(False)
    page.disable_button.click()
    assert prompts.asked[-1][0] == "confirm" and "wendy" in prompts.asked[-1][1]
    account = page.selected_account()
    assert account is not None and account.active

    prompts.confirm_answers.append(True)
    page.disable_button.click()

    def wendy_disabled() -> bool:
        return any(
            page.accounts.index(r, USERNAME).data() == "wendy" and page.accounts.index(r, STATUS).data() == "Disabled"
            for r in range(page.accounts.rowCount())
        )

    qtbot.waitUntil(wendy_disabled, timeout=WAIT_MS)
    [(_kind, told)] = [entry for entry in prompts.asked if entry[0] == "inform"]
    assert told.startswith("wendy is disabled and can no longer sign in.")
    assert "supervisors of wendy's sites will be asked to hand over wendy's open cases" in told
    with pytest.raises(Exception, match="disabled"):
        LockedVault(vault.location).unlock(vault.worker.username, vault.worker.password)


def test_cannot_disable_yourself(page: AdministrationPage) -> None:
    _select(page, "admin")
    selected = page.selected_account()
    assert selected is not None and selected.username == "admin"
    assert not page.disable_button.isEnabled()


def test_add_an_emergency_department(qtbot, page: AdministrationPage) -> None:
    dialog = page.open_add_site()
    assert dialog is not None
    assert not dialog.submit.isEnabled()
    dialog.code.setText("nmh")
    dialog.name.setText("North Middlesex University Hospital")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        dialog.submit.click()
    qtbot.waitUntil(lambda: page.sites.rowCount() == 5, timeout=WAIT_MS)
    added = [page.sites.index(r, 0).data(OBJECT_ROLE) for r in range(5)]
    assert any(site.code == "NMH" and site.name.startswith("North Middlesex") for site in added)


def test_sites_without_a_supervisor_are_flagged(qtbot, page: AdministrationPage, shell, vault, clock) -> None:
    """sam supervises RLH and KCH; nobody supervises SGH or SMH yet."""
    qtbot.waitUntil(lambda: page.no_supervisor.isVisibleTo(page), timeout=WAIT_MS)
    text = page.no_supervisor_text.text()
    assert text.startswith("<b>No supervisor at SGH, SMH:</b> nobody can admit staff to their cases.")
    assert "RLH" not in text and "KCH" not in text
    assert "youthcase users grant --db PATH --recovery-key-stdin --target-user NAME --site CODE" in text
    save_screenshot(shell, "administration-no-supervisor.png")
    for code in ("SGH", "SMH"):  # the information-governance lead admits sam with the recovery key
        grant_with_recovery_key(vault.location, vault.recovery_key, "sam", code, clock)
    page.refresh()
    qtbot.waitUntil(lambda: not page.no_supervisor.isVisibleTo(page), timeout=WAIT_MS)


def save_screenshot(shell, name: str) -> None:
    """With YOUTHCASE_SCREENSHOTS=folder: the window at 1366x768, in the real app's style."""
    folder = os.environ.get("YOUTHCASE_SCREENSHOTS")
    if not folder:
        return
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    app.setStyleSheet(stylesheet())
    try:
        shell.resize(1366, 768)
        shell.grab().save(str(Path(folder) / name))
    finally:
        app.setStyleSheet(before)
