"""``youthcase check``: is this vault sound, and if not, what exactly is damaged?

One pass over everything that can be checked with the keys at hand: SQLCipher's page HMACs
(``PRAGMA cipher_integrity_check``), SQLite's own integrity and foreign-key checks, every encrypted
value the account can open (the recovery key opens all but drafts), the signed records, the audit
chain with its signatures and anchored head, and the key store's MAC. Each finding names what is
damaged (the table, and the case reference where there is one) and what to do. On PostgreSQL the
page checks are the server's (``amcheck``); the rest runs the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from youthcase.crypto.errors import NoKeyError, TamperedDataError
from youthcase.crypto.fields import FieldBinding, FieldCipher
from youthcase.services.audit import verify_chain
from youthcase.services.keyring import Keyring
from youthcase.services.vault import anchored_event_present
from youthcase.storage.encrypted import EncryptedType, KeyScope, Sealed, scope_of_table
from youthcase.storage.keystore import KeyStore, KeyStoreError
from youthcase.storage.models import Base, CaseEpisode

RESTORE = "restore the vault from its most recent good backup"


UNOPENABLE = "the database file: a page read on every opening (accounts, keys or the audit trail) is damaged"


def is_damaged_page(error: DatabaseError) -> bool:
    """SQLCipher's failed page check or SQLite's malformed page, not a lock or a constraint."""
    return type(getattr(error, "orig", error)).__name__ == "DatabaseError"


@dataclass(frozen=True)
class Finding:
    """One damaged thing: what, where, and what to do about it."""

    what: str
    advice: str = RESTORE

    def __str__(self) -> str:
        return f"{self.what}: {self.advice}"


@dataclass(frozen=True)
class CheckReport:
    findings: list[Finding]
    values_opened: int
    values_not_held: int
    events: int

    @property
    def sound(self) -> bool:
        return not self.findings


def check_vault(session: Session, keyring: Keyring, keystore: KeyStore, key_store_mac: bytes) -> CheckReport:
    """Run every check in one read transaction of ``session``. A part that cannot even be read
    (a damaged page) is a finding too; the other parts are still checked."""
    findings = _unreadable("the database file", lambda: _page_checks(session))
    opened = not_held = events = 0
    try:
        opened, not_held, damaged = _open_every_value(session, keyring)
        findings += damaged
    except DatabaseError:
        findings.append(Finding("the database file: some encrypted values cannot be read (damaged pages)"))
    try:
        events, audit = _audit_findings(session, keyring, keystore)
        findings += audit
    except DatabaseError:
        findings.append(Finding("the audit trail cannot be read (damaged pages)"))
    try:
        keystore.verify(key_store_mac)
    except KeyStoreError as error:
        findings.append(Finding(f"the key store: {error}"))
    return CheckReport(findings, opened, not_held, events)


def _unreadable(what: str, run: Callable[[], list[Finding]]) -> list[Finding]:
    try:
        return run()
    except DatabaseError:
        return [Finding(f"{what} cannot be read (damaged pages)")]


def _audit_findings(session: Session, keyring: Keyring, keystore: KeyStore) -> tuple[int, list[Finding]]:
    directory = keyring.load_directory(session)
    findings = [Finding(problem, "ask your information-governance lead") for problem in directory.problems]
    report = verify_chain(session, directory)
    if not report.intact:
        findings.append(Finding(f"the audit trail: {report.problem}", "keep this copy and restore from a backup"))
    anchored = keystore.anchored_head()
    if report.intact and anchored is not None and not anchored_event_present(session, anchored):
        findings.append(Finding(f"the audit trail no longer holds event {anchored[0]}, anchored at the last lock"))
    return report.events, findings


def _page_checks(session: Session) -> list[Finding]:
    """SQLCipher's page HMACs first (it names the damaged pages), then SQLite's own checks, which
    stop at the first page that does not decrypt."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    findings = [
        Finding(f"the database file: {' '.join(str(value) for value in row)}")
        for row in session.execute(text("PRAGMA cipher_integrity_check"))
    ]
    findings += _unreadable("the database structure", lambda: _structure_checks(session))
    return findings


def _structure_checks(session: Session) -> list[Finding]:
    problems = [row[0] for row in session.execute(text("PRAGMA integrity_check"))]
    findings = [Finding(f"the database structure: {problem}") for problem in problems[:20] if problem != "ok"]
    for row in session.execute(text("PRAGMA foreign_key_check")):
        findings.append(Finding(f"the table {row[0]}: a row refers to a missing {row[2]} row"))
    return findings


def _open_every_value(session: Session, keyring: Keyring) -> tuple[int, int, list[Finding]]:
    """Try every encrypted value with the key its scope names; count what this account cannot hold."""
    references = dict(session.execute(select(CaseEpisode.id, CaseEpisode.reference)).all())
    opened = not_held = 0
    damaged: list[Finding] = []
    for table in Base.metadata.sorted_tables:
        field_key = scope_of_table(table.name)
        encrypted = [column for column in table.columns if isinstance(column.type, EncryptedType)]
        if field_key is None or not encrypted:
            continue
        for row in session.execute(select(table.c.id, table.columns[field_key.attribute], *encrypted)):
            row_id, scope_id = row[0], row[1]
            try:
                cipher = _cipher_or_none(keyring, field_key.scope, scope_id)
            except TamperedDataError:
                place = _place(table.name, field_key.scope, scope_id, references)
                damaged.append(Finding(f"{place}: the case's key is damaged"))
                continue
            for column, sealed in zip(encrypted, row[2:], strict=True):
                if not isinstance(sealed, Sealed):
                    continue
                if cipher is None:
                    not_held += 1
                    continue
                try:
                    cipher.open(sealed.blob, FieldBinding(table.name, column.name, row_id))
                    opened += 1
                except TamperedDataError:
                    place = _place(table.name, field_key.scope, scope_id, references)
                    damaged.append(Finding(f"{place}: the value of {column.name} is damaged"))
    return opened, not_held, damaged


def _cipher_or_none(keyring: Keyring, scope: KeyScope, scope_id: uuid.UUID) -> FieldCipher | None:
    """The cipher for a scope, or None when this account holds no key for it (not a finding).
    A key that is there but does not open raises ``TamperedDataError``."""
    try:
        return keyring.cipher(scope, scope_id)
    except NoKeyError:
        return None


def _place(table: str, scope: KeyScope, scope_id: uuid.UUID, references: dict[uuid.UUID, str]) -> str:
    reference = references.get(scope_id) if scope is KeyScope.CASE else None
    return f"the table {table}" + (f" (case {reference})" if reference else "")
