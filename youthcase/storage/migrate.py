"""Run Alembic migrations on open, from the first schema on.

A new, empty vault is migrated in place. An existing vault file is never migrated in place: its
copy is (``upgrade_file``), after the caller has written a backup, so a failed or interrupted
upgrade leaves the original byte for byte as it was. A schema this app does not know (a vault
written by a newer version) is refused with both versions named, before anything is written.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

from youthcase.storage.engine import sqlcipher_engine
from youthcase.storage.rebuild import RebuildError, copy_same_key, rebuild

MIGRATIONS = Path(__file__).with_name("migrations")


class SchemaError(Exception):
    """``kind`` ``newer``: the file's schema is unknown to this app; ``failed``: the upgrade failed
    (the original is unchanged)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(engine: Engine) -> str | None:
    """The Alembic revision stored in the database (None for an empty one)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_known(revision: str | None) -> None:
    """Refuse a schema from a newer version of the app: migrating it would fail or lose data."""
    if revision is None:
        return
    known = {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if revision not in known:
        raise SchemaError(
            "newer",
            f"this vault was written by a newer version of youthcase (schema {revision}; this version "
            f"knows schemas up to {head_revision()}): install that version to open it",
        )


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema up to date in place; a no-op when it already is. For new, empty vaults
    and team servers (whose upgrade is one PostgreSQL transaction); files use ``upgrade_file``."""
    with engine.begin() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
        check_known(current)
        if current != head_revision():
            command.upgrade(alembic_config(connection), "head")


def upgrade_file(path: Path, file_key: bytes, revision: str) -> None:
    """Migrate a copy of the closed vault file from ``revision`` to head, check it, swap it in."""

    def build(copy: Path) -> None:
        copy_same_key(path, copy, file_key)
        engine = sqlcipher_engine(copy, file_key)
        try:
            with engine.begin() as connection:
                command.upgrade(alembic_config(connection), "head")
        finally:
            engine.dispose()

    try:
        rebuild(path, file_key, build)
    except RebuildError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure of a migration is reported the same way
        raise SchemaError(
            "failed",
            f"upgrading the vault from schema {revision} to {head_revision()} failed "
            f"({type(error).__name__}); the vault is unchanged",
        ) from error
