"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from youthcase.services.vault import UnlockedVault
from youthcase.storage.migrate import alembic_config, upgrade_to_head
from youthcase.storage.models import Base


def test_migrated_schema_matches_the_models(admin_vault: UnlockedVault) -> None:
    with admin_vault.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_upgrade_is_idempotent(admin_vault: UnlockedVault) -> None:
    upgrade_to_head(admin_vault.engine)
    upgrade_to_head(admin_vault.engine)
    with admin_vault.engine.connect() as connection:
        assert (
            MigrationContext.configure(connection).get_current_revision()
            == ScriptDirectory.from_config(alembic_config()).get_current_head()
        )
