"""The Access tab of the Supervision page (keys v2): admitting the people waiting, revoking, and
rotating a site key when a disabled account held it. Every call runs in the background."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel

from youthcase.domain.roles import Role
from youthcase.gui.app import stylesheet
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.navigation import Section
from youthcase.gui.pages.supervision import ACCESS_TAB, SupervisionPage
from youthcase.gui.pages.supervision.access import AccessPanel, Admission
from youthcase.gui.shell import Shell
from youthcase.services.access import AccessService
from youthcase.services.accounts import AccountService
from youthcase.services.cases import CaseService
from youthcase.services.supervision import HeldByDisabled

from .conftest import WAIT_MS, Person, _settle_password, new_case, record_cases, signed_in

pytestmark = pytest.mark.gui
WALE = Person("wale", "lighthouse pebble autumn 62", Role.WORKER)


def add_waiting_worker(vault, clock, person: Person = WALE) -> Person:
    """An account with RLH as its home site that has set its own password: not admitted yet."""
    with signed_in(vault.location, clock, vault.admin) as unlocked:
        AccountService(unlocked).add_user(person.username, person.role, person.password + " tmp", ["RLH"])
    _settle_password(vault.location, clock, person)
    return person


def access_tab(qtbot, shell: Shell) -> tuple[SupervisionPage, AccessPanel]:
    assert shell.workspace is not None
    page = shell.workspace.supervision
    assert page is not None
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        shell.workspace.show_section(Section.SUPERVISION)
    with qtbot.waitSignal(page.access.loaded, timeout=WAIT_MS):
        page.tabs.setCurrentIndex(ACCESS_TAB)
    qtbot.waitUntil(lambda: not page.access.busy, timeout=WAIT_MS)
    return page, page.access


def test_a_supervisor_admits_the_person_waiting(qtbot, shell: Shell, vault, log_in, clock, background) -> None:
    wale = add_waiting_worker(vault, clock)
    log_in(vault.supervisor)
    page, panel = access_tab(qtbot, shell)
    assert panel.waiting.rowCount() == 1
    assert panel.waiting.row_at(0) == Admission("wale", "RLH", "worker")
    assert page.tabs.tabText(ACCESS_TAB) == "Access (1)"
    assert ("wendy", "RLH") in {(a.username, a.site_code) for a in panel.admitted.rows}
    assert not panel.rotation_banner.isVisibleTo(panel)  # nothing due
    assert panel.admit_button.isEnabled()  # the first waiting row is selected

    with qtbot.waitSignal(background.notice.changed, timeout=WAIT_MS):
        panel.admit_button.click()
        assert panel.busy and not panel.admit_button.isEnabled()  # in the background
    qtbot.waitUntil(lambda: panel.waiting.rowCount() == 0 and not panel.busy, timeout=WAIT_MS)
    assert Admission("wale", "RLH", "worker") in panel.admitted.rows
    assert page.tabs.tabText(ACCESS_TAB) == "Access"
    assert panel.waiting_empty.isVisibleTo(panel)
    with signed_in(vault.location, clock, wale) as unlocked:
        assert unlocked.actor.site_codes == frozenset({"RLH"})
        CaseService(unlocked).create_case(new_case("Ade", "Bello"))  # wale may record at RLH now


def test_a_failed_admission_is_shown_by_the_prompts(qtbot, shell: Shell, vault, log_in, clock, prompts) -> None:
    add_waiting_worker(vault, clock)
    log_in(vault.supervisor)
    _page, panel = access_tab(qtbot, shell)
    with signed_in(vault.location, clock, vault.admin) as unlocked:  # meanwhile, elsewhere
        AccountService(unlocked).disable_user("wale")
    panel.admit_button.click()
    qtbot.waitUntil(lambda: any(kind == "warn" for kind, _ in prompts.asked), timeout=WAIT_MS)
    [(_kind, text)] = [entry for entry in prompts.asked if entry[0] == "warn"]
    assert "wale is disabled" in text.lower()
    assert not panel.busy and panel.admit_button.isEnabled()


def test_revoking_hands_the_cases_to_the_supervisor(
    qtbot, shell: Shell, vault, log_in, clock, background, prompts
) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    log_in(vault.supervisor)
    _page, panel = access_tab(qtbot, shell)
    row = next(r for r in range(panel.admitted.rowCount()) if panel.admitted.row_at(r).username == "wendy")
    panel.admitted_view.selectRow(row)
    assert panel.revoke_button.isEnabled()
    prompts.confirm_answers.append(True)
    with qtbot.waitSignal(background.notice.changed, timeout=WAIT_MS):
        panel.revoke_button.click()
    assert ("inform", "wendy is no longer admitted to RLH. 1 case passed to you.") in prompts.asked
    # Her home site is still RLH and she has her keys: she waits to be admitted again.
    qtbot.waitUntil(lambda: Admission("wendy", "RLH", "worker") in panel.waiting.rows, timeout=WAIT_MS)
    with signed_in(vault.location, clock, vault.supervisor) as unlocked:
        assert CaseService(unlocked).case_detail(case_id).worker == "sam"


def test_rotate_is_highlighted_when_a_disabled_account_held_the_key(
    qtbot, shell: Shell, vault, log_in, clock, background, prompts
) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    with signed_in(vault.location, clock, vault.admin) as unlocked:
        AccountService(unlocked).disable_user("wendy")
    log_in(vault.supervisor)
    page, panel = access_tab(qtbot, shell)
    assert panel.rotation_banner.isVisibleTo(panel)
    assert "Rotate the key of RLH" in panel.rotation_text.text()
    assert panel.rotate_button.objectName() == "primaryButton"  # stands out
    assert panel.site_choice.currentText() == "RLH"  # the site due is chosen
    assert page.tabs.tabText(ACCESS_TAB) == "Access (2)"  # the rotation, and wendy's case to hand over
    save_screenshot(shell, page, "supervision-access.png")

    prompts.confirm_answers.append(False)  # asked first; nothing happens on Cancel
    panel.rotate_button.click()
    assert prompts.asked[-1][0] == "confirm" and "RLH" in prompts.asked[-1][1]
    assert not panel.busy

    prompts.confirm_answers.append(True)
    with qtbot.waitSignal(background.notice.changed, timeout=WAIT_MS):
        panel.rotate_button.click()
    assert ("inform", "RLH has a new key: 1 case re-wrapped.") in prompts.asked
    qtbot.waitUntil(lambda: not panel.busy and not panel.rotation_banner.isVisibleTo(panel), timeout=WAIT_MS)
    assert panel.rotate_button.objectName() == "rotateButton"
    assert not panel.held_panel.isVisibleTo(panel)  # the rotation passed wendy's case to sam
    assert page.tabs.tabText(ACCESS_TAB) == "Access"
    with signed_in(vault.location, clock, vault.supervisor) as unlocked:
        assert CaseService(unlocked).case_detail(case_id).worker == "sam"  # the disabled worker's case


def save_screenshot(shell: Shell, page: SupervisionPage, name: str) -> None:
    """With YOUTHCASE_SCREENSHOTS=folder: the window at 1366x768 on the Access tab."""
    folder = os.environ.get("YOUTHCASE_SCREENSHOTS")
    if not folder:
        return
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    app.setStyleSheet(stylesheet())  # the look of the real app (the tests run without it)
    try:
        shell.resize(1366, 768)
        page.tabs.setCurrentIndex(ACCESS_TAB)
        shell.grab().save(str(Path(folder) / name))
    finally:
        app.setStyleSheet(before)


def test_the_open_cases_of_a_disabled_worker_are_handed_over(
    qtbot, shell: Shell, vault, log_in, clock, background, prompts
) -> None:
    wale = add_waiting_worker(vault, clock)
    with signed_in(vault.location, clock, vault.supervisor) as unlocked:
        AccessService(unlocked).grant(wale.username, "RLH")
    record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"), new_case("Ade", "Bello"))
    with signed_in(vault.location, clock, vault.admin) as unlocked:
        AccountService(unlocked).disable_user("wendy")
    log_in(vault.supervisor)
    page, panel = access_tab(qtbot, shell)
    assert panel.held_panel.isVisibleTo(panel)
    assert panel.overview is not None and panel.overview.held == [HeldByDisabled("wendy", "RLH", 2)]
    held_text = " ".join(label.text() for label in panel.held_panel.findChildren(QLabel))
    assert "Cases held by disabled accounts" in held_text and "holds 2 open cases at <b>RLH" in held_text
    assert page.tabs.tabText(ACCESS_TAB) == "Access (2)"  # the handover and the rotation
    [button] = panel.handover_buttons
    assert button.isEnabled() and button.text() == "Hand over…"
    save_screenshot(shell, page, "supervision-handover.png")

    button.click()
    [dialog] = [d for d in panel.findChildren(RecordDialog) if d.isVisible()]
    assert dialog.windowTitle() == "Hand over cases"
    choices = [code.code for code in dialog.form["to_worker"].spec.code_list or ()]
    assert choices == ["sam", "wale"]  # admitted to RLH (wendy's admission went with the disable)
    dialog.form["to_worker"].restore("wale")
    with qtbot.waitSignal(background.notice.changed, timeout=WAIT_MS):
        dialog.start_save()
    assert ("inform", "2 cases of wendy at RLH handed over.") in prompts.asked
    qtbot.waitUntil(lambda: not panel.busy and not panel.held_panel.isVisibleTo(panel), timeout=WAIT_MS)
    assert page.tabs.tabText(ACCESS_TAB) == "Access (1)"  # the rotation is still due
    with signed_in(vault.location, clock, wale) as unlocked:
        assert sorted(row.given_name for row in CaseService(unlocked).caseload()) == ["Ade", "Jamal"]


def test_every_use_of_the_recovery_key_is_shown_to_supervisors(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    _page, panel = access_tab(qtbot, shell)
    text = panel.recovery_uses.text()
    # The test vault's first people were admitted with the recovery key (break glass): three grants.
    assert "The recovery key was used 3 times in the last 90 days" in text and "break-glass grant" in text
    if os.environ.get("YOUTHCASE_SCREENSHOTS"):
        QApplication.instance().setStyleSheet(stylesheet())  # type: ignore[union-attr]
        shell.resize(1366, 768)
        shell.grab().save(str(Path(os.environ["YOUTHCASE_SCREENSHOTS"]) / "access-recovery-uses.png"))
