"""Which sections each role sees: administrators never see the caseload."""

from __future__ import annotations

import pytest

from youthcase.domain.roles import Role
from youthcase.gui.navigation import Section, home_section, sections_for
from youthcase.gui.pages.administration import AdministrationPage
from youthcase.gui.pages.referrals_board import ReferralsBoardPage

pytestmark = pytest.mark.gui

EXPECTED = {
    Role.ADMIN: [Section.RETURNS, Section.ADMINISTRATION],
    Role.WORKER: [Section.CASELOAD, Section.REFERRALS],
    Role.SUPERVISOR: [Section.CASELOAD, Section.REFERRALS, Section.SUPERVISION, Section.RETURNS],
}


@pytest.mark.parametrize("role", list(Role))
def test_sections_for_each_role(role: Role) -> None:
    assert [spec.section for spec in sections_for(role)] == EXPECTED[role]


def test_administrators_never_see_case_content() -> None:
    visible = {spec.section for spec in sections_for(Role.ADMIN)}
    assert not visible & {Section.CASELOAD, Section.REFERRALS, Section.SUPERVISION}


def test_home_sections() -> None:
    assert home_section(Role.ADMIN) is Section.ADMINISTRATION
    assert home_section(Role.WORKER) is Section.CASELOAD
    assert home_section(Role.SUPERVISOR) is Section.CASELOAD


@pytest.mark.parametrize("who", ["admin", "worker", "supervisor"])
def test_the_main_window_shows_only_the_role_sections(qtbot, shell, vault, log_in, who) -> None:
    person = getattr(vault, who)
    log_in(person)
    workspace = shell.workspace
    assert workspace is not None
    listed = [workspace.navigation.item(row).text() for row in range(workspace.navigation.count())]
    assert listed == [spec.title for spec in sections_for(person.role)]
    assert workspace.sections == EXPECTED[person.role]
    assert workspace.show_section(Section.ADMINISTRATION) is (person.role is Role.ADMIN)
    assert workspace.show_section(Section.CASELOAD) is (person.role is not Role.ADMIN)


def test_every_section_has_its_screen(qtbot, shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    assert shell.workspace is not None
    shell.workspace.navigation.setCurrentRow(1)
    page = shell.workspace.stack.currentWidget()
    assert isinstance(page, ReferralsBoardPage)
    assert page.spec.section is Section.REFERRALS
    assert not any(isinstance(p, AdministrationPage) for p in shell.workspace.pages.values())
