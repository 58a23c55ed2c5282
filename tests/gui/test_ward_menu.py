"""The menu bar (every action with its shortcut), Help > Keyboard shortcuts on F1, and where the
focus goes: the first control after an unlock, the new tab's first control after Ctrl+Tab, the
draft banner's Restore when a draft waits."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu

from youthcase.gui import shortcuts
from youthcase.gui.forms.new_case import NewCaseDialog
from youthcase.gui.navigation import Section
from youthcase.gui.shell import Shell
from youthcase.gui.shortcuts import ShortcutsDialog

from .conftest import WAIT_MS
from .test_referrals import make_case
from .test_ward_lock import caseload, open_case

pytestmark = pytest.mark.gui


def menu_texts(shell: Shell) -> dict[str, list[str]]:
    menus = {}
    for top in shell.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu) and top.isVisible():
            menus[top.text().replace("&", "")] = [
                a.text() + (f"\t{a.shortcut().toString()}" if not a.shortcut().isEmpty() else "")
                for a in menu.actions()
                if not a.isSeparator()
            ]
    return menus


def test_every_menu_action_shows_its_shortcut(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    menus = menu_texts(shell)
    assert list(menus) == ["Session", "Go", "Case", "Help"]
    # Restoring a backup is rare and opens its own dialog: the one action with no shortcut.
    assert menus["Session"] == ["Lock\tCtrl+L", "Hide names\tCtrl+Shift+H", "Restore a backup..."]
    assert shell.workspace is not None
    titles = [shell.workspace.title_of(section) for section in shell.workspace.sections]
    assert menus["Go"] == [f"{title}\tCtrl+{n}" for n, title in enumerate(titles, start=1)]
    with_keys = [text for texts in menus.values() for text in texts if text != "Restore a backup..."]
    assert all("\t" in text for text in with_keys)
    listed = {keys for keys, _what in shortcuts.SHORTCUTS}
    for text in with_keys:
        keys = text.split("\t")[1]
        assert any(keys in row for row in listed) or keys[:-1] == "Ctrl+", keys  # Ctrl+1-5: one row


def test_go_menu_shortcuts_switch_sections(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    assert shell.workspace is not None
    shell.activateWindow()
    qtbot.waitUntil(shell.isActiveWindow, timeout=WAIT_MS)
    second = shell.workspace.sections[1]
    focus = QApplication.focusWidget() or shell
    qtbot.keyClick(focus, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert shell.workspace.current_section is second


def test_f1_lists_the_shortcuts_locked_or_not(qtbot, shell: Shell, vault, log_in) -> None:
    shell.activateWindow()
    qtbot.waitUntil(shell.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(shell.login.username, Qt.Key.Key_F1)
    dialog = shell.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    rows = [item.text() for row in range(dialog.table.rowCount()) if (item := dialog.table.item(row, 0))]
    assert rows == [keys for keys, _what in shortcuts.SHORTCUTS]
    assert QKeySequence(shortcuts.LOCK).toString() in rows
    dialog.close()
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    form = page.open_new_case()
    assert form is not None
    qtbot.waitExposed(form, timeout=WAIT_MS)
    shell.help_action.trigger()
    assert dialog.isVisible()
    shell.lock()  # the lock closes it too
    assert not dialog.isVisible()


def test_the_case_menu_opens_a_new_case(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    caseload(qtbot, shell)
    shell.case_menu.aboutToShow.emit()
    assert not shell.case_actions["new_contact"].isEnabled()  # no case open
    shell.case_actions["new_case"].trigger()
    assert shell.workspace is not None and shell.workspace.caseload is not None
    assert shell.workspace.caseload.findChild(NewCaseDialog) is not None


def test_focus_after_unlock_and_after_ctrl_tab(qtbot, shell: Shell, vault, clock, log_in) -> None:
    case_id = make_case(vault, clock)
    log_in(vault.worker)
    shell.activateWindow()
    qtbot.waitUntil(shell.isActiveWindow, timeout=WAIT_MS)
    page = caseload(qtbot, shell)
    focus = QApplication.focusWidget()
    assert focus is not None and focus.isVisible() and page.isAncestorOf(focus)

    view = open_case(qtbot, shell, case_id)
    for _ in range(view.tabs.count()):
        before = view.tabs.currentWidget()
        focus = shell.focusWidget() or view.tabs  # the window's focus (active or not)
        qtbot.keyClick(focus, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
        shown = view.tabs.currentWidget()
        assert shown is not before
        focus = shell.focusWidget()
        assert focus is not None and focus.isVisible(), view.tabs.tabText(view.tabs.currentIndex())
        assert shown is not None and (shown.isAncestorOf(focus) or focus is view.tabs.tabBar())

    shell.lock()
    log_in(vault.worker)
    focus = shell.focusWidget()
    assert focus is not None and focus.isVisible() and focus is not shell.login.unlock_button


def test_a_waiting_draft_gets_the_focus_on_its_restore_button(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    dialog = page.open_new_case()
    assert dialog is not None
    qtbot.waitExposed(dialog, timeout=WAIT_MS)
    given = dialog.person["given_name"].input
    assert isinstance(given, QLineEdit)
    given.insert("Amara")
    shell.lock()
    log_in(vault.worker)
    shell.activateWindow()
    qtbot.waitUntil(shell.isActiveWindow, timeout=WAIT_MS)
    assert shell.workspace is not None and shell.workspace.current_section is Section.CASELOAD
    page = caseload(qtbot, shell)
    qtbot.waitUntil(lambda: len(page.banners) == 1, timeout=WAIT_MS)
    assert QApplication.focusWidget() is page.banners[0].restore_button
