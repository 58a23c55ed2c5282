"""Encrypted autosave of unsaved forms, so a crash or an auto-lock loses nothing.

A draft belongs to one user and one form (and, for forms about an existing record, its id). The
payload is the form's field values as JSON, stored encrypted like any free text. Saving replaces
the previous draft of the same form; submitting the form discards it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from youthcase.services.vault import UnlockedVault
from youthcase.storage.models import Draft


@dataclass(frozen=True)
class SavedDraft:
    form: str
    subject_id: uuid.UUID | None
    values: dict[str, Any]
    saved_at: dt.datetime


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


class DraftService:
    def __init__(self, vault: UnlockedVault) -> None:
        self.vault = vault

    def _mine(self, form: str, subject_id: uuid.UUID | None) -> Any:
        condition = Draft.subject_id.is_(None) if subject_id is None else Draft.subject_id == subject_id
        return select(Draft).where(Draft.user_id == self.vault.actor.user_id, Draft.form == form, condition)

    def save(self, form: str, values: dict[str, Any], subject_id: uuid.UUID | None = None) -> None:
        payload = json.dumps({k: _encode(v) for k, v in values.items()})
        with self.vault.session() as session:
            draft = session.scalar(self._mine(form, subject_id))
            if draft is None:
                session.add(
                    Draft(
                        user_id=self.vault.actor.user_id,
                        form=form,
                        subject_id=subject_id,
                        payload=payload,
                        saved_at=self.vault.clock.now(),
                    )
                )
            else:
                draft.payload, draft.saved_at = payload, self.vault.clock.now()

    def load(self, form: str, subject_id: uuid.UUID | None = None) -> SavedDraft | None:
        with self.vault.session() as session:
            draft = session.scalar(self._mine(form, subject_id))
            if draft is None:
                return None
            values = {k: _decode(v) for k, v in json.loads(draft.payload).items()}
            return SavedDraft(draft.form, draft.subject_id, values, draft.saved_at)

    def list_mine(self) -> list[tuple[str, uuid.UUID | None, dt.datetime]]:
        """Which forms have drafts waiting (form, subject, when), without opening them."""
        with self.vault.session() as session:
            rows = session.execute(
                select(Draft.form, Draft.subject_id, Draft.saved_at).where(Draft.user_id == self.vault.actor.user_id)
            ).all()
            return [(r.form, r.subject_id, r.saved_at) for r in rows]

    def discard(self, form: str, subject_id: uuid.UUID | None = None) -> None:
        condition = Draft.subject_id.is_(None) if subject_id is None else Draft.subject_id == subject_id
        with self.vault.session() as session:
            session.execute(
                delete(Draft).where(Draft.user_id == self.vault.actor.user_id, Draft.form == form, condition)
            )
