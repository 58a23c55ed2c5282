"""The supervisors' screens driven as a supervisor uses them: the dashboard, the cases behind a
figure and their reassignment, closures approved or returned, sign-off, supervision notes with
actions, sharing, the audit trail and its verification; and what a worker sees instead."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from youthcase.domain.roles import Role
from youthcase.gui.case.view import CaseView
from youthcase.gui.models.caseload import SITE, WORKER
from youthcase.gui.models.dashboard import NAME, DashboardProxy, DashboardTableModel
from youthcase.gui.navigation import Section
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.pages.supervision import AUDIT_TAB, CLOSURES_TAB, FigureTable, SupervisionPage
from youthcase.gui.shell import Shell
from youthcase.services.access import AccessService
from youthcase.services.accounts import AccountService
from youthcase.services.cases import CaseService
from youthcase.services.referrals import ReferralService
from youthcase.services.service_directory import ServiceDirectory
from youthcase.services.supervision import SupervisionService

from .conftest import WAIT_MS, Person, _settle_password, new_case, record_cases, signed_in

pytestmark = pytest.mark.gui
DAY = 86_400
WALE = Person("wale", "lighthouse pebble autumn 62", Role.WORKER)


def add_worker(vault, clock, person: Person = WALE, sites: tuple[str, ...] = ("RLH",)) -> Person:
    """Another youth worker, password already changed (so they have their keys), then admitted to
    their sites by the supervisor: a home site alone gives no access to its cases."""
    with signed_in(vault.location, clock, vault.admin) as unlocked:
        AccountService(unlocked).add_user(person.username, person.role, person.password + " tmp", list(sites))
    _settle_password(vault.location, clock, person)
    with signed_in(vault.location, clock, vault.supervisor) as unlocked:
        for site in sites:
            AccessService(unlocked).grant(person.username, site)
    return person


def supervision(qtbot, shell: Shell) -> SupervisionPage:
    assert shell.workspace is not None
    page = shell.workspace.supervision
    assert page is not None
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        shell.workspace.show_section(Section.SUPERVISION)
    return page


def caseload(qtbot, shell: Shell) -> CaseloadPage:
    assert shell.workspace is not None and shell.workspace.caseload is not None
    page = shell.workspace.caseload
    shell.workspace.show_section(Section.CASELOAD)
    qtbot.waitUntil(lambda: page.has_loaded and not page.loading.isVisible(), timeout=WAIT_MS)
    return page


def open_case(qtbot, shell: Shell, case_id: uuid.UUID) -> CaseView:
    page = caseload(qtbot, shell)
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        page.open_case(case_id)
    view = page.case_view
    qtbot.waitUntil(lambda: view.supervision_tab.data is not None, timeout=WAIT_MS)
    return view


def click_figure(qtbot, page: SupervisionPage, view: FigureTable, unit: str, key: str) -> None:
    """Click the cell of ``unit``'s row under the figure ``key``, as a supervisor would."""
    proxy = cast(DashboardProxy, view.model())
    column = cast(DashboardTableModel, proxy.sourceModel()).column_of(key)
    row = next(r for r in range(proxy.rowCount()) if proxy.index(r, NAME).data() == unit)
    index = proxy.index(row, column)
    view.scrollTo(index)
    with qtbot.waitSignal(page.cases_listed, timeout=WAIT_MS):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def figure(page: SupervisionPage, unit: str, key: str, by_site: bool = False) -> str:
    model = page.dashboard.by_site if by_site else page.dashboard.by_worker
    row = model.row_named(unit)
    return "—" if row is None else model.index(row, model.column_of(key)).data()


def test_drill_into_no_contact_and_reassign_to_another_worker(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    [recent] = record_cases(vault, clock, vault.worker, new_case("Ade", "Bello"))
    wale = add_worker(vault, clock)
    clock.advance(15 * DAY)
    with signed_in(vault.location, clock, vault.worker) as unlocked:  # Ade was seen yesterday
        CaseService(unlocked).add_contact(
            recent,
            {
                "contact_at": clock.now() - dt.timedelta(days=1),
                "medium": "phone",
                "successful": True,
                "contact_with": "young_person",
            },
        )
    log_in(vault.supervisor)
    page = supervision(qtbot, shell)
    assert figure(page, "wendy", "open") == "2"
    assert figure(page, "wendy", "no_contact_14_days") == "1"
    assert figure(page, "All", "no_contact_14_days") == "1"
    assert figure(page, "RLH", "open", by_site=True) == "2"
    assert page.dashboard.caseload_chart.bars == [("Wendy Adeyemi", 2)]  # by full name

    click_figure(qtbot, page, page.dashboard.worker_view, "Wendy Adeyemi", "no_contact_14_days")
    assert page.host.currentWidget() is page.cases_panel
    assert page.cases_panel.title.text() == "No contact in 14 days  ·  Wendy Adeyemi's cases"
    assert page.cases_panel.definition.text().startswith("Open cases with no successful contact")
    assert page.cases_panel.case_proxy.rowCount() == 1
    assert page.cases_panel.case_proxy.case_at(0).reference == "RLH-26-00001"
    assert page.cases_panel.case_list.isColumnHidden(WORKER) and page.cases_panel.case_list.isColumnHidden(SITE)
    assert not page.cases_panel.reassign_button.isEnabled()  # nothing selected yet
    page.cases_panel.case_list.selectRow(0)
    assert page.cases_panel.reassign_button.isEnabled()

    dialog = page.cases_panel.open_reassign()
    assert dialog is not None
    choices = [code.code for code in dialog.form["to_worker"].spec.code_list or ()]
    assert choices == ["sam", "wale"]  # not wendy, whose case it is; nobody from other sites
    dialog.form["to_worker"].restore("wale")
    dialog.form["reason"].restore("Wendy is on leave for three weeks.")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.start_save()
    # The dashboard loads again and the list is worked out afresh: wendy has no such case now.
    qtbot.waitUntil(lambda: figure(page, "wale", "open") == "1", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.cases_panel.case_proxy.rowCount() == 0, timeout=WAIT_MS)
    assert page.host.currentWidget() is page.cases_panel
    assert page.cases_panel.count.text().startswith("No cases any more")
    assert figure(page, "wendy", "no_contact_14_days") == "0"
    assert figure(page, "wale", "no_contact_14_days") == "1"
    assert page.dashboard.caseload_chart.bars == [("Wendy Adeyemi", 1), ("wale", 1)]
    page.cases_panel.back_button.click()
    assert page.host.currentWidget() is page.overview_panel

    shell.lock()
    log_in(wale)
    assert shell.workspace is not None
    assert Section.SUPERVISION not in shell.workspace.sections
    mine = caseload(qtbot, shell)
    assert mine.model.total == 1
    entry = mine.model.find(case_id)
    assert entry is not None and entry.row.worker == "wale" and entry.row.no_recent_contact


def test_reassigning_is_all_or_nothing_with_the_reason_in_the_form(
    qtbot, shell: Shell, vault, log_in, clock, prompts
) -> None:
    rlh, kch = record_cases(
        vault, clock, vault.supervisor, new_case("Jamal", "Okafor"), new_case("Ade", "Bello", site="KCH")
    )
    log_in(vault.supervisor)
    page = supervision(qtbot, shell)
    assert figure(page, "KCH", "open", by_site=True) == "1"
    click_figure(qtbot, page, page.dashboard.worker_view, "All", "open")
    assert page.cases_panel.title.text() == "Open cases  ·  all your sites"
    assert page.cases_panel.case_proxy.rowCount() == 2
    assert not page.cases_panel.case_list.isColumnHidden(SITE) and not page.cases_panel.case_list.isColumnHidden(WORKER)
    page.cases_panel.case_list.selectAll()
    assert page.cases_panel.reassign_button.text() == "Reassign 2 cases…"
    dialog = page.cases_panel.open_reassign()
    assert dialog is not None
    dialog.start_save()  # nothing chosen: the form says so and asks nothing of the service
    assert dialog.form["to_worker"].has_problem and dialog.form["reason"].has_problem
    dialog.form["to_worker"].restore("wendy")
    dialog.form["reason"].restore("Balancing caseloads.")
    dialog.start_save()
    qtbot.waitUntil(lambda: not dialog.error.isHidden(), timeout=WAIT_MS)
    # Keys v2: what counts is the admission to the site (a grant), not the home site.
    assert dialog.error.text() == ("Nothing was reassigned: KCH-26-00001: wendy is not admitted to that case's site")
    assert dialog.isVisible()  # still open, to choose someone else or cancel
    prompts.confirm_answers.append(True)  # discard what was typed
    dialog.reject()
    with signed_in(vault.location, clock, vault.supervisor) as unlocked:
        cases = CaseService(unlocked)
        assert cases.case_detail(rlh).worker == "sam"  # the RLH case did not move either
        assert cases.case_detail(kch).worker == "sam"


def test_closures_are_approved_or_returned_with_a_comment(qtbot, shell: Shell, vault, log_in, clock, prompts) -> None:
    first, second = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"), new_case("Ade", "Bello"))
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        SupervisionService(unlocked).request_closure(first, "goals_met", "Back at college.")
        clock.advance(60)
        SupervisionService(unlocked).request_closure(second, "disengaged")
    log_in(vault.supervisor)
    page = supervision(qtbot, shell)
    assert page.tabs.tabText(CLOSURES_TAB) == "Closures to approve (2)"
    assert figure(page, "wendy", "closures_awaiting_approval") == "2"
    page.tabs.setCurrentIndex(CLOSURES_TAB)
    assert page.closures_tab.closures.rowCount() == 2
    closure = page.closures_tab.selected_closure()
    assert closure is not None
    assert closure.case_id == first  # the oldest request first

    prompts.confirm_answers.append(True)
    with qtbot.waitSignal(page.loaded, timeout=WAIT_MS):
        page.closures_tab.approve_button.click()
    assert "RLH-26-00001 (goals met)" in prompts.asked[-1][1]
    assert page.closures_tab.closures.rowCount() == 1
    assert page.tabs.tabText(CLOSURES_TAB) == "Closures to approve (1)"
    assert figure(page, "wendy", "open") == "1"

    page.closures_tab.closure_view.selectRow(0)
    dialog = page.closures_tab.open_return_selected()
    assert dialog is not None
    dialog.start_save()
    assert dialog.form["comment"].has_problem  # a comment is required to return
    dialog.form["comment"].restore("Please record the end assessment first.")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.start_save()
    qtbot.waitUntil(lambda: page.closures_tab.closures.rowCount() == 0, timeout=WAIT_MS)
    assert page.tabs.tabText(CLOSURES_TAB) == "Closures to approve"
    assert not page.closures_tab.empty.isHidden() and page.closures_tab.closure_view.isHidden()
    assert not page.closures_tab.approve_button.isEnabled()

    with signed_in(vault.location, clock, vault.worker) as unlocked:
        cases = CaseService(unlocked)
        assert cases.case_detail(first).status == "closed"
        assert cases.case_detail(second).status == "open"
        requests = {r.case_id: r for r in SupervisionService(unlocked).closure_requests(False)}
        assert requests[second].status == "returned"
        assert requests[second].comment == "Please record the end assessment first."


def test_a_supervisor_signs_off_an_assessment_and_a_concern(qtbot, shell: Shell, vault, log_in, clock, prompts) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        cases = CaseService(unlocked)
        cases.record_assessment(case_id, {"assessed_on": clock.now().date(), "stage": "start", "risk_level": "high"})
        concern = cases.raise_concern(
            case_id,
            {
                "raised_at": clock.now(),
                "category": "exploitation",
                "facts": "Carried packages for older boys.",
                "status": "open",
            },
        )
    log_in(vault.supervisor)
    view = open_case(qtbot, shell, case_id)
    line = view.risk_tab.sign_off
    assert line.state.text() == "Assessment of 2 Mar 2026: not signed off yet."
    assert not line.button.isHidden() and line.button.isEnabled()
    prompts.confirm_answers.append(True)
    line.button.click()
    qtbot.waitUntil(lambda: "signed off by sam" in line.state.text(), timeout=WAIT_MS)
    assert line.state.text() == "Assessment of 2 Mar 2026: signed off by sam on 2 Mar 2026 09:30."
    assert not line.button.isEnabled()

    concern_line = view.safeguarding_tab.sign_off
    assert concern_line.state.text() == "Current version (1): not signed off yet."
    prompts.confirm_answers.append(False)  # thought better of it: nothing happens
    concern_line.button.click()
    assert concern_line.button.isEnabled()
    prompts.confirm_answers.append(True)
    concern_line.button.click()
    qtbot.waitUntil(lambda: "signed off by sam" in concern_line.state.text(), timeout=WAIT_MS)

    # An amendment is a new version, which needs signing off again.
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        CaseService(unlocked).amend_concern(case_id, concern, {"status": "closed"})
    view.reload()
    qtbot.waitUntil(lambda: concern_line.state.text() == "Current version (2): not signed off yet.", timeout=WAIT_MS)
    assert concern_line.button.isEnabled()

    shell.lock()
    log_in(vault.worker)  # the worker sees the sign-off, and cannot sign anything
    view = open_case(qtbot, shell, case_id)
    line = view.risk_tab.sign_off
    qtbot.waitUntil(lambda: "signed off by sam" in line.state.text(), timeout=WAIT_MS)
    assert line.button.isHidden() and view.safeguarding_tab.sign_off.button.isHidden()


def test_supervision_notes_actions_and_sharing(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    wale = add_worker(vault, clock)
    log_in(vault.supervisor)
    view = open_case(qtbot, shell, case_id)
    tab = view.supervision_tab
    assert tab.notes.rowCount() == 0 and tab.note_text.text() == "No supervision notes yet."
    dialog = tab.open_add_note()
    assert dialog is not None
    assert dialog.form["held_on"].raw() == "2026-03-02"
    dialog.form["discussion"].restore("Reviewed risk after threats online.")
    dialog.form["decisions"].restore("Refer to CAMHS.")
    action = dialog.action_editor.add_action({"description": "Send the CAMHS referral"})
    assert action.fields["owner"].raw() == "wendy"  # the case's worker, by default
    assert action.fields["due_on"].raw() == "2026-03-09"  # a week on
    wrong = dialog.action_editor.add_action({"due_on": "2026-13-01"})
    dialog.start_save()  # an action without a description, and a date that does not exist
    assert wrong.fields["description"].has_problem and wrong.fields["due_on"].has_problem
    assert dialog.isVisible() and not dialog.error.isHidden()
    dialog.action_editor.remove_action(wrong)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.start_save()
    qtbot.waitUntil(lambda: tab.notes.rowCount() == 1, timeout=WAIT_MS)
    assert tab.notes.index(0, 2).data() == "Reviewed risk after threats online."
    assert tab.action_table.rowCount() == 1
    assert tab.action_table.index(0, 3).data() == "Open"
    assert "Decisions: Refer to CAMHS." in tab.note_text.text()

    share = tab.open_share()
    assert share is not None
    choices = [code.code for code in share.form["colleague"].spec.code_list or ()]
    assert choices == ["wale"]  # not the case's worker, not me, not another site's staff
    share.form["colleague"].restore("wale")
    with qtbot.waitSignal(share.saved, timeout=WAIT_MS):
        share.start_save()

    shell.lock()
    log_in(vault.worker)  # the worker reads the notes and marks her own action done
    view = open_case(qtbot, shell, case_id)
    tab = view.supervision_tab
    assert tab.add_note_button.isHidden() and tab.share_button.isHidden()
    assert tab.open_add_note() is None
    assert tab.notes.rowCount() == 1
    tab.action_view.selectRow(0)
    assert tab.done_button.isEnabled()
    tab.done_button.click()
    qtbot.waitUntil(
        lambda: tab.action_table.rowCount() == 1 and tab.action_table.index(0, 3).data() == "Done 2 Mar 2026",
        timeout=WAIT_MS,
    )
    tab.action_view.selectRow(0)
    assert not tab.done_button.isEnabled()

    shell.lock()
    log_in(wale)  # shared with him: on his caseload, though still wendy's case
    shared = caseload(qtbot, shell)
    entry = shared.model.find(case_id)
    assert entry is not None and entry.row.worker == "wendy"


def test_the_audit_viewer_filters_and_verifies_the_chain(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    log_in(vault.supervisor)
    page = supervision(qtbot, shell)
    audit = page.audit
    with qtbot.waitSignal(audit.loaded, timeout=WAIT_MS):
        page.tabs.setCurrentIndex(AUDIT_TAB)
    model = audit.model

    def cells() -> list[list[str]]:
        return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]

    everything = cells()
    assert len(everything) > 5
    assert not any(
        name in cell for row in everything for cell in row for name in ("Jamal", "Okafor", "J. O.")
    )  # no personal data at all

    def show() -> None:
        with qtbot.waitSignal(audit.loaded, timeout=WAIT_MS):
            audit.show_button.click()

    audit.user.setCurrentIndex(audit.user.findData("wendy"))
    show()
    assert model.rowCount() > 0 and {row[2] for row in cells()} == {"wendy"}
    audit.action.setCurrentIndex(audit.action.findData("create"))
    show()
    assert {(row[2], row[3]) for row in cells()} == {("wendy", "create")}
    audit.user.setCurrentIndex(0)
    audit.action.setCurrentIndex(0)
    audit.case_reference.setText("rlh-26-00001")
    show()
    assert model.rowCount() > 0 and {row[6] for row in cells()} == {"RLH-26-00001"}
    audit.case_reference.clear()
    audit.since.setText("2026-03-03")
    show()
    assert model.rowCount() == 0 and audit.count.text() == "No entries match."
    audit.since.setText("2026-03-02")
    audit.until.setText("2026-03-02")
    show()
    assert model.rowCount() == len(everything)
    audit.until.setText("2026-02-30")
    audit.show_button.click()  # not a date: said at once, nothing is asked of the service
    assert audit.error.text().startswith("To:")
    audit.until.clear()

    with qtbot.waitSignal(audit.verified, timeout=WAIT_MS):
        audit.verify_button.click()
    assert audit.chain_state.text().startswith("The audit chain is intact:")
    assert audit.chain_state.property("tone") == "good"

    with signed_in(vault.location, clock, vault.admin) as unlocked, unlocked.session() as session:
        session.execute(text("UPDATE audit_event SET action = 'view' WHERE sequence = 3"))
    with qtbot.waitSignal(audit.verified, timeout=WAIT_MS):
        audit.verify_button.click()
    assert audit.chain_state.text().startswith("The audit chain is broken at entry 3: event 3 has been altered.")
    assert audit.chain_state.property("tone") == "problem"
    row = model.row_of(3)
    assert row is not None
    assert model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    selected = audit.view.selectionModel().selectedRows()
    assert [index.data() for index in selected] == ["3"]
    assert case_id  # the case whose reference was filtered on


def test_referrals_waiting_by_service(qtbot, shell: Shell, vault, log_in, clock) -> None:
    with signed_in(vault.location, clock, vault.admin) as unlocked:
        directory = ServiceDirectory(unlocked)
        camhs = directory.add_service({"service_type": "camhs", "name": "Southwark CAMHS", "chase_interval_days": 14})
        rehab = directory.add_service({"service_type": "rehabilitation", "name": "KCH Rehab", "chase_interval_days": 7})
    first, second = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"), new_case("Ade", "Bello"))
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        referrals = ReferralService(unlocked)
        for case_id in (first, second):
            referrals.create_referral(
                case_id,
                camhs.service_id,
                "routine",
                "Low mood.",
                consent_override_reason="Risk to life; duty to share.",
            )
        done = referrals.create_referral(
            first, rehab.service_id, "routine", "Knee.", consent_override_reason="Needed for recovery."
        )
        referrals.record_step(done, "sent")
        referrals.record_step(done, "accepted")
        referrals.record_step(done, "help_started")  # no longer waiting on the service
    clock.advance(15 * DAY)
    log_in(vault.supervisor)
    page = supervision(qtbot, shell)
    assert page.dashboard.referrals_chart.bars == [("CAMHS (child and adolescent mental health)", 2)]
    assert figure(page, "wendy", "referrals_overdue") == "2"


def test_a_worker_never_sees_supervision(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    log_in(vault.worker)
    workspace = shell.workspace
    assert workspace is not None
    assert Section.SUPERVISION not in workspace.sections
    assert workspace.supervision is None
    assert not any(isinstance(page, SupervisionPage) for page in workspace.pages.values())
    assert workspace.show_section(Section.SUPERVISION) is False
    titles = [workspace.navigation.item(r).text() for r in range(workspace.navigation.count())]
    assert "Supervision" not in titles
    view = open_case(qtbot, shell, case_id)  # the case's Supervision tab is read-only
    assert view.supervision_tab.add_note_button.isHidden()
    assert view.supervision_tab.share_button.isHidden()


def test_locking_clears_the_supervision_page(qtbot, shell: Shell, vault, log_in, clock) -> None:
    record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    log_in(vault.supervisor)
    page = supervision(qtbot, shell)
    click_figure(qtbot, page, page.dashboard.site_view, "RLH", "open")
    assert page.cases_panel.title.text() == "Open cases  ·  RLH"
    page.cases_panel.case_list.selectRow(0)
    dialog = page.cases_panel.open_reassign()
    assert dialog is not None and dialog.isVisible()
    shell.lock()
    assert not dialog.isVisible()
    assert page.dashboard.by_worker.rowCount() == 0 and page.dashboard.by_site.rowCount() == 0
    assert page.cases_panel.case_model.total == 0 and page.closures_tab.closures.rowCount() == 0
    assert page.dashboard.caseload_chart.bars == [] and page.audit.model.rowCount() == 0
    assert page.host.currentWidget() is page.overview_panel and page.overview is None
    page.refresh()  # nothing happens once the vault is locked
    assert not page.loading.isVisible()
