"""Recording cases through the GUI: a new case and a contact by keyboard alone, the returning young
person, hidden names, a case that is not yours, and drafts after a lock or a crash."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from youthcase.gui.drafts import NEW_CASE_FORM, NEW_CONTACT_FORM
from youthcase.gui.forms.new_case import NewCaseDialog, _match_from_raw, _match_to_raw, describe_match
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.models.caseload import NAME
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.shell import Shell
from youthcase.services.cases import MATCH_LIMIT, CaseService, EarlierCase, PersonMatch
from youthcase.services.drafts import DraftService

from .conftest import WAIT_MS, new_case, record_cases, signed_in

pytestmark = pytest.mark.gui
MAX_TABS = 60


def caseload(qtbot, shell: Shell) -> CaseloadPage:
    assert shell.workspace is not None
    page = shell.workspace.caseload
    assert page is not None
    qtbot.waitUntil(lambda: page.has_loaded and not page.loading.isVisible(), timeout=WAIT_MS)
    return page


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def activate(qtbot, window: QWidget) -> None:
    qtbot.waitExposed(window, timeout=WAIT_MS)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(focused(), text)


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def tab_to(qtbot, target: QWidget) -> int:
    """Press Tab until ``target`` has the focus; how many presses it took."""
    for presses in range(MAX_TABS):
        if focused() is target:
            return presses
        press(qtbot, Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName()}")


def save_by_keyboard(qtbot) -> None:
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def open_new_case(qtbot, page: CaseloadPage) -> NewCaseDialog:
    activate(qtbot, page.window())
    qtbot.keyClick(page.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.findChild(NewCaseDialog) is not None, timeout=WAIT_MS)
    dialog = page.findChild(NewCaseDialog)
    assert dialog is not None
    activate(qtbot, dialog)
    return dialog


def test_new_case_and_contact_by_keyboard(qtbot, shell: Shell, vault, log_in, clock) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    assert page.model.total == 0
    dialog = open_new_case(qtbot, page)
    person, case, incident = dialog.person, dialog.case, dialog.incident
    assert focused() is person["given_name"].input
    # Sensible defaults: arrival now (London), my site, referred by ED staff.
    assert case["site"].raw() == "RLH"
    assert case["arrival_at"].raw() == "2026-03-02 09:30"
    assert case["referral_source"].raw() == "ed_staff"

    type_text(qtbot, "Jamal")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Okafor")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "2009-13-45")  # checked when the field is left
    press(qtbot, Qt.Key.Key_Tab)
    assert person["date_of_birth"].has_problem
    assert "YYYY-MM-DD" in person["date_of_birth"].message.text()
    qtbot.keyClick(person["date_of_birth"].input, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert focused() is person["date_of_birth"].input
    cast(QLineEdit, person["date_of_birth"].input).selectAll()
    type_text(qtbot, "2009-05-17")  # the message goes as soon as the value is right
    assert not person["date_of_birth"].has_problem
    tab_to(qtbot, person["sex"].input)
    type_text(qtbot, "Male")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "African")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Southwark")
    press(qtbot, Qt.Key.Key_Tab)
    # The rest of the person and the whole case keep their defaults: on to the incident.
    presses = tab_to(qtbot, incident["assault_method"].input)
    assert presses > 10  # through every person and case field, in order
    type_text(qtbot, "Knife")
    press(qtbot, Qt.Key.Key_Tab)
    tab_to(qtbot, incident["assault_location_type"].input)
    type_text(qtbot, "Street")
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        save_by_keyboard(qtbot)
    detail = created.args[0]
    assert detail.reference == "RLH-26-00001"
    assert detail.person.values["sex"] == "1" and detail.person.values["borough"] == "southwark"
    assert detail.incident.values["assault_method"] == "knife"
    view = page.case_view
    assert page.host.currentWidget() is view and view.case_id == detail.case_id
    assert "RLH-26-00001" in view.title.text() and "Jamal Okafor" in view.title.text()

    # A contact in a few keystrokes: Ctrl+Shift+N, the notes, Ctrl+Enter.
    activate(qtbot, shell)
    qtbot.keyClick(view.tabs, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: view.findChild(RecordDialog) is not None, timeout=WAIT_MS)
    contact = view.findChild(RecordDialog)
    assert contact is not None
    activate(qtbot, contact)
    assert focused() is contact.form["medium"].input
    assert contact.form["medium"].raw() == "bedside"  # the arrival was minutes ago
    tab_to(qtbot, contact.form["notes"].input)
    type_text(qtbot, "Met at the bedside with mum.")
    with qtbot.waitSignal(contact.saved, timeout=WAIT_MS):
        save_by_keyboard(qtbot)
    qtbot.waitUntil(lambda: view.contacts_tab.model.rowCount() == 1, timeout=WAIT_MS)
    values = view.contacts_tab.model.row_at(0).values
    assert values["successful"] is True and values["contact_with"] == "young_person"
    assert values["notes"] == "Met at the bedside with mum."
    assert values["contact_at"] == clock.now()

    # Esc goes back to the caseload, which reloads: the case is engaged now.
    activate(qtbot, shell)
    press(qtbot, Qt.Key.Key_Escape)
    assert page.host.currentWidget() is page.list_panel
    qtbot.waitUntil(lambda: not page.loading.isVisible() and page.model.total == 1, timeout=WAIT_MS)
    assert page.proxy.case_at(0).engagement == "engaged"
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        assert DraftService(unlocked).list_mine() == []  # saved forms leave no drafts


def test_problems_found_by_the_service_show_on_their_fields(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    dialog = page.open_new_case()
    assert dialog is not None
    qtbot.addWidget(dialog)
    person, incident = dialog.person, dialog.incident
    for row, text in (
        (person["given_name"], "Jamal"),
        (person["family_name"], "Okafor"),
        (person["date_of_birth"], "1990-01-01"),
        (person["sex"], "1"),
        (person["ethnicity"], "N"),
        (person["borough"], "southwark"),
        (incident["assault_method"], "other"),
        (incident["assault_location_type"], "street"),
    ):
        row.restore(text)
    dialog.start_save()
    qtbot.waitUntil(lambda: not dialog.busy.active and person["date_of_birth"].has_problem, timeout=WAIT_MS)
    assert "ages 10-25" in person["date_of_birth"].message.text()  # a rule across fields
    assert incident["assault_method_other"].has_problem  # "other" needs a description
    assert dialog.isVisible()  # nothing saved; the form stays open
    dialog.done(0)


def test_a_returning_young_person_is_offered(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [first] = record_cases(
        vault, clock, vault.worker, new_case("Jamal", "Okafor", nhs_number="943 476 5919", arrived_hours_ago=24 * 40)
    )
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    dialog = open_new_case(qtbot, page)
    person = dialog.person
    tab_to(qtbot, person["nhs_number"].input)
    type_text(qtbot, "943 476 5919")
    press(qtbot, Qt.Key.Key_Tab)  # leaving the NHS number looks the young person up
    qtbot.waitUntil(lambda: dialog.returning.isVisible(), timeout=WAIT_MS)
    assert dialog.lookups == 1
    [match] = dialog.returning.matches
    # Keys v2: a match says where and when the earlier case is and who holds it, never its content.
    assert match.earlier_cases == (EarlierCase("RLH", dt.date(2026, 1, 1), True, "wendy"),)
    assert match.within_re_attendance_window
    offer = dialog.returning.findChildren(type(person["given_name"].message))
    text = " ".join(label.text() for label in offer)
    assert "Earlier case at RLH, January 2026, still open, held by wendy" in text
    assert "ask them or a supervisor of RLH to share it" in text
    assert "within the last 12 months" in text
    assert "matched on NHS number" in text
    assert "Jamal" not in text and "Okafor" not in text  # the earlier case's names stay under its key

    # Alt+U links the new case to the same young person; keys v2: the person's fields stay
    # editable, and everything typed is sent (each case keeps its own copy of the identifiers).
    press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.AltModifier)
    assert dialog.returning.chosen_match == match
    assert person["given_name"].isEnabled()
    for name, typed in (
        ("given_name", "Jamal"),
        ("family_name", "Okafor"),
        ("date_of_birth", "2009-05-17"),
        ("sex", "1"),
        ("ethnicity", "N"),
        ("borough", "lambeth"),  # moved since the first case
    ):
        person[name].restore(typed)
    dialog.incident["assault_method"].restore("knife")
    dialog.incident["assault_location_type"].restore("street")
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        dialog.start_save()
    detail = created.args[0]
    assert detail.reference == "RLH-26-00002"
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        earlier = CaseService(unlocked).case_detail(first)
    assert detail.person.id == earlier.person.id  # one young person, two cases
    assert detail.person.values["borough"] == "lambeth"  # the new case has what was typed
    assert earlier.person.values["borough"] == "southwark"  # the earlier case keeps its own copy


def test_a_lookup_refused_by_the_hourly_limit_says_when_to_try_again(qtbot, shell: Shell, vault, log_in, clock) -> None:
    with signed_in(vault.location, clock, vault.worker) as unlocked:  # the hour's searches used up
        for _ in range(MATCH_LIMIT):
            CaseService(unlocked).find_returning_person("943 476 5919", "", "", None)
    log_in(vault.worker)
    dialog = open_new_case(qtbot, caseload(qtbot, shell))
    dialog.person["nhs_number"].restore("943 476 5919")
    dialog.check_returning()
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    assert "30 times in the last hour" in dialog.error.text() and "check again at 10:30" in dialog.error.text()
    assert not dialog.returning.isVisible()
    dialog.done(0)


def test_a_chosen_match_survives_a_draft_and_restore() -> None:
    match = PersonMatch(
        uuid.uuid4(),
        "name and date of birth",
        (
            EarlierCase("KCH", dt.date(2026, 3, 1), True, "wanda"),
            EarlierCase("RLH", dt.date(2024, 11, 1), False, "wendy"),
        ),
        False,
    )
    assert _match_from_raw(json.loads(json.dumps(_match_to_raw(match)))) == match
    text = describe_match(match)
    assert "2 earlier cases: KCH, March 2026, still open, held by wanda; RLH, November 2024, closed" in text
    assert "ask wanda or a supervisor of KCH to share it" in text
    assert "more than 12 months ago" in text


def test_hide_names_shows_initials_only_and_is_remembered(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Zoë", "Okafor"))
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    assert shell.hide_names_action.isVisible()
    shell.hide_names_action.trigger()
    assert shell.hide_names and page.model.hide_names

    def shown_in_caseload() -> str:
        model = page.model
        return " ".join(
            str(model.index(r, c).data() or "") for r in range(model.rowCount()) for c in range(model.columnCount())
        )

    assert "Zoë" not in shown_in_caseload() and "Okafor" not in shown_in_caseload()
    assert page.model.index(0, NAME).data() == "Z. O."
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        page.open_case(case_id)
    view = page.case_view
    assert "Z. O." in view.title.text() and "Okafor" not in view.title.text()
    assert view.person_tab.sheet.values["given_name"].text() == "Z."
    assert view.person_tab.sheet.values["family_name"].text() == "O."

    shell.lock()  # remembered through a lock for the same user
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    assert shell.hide_names_action.isChecked()
    assert page.model.index(0, NAME).data() == "Z. O."
    shell.hide_names_action.trigger()
    assert page.model.index(0, NAME).data() == "Zoë Okafor"


def test_another_workers_case_does_not_open(qtbot, shell: Shell, vault, log_in, clock) -> None:
    """The service refuses; the page says so and shows nothing of the case."""
    [theirs] = record_cases(vault, clock, vault.supervisor, new_case("Kwame", "Mensah", site="KCH"))
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    assert page.model.find(theirs) is None  # not on her caseload
    page.open_case(theirs)  # as if she had the id from elsewhere
    qtbot.waitUntil(lambda: page.error.isVisible(), timeout=WAIT_MS)
    assert page.error.text() == "This case is not on your caseload"
    assert page.host.currentWidget() is page.list_panel
    view = page.case_view
    assert view.detail is None and view.title.text() == ""
    assert view.contacts_tab.model.rowCount() == 0 and view.person_tab.sheet.values["given_name"].text() in ("", "—")


def test_administrators_have_no_caseload_and_no_hide_names(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.admin)
    assert shell.workspace is not None and shell.workspace.caseload is None
    assert not shell.hide_names_action.isVisible()


def test_a_contact_draft_survives_a_lock(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        page.open_case(case_id)
    contact = page.case_view.open_new_contact()
    assert contact is not None
    activate(qtbot, contact)
    tab_to(qtbot, contact.form["notes"].input)
    type_text(qtbot, "Phoned; he wants to talk about college.")
    assert contact.keeper is not None and contact.keeper.dirty
    shell.lock()  # auto-lock or Ctrl+L: the form closes, its draft is saved first
    assert not contact.isVisible()

    log_in(vault.worker)
    page = caseload(qtbot, shell)
    [banner] = page.banners
    assert banner.offer.form == NEW_CONTACT_FORM and banner.offer.subject_id == case_id
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        banner.restore_button.click()
    qtbot.waitUntil(lambda: page.case_view.findChild(RecordDialog) is not None, timeout=WAIT_MS)
    restored = page.case_view.findChild(RecordDialog)
    assert restored is not None
    assert restored.form["notes"].raw() == "Phoned; he wants to talk about college."
    assert restored.form["medium"].raw() == "bedside"
    with qtbot.waitSignal(restored.saved, timeout=WAIT_MS):
        restored.start_save()
    qtbot.waitUntil(lambda: not shell._background.busy, timeout=WAIT_MS)  # noqa: SLF001
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        assert DraftService(unlocked).list_mine() == []  # saving removed the draft


def test_a_new_case_draft_survives_a_crash(qtbot, shell: Shell, vault, log_in, clock, background, prompts) -> None:
    """Autosaved while typing; the window and vault are dropped without locking (a crash); the
    next start offers the draft back, restores it, and discarding it removes it."""
    log_in(vault.worker)
    page = caseload(qtbot, shell)
    dialog = open_new_case(qtbot, page)
    type_text(qtbot, "Jamal")
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "Okafor")
    tab_to(qtbot, dialog.incident["assault_method"].input)
    type_text(qtbot, "Knife")
    assert dialog.keeper.dirty
    dialog.keeper.save_if_dirty()  # what the autosave timer does every few seconds
    qtbot.waitUntil(lambda: dialog.keeper.saves == 1, timeout=WAIT_MS)
    assert not dialog.keeper.dirty
    dialog.keeper.save_if_dirty()  # nothing new typed: nothing saved
    assert dialog.keeper.saves == 1

    # The crash: no lock, no last save; timers and windows just stop.
    crashed = shell.vault
    assert crashed is not None
    dialog.keeper.stop()
    dialog.hide()
    shell.hide()

    restarted = Shell(vault.location, clock, background, prompts)  # type: ignore[arg-type]
    qtbot.addWidget(restarted)
    restarted.show()
    restarted.login.username.setText(vault.worker.username)
    restarted.login.password.setText(vault.worker.password)
    with qtbot.waitSignal(restarted.session_started, timeout=WAIT_MS):
        restarted.login.unlock_button.click()
    page = caseload(qtbot, restarted)
    [banner] = page.banners
    assert banner.offer.form == NEW_CASE_FORM
    banner.restore_button.click()
    qtbot.waitUntil(lambda: page.findChild(NewCaseDialog) is not None, timeout=WAIT_MS)
    restored = page.findChild(NewCaseDialog)
    assert restored is not None
    assert restored.person["given_name"].raw() == "Jamal"
    assert restored.person["family_name"].raw() == "Okafor"
    assert restored.incident["assault_method"].raw() == "knife"
    assert restored.case["referral_source"].raw() == "ed_staff"
    assert page.banners == []

    prompts.confirm_answers.append(True)
    restored.reject()  # Cancel: asks, then discards the draft
    assert prompts.asked[-1][0] == "confirm"
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        assert DraftService(unlocked).list_mine() == []
    restarted.lock()
    crashed.lock()
