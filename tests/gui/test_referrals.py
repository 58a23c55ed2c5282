"""Referrals out through the GUI: a CAMHS referral made (with consent, recording consent, or with
an audited override) and moved on step by step, overdue referrals with a fake clock, the board and
its filters, the overdue count on the main window, re-referral, the letter, the directory."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.case.referrals import ReferralsTab
from youthcase.gui.forms.referral import CHOOSE_CONSENT, NewReferralDialog
from youthcase.gui.forms.referral_step import RecordStepDialog
from youthcase.gui.models import referrals as columns
from youthcase.gui.navigation import Section
from youthcase.gui.pages.administration import AdministrationPage
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.pages.referrals_board import ReferralsBoardPage
from youthcase.gui.shell import Shell
from youthcase.services.cases import CaseService
from youthcase.services.referrals import ReferralService, ReferralView
from youthcase.services.service_directory import ServiceDirectory, ServiceEntry

from .conftest import WAIT_MS, FakePrompts, new_case, record_cases, signed_in

pytestmark = pytest.mark.gui
DAY = 86_400
TODAY = dt.date(2026, 3, 2)  # the fake clock's London day


@dataclass
class LetterPrompts(FakePrompts):
    """The scripted prompts, answering the letter's save dialog too."""

    letter_files: list[Path | None] = field(default_factory=list)

    def choose_letter_file(self, parent: object, suggested: Path) -> Path | None:
        self.asked.append(("choose_letter_file", suggested.name))
        return self.letter_files.pop(0)


@pytest.fixture
def prompts() -> LetterPrompts:
    return LetterPrompts()


@pytest.fixture
def services(vault, clock) -> dict[str, ServiceEntry]:
    """The directory as an administrator keeps it; one service is no longer offered."""
    entries = (
        {"service_type": "rehabilitation", "name": "KCH Trauma Rehab", "chase_interval_days": 7},
        {
            "service_type": "camhs",
            "name": "Southwark CAMHS",
            "provider": "South London and Maudsley",
            "borough": "southwark",
            "address": "Maudsley Hospital, Denmark Hill, London SE5 8AZ",
        },
        {"service_type": "camhs", "name": "Lambeth CAMHS", "borough": "lambeth"},
        {"service_type": "sport_mentoring", "name": "Box Up Crime", "chase_interval_days": 21},
        {"service_type": "housing", "name": "Southwark Housing Options", "active": False},
    )
    with signed_in(vault.location, clock, vault.admin) as unlocked:
        directory = ServiceDirectory(unlocked)
        return {entry.name: entry for entry in (directory.add_service(e) for e in entries)}


def make_case(vault, clock, given: str = "Jamal", family: str = "Okafor", *, consent: bool = True) -> uuid.UUID:
    [case_id] = record_cases(vault, clock, vault.worker, new_case(given, family))
    if consent:
        with signed_in(vault.location, clock, vault.worker) as unlocked:
            CaseService(unlocked).update_case(case_id, {"consent_share": True, "consent_recorded_on": TODAY})
    return case_id


def refer(vault, clock, case_id: uuid.UUID, service: ServiceEntry, *steps: str) -> uuid.UUID:
    """A referral made outside the GUI and moved through ``steps`` today."""
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        referrals = ReferralService(unlocked)
        referral = referrals.create_referral(case_id, service.service_id, "routine", "Flashbacks.")
        for step in steps:
            referrals.record_step(referral, step, decline_reason="incomplete" if step == "declined" else None)
    return referral


def open_referrals(qtbot, shell: Shell, case_id: uuid.UUID) -> ReferralsTab:
    """Open the case from the caseload and show its Referrals tab, loaded."""
    assert shell.workspace is not None and shell.workspace.caseload is not None
    page: CaseloadPage = shell.workspace.caseload
    shell.workspace.show_section(Section.CASELOAD)
    qtbot.waitUntil(lambda: page.has_loaded and page.loading.isHidden(), timeout=WAIT_MS)
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        page.open_case(case_id)
    view = page.case_view
    view.tabs.setCurrentWidget(view.referrals_tab)
    tab = view.referrals_tab
    qtbot.waitUntil(lambda: tab.case_id == case_id and tab.loading.isHidden(), timeout=WAIT_MS)
    return tab


def record(qtbot, tab: ReferralsTab, step: str, **fields: str) -> None:
    dialog = tab.open_record_step()
    assert dialog is not None
    dialog.choose(step)
    for name, raw in fields.items():
        dialog.form[name].restore(raw)
    with qtbot.waitSignal(dialog.recorded, timeout=WAIT_MS):
        dialog.submit.click()
    qtbot.waitUntil(lambda: (view := tab.selected()) is not None and view.status == step, timeout=WAIT_MS)


def navigation_text(shell: Shell, section: Section) -> str:
    assert shell.workspace is not None
    navigation = shell.workspace.navigation
    for row in range(navigation.count()):
        if navigation.item(row).data(Qt.ItemDataRole.UserRole) is section:
            return navigation.item(row).text()
    raise AssertionError(f"{section} is not in the navigation")


def test_a_camhs_referral_made_and_moved_on(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    case_id = make_case(vault, clock)
    log_in(vault.worker)
    tab = open_referrals(qtbot, shell, case_id)
    assert tab.model.rowCount() == 0
    assert "No referrals yet" in tab.detail.empty.text()
    assert tab.consent_line.text() == ("Consent to share information with other services was recorded on 2 Mar 2026.")

    dialog = tab.open_new_referral()
    assert isinstance(dialog, NewReferralDialog)
    assert dialog.consent_panel.isHidden()
    offered_types = [dialog.service_type.itemData(i) for i in range(dialog.service_type.count())]
    assert offered_types == ["camhs", "rehabilitation", "sport_mentoring"]  # housing: inactive
    assert dialog.service.currentText().startswith("Lambeth CAMHS")  # CAMHS first, by name
    assert dialog.choose_service(services["Southwark CAMHS"].service_id)
    assert dialog.service_row.message.text() == "Chased after 14 days without a step recorded."
    dialog.form["urgency"].restore("urgent")
    dialog.form["reason"].restore("Low mood and flashbacks since the assault.")
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        dialog.submit.click()
    referral_id, consent_recorded = created.args
    assert consent_recorded is False
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.selected() is not None, timeout=WAIT_MS)
    drafted = tab.selected()
    assert drafted is not None
    assert drafted.referral_id == referral_id and drafted.status == "drafted"
    assert tab.proxy.index(0, columns.WAITING).data() == "Not sent"

    # Only what can follow "drafted" is offered, the likeliest first; never "completed".
    step = tab.open_record_step()
    assert isinstance(step, RecordStepDialog)
    assert step.offered == ["sent", "withdrawn"] and step.chosen_step == "sent"
    assert step.form["on"].raw() == TODAY.isoformat()
    with qtbot.waitSignal(step.recorded, timeout=WAIT_MS):
        step.submit.click()
    qtbot.waitUntil(lambda: (view := tab.selected()) is not None and view.status == "sent", timeout=WAIT_MS)

    step = tab.open_record_step()
    assert step is not None
    assert step.offered == ["acknowledged", "accepted", "declined", "withdrawn"]
    assert "completed" not in step.offered and "help_started" not in step.offered
    step.choose("accepted")
    assert not step.form.layout_.isRowVisible(step.form["decline_reason"])
    step.form["on"].restore((TODAY + dt.timedelta(days=1)).isoformat())
    step.submit.click()  # refused in the form, nothing sent to the service
    assert step.form["on"].message.text() == "The date cannot be in the future"
    assert not step.busy.active and step.isVisible()
    step.form["on"].restore("2026-03-01")  # before the referral: the service says why not
    step.submit.click()
    qtbot.waitUntil(lambda: bool(step.error.text()), timeout=WAIT_MS)
    assert "cannot be dated before the referral" in step.error.text()
    current = tab.selected()
    assert step.isVisible() and current is not None and current.status == "sent"
    step.form["on"].restore(TODAY.isoformat())
    with qtbot.waitSignal(step.recorded, timeout=WAIT_MS):
        step.submit.click()
    qtbot.waitUntil(lambda: cast(ReferralView, tab.selected()).status == "accepted", timeout=WAIT_MS)

    step = tab.open_record_step()
    assert step is not None
    assert step.offered == ["appointment_offered", "help_started", "withdrawn"]
    step.choose("appointment_offered")
    step.form["note"].restore("Tuesday 10 March, 16:00, at the Maudsley")
    with qtbot.waitSignal(step.recorded, timeout=WAIT_MS):
        step.submit.click()
    qtbot.waitUntil(lambda: cast(ReferralView, tab.selected()).status == "appointment_offered", timeout=WAIT_MS)

    shown = tab.selected()
    assert shown is not None
    assert [m.step for m in shown.milestones] == ["drafted", "sent", "accepted", "appointment_offered"]
    assert shown.days_to_first_response == 0
    assert tab.proxy.index(0, columns.STATUS).data() == "Appointment offered"
    assert tab.proxy.index(0, columns.URGENCY).data() == "Urgent"
    assert tab.detail.chip.text() == "First appointment offered"
    assert tab.detail.timeline.lines() == [
        "2 Mar 2026 Drafted",
        "2 Mar 2026 Sent",
        "2 Mar 2026 Accepted",
        "2 Mar 2026 First appointment offered: Tuesday 10 March, 16:00, at the Maudsley",
        "Next: Help started / first attended, did not attend or withdrawn",
    ]
    assert "First response 0 days after sending." in tab.detail.facts.text()


def test_no_consent_asks_for_an_override_reason(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    case_id = make_case(vault, clock, consent=False)
    log_in(vault.worker)
    tab = open_referrals(qtbot, shell, case_id)
    assert tab.consent_line.text().startswith("No consent to share is recorded")
    dialog = tab.open_new_referral()
    assert dialog is not None and not dialog.consent_panel.isHidden()
    dialog.choose_service(services["Southwark CAMHS"].service_id)
    dialog.form["reason"].restore("Disclosed self-harm at the bedside.")
    dialog.submit.click()
    assert dialog.error.text() == CHOOSE_CONSENT  # neither way chosen yet
    qtbot.mouseClick(dialog.override, Qt.MouseButton.LeftButton)
    assert dialog.override_form.isEnabled()
    dialog.submit.click()
    reason = dialog.override_form["consent_override_reason"]
    assert reason.message.text() == "Give the reason to refer without consent"
    reason.restore("Risk of serious harm; shared under safeguarding procedures.")
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        dialog.submit.click()
    assert created.args[1] is False  # consent itself was not recorded
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1 and tab.selected() is not None, timeout=WAIT_MS)
    overridden = tab.selected()
    assert overridden is not None and overridden.consent_overridden
    assert "without recorded consent to share" in tab.detail.facts.text()
    assert tab.consent_line.text().startswith("No consent to share is recorded")


def test_recording_consent_from_the_referral(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    case_id = make_case(vault, clock, consent=False)
    log_in(vault.worker)
    tab = open_referrals(qtbot, shell, case_id)
    dialog = tab.open_new_referral()
    assert dialog is not None
    dialog.service_type.setCurrentIndex(dialog.service_type.findData("rehabilitation"))
    assert dialog.chosen_service() == services["KCH Trauma Rehab"]
    dialog.form["reason"].restore("Knee rehabilitation after a stab wound to the thigh.")
    dialog.record_consent.setChecked(True)
    assert not dialog.override_form.isEnabled()
    with qtbot.waitSignal(dialog.created, timeout=WAIT_MS) as created:
        dialog.submit.click()
    assert created.args[1] is True
    assert shell.workspace is not None
    caseload = shell.workspace.caseload
    assert caseload is not None
    view = caseload.case_view
    qtbot.waitUntil(
        lambda: view.detail is not None and view.detail.case.values["consent_share"] is True, timeout=WAIT_MS
    )
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=WAIT_MS)
    assert view.plan_tab.case_sheet.values["consent_share"].text() == "Yes"
    assert tab.consent_line.text().startswith("Consent to share information")
    assert not tab.model.row_at(0).consent_overridden
    assert view.tabs.currentWidget() is tab  # the case reloaded without leaving the tab


def test_overdue_referrals_are_highlighted(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    case_id = make_case(vault, clock)
    late = refer(vault, clock, case_id, services["Southwark CAMHS"], "sent")
    refer(vault, clock, case_id, services["Box Up Crime"], "sent")  # chased after 21 days
    clock.advance(15 * DAY)
    log_in(vault.worker)
    tab = open_referrals(qtbot, shell, case_id)
    assert tab.model.rowCount() == 2
    tab.select_referral(late)
    row = tab.proxy.row_of(late)
    assert row is not None
    status = tab.proxy.index(row, columns.STATUS)
    assert status.data() == "Sent"
    assert status.data(Qt.ItemDataRole.ForegroundRole).name() == columns.OVERDUE_COLOUR
    assert status.data(Qt.ItemDataRole.DecorationRole) is not None
    assert "Chase the service" in status.data(Qt.ItemDataRole.ToolTipRole)
    assert tab.proxy.index(row, columns.WAITING).data() == "15 days"
    calm = tab.proxy.index(1 - row, columns.STATUS)
    assert calm.data() == "Sent"
    assert calm.data(Qt.ItemDataRole.ForegroundRole) is None
    assert calm.data(Qt.ItemDataRole.DecorationRole) is None
    assert tab.detail.chip.text() == "Sent, overdue"
    assert tab.detail.chip.property("tone") == "problem"
    assert tab.detail.overdue.text().startswith(
        "Overdue: nothing recorded within the service's chase interval (14 days"
    )
    assert navigation_text(shell, Section.REFERRALS) == "Referrals (1 overdue)"


def test_the_board_filters_sorts_and_opens_the_case(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    jamal = make_case(vault, clock)
    zoe = make_case(vault, clock, "Zoe", "Mensah")
    refer(vault, clock, jamal, services["Southwark CAMHS"], "sent")
    clock.advance(3 * DAY)
    rehab = refer(vault, clock, zoe, services["KCH Trauma Rehab"], "sent")
    refer(vault, clock, zoe, services["Lambeth CAMHS"], "sent", "accepted", "help_started", "completed")
    clock.advance(10 * DAY)  # rehab (7 days) is overdue, CAMHS (14 days) not yet
    log_in(vault.worker)
    assert shell.workspace is not None
    board = shell.workspace.pages[Section.REFERRALS]
    assert isinstance(board, ReferralsBoardPage)
    with qtbot.waitSignal(board.loaded, timeout=WAIT_MS):
        shell.workspace.show_section(Section.REFERRALS)
    assert board.proxy.rowCount() == 2  # the completed one is not loaded yet
    assert board.proxy.referral_at(0).referral_id == rehab  # overdue first
    assert board.summary.text() == "2 open: 1 overdue  ·  2 sent"

    board.service_type.setCurrentIndex(board.service_type.findData("rehabilitation"))
    assert board.proxy.rowCount() == 1
    assert board.proxy.index(0, columns.SERVICE).data() == "KCH Trauma Rehab"
    board.service_type.setCurrentIndex(board.service_type.findData("camhs"))
    assert [board.proxy.index(0, c).data() for c in (columns.SERVICE, columns.WAITING)] == [
        "Southwark CAMHS",
        "13 days",
    ]
    board.service_type.setCurrentIndex(0)
    board.status.setCurrentIndex(board.status.findText("Overdue only"))
    assert [board.proxy.referral_at(r).referral_id for r in range(board.proxy.rowCount())] == [rehab]

    with qtbot.waitSignal(board.loaded, timeout=WAIT_MS):  # finished ones load when asked for
        board.status.setCurrentIndex(board.status.findText("Finished"))
    assert [board.proxy.referral_at(r).status for r in range(board.proxy.rowCount())] == ["completed"]
    board.status.setCurrentIndex(board.status.findText("All, including finished"))
    assert board.proxy.rowCount() == 3

    board.view.sortByColumn(columns.WAITING, Qt.SortOrder.DescendingOrder)
    assert [board.proxy.index(r, columns.WAITING).data() for r in range(3)] == ["13 days", "10 days", ""]
    board.view.sortByColumn(columns.CASE, Qt.SortOrder.AscendingOrder)
    references = [board.proxy.index(r, columns.CASE).data() for r in range(3)]
    assert references == sorted(references)

    row = board.proxy.row_of(rehab)
    assert row is not None
    cell = board.view.visualRect(board.proxy.index(row, columns.SERVICE)).center()
    caseload = shell.workspace.caseload
    assert caseload is not None
    with qtbot.waitSignal(caseload.case_opened, timeout=WAIT_MS) as opened:
        # A double-click as the platform delivers it: a click, then the double-click event.
        qtbot.mouseClick(board.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
        qtbot.mouseDClick(board.view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert opened.args == [zoe]
    assert shell.workspace.current_section is Section.CASELOAD
    view = caseload.case_view
    assert view.tabs.currentWidget() is view.referrals_tab
    qtbot.waitUntil(lambda: view.referrals_tab.model.rowCount() == 2, timeout=WAIT_MS)


def test_the_overdue_count_on_the_main_window(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    case_id = make_case(vault, clock)
    late = refer(vault, clock, case_id, services["KCH Trauma Rehab"], "sent")
    clock.advance(8 * DAY)
    log_in(vault.worker)
    qtbot.waitUntil(lambda: navigation_text(shell, Section.REFERRALS) == "Referrals (1 overdue)", timeout=WAIT_MS)
    assert shell.workspace is not None
    item = shell.workspace.navigation.item(1)
    assert "1 referral has had nothing recorded" in item.toolTip()

    shell.lock()  # cleared with everything else
    assert navigation_text(shell, Section.REFERRALS) == "Referrals"
    assert shell.workspace.overdue.count is None
    log_in(vault.worker)  # counted again after unlocking
    qtbot.waitUntil(lambda: navigation_text(shell, Section.REFERRALS) == "Referrals (1 overdue)", timeout=WAIT_MS)

    tab = open_referrals(qtbot, shell, case_id)
    tab.select_referral(late)
    record(qtbot, tab, "accepted")  # a referral change: counted again
    qtbot.waitUntil(lambda: navigation_text(shell, Section.REFERRALS) == "Referrals", timeout=WAIT_MS)


def test_decline_then_re_refer(qtbot, shell: Shell, vault, clock, log_in, services) -> None:
    case_id = make_case(vault, clock)
    first = refer(vault, clock, case_id, services["Southwark CAMHS"], "sent")
    log_in(vault.worker)
    tab = open_referrals(qtbot, shell, case_id)
    assert not tab.re_refer_button.isEnabled()  # only a declined referral is re-referred
    step = tab.open_record_step()
    assert step is not None
    step.choose("declined")
    assert step.form.layout_.isRowVisible(step.form["decline_reason"])
    step.submit.click()
    assert step.form["decline_reason"].message.text() == ("Give the reason the service declined the referral")
    record_dialog_closes = qtbot.waitSignal(step.recorded, timeout=WAIT_MS)
    step.form["decline_reason"].restore("incomplete")
    with record_dialog_closes:
        step.submit.click()
    qtbot.waitUntil(lambda: cast(ReferralView, tab.selected()).status == "declined", timeout=WAIT_MS)
    assert tab.re_refer_button.isEnabled() and not tab.step_button.isEnabled()
    assert tab.open_record_step() is None  # nothing can follow a decline
    assert tab.detail.timeline.lines()[-1] == "2 Mar 2026 Declined: Reason: Incomplete referral"

    again = tab.open_re_referral()
    assert again is not None and again.earlier is not None
    assert again.windowTitle() == "Re-refer"
    assert again.chosen_service() == services["Southwark CAMHS"]
    assert again.form["reason"].raw() == "Flashbacks."
    again.form["reason"].restore("Flashbacks. GP details now included.")
    with qtbot.waitSignal(again.created, timeout=WAIT_MS) as created:
        again.submit.click()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=WAIT_MS)
    second = tab.model.find(created.args[0])
    assert second is not None and second.re_referral_of == first
    assert tab.selected() == second
    assert "A re-referral after an earlier referral was declined." in tab.detail.facts.text()


def test_the_letter_is_saved_where_the_user_chose(
    qtbot, shell: Shell, vault, clock, log_in, prompts, services, tmp_path: Path
) -> None:
    case_id = make_case(vault, clock)
    refer(vault, clock, case_id, services["Southwark CAMHS"], "sent")
    log_in(vault.worker)
    tab = open_referrals(qtbot, shell, case_id)
    folder = tmp_path / "letters"
    folder.mkdir()
    prompts.letter_files += [None, folder / "camhs letter"]
    tab.letter_button.click()  # cancelled: nothing happens
    assert tab.notice.isHidden() and list(folder.iterdir()) == []
    tab.letter_button.click()
    qtbot.waitUntil(lambda: not tab.notice.isHidden(), timeout=WAIT_MS)
    saved = folder / "camhs letter.pdf"
    assert tab.notice.text() == f"Letter saved: {saved}"
    assert [p.name for p in folder.iterdir()] == ["camhs letter.pdf"]  # nothing else written
    assert saved.read_bytes().startswith(b"%PDF")
    suggested = [name for what, name in prompts.asked if what == "choose_letter_file"]
    assert suggested[0] == f"{tab.case_reference} referral to Southwark CAMHS.pdf"
    assert "Jamal" not in suggested[0] and "Okafor" not in suggested[0]


def test_administrators_keep_the_directory(qtbot, shell: Shell, vault, log_in, services) -> None:
    log_in(vault.admin)
    assert shell.workspace is not None
    page = shell.workspace.pages[Section.ADMINISTRATION]
    assert isinstance(page, AdministrationPage)
    panel = page.services
    qtbot.waitUntil(lambda: panel.model.rowCount() == 5, timeout=WAIT_MS)
    proxy = panel.view.model()
    assert [proxy.index(r, columns.SERVICE_TYPE_COLUMN).data() for r in range(2)] == ["CAMHS", "CAMHS"]
    inactive = [proxy.index(r, columns.SERVICE_STATUS).data() for r in range(5)]
    assert inactive.count("Inactive") == 1

    add = panel.open_add_service()
    assert add is not None
    assert add.form["chase_interval_days"].raw() == "14"
    add.form["service_type"].restore("gp")
    add.form["name"].restore("Borough Medical Centre")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT_MS):
        add.start_save()
    assert panel.model.rowCount() == 6

    for row in range(proxy.rowCount()):
        if proxy.index(row, columns.SERVICE_NAME).data() == "KCH Trauma Rehab":
            panel.view.selectRow(row)
    edit = panel.open_edit_service()
    assert edit is not None and edit.form["chase_interval_days"].raw() == "7"
    edit.form["chase_interval_days"].restore("10")
    edit.form["active"].restore("no")
    with qtbot.waitSignal(panel.loaded, timeout=WAIT_MS):
        edit.start_save()
    rehab = next(panel.model.row_at(r) for r in range(6) if panel.model.row_at(r).name == "KCH Trauma Rehab")
    assert rehab.chase_interval_days == 10 and not rehab.active

    bad = panel.open_add_service()
    assert bad is not None
    bad.form["service_type"].restore("camhs")
    bad.form["name"].restore("=HYPERLINK(evil)")
    bad.start_save()  # the dictionary refuses it on its field, before the service is asked
    assert "spreadsheet formula" in bad.form["name"].message.text() and bad.isVisible()
    bad.done(0)
