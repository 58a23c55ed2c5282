"""The login window: success, the generic wrong-credentials message, lock-out, forced change."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.forms.change_password import ChangePasswordDialog
from youthcase.gui.shell import Shell
from youthcase.services.vault import LockedVault

pytestmark = pytest.mark.gui
WAIT_MS = 10_000
GENERIC = "The user name, password or recovery key is not correct"


def _type(shell: Shell, username: str, password: str) -> None:
    shell.login.username.setText(username)
    shell.login.password.setText(password)


def _wait_for_unlock_attempt(qtbot, shell: Shell) -> None:
    qtbot.waitUntil(lambda: not shell.login.busy.active and shell.login.error.isVisible(), timeout=WAIT_MS)


def test_login_opens_the_main_window(qtbot, shell: Shell, vault) -> None:
    assert shell.is_locked
    assert shell.stack.currentWidget() is shell.login
    assert not shell.toolbar.isVisible()
    _type(shell, vault.worker.username, vault.worker.password)
    with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
        qtbot.keyClick(shell.login.password, Qt.Key.Key_Return)  # Enter unlocks
    assert not shell.is_locked
    assert shell.vault is not None and shell.vault.actor.username == "wendy"
    assert shell.stack.currentWidget() is shell.workspace
    assert shell.toolbar.isVisible()
    assert "wendy" in shell.user_label.text() and "Youth worker" in shell.user_label.text()
    assert shell.login.password.text() == ""


def test_busy_indicator_while_unlocking(qtbot, shell: Shell, vault) -> None:
    _type(shell, vault.worker.username, vault.worker.password)
    with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
        shell.login.unlock_button.click()
        assert shell.login.busy.active
        assert not shell.login.password.isEnabled()
        assert not shell.login.unlock_button.isEnabled()
        assert shell.login.busy.bar.isVisibleTo(shell.login)
    assert not shell.login.busy.active


@pytest.mark.parametrize("username", ["wendy", "nobody"])
def test_wrong_credentials_show_one_generic_message(qtbot, shell: Shell, vault, username) -> None:
    _type(shell, username, "not the right password at all")
    shell.login.unlock_button.click()
    _wait_for_unlock_attempt(qtbot, shell)
    assert shell.login.error.text().startswith(GENERIC)
    assert shell.is_locked
    assert shell.workspace is None
    assert shell.stack.currentWidget() is shell.login
    assert shell.login.password.text() == ""
    assert shell.login.unlock_button.isEnabled()


def test_repeated_failures_show_the_lock_out_delay(qtbot, shell: Shell, vault) -> None:
    for _ in range(3):
        _type(shell, "wendy", "still not the password")
        shell.login.unlock_button.click()
        _wait_for_unlock_attempt(qtbot, shell)
        assert shell.login.error.text().startswith(GENERIC)
    _type(shell, "wendy", vault.worker.password)
    shell.login.unlock_button.click()
    qtbot.waitUntil(lambda: "Try again in" in shell.login.error.text(), timeout=WAIT_MS)
    assert shell.login.error.text() == "Too many failed attempts. Try again in 5 seconds."
    assert not shell.login.unlock_button.isEnabled()
    assert shell.is_locked


def test_empty_fields_are_refused_without_unlocking(qtbot, shell: Shell, background) -> None:
    shell.login.unlock_button.click()
    assert shell.login.error.text() == "Enter your user name and password."
    assert not background.busy


def test_temporary_password_must_be_changed_first(qtbot, shell: Shell, vault) -> None:
    newcomer = vault.newcomer
    _type(shell, newcomer.username, newcomer.password)
    shell.login.unlock_button.click()
    qtbot.waitUntil(lambda: shell.login.change_password_dialog is not None, timeout=WAIT_MS)
    dialog = shell.login.change_password_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    assert shell.is_locked and shell.workspace is None  # no main window yet

    dialog.new_password.setText("password")
    assert not dialog.submit.isEnabled()
    assert "12 characters" in dialog.verdict.text()
    dialog.new_password.setText("a new and private phrase 9")
    dialog.confirmation.setText("a new and private phrase")
    assert dialog.verdict.text() == "The two passwords do not match."
    assert not dialog.submit.isEnabled()
    dialog.confirmation.setText("a new and private phrase 9")
    assert dialog.submit.isEnabled()
    with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
        dialog.submit.click()

    assert shell.vault is not None and not shell.vault.actor.must_change_password
    shell.lock()
    reopened = LockedVault(vault.location).unlock(newcomer.username, "a new and private phrase 9")
    assert not reopened.actor.must_change_password
    reopened.lock()


def test_signing_out_of_the_forced_change_locks_again(qtbot, shell: Shell, vault) -> None:
    _type(shell, vault.newcomer.username, vault.newcomer.password)
    shell.login.unlock_button.click()
    qtbot.waitUntil(lambda: shell.login.change_password_dialog is not None, timeout=WAIT_MS)
    dialog = shell.login.change_password_dialog
    assert dialog is not None
    dialog.sign_out.click()
    assert shell.login.change_password_dialog is None
    assert shell.is_locked and shell.workspace is None
    assert "not changed" in shell.login.notice.text()
