"""The few questions about *all* cases that a client may ask although row-level security hides
other people's cases on a team server: answered by SECURITY DEFINER functions there (which give
only what is asked), by the plain query on a local vault."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from youthcase.storage.models import CaseEpisode
from youthcase.storage.server_roles import SCHEMA


def _on_server(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def latest_reference(session: Session, prefix: str) -> str | None:
    """The highest case reference starting with ``prefix`` (``RLH-26-``), over every case. On a
    server the function also locks the prefix until the transaction ends, so two clients adding
    cases at once never draw the same number."""
    if _on_server(session):
        found = session.scalar(text(f"SELECT {SCHEMA}.latest_reference(:prefix)"), {"prefix": prefix})
        return None if found is None else str(found)
    return session.scalar(select(func.max(CaseEpisode.reference)).where(CaseEpisode.reference.like(prefix + "%")))


def stored_import_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of these import fingerprints are already stored, on any case (a re-import skips them)."""
    if _on_server(session):
        rows = session.scalars(text(f"SELECT {SCHEMA}.stored_import_keys(:keys)"), {"keys": list(keys)})
        return {str(key) for key in rows}
    return set(session.scalars(select(CaseEpisode.import_key).where(CaseEpisode.import_key.in_(keys))))


def hidden_row(session: Session, table: str, row_id: object) -> bool:
    """Whether a row that this session does not see exists all the same (a team server hides other
    people's case rows): so the services can say "not on your caseload" rather than "no such"."""
    if not _on_server(session):
        return False
    return bool(session.scalar(text(f"SELECT {SCHEMA}.row_exists(:table, :id)"), {"table": table, "id": row_id}))
