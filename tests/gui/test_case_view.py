"""One case on screen: contacts with failed attempts marked, assessments and the risk change,
safeguarding versions (amending adds one), closure asked for or done, and the history."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from PySide6.QtCore import Qt

from youthcase.gui.case.history import case_history
from youthcase.gui.case.view import CaseView
from youthcase.gui.pages.caseload import CaseloadPage
from youthcase.gui.shell import Shell
from youthcase.services.cases import CaseService

from .conftest import WAIT_MS, new_case, record_cases, signed_in

pytestmark = pytest.mark.gui


def story(vault, clock) -> uuid.UUID:
    """A case with a failed and a successful contact, two assessments and an amended concern."""
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor", arrived_hours_ago=72))
    now = clock.now()
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        cases = CaseService(unlocked)
        cases.add_contact(
            case_id,
            {
                "contact_at": now - dt.timedelta(hours=3),
                "medium": "bedside",
                "successful": False,
                "contact_with": "young_person",
            },
        )
        cases.add_contact(
            case_id,
            {
                "contact_at": now - dt.timedelta(hours=1),
                "medium": "bedside",
                "successful": True,
                "contact_with": "young_person",
                "notes": "Talked about getting home safely.",
            },
        )
        cases.record_assessment(
            case_id, {"assessed_on": now.date() - dt.timedelta(days=1), "stage": "start", "risk_level": "high"}
        )
        cases.record_assessment(case_id, {"assessed_on": now.date(), "stage": "change", "risk_level": "medium"})
        concern = cases.raise_concern(
            case_id,
            {
                "raised_at": now - dt.timedelta(hours=2),
                "category": "exploitation",
                "facts": "Carried packages for older boys.",
                "status": "open",
            },
        )
        cases.amend_concern(case_id, concern, {"shared_with": ("social_care",)})
    return case_id


def open_case(qtbot, shell: Shell, case_id: uuid.UUID) -> CaseView:
    assert shell.workspace is not None and shell.workspace.caseload is not None
    page: CaseloadPage = shell.workspace.caseload
    qtbot.waitUntil(lambda: page.has_loaded and not page.loading.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(page.case_opened, timeout=WAIT_MS):
        page.open_case(case_id)
    return page.case_view


def test_the_tabs_show_the_case(qtbot, shell: Shell, vault, log_in, clock) -> None:
    case_id = story(vault, clock)
    log_in(vault.worker)
    view = open_case(qtbot, shell, case_id)
    assert [view.tabs.tabText(i) for i in range(view.tabs.count())] == [
        "Person",
        "Incident",
        "Contacts",
        "Risk and needs",
        "Safeguarding",
        "Referrals",
        "Plan and outcomes",
        "Supervision",
        "History",
    ]
    assert "Age 16" in view.facts.text() and "Worker wendy" in view.facts.text()
    assert view.status_chip.text() == "Open" and view.risk_chip.text() == "Risk medium"

    contacts = view.contacts_tab.model  # newest first; the failed attempt is marked
    assert [contacts.index(r, 1).data() for r in range(2)] == ["Contact made", "Attempt failed"]
    assert contacts.index(1, 1).data(Qt.ItemDataRole.DecorationRole) is not None
    assert contacts.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert contacts.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert view.contacts_tab.summary.text() == "1 contact made, 1 failed attempt."
    view.contacts_tab.view.selectRow(0)
    assert view.contacts_tab.notes.text() == "Talked about getting home safely."

    assert view.risk_tab.change.text() == ("Risk high at the first assessment, medium at the latest: reduced.")
    assert view.safeguarding_tab.concerns.rowCount() == 1
    assert view.safeguarding_tab.versions.rowCount() == 2  # the first concern is selected, with its versions
    assert view.safeguarding_tab.version_sheet.values["shared_with"].text() == "Children's social care / MASH"
    view.safeguarding_tab.version_list.selectRow(0)
    assert view.safeguarding_tab.version_sheet.values["shared_with"].text() == "—"  # as first recorded

    assert view.detail is not None
    history = [(item.what) for item in case_history(view.detail)]
    assert history[0] == "Risk assessment (change)"
    assert "Safeguarding concern amended (version 2)" in history
    assert history[-2:] == ["Arrived at A&E", "Assault"]
    assert view.history_tab.model.rowCount() == len(history)


def test_amending_a_concern_adds_a_version(qtbot, shell: Shell, vault, log_in, clock) -> None:
    case_id = story(vault, clock)
    log_in(vault.worker)
    view = open_case(qtbot, shell, case_id)
    dialog = view.safeguarding_tab.open_amend_concern()
    assert dialog is not None
    assert dialog.form["facts"].raw() == "Carried packages for older boys."  # from version 2
    dialog.form["status"].restore("closed")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        dialog.start_save()
    assert saved.args[0] == 3
    qtbot.waitUntil(lambda: view.safeguarding_tab.versions.rowCount() == 3, timeout=WAIT_MS)
    history = view.safeguarding_tab.concerns.row_at(0)
    assert [v.values["status"] for v in history.versions] == ["open", "open", "closed"]


def test_a_worker_asks_a_supervisor_to_close(qtbot, shell: Shell, vault, log_in, clock) -> None:
    case_id = story(vault, clock)
    log_in(vault.worker)
    view = open_case(qtbot, shell, case_id)
    assert view.plan_tab.close_button.text() == "Ask to close…"
    dialog = view.plan_tab.open_close_case()
    assert dialog is not None
    dialog.form["closure_reason"].restore("goals_met")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.start_save()
    qtbot.waitUntil(lambda: "waiting for a supervisor" in view.plan_tab.closure_state.text(), timeout=WAIT_MS)
    assert not view.plan_tab.closure_state.isHidden()
    assert not view.plan_tab.close_button.isEnabled()
    assert view.detail is not None and view.detail.status == "open"


def test_a_supervisor_closes_and_reopens(qtbot, shell: Shell, vault, log_in, clock, prompts) -> None:
    case_id = story(vault, clock)
    log_in(vault.supervisor)
    view = open_case(qtbot, shell, case_id)
    assert view.plan_tab.close_button.text() == "Close case…"
    dialog = view.plan_tab.open_close_case()
    assert dialog is not None
    dialog.form["closure_reason"].restore("disengaged")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.start_save()
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.status == "closed", timeout=WAIT_MS)
    assert view.status_chip.text() == "Closed 2 Mar 2026"
    assert not view.plan_tab.reopen_button.isHidden() and view.plan_tab.close_button.isHidden()
    prompts.confirm_answers.append(True)
    view.plan_tab.reopen_case()
    qtbot.waitUntil(lambda: view.detail is not None and view.detail.status == "open", timeout=WAIT_MS)
    assert view.detail is not None and view.detail.reopen_count == 1


def test_corrections_show_in_history_and_a_struck_out_contact_says_so(
    qtbot, shell: Shell, vault, log_in, clock
) -> None:
    from youthcase.services.corrections import Amendable, CorrectionService

    case_id = story(vault, clock)
    with signed_in(vault.location, clock, vault.worker) as unlocked:
        detail = CaseService(unlocked).case_detail(case_id)
        assert detail.incident is not None
        corrections = CorrectionService(unlocked)
        corrections.amend(
            case_id,
            Amendable.INCIDENT,
            detail.incident.id,
            {"assault_method": "blunt"},
            reason="a bat, not a knife",
            expected_version=1,
        )
        failed = [c for c in detail.contacts if not c.values["successful"]][0]
        corrections.strike_out_contact(case_id, failed.id, reason="another young person's", expected_version=1)
        CaseService(unlocked).update_person(case_id, {"postcode": "SE15 5AA"})
    log_in(vault.worker)
    view = open_case(qtbot, shell, case_id)
    assert view.detail is not None
    history = {item.what: item.detail for item in case_history(view.detail)}
    assert (
        history["Incident corrected by wendy"] == "Assault method was Knife or sharp object; reason: a bat, not a knife"
    )
    assert history["Contact struck out by wendy"] == "reason: another young person's"
    assert "Contact attempt failed (struck out: recorded in error)" in history
    assert history["Young person updated by wendy"] == "Postcode changed"  # identifiers never shown here
    contacts = view.contacts_tab.model
    assert contacts.index(1, 1).data() == "Attempt failed (struck out: recorded in error)"
    assert view.contacts_tab.summary.text() == "1 contact made, 0 failed attempts; 1 struck out as recorded in error."
