"""One case host for the caseload and the supervision page: a case opens over the panel it was
opened from and Back returns there; a change made in one host's case view reaches the other's
through the change notice."""

from __future__ import annotations

import pytest

from youthcase.gui.case.host import CaseHost
from youthcase.gui.navigation import Section
from youthcase.gui.shell import Shell

from .conftest import WAIT_MS, new_case, record_cases

pytestmark = pytest.mark.gui


def test_a_contact_logged_in_one_host_reaches_the_other(qtbot, shell: Shell, vault, log_in, clock) -> None:
    [case_id] = record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"))
    log_in(vault.supervisor)
    workspace = shell.workspace
    assert workspace is not None and workspace.caseload is not None and workspace.supervision is not None
    caseload, supervision = workspace.caseload, workspace.supervision
    assert isinstance(caseload.host, CaseHost) and isinstance(supervision.host, CaseHost)

    workspace.show_section(Section.CASELOAD)
    qtbot.waitUntil(lambda: caseload.has_loaded and not caseload.loading.isVisible(), timeout=WAIT_MS)
    with qtbot.waitSignal(caseload.case_opened, timeout=WAIT_MS):
        caseload.open_case(case_id)
    in_caseload = caseload.case_view
    assert in_caseload.contacts_tab.model.rowCount() == 0

    with qtbot.waitSignal(supervision.loaded, timeout=WAIT_MS):
        workspace.show_section(Section.SUPERVISION)
    with qtbot.waitSignal(supervision.case_opened, timeout=WAIT_MS):
        supervision.open_case(case_id, from_cases=False)
    in_supervision = supervision.case_view
    assert in_supervision is not in_caseload
    assert in_supervision.back_button.text() == "Back" and in_caseload.back_button.text() == "Caseload"

    dialog = in_supervision.open_new_contact()
    assert dialog is not None
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.start_save()
    qtbot.waitUntil(lambda: in_supervision.contacts_tab.model.rowCount() == 1, timeout=WAIT_MS)
    assert in_caseload.contacts_tab.model.rowCount() == 0  # hidden: it loads when it shows

    workspace.show_section(Section.CASELOAD)
    qtbot.waitUntil(lambda: in_caseload.contacts_tab.model.rowCount() == 1, timeout=WAIT_MS)
    assert caseload.host.showing_case

    in_caseload.back_requested.emit()  # Back: the list it came from, the case forgotten
    assert caseload.host.currentWidget() is caseload.list_panel and in_caseload.detail is None
    qtbot.waitUntil(lambda: not caseload.loading.isVisible() and caseload.model.total == 1, timeout=WAIT_MS)
    assert caseload.proxy.case_at(0).last_successful_contact_at == clock.now()  # the list loaded again

    workspace.show_section(Section.SUPERVISION)
    in_supervision.back_requested.emit()
    assert supervision.host.currentWidget() is supervision.overview_panel
