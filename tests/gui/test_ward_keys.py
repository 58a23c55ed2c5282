"""The keyboard journeys, counted key by key (a modifier held counts as a key too): a new case
for the standard test person within 90 keys with at most 12 of them Tab, a contact within 8."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.shell import Shell

from .conftest import WAIT_MS
from .test_ward_lock import caseload

pytestmark = pytest.mark.gui
NEW_CASE_GOAL, NEW_CASE_TABS, CONTACT_GOAL = 90, 12, 8


@dataclass
class Keyboard:
    """Presses keys on whatever has the focus, and counts them."""

    qtbot: object
    keys: int = 0
    tabs: int = 0
    log: list[str] = field(default_factory=list)

    def focused(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, f"nothing has the focus after {self.log}"
        return widget

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focused(), text)  # type: ignore[attr-defined]
        self.keys += len(text)
        self.log.append(text)

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.focused(), key, modifier)  # type: ignore[attr-defined]
        self.keys += 1 + bin(modifier.value).count("1")
        self.tabs += key == Qt.Key.Key_Tab
        self.log.append(key.name)


def activate(qtbot, window: QWidget) -> None:
    qtbot.waitExposed(window, timeout=WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def test_a_new_case_and_a_contact_by_keyboard_within_the_goals(qtbot, shell: Shell, vault, log_in, clock) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    activate(qtbot, shell)
    keyboard = Keyboard(qtbot)
    keyboard.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.open_new_case() is not None, timeout=WAIT_MS)
    dialog = page.open_new_case()  # the one open already
    assert dialog is not None
    activate(qtbot, dialog)
    enter = Qt.Key.Key_Return
    keyboard.type("Jamal")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("Okafor")
    keyboard.press(Qt.Key.Key_Tab)
    keyboard.type("2009-05-17")
    keyboard.press(enter)  # on to the next required field still empty: Sex
    keyboard.type("1")  # the code: shown as Male
    keyboard.press(enter)
    keyboard.type("african")
    keyboard.press(enter)
    keyboard.type("southw")
    keyboard.press(enter)  # the case keeps its defaults: on to the incident
    keyboard.type("knife")
    keyboard.press(enter)
    keyboard.type("street")
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        keyboard.press(enter, Qt.KeyboardModifier.ControlModifier)
    detail = created.args[0]
    person = detail.person.values
    assert (person["given_name"], person["family_name"], person["sex"]) == ("Jamal", "Okafor", "1")
    assert (person["ethnicity"], person["borough"]) == ("N", "southwark")
    assert detail.incident.values["assault_method"] == "knife"
    print(f"new case: {keyboard.keys} keys, {keyboard.tabs} of them Tab")
    assert keyboard.keys <= NEW_CASE_GOAL and keyboard.tabs <= NEW_CASE_TABS

    view = page.case_view
    activate(qtbot, shell)
    contact = Keyboard(qtbot)
    contact.press(Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: view.findChild(RecordDialog) is not None, timeout=WAIT_MS)
    form = view.findChild(RecordDialog)
    assert form is not None
    activate(qtbot, form)
    with qtbot.waitSignal(form.saved, timeout=WAIT_MS):  # the defaults: at the bedside, just now
        contact.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    print(f"contact: {contact.keys} keys")
    assert contact.keys <= CONTACT_GOAL
