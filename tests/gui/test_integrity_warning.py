"""A record changed outside the app is named above every page after login."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import update

from youthcase.services.vault import LockedVault
from youthcase.storage.models import AppUser

pytestmark = pytest.mark.gui


def test_an_untouched_vault_shows_no_warning(qtbot, shell, vault, log_in) -> None:
    log_in(vault.supervisor)
    assert shell.workspace is not None
    assert shell.workspace.integrity_warning.isHidden()


def test_an_edited_role_is_named_after_login(qtbot, shell, vault, log_in, clock) -> None:
    admin = LockedVault(vault.location, clock).unlock(vault.admin.username, vault.admin.password)
    with admin.engine.begin() as connection:
        connection.execute(update(AppUser).where(AppUser.username == vault.newcomer.username).values(role="admin"))
    admin.lock()
    log_in(vault.supervisor)
    assert shell.workspace is not None
    banner = shell.workspace.integrity_warning
    assert not banner.isHidden()
    assert f"record of {vault.newcomer.username}" in banner.text()
    if os.environ.get("YOUTHCASE_SCREENSHOTS"):
        shell.resize(1366, 768)
        shell.grab().save(os.path.join(os.environ["YOUTHCASE_SCREENSHOTS"], "integrity-warning.png"))
