"""Screens that fit a ward laptop: the window opens maximised on a small screen, sizes are kept
per account (keyed by the account id, nothing personal), forms are never taller than the screen,
and the dashboard shows workers by their full names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QTableView

from youthcase.gui.navigation import Section
from youthcase.gui.shell import Shell
from youthcase.services.cases import CaseService

from .conftest import WAIT_MS, new_case, record_cases, signed_in
from .test_referrals import make_case, refer, services  # noqa: F401 - services: a fixture
from .test_ward_focus import open_other_case_forms
from .test_ward_lock import (
    caseload,
    goal_form,
    new_case_form,
    new_contact_form,
    new_referral_form,
    next_step_form,
    open_case,
)

pytestmark = pytest.mark.gui


@pytest.fixture
def sized_shell(qtbot, vault, clock, background, prompts, tmp_path: Path) -> tuple[Shell, Path]:
    path = tmp_path / "sizes.ini"
    window = Shell(
        vault.location, clock, background, prompts, settings=QSettings(str(path), QSettings.Format.IniFormat)
    )
    qtbot.addWidget(window)
    window.show_fitted()
    qtbot.waitExposed(window, timeout=WAIT_MS)
    return window, path


def sign_in(qtbot, shell: Shell, person) -> None:
    shell.login.username.setText(person.username)
    shell.login.password.setText(person.password)
    with qtbot.waitSignal(shell.session_started, timeout=WAIT_MS):
        shell.login.unlock_button.click()


def test_opens_maximised_on_a_laptop_screen(qtbot, sized_shell) -> None:
    shell, _path = sized_shell
    screen = shell.screen()
    assert screen is not None and screen.availableGeometry().width() <= 1440  # offscreen: 800 px
    assert shell.isMaximized()


def test_sizes_are_kept_per_account_without_personal_data(qtbot, sized_shell, vault, clock) -> None:
    shell, path = sized_shell
    record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    sign_in(qtbot, shell, vault.worker)
    caseload(qtbot, shell)
    shell.showNormal()
    shell.resize(900, 640)
    qtbot.waitUntil(lambda: shell.width() == 900, timeout=WAIT_MS)
    shell.lock()
    text = path.read_text(encoding="utf-8")
    assert "caseloadTable" in text  # the columns too
    assert all(word not in text.lower() for word in ("wendy", "adeyemi", "okafor", "jamal", "rlh-"))
    shell.resize(1000, 700)
    sign_in(qtbot, shell, vault.supervisor)  # someone else: nothing kept for them yet
    assert shell.width() == 1000
    shell.lock()
    settings = QSettings(str(path), QSettings.Format.IniFormat)
    settings.beginGroup("accounts")
    assert len(settings.childGroups()) == 2  # one per account id, nothing else
    sign_in(qtbot, shell, vault.worker)
    # Back to this account's own size (the offscreen screen, 800 px wide, clamps it a little).
    qtbot.waitUntil(lambda: shell.width() < 1000, timeout=WAIT_MS)


def test_no_form_is_taller_than_the_screen(
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
    screen = shell.screen()
    assert screen is not None
    height = screen.availableGeometry().height()
    dialogs: list[QDialog] = []
    for opener in (new_case_form, new_contact_form, goal_form, new_referral_form, next_step_form):
        dialog = opener(qtbot, shell, case_id)
        assert dialog is not None
        dialogs.append(dialog)
        qtbot.waitExposed(dialog, timeout=WAIT_MS)
        assert dialog.frameGeometry().height() <= height, dialog.windowTitle()
        dialog.done(QDialog.DialogCode.Rejected)
    for dialog in open_other_case_forms(qtbot, shell, case_id):
        qtbot.waitExposed(dialog, timeout=WAIT_MS)
        assert dialog.frameGeometry().height() <= height, dialog.windowTitle()
        dialog.done(QDialog.DialogCode.Rejected)


def scrolls_sideways(view: QTableView) -> bool:
    header = view.horizontalHeader()
    used = sum(header.sectionSize(c) for c in range(header.count()) if not header.isSectionHidden(c))
    return used > view.viewport().width() + 1


def test_no_list_scrolls_sideways_at_1366(qtbot, shell: Shell, vault, clock, log_in) -> None:
    case_id = make_case(vault, clock)
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        service = CaseService(unlocked)
        for minutes in (30, 90):
            service.add_contact(
                case_id,
                {
                    "contact_at": clock.now() - dt.timedelta(minutes=minutes),
                    "medium": "accompanied",
                    "successful": True,
                    "contact_with": "young_person",
                    "topics": ("finances", "housing", "education"),
                },
            )
    shell.showNormal()
    shell.resize(1366, 768)
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    qtbot.wait(50)
    assert not scrolls_sideways(page.view)
    view = open_case(qtbot, shell, case_id)
    view.tabs.setCurrentWidget(view.contacts_tab)
    qtbot.waitUntil(lambda: view.contacts_tab.model.rowCount() == 2, timeout=WAIT_MS)
    qtbot.wait(50)
    assert not scrolls_sideways(view.contacts_tab.view)
    shell.lock()
    log_in(vault.supervisor)
    assert shell.workspace is not None and shell.workspace.supervision is not None
    supervision = shell.workspace.supervision
    shell.workspace.show_section(Section.SUPERVISION)
    qtbot.waitUntil(lambda: supervision.overview is not None, timeout=WAIT_MS)
    assert not scrolls_sideways(supervision.dashboard.worker_view)
    supervision.tabs.setCurrentWidget(supervision.audit)
    qtbot.waitUntil(lambda: supervision.audit.model.rowCount() > 0, timeout=WAIT_MS)
    qtbot.wait(50)
    assert not scrolls_sideways(supervision.audit.view)
