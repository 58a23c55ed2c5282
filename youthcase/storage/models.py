"""SQLAlchemy models. Personal and free-text columns use the encrypted types.

Every row has a client-generated UUID primary key, set when the object is created, because the
encrypted columns bind their ciphertext to the row id before the INSERT happens.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Boolean, Column, ForeignKey, Table, Integer, LargeBinary, MetaData, String, Text, Uuid, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Mapper, mapped_column, relationship

from youthcase.storage.encrypted import EncryptedText, install_encryption_hooks
from youthcase.storage.types import UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)

    def __init__(self, **kwargs: Any) -> None:
        # The id comes first: encrypted attributes set next are bound to it.
        self.id = kwargs.pop("id", None) or uuid.uuid4()
        for name, value in kwargs.items():
            if not hasattr(type(self), name):
                raise TypeError(f"{type(self).__name__} has no attribute {name!r}")
            setattr(self, name, value)


@event.listens_for(Base, "mapper_configured", propagate=True)
def _hook_encrypted_columns(mapper: Mapper[Any], cls: type) -> None:
    install_encryption_hooks(mapper, cls)


class Site(Base):
    """A hospital where youth workers are based: a major trauma centre or a priority A&E."""

    __tablename__ = "site"

    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


user_site = Table(
    "user_site",
    Base.metadata,
    Column("user_id", Uuid, ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", Uuid, ForeignKey("site.id", ondelete="CASCADE"), primary_key=True),
)
"""Which sites a worker works at or a supervisor supervises."""


class AppUser(Base):
    """A staff account. The user name is a staff identifier (plain); the full name is encrypted."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(EncryptedText)
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    sites: Mapped[list[Site]] = relationship(secondary=user_site, lazy="selectin")


class VaultSetting(Base):
    """Vault-wide settings that are not secret (idle timeout, for instance)."""

    __tablename__ = "vault_setting"

    name: Mapped[str] = mapped_column(String(64), unique=True)
    value: Mapped[str] = mapped_column(String(200))


class AuditEvent(Base):
    """Append-only audit trail, chained by HMAC. Holds no personal data, only ids and codes."""

    __tablename__ = "audit_event"

    sequence: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    user_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str | None] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    previous_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))


class ServerKeySlot(Base):
    """Team mode only: key slots live in the server database (locally they are in the header file).

    Holds wrapped keys and salts, never a usable key; ``login_id`` is a hash of the user name.
    """

    __tablename__ = "key_slot"

    login_id: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[str] = mapped_column(Text)


class ServerVaultMeta(Base):
    """Team mode only: the vault id and unlock-failure record that the header file holds locally."""

    __tablename__ = "vault_meta"

    name: Mapped[str] = mapped_column(String(128), unique=True)
    value: Mapped[str] = mapped_column(Text)
