"""The first-run wizard: location, first administrator, recovery key confirmation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWizard

from youthcase.config import VaultLocation
from youthcase.gui.wizard import (
    ADMINISTRATOR_PAGE,
    LOCATION_PAGE,
    RECOVERY_PAGE,
    FirstRunWizard,
    key_for_reading,
)
from youthcase.services.vault import LockedVault

pytestmark = pytest.mark.gui
WAIT_MS = 10_000
PASSWORD = "harbour lantern quietly 41"  # noqa: S105 - a test vault


@pytest.fixture
def wizard(qtbot, tmp_path: Path, clock, background, prompts) -> FirstRunWizard:
    window = FirstRunWizard(VaultLocation(path=tmp_path / "data" / "youthcase.vault"), clock, background, prompts)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window, timeout=WAIT_MS)
    return window


def _button(wizard: FirstRunWizard, which: QWizard.WizardButton):  # type: ignore[no-untyped-def]
    return wizard.button(which)


def _fill_administrator(wizard: FirstRunWizard, password: str = PASSWORD, confirmation: str = PASSWORD) -> None:
    page = wizard.administrator_page
    page.username.setText("a.admin")
    page.password.setText(password)
    page.confirmation.setText(confirmation)


def _create(qtbot, wizard: FirstRunWizard) -> None:
    wizard.next()
    assert wizard.currentId() == ADMINISTRATOR_PAGE
    _fill_administrator(wizard)
    assert _button(wizard, QWizard.WizardButton.CommitButton).isEnabled()
    wizard.next()  # "Create vault"
    assert wizard.administrator_page.busy.active
    assert not wizard.administrator_page.password.isEnabled()
    assert not _button(wizard, QWizard.WizardButton.CommitButton).isEnabled()
    qtbot.waitUntil(lambda: wizard.currentId() == RECOVERY_PAGE, timeout=WAIT_MS)


def test_the_default_location_is_shown_and_can_be_changed(qtbot, wizard, prompts, tmp_path) -> None:
    page = wizard.location_page
    assert page.path.text() == str(tmp_path / "data" / "youthcase.vault")
    prompts.chosen_files.append(tmp_path / "elsewhere.vault")
    page.browse.click()
    assert page.path.text() == str(tmp_path / "elsewhere.vault")


def test_an_existing_file_is_refused(qtbot, wizard, tmp_path) -> None:
    existing = tmp_path / "taken.vault"
    existing.write_bytes(b"x")
    wizard.location_page.path.setText(str(existing))
    wizard.next()
    assert wizard.currentId() == LOCATION_PAGE
    assert "already exists" in wizard.location_page.error.text()


def test_weak_or_mismatched_passwords_keep_create_disabled(qtbot, wizard) -> None:
    wizard.next()
    commit = _button(wizard, QWizard.WizardButton.CommitButton)
    _fill_administrator(wizard, "password1234", "password1234")
    assert not commit.isEnabled()
    assert "commonly used" in wizard.administrator_page.verdict.text()
    _fill_administrator(wizard, PASSWORD, PASSWORD + "x")
    assert not commit.isEnabled()
    assert wizard.administrator_page.verdict.text() == "The two passwords do not match."
    _fill_administrator(wizard)
    assert commit.isEnabled()
    assert wizard.administrator_page.verdict.text() == "This password meets the rules."


def test_creates_the_vault_and_requires_the_recovery_key_confirmation(qtbot, wizard, tmp_path) -> None:
    _create(qtbot, wizard)
    vault_file = tmp_path / "data" / "youthcase.vault"
    assert vault_file.exists()
    assert wizard.opened is not None and wizard.opened.vault.actor.username == "a.admin"
    assert wizard.administrator_page.password.text() == ""

    page = wizard.recovery_page
    key = page._recovery_key
    assert len(key.split("-")) > 10
    assert page.key.text() == key_for_reading(key)
    assert page.key.text().replace("\n", "-") == key

    finish = _button(wizard, QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()
    assert not _button(wizard, QWizard.WizardButton.CancelButton).isVisible()
    wizard.reject()  # Escape or closing the window cannot lose the key now
    assert wizard.isVisible()

    page.copy_button.click()
    assert QGuiApplication.clipboard().text() == key
    QGuiApplication.clipboard().clear()

    page.stored.setChecked(True)
    assert finish.isEnabled()
    with qtbot.waitSignal(wizard.accepted, timeout=WAIT_MS):
        finish.click()
    assert page.key.text() == ""
    wizard.opened.vault.lock()

    reopened = LockedVault(VaultLocation(path=vault_file)).unlock("a.admin", PASSWORD)
    assert reopened.actor.username == "a.admin"
    reopened.lock()


def test_a_failed_creation_stays_on_the_page_with_the_reason(qtbot, wizard, tmp_path, logged_errors) -> None:
    blocker = tmp_path / "data"
    blocker.write_bytes(b"a file where the folder should be")
    _fill_administrator(wizard)
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: not wizard.administrator_page.busy.active, timeout=WAIT_MS)
    assert wizard.currentId() == ADMINISTRATOR_PAGE
    assert wizard.administrator_page.error.text().startswith("Something went wrong")
    assert logged_errors.take() == ["unexpected NotADirectoryError in a background task"]
    assert wizard.opened is None
    assert _button(wizard, QWizard.WizardButton.CancelButton).isEnabled()
