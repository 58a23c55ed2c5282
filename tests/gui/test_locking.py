"""Locking: the button, Ctrl+L, idle time-out and suspend all drop the keys and clear every view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from youthcase.gui.navigation import Section
from youthcase.gui.pages.administration import AdministrationPage
from youthcase.gui.shell import Shell

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


def _administration(qtbot, shell: Shell) -> AdministrationPage:
    assert shell.workspace is not None
    page = shell.workspace.pages[Section.ADMINISTRATION]
    assert isinstance(page, AdministrationPage)
    qtbot.waitUntil(lambda: page.accounts.rowCount() == 4, timeout=WAIT_MS)
    return page


def _assert_locked(shell: Shell, page: AdministrationPage) -> None:
    assert shell.is_locked
    assert shell.vault is None
    assert shell.stack.currentWidget() is shell.login
    assert shell.workspace is not None and not shell.workspace.isVisible()
    assert page.accounts.rowCount() == 0
    assert page.sites.rowCount() == 0
    assert not shell.toolbar.isVisible()
    assert shell.user_label.text() == ""


def test_lock_button_clears_views_and_shows_login(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.admin)
    page = _administration(qtbot, shell)
    unlocked = shell.vault
    assert unlocked is not None
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        lock_button = shell.toolbar.widgetForAction(shell.lock_action)
        qtbot.mouseClick(lock_button, Qt.MouseButton.LeftButton)
    _assert_locked(shell, page)
    # At once, or right after a page's load still running at the lock returns.
    qtbot.waitUntil(lambda: unlocked.is_locked, timeout=WAIT_MS)
    assert shell.login.username.text() == "admin"
    assert shell.login.password.text() == ""


def test_ctrl_l_locks(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.admin)
    page = _administration(qtbot, shell)
    unlocked = shell.vault
    assert unlocked is not None
    shell.activateWindow()
    qtbot.waitUntil(lambda: shell.isActiveWindow(), timeout=WAIT_MS)
    assert shell.workspace is not None
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        qtbot.keyClick(shell.workspace.navigation, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    _assert_locked(shell, page)
    # At once, or right after a page's load still running at the lock returns.
    qtbot.waitUntil(lambda: unlocked.is_locked, timeout=WAIT_MS)


def test_unlocking_as_the_same_user_restores_the_page(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    assert shell.workspace is not None
    assert shell.workspace.current_section is Section.CASELOAD
    shell.workspace.show_section(Section.SUPERVISION)
    shell.lock()
    log_in(vault.supervisor)
    workspace = shell.workspace  # a new name: mypy would still narrow the old one to CASELOAD
    assert workspace is not None
    assert workspace.current_section is Section.SUPERVISION
    assert workspace.isVisible()


def test_another_user_gets_a_fresh_main_window(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    assert shell.workspace is not None
    first = shell.workspace
    shell.workspace.show_section(Section.RETURNS)
    shell.lock()
    log_in(vault.worker)
    assert shell.workspace is not first
    assert shell.workspace.current_section is Section.CASELOAD
    assert shell.workspace.sections == [Section.CASELOAD, Section.REFERRALS]
    assert "wendy" in shell.user_label.text()


def test_idle_timeout_locks(qtbot, shell: Shell, vault, log_in, clock) -> None:
    log_in(vault.admin)
    page = _administration(qtbot, shell)
    unlocked = shell.vault
    assert unlocked is not None
    assert shell.idle_watch.timeout_seconds == 5 * 60  # the vault's default setting

    clock.advance(4 * 60)
    shell.idle_watch.poll()
    assert not shell.is_locked

    clock.advance(60)
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        shell.idle_watch.poll()
    _assert_locked(shell, page)
    # At once, or right after a page's load still running at the lock returns.
    qtbot.waitUntil(lambda: unlocked.is_locked, timeout=WAIT_MS)
    assert "5 minutes without activity" in shell.login.notice.text()


def test_suspending_locks(qtbot, shell: Shell, vault, log_in, background) -> None:
    log_in(vault.worker)
    unlocked = shell.vault
    assert unlocked is not None
    shell.on_application_state(Qt.ApplicationState.ApplicationInactive)
    assert not shell.is_locked  # merely switching to another application does not lock
    shell.on_application_state(Qt.ApplicationState.ApplicationSuspended)
    assert shell.is_locked
    # The keys go at once, or right after the caseload that the login started has loaded.
    qtbot.waitUntil(lambda: unlocked.is_locked, timeout=WAIT_MS)


def test_locking_closes_open_dialogs(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.admin)
    page = _administration(qtbot, shell)
    dialog = page.open_add_user()
    assert dialog is not None
    dialog.username.setText("someone")
    dialog.password.setText("a temporary phrase 77")
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    shell.lock()
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.password.text() == ""


def test_results_of_work_started_before_the_lock_are_dropped(qtbot, shell: Shell, vault, log_in, background) -> None:
    log_in(vault.admin)
    page = _administration(qtbot, shell)
    unlocked = shell.vault
    assert unlocked is not None
    page.refresh()  # a listing now in flight
    shell.lock()
    assert page.accounts.rowCount() == 0
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    assert page.accounts.rowCount() == 0
    assert unlocked.is_locked  # the engine went once the listing had returned
