"""Every interactive control of every screen and dialog has an accessible name (what a screen
reader says and what voice control calls it): read through Qt's accessibility interface, as the
Linux accessibility bus does."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from youthcase.gui.navigation import Section
from youthcase.gui.shell import Shell

from .conftest import WAIT_MS
from .test_referrals import make_case, refer, services  # noqa: F401 - services: a fixture
from .test_ward_focus import open_other_case_forms
from .test_ward_lock import goal_form, new_case_form, new_contact_form, new_referral_form, next_step_form, open_case

pytestmark = pytest.mark.gui
INTERACTIVE = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


def unnamed(window: QWidget) -> list[str]:
    """Visible interactive widgets a screen reader would announce without a name."""
    found = []
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, INTERACTIVE) or not widget.isVisible():
            continue
        if isinstance(widget, QLineEdit) and isinstance(widget.parentWidget(), QComboBox | QAbstractSpinBox):
            continue  # the combo box's or spin box's own editor: the box has the name
        if not accessible_name(widget):
            parent = widget.parentWidget()
            found.append(f"{type(widget).__name__}:{widget.objectName()} in {parent.objectName() if parent else '-'}")
    return found


def test_the_login_screen_names_its_fields(qtbot, shell: Shell) -> None:
    assert unnamed(shell) == []


def test_every_screen_of_every_role_names_its_controls(qtbot, shell: Shell, vault, clock, log_in) -> None:
    case_id = make_case(vault, clock)
    problems: dict[str, list[str]] = {}
    for person in (vault.worker, vault.supervisor, vault.admin):
        log_in(person)
        workspace = shell.workspace
        assert workspace is not None
        for section in workspace.sections:
            workspace.show_section(section)
            qtbot.wait(50)
            problems[f"{person.username} {section.value}"] = unnamed(shell)
        if workspace.caseload is not None:
            workspace.show_section(Section.CASELOAD)
            view = open_case(qtbot, shell, case_id)
            for index in range(view.tabs.count()):
                view.tabs.setCurrentIndex(index)
                qtbot.wait(20)
                problems[f"{person.username} case tab {view.tabs.tabText(index)}"] = unnamed(shell)
        shell.lock()
    assert {where: found for where, found in problems.items() if found} == {}


def test_every_dialog_names_its_controls(
    qtbot,
    shell: Shell,
    vault,
    clock,
    log_in,
    services,  # noqa: F811 - the fixture imported above
) -> None:
    case_id = make_case(vault, clock)
    refer(vault, clock, case_id, services["Southwark CAMHS"])
    log_in(vault.worker)
    problems: dict[str, list[str]] = {}
    for opener in (new_case_form, new_contact_form, goal_form, new_referral_form, next_step_form):
        dialog = opener(qtbot, shell, case_id)
        assert dialog is not None
        qtbot.waitExposed(dialog, timeout=WAIT_MS)
        problems[dialog.windowTitle()] = unnamed(dialog)
        dialog.done(QDialog.DialogCode.Rejected)
    for dialog in open_other_case_forms(qtbot, shell, case_id):
        qtbot.waitExposed(dialog, timeout=WAIT_MS)
        problems[dialog.windowTitle()] = unnamed(dialog)
        dialog.done(QDialog.DialogCode.Rejected)
    assert {where: found for where, found in problems.items() if found} == {}
