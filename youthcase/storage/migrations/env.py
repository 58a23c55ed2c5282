"""Alembic environment: always run on a connection the vault hands over (already keyed)."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from youthcase.storage.encrypted import EncryptedType
from youthcase.storage.models import Base
from youthcase.storage.types import CodeSet, UtcDateTime


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Migrations name storage types only, so they never depend on the model code."""
    if type_ == "type" and isinstance(obj, EncryptedType):
        return "sa.LargeBinary()"
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, CodeSet):
        return "sa.String(length=400)"
    return False


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    render_item=render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
