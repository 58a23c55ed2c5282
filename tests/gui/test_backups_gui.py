"""Backups in the window: the copy after a lock and its age, the administrator's folder and "Back up
now", restore with a preview from the lock screen, and the banner for missing commits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlcipher3
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import WAIT_MS, FakePrompts, new_case, record_cases, signed_in
from youthcase.gui.app import stylesheet
from youthcase.gui.backups import BackupDialog
from youthcase.gui.restore import RestoreDialog
from youthcase.gui.shell import Shell
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.backup_folder import list_backups
from youthcase.services.cases import CaseService

pytestmark = pytest.mark.gui


@dataclass
class BackupPrompts(FakePrompts):
    backup_folders: list[Path | None] = field(default_factory=list)
    backup_files: list[Path | None] = field(default_factory=list)

    def choose_backup_folder(self, parent: object, current: Path) -> Path | None:
        self.asked.append(("choose_backup_folder", str(current)))
        return self.backup_folders.pop(0)

    def choose_backup_file(self, parent: object, folder: Path) -> Path | None:
        self.asked.append(("choose_backup_file", str(folder)))
        return self.backup_files.pop(0)


@pytest.fixture
def prompts() -> BackupPrompts:
    return BackupPrompts()


def backups_of(shell: Shell, folder: Path | None = None) -> list[Path]:
    plan = shell.backups.plan
    assert plan is not None
    return [entry.path for entry in list_backups(folder or plan.folder, plan.vault_id)]


def lock_and_wait_for_backup(qtbot, shell: Shell) -> Path:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(shell.backups.status_changed, timeout=WAIT_MS, check_params_cb=lambda s: s.last_good):
        shell.lock()
    [made] = backups_of(shell)
    return made


@contextmanager
def app_look() -> Iterator[None]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.styleSheet()
    app.setStyleSheet(stylesheet())  # the look of the real app (the tests run without it)
    try:
        yield
    finally:
        app.setStyleSheet(before)


def test_a_lock_backs_up_and_the_window_shows_its_age(qtbot, shell: Shell, vault, log_in, clock) -> None:
    log_in(vault.worker)
    qtbot.waitUntil(lambda: shell.backups.status is not None, timeout=WAIT_MS)
    assert shell.backups.status is not None and shell.backups.status.last_good is None
    assert "No backup of this vault yet" in shell.lock_screen_backups.label.text()
    assert shell.backups_button.isHidden()  # only an administrator chooses the folder
    percents: list[int] = []
    shell.backups.progress.connect(percents.append)
    made = lock_and_wait_for_backup(qtbot, shell)
    assert made.stat().st_mode & 0o077 == 0
    assert 100 in percents and percents[-1] == -1  # the bar went to the end, then away
    lock_screen = shell.lock_screen_backups
    assert "Last good backup just now" in lock_screen.label.text()
    if os.environ.get("YOUTHCASE_SCREENSHOTS"):
        with app_look():
            shell.resize(1366, 768)
            shell.grab().save(str(Path(os.environ["YOUTHCASE_SCREENSHOTS"]) / "backup-lock-screen.png"))

    clock.advance(25 * 3600)
    with qtbot.waitSignal(shell.backups.status_changed, timeout=WAIT_MS):
        shell.backups.refresh()
    text = lock_screen.label.text()
    assert "25 hours ago" in text and "over a day old" in text
    assert lock_screen.label.property("tone") == "problem"


def test_an_administrator_chooses_the_folder_and_backs_up_now(
    qtbot, shell: Shell, vault, log_in, prompts: BackupPrompts, tmp_path: Path
) -> None:
    share = tmp_path / "share"
    share.mkdir()
    log_in(vault.admin)
    qtbot.waitUntil(lambda: shell.backups.status is not None, timeout=WAIT_MS)
    assert not shell.backups_button.isHidden()
    shell.backups_button.click()
    [dialog] = shell.findChildren(BackupDialog)
    prompts.backup_folders.append(share)
    with qtbot.waitSignal(shell.backups.status_changed, timeout=WAIT_MS):
        dialog.choose_button.click()
    assert dialog.folder.text() == f"Folder: {share}"
    with qtbot.waitSignal(shell.backups.status_changed, timeout=WAIT_MS, check_params_cb=lambda s: s.last_good):
        dialog.now_button.click()
    assert len(backups_of(shell, share)) == 1
    assert "Last good backup just now" in dialog.status.label.text()

    if os.environ.get("YOUTHCASE_SCREENSHOTS"):
        with app_look():
            shell.resize(1366, 768)
            shell.grab().save(str(Path(os.environ["YOUTHCASE_SCREENSHOTS"]) / "backup-status.png"))
            dialog.adjustSize()  # as sized under the real app's stylesheet, applied only now
            dialog.grab().save(str(Path(os.environ["YOUTHCASE_SCREENSHOTS"]) / "backup-dialog.png"))

    share.rename(tmp_path / "unplugged")
    with qtbot.waitSignal(shell.backups.status_changed, timeout=WAIT_MS):
        shell.backups.refresh()
    assert "cannot be reached" in dialog.status.label.text()
    with qtbot.waitSignal(shell.backups.failed, timeout=WAIT_MS):
        shell.lock()  # the copy after the lock cannot reach the folder either: said, not logged


def open_restore(qtbot, shell: Shell) -> RestoreDialog:  # type: ignore[no-untyped-def]
    shell.login.restore_button.click()
    [dialog] = shell.findChildren(RestoreDialog)
    return dialog


def test_restore_with_a_preview_to_a_new_file(
    qtbot, shell: Shell, vault, log_in, clock, prompts: BackupPrompts, tmp_path: Path
) -> None:
    record_cases(vault, clock, vault.worker, new_case("Jamal", "Okafor"), new_case("Ade", "Bello"))
    log_in(vault.worker)
    made = lock_and_wait_for_backup(qtbot, shell)
    dialog = open_restore(qtbot, shell)
    prompts.backup_files.append(made)
    dialog.browse_source.click()
    dialog.use_recovery_key.setChecked(True)
    dialog.secret.setText(vault.recovery_key)
    with qtbot.waitSignal(shell._background.settled, timeout=WAIT_MS):
        dialog.preview_button.click()
    text = dialog.preview.text()
    assert "automatic, after a lock" in text and "2 cases" in text and "last audit event: lock" in text
    assert "Jamal" not in text

    if os.environ.get("YOUTHCASE_SCREENSHOTS"):
        with app_look():
            shell.resize(1366, 768)
            dialog.grab().save(str(Path(os.environ["YOUTHCASE_SCREENSHOTS"]) / "restore-preview.png"))

    target = tmp_path / "restored.vault"
    dialog.target.setText(str(target))
    with qtbot.waitSignal(dialog.restored, timeout=WAIT_MS):
        dialog.restore_button.click()
    assert "passes every check" in dialog.outcome.text() and dialog.secret.text() == ""
    assert shell.login.location.path == target
    with signed_in(shell.login.location, clock, vault.worker) as restored:
        assert sorted(row.given_name for row in CaseService(restored).caseload()) == ["Ade", "Jamal"]


def test_restore_over_an_existing_vault_asks_first(
    qtbot, shell: Shell, vault, log_in, clock, prompts: BackupPrompts
) -> None:
    log_in(vault.worker)
    made = lock_and_wait_for_backup(qtbot, shell)
    dialog = open_restore(qtbot, shell)
    dialog.source.setText(str(made))
    dialog.username.setText(vault.worker.username)
    dialog.secret.setText(vault.worker.password)
    with qtbot.waitSignal(shell._background.settled, timeout=WAIT_MS):
        dialog.preview_button.click()
    before = vault.location.path.read_bytes()
    dialog.target.setText(str(vault.location.path))
    prompts.confirm_answers.append(False)
    dialog.restore_button.click()
    assert prompts.asked[-1][0] == "confirm" and "already exists" in prompts.asked[-1][1]
    assert vault.location.path.read_bytes() == before and not dialog.busy.active

    dialog.secret.setText("not the password")
    with qtbot.waitSignal(shell._background.settled, timeout=WAIT_MS):
        dialog.preview_button.click()
    assert "not correct" in dialog.error.text()


def test_missing_commits_get_their_own_banner_naming_the_backup(qtbot, shell: Shell, vault, log_in, clock) -> None:
    log_in(vault.worker)
    made = lock_and_wait_for_backup(qtbot, shell)
    with signed_in(vault.location, clock, vault.admin) as admin:
        file_key = admin.file_key
        events = AuditTrail(admin).verify().events
    connection = sqlcipher3.connect(str(vault.location.path))
    try:
        connection.execute(f"PRAGMA key = \"x'{file_key.hex()}'\"")
        connection.execute("DELETE FROM audit_event WHERE sequence > ?", (events - 2,))
        connection.commit()
    finally:
        connection.close()
    log_in(vault.worker)
    assert shell.workspace is not None
    banner = shell.workspace.missing_commits_warning
    assert not banner.isHidden()
    assert "Committed changes are missing" in banner.text() and str(made) in banner.text()
    assert "2 Mar 2026 09:30 UTC" in banner.text()
    assert shell.workspace.integrity_warning.text().count("committed changes") == 0


def test_closing_the_window_backs_up(qtbot, shell: Shell, vault, log_in) -> None:
    log_in(vault.worker)
    qtbot.waitUntil(lambda: shell.backups.plan is not None, timeout=WAIT_MS)
    with qtbot.waitSignal(shell.backups.status_changed, timeout=WAIT_MS, check_params_cb=lambda s: s.last_good):
        shell.close()
    assert shell.is_locked and len(backups_of(shell)) == 1


def test_the_session_menu_opens_the_restore_dialog(qtbot, shell: Shell) -> None:  # type: ignore[no-untyped-def]
    [action] = [a for a in shell.menuBar().findChildren(QAction) if a.objectName() == "restoreMenuAction"]
    action.trigger()
    assert len(shell.findChildren(RestoreDialog)) == 1
