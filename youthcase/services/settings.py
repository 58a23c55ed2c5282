"""Vault-wide settings. Only the idle auto-lock timeout for now."""

from __future__ import annotations

from sqlalchemy import select

from youthcase.domain.roles import Permission
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput
from youthcase.services.permissions import require
from youthcase.services.vault import DEFAULT_IDLE_LOCK_MINUTES, IDLE_LOCK_SETTING, UnlockedVault
from youthcase.storage.models import VaultSetting

MIN_IDLE_LOCK_MINUTES = 1
MAX_IDLE_LOCK_MINUTES = 60


class SettingsService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def idle_lock_minutes(self) -> int:
        with self.vault.session() as session:
            value = session.scalar(select(VaultSetting.value).where(VaultSetting.name == IDLE_LOCK_SETTING))
        try:
            return int(value) if value is not None else DEFAULT_IDLE_LOCK_MINUTES
        except ValueError:
            return DEFAULT_IDLE_LOCK_MINUTES

    def set_idle_lock_minutes(self, minutes: int) -> None:
        require(self.vault.actor, Permission.MANAGE_SETTINGS)
        if not MIN_IDLE_LOCK_MINUTES <= minutes <= MAX_IDLE_LOCK_MINUTES:
            raise InvalidInput(f"auto-lock must be between {MIN_IDLE_LOCK_MINUTES} and {MAX_IDLE_LOCK_MINUTES} minutes")
        with self.vault.session() as session:
            setting = session.scalar(select(VaultSetting).where(VaultSetting.name == IDLE_LOCK_SETTING))
            if setting is None:
                session.add(VaultSetting(name=IDLE_LOCK_SETTING, value=str(minutes)))
            else:
                setting.value = str(minutes)
            self.vault.audit(session, AuditAction.SETTING_CHANGED, "vault_setting", None)
