"""Site copies of case keys for cases made before they existed (migration 0010).

A migration holds no case key, so each account that unlocks seals the keys it can open and whose
case has no copy yet; a supervisor covers every case of its sites. The ``case_site_keys_pending``
setting keeps this off every other unlock: it is cleared once nothing is missing, by an account
that may write settings (on a team server only an administrator, who sees every case's id)."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from youthcase.crypto.errors import NoKeyError
from youthcase.services.access import current_site_key
from youthcase.services.keyring import Keyring
from youthcase.storage.models import CaseEpisode, CaseKey, CaseSiteKey, SiteKey, VaultSetting

PENDING_SETTING = "case_site_keys_pending"


def add_missing_site_copies(session: Session, keyring: Keyring, may_clear: bool) -> int:
    """Seal every case key this account can open whose case has no site copy. Returns how many."""
    pending = session.scalar(select(VaultSetting).where(VaultSetting.name == PENDING_SETTING))
    if pending is None or pending.value != "yes":
        return 0
    without_copy = CaseEpisode.id.not_in(select(CaseSiteKey.case_id))
    mine = CaseEpisode.id.in_(select(CaseKey.case_id).where(CaseKey.account_id == keyring.account_id))
    openable = session.execute(
        select(CaseEpisode.id, CaseEpisode.site_id).where(
            without_copy, or_(mine, CaseEpisode.site_id.in_(keyring.supervised_sites()))
        )
    ).all()
    site_keys: dict[uuid.UUID, SiteKey] = {}
    added = 0
    for case_id, site_id in openable:
        try:
            key = keyring.case_key(case_id)
        except NoKeyError:
            continue
        site = site_keys.get(site_id) or site_keys.setdefault(site_id, current_site_key(session, site_id))
        session.add(keyring.seal_for_site(case_id, key, site_id, site.generation))
        added += 1
    if may_clear and session.scalar(select(func.count()).select_from(CaseEpisode).where(without_copy)) == 0:
        session.execute(update(VaultSetting).where(VaultSetting.id == pending.id).values(value="done"))
    return added
