"""Sites: everyone may list them; administrators add priority A&E departments and see which sites
have no supervisor yet."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from youthcase.domain.roles import Permission
from youthcase.domain.sites import SiteKind, normalise_site_code
from youthcase.services.access import SUPERVISOR_LEVEL, create_site_key
from youthcase.services.audit import AuditAction
from youthcase.services.errors import InvalidInput
from youthcase.services.permissions import require
from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import AppUser, Site, SiteGrant


@dataclass(frozen=True)
class SiteSummary:
    site_id: uuid.UUID
    code: str
    name: str
    kind: SiteKind
    active: bool


class SiteService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def list_sites(self) -> list[SiteSummary]:
        with self.vault.session() as session:
            return [
                SiteSummary(s.id, s.code, s.name, SiteKind(s.kind), s.active)
                for s in session.scalars(select(Site).order_by(Site.kind.desc(), Site.code))
            ]

    def add_emergency_department(self, code: str, name: str) -> SiteSummary:
        require(self.vault.actor, Permission.MANAGE_SITES)
        try:
            code = normalise_site_code(code)
        except ValueError as error:
            raise InvalidInput(str(error)) from None
        name = name.strip()
        if not 2 <= len(name) <= 200:
            raise InvalidInput("a site name needs 2-200 characters")
        with self.vault.session() as session:
            if session.scalar(select(Site.id).where(Site.code == code)) is not None:
                raise InvalidInput(f"site code {code} is already in use")
            site = Site(code=code, name=name, kind=SiteKind.EMERGENCY_DEPARTMENT.value, active=True)
            session.add(site)
            session.flush()
            # Its private key goes only to escrow: the first supervisor is admitted with the recovery key.
            vault = self.vault
            create_site_key(
                session,
                site.id,
                1,
                vault.clock.now(),
                vault.signer,
                vault.keyring.directory.recovery_exchange,
                vault.vault_id,
            )
            self.vault.audit(session, AuditAction.SITE_ADDED, "site", site.id)
            return SiteSummary(site.id, code, name, SiteKind.EMERGENCY_DEPARTMENT, True)

    def sites_without_supervisor(self) -> list[str]:
        """Codes of the active sites no active supervisor is admitted to, so nobody can admit people
        to their cases: the first supervisor is admitted with the recovery key. Reads only ids,
        codes and grant levels (no case content), for administrators."""
        require(self.vault.actor, Permission.MANAGE_SITES)
        supervised = (
            select(SiteGrant.site_id)
            .join(AppUser, AppUser.id == SiteGrant.account_id)
            .where(SiteGrant.level == SUPERVISOR_LEVEL, AppUser.active)
        )
        with self.vault.session() as session:
            query = select(Site.code).where(Site.active, Site.id.not_in(supervised)).order_by(Site.code)
            return list(session.scalars(query))
