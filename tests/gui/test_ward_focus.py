"""Keyboard order in every dialog: Tab goes top to bottom, left to right, as the widgets are seen;
Cancel never comes straight after a text field; Escape cancels; a refused new password keeps the
focus in the password field and never makes "Sign out" the default button."""

from __future__ import annotations

import functools
import uuid

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QWidget,
)

from youthcase.gui.forms.change_password import ChangePasswordDialog
from youthcase.gui.navigation import Section
from youthcase.gui.pages.administration import AdministrationPage
from youthcase.gui.shell import Shell

from .conftest import WAIT_MS
from .test_referrals import make_case, refer, services  # noqa: F401 - services: a fixture
from .test_ward_lock import (
    goal_form,
    new_case_form,
    new_contact_form,
    new_referral_form,
    next_step_form,
    open_case,
)

pytestmark = pytest.mark.gui


def takes_tab(widget: QWidget, window: QWidget) -> bool:
    return (
        widget.window() is window
        and widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
    )


def focus_chain(qtbot, window: QWidget) -> list[QWidget]:
    """The widgets Tab visits, pressing Tab from the first one seen until it comes round."""
    every = [w for w in window.findChildren(QWidget) if takes_tab(w, window)]
    assert every, "nothing in the dialog takes the focus"
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    in_visual_order(window, every)[0].setFocus(Qt.FocusReason.OtherFocusReason)
    chain: list[QWidget] = []
    for _ in range(len(every) + 1):
        widget = QApplication.focusWidget()
        assert widget is not None
        if widget in chain:
            break
        chain.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    assert chain[0] is QApplication.focusWidget(), "Tab did not come round to the first field"
    assert set(chain) == set(every), [name(w) for w in set(every) - set(chain)]
    return chain


def scrolled_in(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not parent.isWindow():
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def area(window: QWidget, widget: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def visual_compare(window: QWidget, a: QWidget, b: QWidget) -> int:
    """Above comes first; side by side (overlapping heights), left comes first. What scrolls is
    seen in its own order, all of it where its scroll area is."""
    scroll_a, scroll_b = scrolled_in(a), scrolled_in(b)
    content = scroll_a.widget() if scroll_a is not None and scroll_a is scroll_b else None
    if content is not None:
        ra, rb = area(content, a), area(content, b)
    else:
        ra = area(window, scroll_a if scroll_a is not None else a)
        rb = area(window, scroll_b if scroll_b is not None else b)
        if scroll_a is not None and scroll_a is b:
            return 1
        if scroll_b is not None and scroll_b is a:
            return -1
    if ra.bottom() < rb.top() + 2:
        return -1
    if rb.bottom() < ra.top() + 2:
        return 1
    return ra.left() - rb.left()


def in_visual_order(window: QWidget, widgets: list[QWidget]) -> list[QWidget]:
    def compare(a: QWidget, b: QWidget) -> int:
        return visual_compare(window, a, b)

    return sorted(widgets, key=functools.cmp_to_key(compare))


def name(widget: QWidget) -> str:
    text = widget.text() if isinstance(widget, QPushButton) else ""
    return f"{type(widget).__name__}:{widget.objectName() or text}"


def check_order(qtbot, dialog: QDialog) -> None:
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    chain = focus_chain(qtbot, dialog)
    seen = in_visual_order(dialog, chain)
    keys = {shortcut.key() for shortcut in dialog.findChildren(QShortcut)}
    assert QKeySequence("Ctrl+Return") in keys, "no Ctrl+Enter for the primary action"
    assert [name(w) for w in chain] == [name(w) for w in seen]
    boxes = dialog.findChildren(QDialogButtonBox)
    cancels = [b for box in boxes for b in box.buttons() if box.buttonRole(b) is QDialogButtonBox.ButtonRole.RejectRole]
    for cancel in cancels:
        if cancel in chain:
            before = chain[chain.index(cancel) - 1]
            assert not isinstance(before, QLineEdit | QPlainTextEdit | QComboBox), name(before)


@pytest.mark.parametrize(
    "opener",
    [new_case_form, new_contact_form, goal_form, new_referral_form, next_step_form],
    ids=["new case", "new contact", "goal", "new referral", "record next step"],
)
def test_tab_follows_what_is_seen_in_case_forms(
    qtbot,
    shell: Shell,
    vault,
    clock,
    log_in,
    services,  # noqa: F811
    opener,
) -> None:
    case_id = make_case(vault, clock)
    refer(vault, clock, case_id, services["Southwark CAMHS"])
    log_in(vault.worker)
    dialog = opener(qtbot, shell, case_id)
    assert dialog is not None
    check_order(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # nothing typed: Esc closes at once
    assert not dialog.isVisible()


def open_other_case_forms(qtbot, shell: Shell, case_id: uuid.UUID) -> list[QDialog]:
    view = open_case(qtbot, shell, case_id)
    opened = [
        view.person_tab.open_edit_person(),
        view.plan_tab.open_follow_up(),
        view.plan_tab.open_edit_case(),
        view.risk_tab.open_assessment(),
        view.safeguarding_tab.open_raise_concern(),
    ]
    return [dialog for dialog in opened if dialog is not None]


def test_tab_follows_what_is_seen_in_the_other_case_forms(qtbot, shell: Shell, vault, clock, log_in) -> None:
    case_id = make_case(vault, clock)
    log_in(vault.worker)
    dialogs = open_other_case_forms(qtbot, shell, case_id)
    assert len(dialogs) == 5
    for dialog in dialogs:
        check_order(qtbot, dialog)
        dialog.done(QDialog.DialogCode.Rejected)


def test_tab_follows_what_is_seen_in_administration_forms(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.admin)
    assert shell.workspace is not None
    page = shell.workspace.pages[Section.ADMINISTRATION]
    assert isinstance(page, AdministrationPage)
    qtbot.waitUntil(lambda: page.sites.rowCount() > 0, timeout=WAIT_MS)
    for open_dialog in (page.open_add_user, page.open_add_site):
        dialog = open_dialog()
        assert dialog is not None
        check_order(qtbot, dialog)
        dialog.done(QDialog.DialogCode.Rejected)


def test_a_refused_new_password_keeps_the_focus_in_the_password(qtbot, shell: Shell, vault) -> None:
    shell.login.username.setText(vault.newcomer.username)
    shell.login.password.setText(vault.newcomer.password)
    shell.login.unlock_button.click()
    qtbot.waitUntil(lambda: shell.login.change_password_dialog is not None, timeout=WAIT_MS)
    dialog = shell.login.change_password_dialog
    assert isinstance(dialog, ChangePasswordDialog)
    check_order(qtbot, dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    # The same as the temporary one: the service refuses it after the dialog accepted the shape.
    same = vault.newcomer.password
    dialog.new_password.setText(same)
    dialog.confirmation.setText(same)
    dialog.new_password.setFocus()
    if not dialog.submit.isEnabled():
        pytest.skip("the dialog itself refuses this password")
    qtbot.keyClick(dialog.new_password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.busy.active and dialog.error.isVisible(), timeout=WAIT_MS)
    assert QApplication.focusWidget() is dialog.new_password
    assert dialog.new_password.selectedText() == dialog.new_password.text()
    assert not dialog.sign_out.isDefault() and not dialog.sign_out.autoDefault()
    assert dialog.isVisible()
