"""Locking from anywhere: with any form, prompt or menu open, the Lock button and Ctrl+L lock,
close every window, keep the open form's draft, and unlocking returns to the same case and tab."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QMenu, QMessageBox, QPlainTextEdit, QWidget

from youthcase.gui.case.view import CaseView
from youthcase.gui.drafts import NEW_CASE_FORM, NEW_CONTACT_FORM
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.prompts import Prompts
from youthcase.gui.shell import Shell
from youthcase.services.drafts import DraftService

from .conftest import WAIT_MS, signed_in
from .test_referrals import make_case, open_referrals, refer, services  # noqa: F401 - services: a fixture

pytestmark = pytest.mark.gui

Opener = Callable[[object, Shell, uuid.UUID], QDialog | None]


def open_dialogs() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()]


def caseload(qtbot, shell: Shell) -> CaseloadPage:
    assert shell.workspace is not None and shell.workspace.caseload is not None
    page = shell.workspace.caseload
    qtbot.waitUntil(lambda: page.has_loaded and page.loading.isHidden(), timeout=WAIT_MS)
    return page


def open_case(qtbot, shell: Shell, case_id: uuid.UUID) -> CaseView:
    page = caseload(qtbot, shell)
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        page.open_case(case_id)
    return page.case_view


def new_case_form(qtbot, shell: Shell, case_id: uuid.UUID) -> QDialog | None:
    return caseload(qtbot, shell).open_new_case()


def new_contact_form(qtbot, shell: Shell, case_id: uuid.UUID) -> QDialog | None:
    return open_case(qtbot, shell, case_id).open_new_contact()


def goal_form(qtbot, shell: Shell, case_id: uuid.UUID) -> QDialog | None:
    view = open_case(qtbot, shell, case_id)
    view.tabs.setCurrentWidget(view.plan_tab)
    return view.plan_tab.open_goal()


def new_referral_form(qtbot, shell: Shell, case_id: uuid.UUID) -> QDialog | None:
    return open_referrals(qtbot, shell, case_id).open_new_referral()


def next_step_form(qtbot, shell: Shell, case_id: uuid.UUID) -> QDialog | None:
    tab = open_referrals(qtbot, shell, case_id)
    qtbot.waitUntil(lambda: tab.selected() is not None, timeout=WAIT_MS)
    return tab.open_record_step()


def type_into_first_text(dialog: QDialog) -> None:
    """Something typed, so that a form with a draft has one to keep."""
    for field in dialog.findChildren(QLineEdit) + dialog.findChildren(QPlainTextEdit):
        if field.isVisible() and field.isEnabled() and not field.isReadOnly():
            field.setFocus()
            if isinstance(field, QLineEdit):
                field.insert("Amara")
            else:
                field.insertPlainText("Amara")
            return


@pytest.mark.parametrize(
    ("opener", "draft"),
    [
        (new_case_form, NEW_CASE_FORM),
        (new_contact_form, NEW_CONTACT_FORM),
        (goal_form, None),
        (new_referral_form, None),
        (next_step_form, None),
    ],
    ids=["new case", "new contact", "goal", "new referral", "record next step"],
)
@pytest.mark.parametrize("how", ["button", "ctrl+l"])
def test_locking_with_a_form_open(
    qtbot,
    shell: Shell,
    vault,
    clock,
    log_in,
    services,  # noqa: F811 - the fixture imported above
    opener,
    draft: str | None,
    how: str,  # noqa: F811
) -> None:
    case_id = make_case(vault, clock)
    refer(vault, clock, case_id, services["Southwark CAMHS"])
    log_in(vault.worker)
    dialog = opener(qtbot, shell, case_id)
    assert dialog is not None
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    type_into_first_text(dialog)
    assert shell.workspace is not None
    where = shell.workspace.place()
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        if how == "button":
            qtbot.mouseClick(shell.toolbar.widgetForAction(shell.lock_action), Qt.MouseButton.LeftButton)
        else:
            focus = QApplication.focusWidget() or dialog
            qtbot.keyClick(focus, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shell.is_locked and shell.stack.currentWidget() is shell.login
    assert open_dialogs() == []
    qtbot.waitUntil(lambda: shell.login.unlock_button.isEnabled(), timeout=WAIT_MS)
    if draft is not None:
        with signed_in(vault.location, clock, vault.worker) as unlocked:
            assert [form for form, _subject, _at in DraftService(unlocked).list_mine()] == [draft]

    log_in(vault.worker)
    assert shell.workspace is not None
    if where.case is not None:  # back at the same case and tab
        qtbot.waitUntil(lambda: shell.workspace is not None and shell.workspace.place() == where, timeout=WAIT_MS)
    page = caseload(qtbot, shell)
    if draft is not None:  # and the draft is offered back
        qtbot.waitUntil(lambda: len(page.banners) == 1, timeout=WAIT_MS)


@pytest.fixture
def real_prompts_shell(qtbot, vault, clock, background) -> Shell:
    """A main window asking through real message boxes (the "Discard?" question is one)."""
    window = Shell(vault.location, clock, background, Prompts())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=WAIT_MS)
    return window


def test_ctrl_l_from_the_discard_question(qtbot, real_prompts_shell: Shell, vault, clock) -> None:
    shell = real_prompts_shell
    [case_id] = [make_case(vault, clock)]
    shell.login.username.setText(vault.worker.username)
    shell.login.password.setText(vault.worker.password)
    with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
        shell.login.unlock_button.click()
    view = open_case(qtbot, shell, case_id)
    dialog = view.open_new_contact()
    assert isinstance(dialog, RecordDialog)
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    dialog.form["notes"].restore("Met at the bedside.")
    asked: list[str] = []

    def lock_from_the_question() -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        asked.append(box.text())
        qtbot.keyClick(box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    QTimer.singleShot(50, lock_from_the_question)
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        dialog.reject()  # Esc: asks "Discard?" in a nested event loop
    assert asked and "Discard" in asked[0]
    assert shell.is_locked and open_dialogs() == []
    qtbot.waitUntil(lambda: shell.login.unlock_button.isEnabled(), timeout=WAIT_MS)
    with signed_in(vault.location, clock, vault.worker) as unlocked:  # not discarded: kept as a draft
        assert [form for form, _subject, _at in DraftService(unlocked).list_mine()] == [NEW_CONTACT_FORM]


def test_a_lock_closes_an_open_menu(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    menu = QMenu(shell)
    menu.addAction("Something")
    menu.popup(shell.mapToGlobal(shell.rect().center()))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is menu, timeout=WAIT_MS)
    shell.lock()
    assert QApplication.activePopupWidget() is None and not menu.isVisible()


def test_the_application_hidden_or_long_in_the_background_locks(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    shell.on_application_state(Qt.ApplicationState.ApplicationInactive)
    assert not shell.is_locked and shell.inactive_timer.isActive()
    shell.on_application_state(Qt.ApplicationState.ApplicationActive)  # back in front in time
    assert not shell.inactive_timer.isActive()
    shell.on_application_state(Qt.ApplicationState.ApplicationInactive)
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        shell.inactive_timer.timeout.emit()
    assert "background" in shell.login.notice.text()
    log_in(vault.worker)
    with qtbot.waitSignal(shell.locked, timeout=WAIT_MS):
        shell.on_application_state(Qt.ApplicationState.ApplicationHidden)


def test_the_page_under_a_form_takes_no_input(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    dialog = page.open_new_case()
    assert dialog is not None
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    qtbot.keyClicks(page.search, "abc")
    assert page.search.text() == ""
    dialog.done(QDialog.DialogCode.Rejected)
    qtbot.keyClicks(page.search, "abc")
    assert page.search.text() == "abc"
