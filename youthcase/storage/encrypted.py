"""Encrypted column types and the ORM hooks that bind each value to its row.

A ``TypeDecorator`` sees a value but not the row it belongs to, while the AAD must name the row.
So the sealing is driven by the ORM, which knows the row:

- on flush, ``before_insert``/``before_update`` seal each new or changed encrypted attribute with
  the row's id and put the ciphertext (a ``SealedForWrite``) in its place; ``after_insert``/
  ``after_update`` put the plaintext back, so application code only ever sees ``str``/``date``;
- on load, the type returns a ``Sealed`` value that opens only with the right binding, and the
  ``load``/``refresh`` hooks open it with the instance's own id.

Core-level writes (bulk loads) wrap values with ``bind()``. A plain value that reaches an encrypted
column any other way is refused, and a sealed value that does not open raises
``TamperedDataError``: never silently plaintext, never silently wrong.

The cipher lives on the engine's dialect (``attach_field_cipher``): it exists exactly as long as the
unlocked engine, and locking disposes both.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import LargeBinary, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Mapper, attributes
from sqlalchemy.types import TypeDecorator

from youthcase.crypto.fields import FieldBinding, FieldCipher

_CIPHER_ATTRIBUTE = "youthcase_field_cipher"
_PLAINTEXT_DURING_FLUSH = "_youthcase_plaintext_during_flush"


class VaultLockedError(RuntimeError):
    """Encrypted data was touched while no field key is available."""


class UnboundValueError(RuntimeError):
    """An encrypted column was written without a row binding (a programming error)."""


def attach_field_cipher(engine: Engine, cipher: FieldCipher) -> None:
    setattr(engine.dialect, _CIPHER_ATTRIBUTE, cipher)


def detach_field_cipher(engine: Engine) -> None:
    if hasattr(engine.dialect, _CIPHER_ATTRIBUTE):
        delattr(engine.dialect, _CIPHER_ATTRIBUTE)


def _cipher_of(dialect: Dialect) -> FieldCipher:
    cipher: FieldCipher | None = getattr(dialect, _CIPHER_ATTRIBUTE, None)
    if cipher is None:
        raise VaultLockedError("the vault is locked: encrypted fields cannot be read or written")
    return cipher


class SealedForWrite(bytes):
    """Ciphertext already bound to its row, on its way to the database."""


@dataclass(frozen=True, slots=True)
class PendingSeal:
    """A plaintext with its binding, for Core-level inserts that bypass the ORM hooks."""

    value: Any
    binding: FieldBinding


class Sealed(NamedTuple):
    """Ciphertext read from the database; opens only with the binding it was sealed under.

    A named tuple because one is made for every encrypted value read: it is the cheapest carrier.
    """

    blob: bytes
    cipher: FieldCipher

    def open(self, binding: FieldBinding) -> bytes:
        return self.cipher.open(self.blob, binding)


class _Ciphertext(LargeBinary):
    """Bytes passed to the driver as they are (both drivers take ``bytes`` for a binary column)."""

    def bind_processor(self, dialect: Dialect) -> None:
        return None

    def result_processor(self, dialect: Dialect, coltype: object) -> None:
        return None


class EncryptedType(TypeDecorator[Any]):
    """Base: subclasses say how a Python value becomes bytes and back."""

    impl = _Ciphertext
    cache_ok = True

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if type(value) is SealedForWrite:
            return bytes(value)
        if type(value) is PendingSeal:
            return _cipher_of(dialect).seal(self.encode(value.value), value.binding)
        raise UnboundValueError("encrypted column written without its row binding")

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        if value is None:
            return None
        return Sealed(value if type(value) is bytes else bytes(value), _cipher_of(dialect))


class EncryptedText(EncryptedType):
    """Identifying or free text, stored as AES-256-GCM ciphertext."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError("EncryptedText holds str")
        return value.encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedDate(EncryptedType):
    """An identifying date (such as a date of birth), stored as ciphertext of its ISO form."""

    cache_ok = True

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise TypeError("EncryptedDate holds datetime.date")
        return value.isoformat().encode("ascii")

    def decode(self, data: bytes) -> dt.date:
        return dt.date.fromisoformat(data.decode("ascii"))


def bind(binding: FieldBinding, value: Any) -> PendingSeal | None:
    """Bind a value for a Core-level insert (bulk loads bypass the ORM hooks)."""
    return None if value is None else PendingSeal(value, binding)


# --- ORM hooks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _EncryptedAttribute:
    key: str
    table: str
    column: str
    type: EncryptedType


def _row_id(instance: Any) -> uuid.UUID:
    row_id = instance.id
    if not isinstance(row_id, uuid.UUID):
        raise UnboundValueError(f"{type(instance).__name__} has no id; ids are set on creation")
    return row_id


def install_encryption_hooks(mapper: Mapper[Any], cls: type) -> None:
    """Called once per mapped class: find its encrypted columns and hook them."""
    found = tuple(
        _EncryptedAttribute(
            prop.key,
            mapper.local_table.name,  # type: ignore[attr-defined]
            prop.columns[0].name,
            prop.columns[0].type,
        )
        for prop in mapper.column_attrs
        if isinstance(prop.columns[0].type, EncryptedType)
    )
    if not found:
        return
    hooks = _EncryptionHooks(found)
    event.listen(cls, "before_insert", hooks.seal_new)
    event.listen(cls, "before_update", hooks.seal_changed)
    event.listen(cls, "after_insert", hooks.restore_plaintext)
    event.listen(cls, "after_update", hooks.restore_plaintext)
    event.listen(cls, "load", hooks.open_loaded)
    event.listen(cls, "refresh", hooks.open_refreshed)


class _EncryptionHooks:
    def __init__(self, encrypted: tuple[_EncryptedAttribute, ...]) -> None:
        self.encrypted = encrypted

    def _seal(self, connection: Connection, target: Any, only_changed: bool) -> None:
        values = target.__dict__
        changed = attributes.instance_state(target).committed_state if only_changed else None
        cipher = _cipher_of(connection.dialect)
        plaintexts = {}
        row_id: uuid.UUID | None = None
        for attr in self.encrypted:
            value = values.get(attr.key)
            if value is None or type(value) is SealedForWrite:
                continue
            if changed is not None and attr.key not in changed:
                continue
            row_id = row_id or _row_id(target)
            binding = FieldBinding(attr.table, attr.column, row_id)
            values[attr.key] = SealedForWrite(cipher.seal(attr.type.encode(value), binding))
            plaintexts[attr.key] = value
        if plaintexts:
            values[_PLAINTEXT_DURING_FLUSH] = plaintexts

    def seal_new(self, mapper: Mapper[Any], connection: Connection, target: Any) -> None:
        self._seal(connection, target, only_changed=False)

    def seal_changed(self, mapper: Mapper[Any], connection: Connection, target: Any) -> None:
        self._seal(connection, target, only_changed=True)

    def restore_plaintext(self, mapper: Mapper[Any], connection: Connection, target: Any) -> None:
        target.__dict__.update(target.__dict__.pop(_PLAINTEXT_DURING_FLUSH, {}))

    def open_loaded(self, target: Any, context: Any) -> None:
        self._open(target, None)

    def open_refreshed(self, target: Any, context: Any, keys: Any) -> None:
        self._open(target, None if keys is None else set(keys))

    def _open(self, target: Any, only: set[str] | None) -> None:
        """Replace each sealed value just loaded with its plaintext.

        Writes the instance ``__dict__`` directly: this runs inside ``load``/``refresh``, where the
        values are freshly committed, and ``set_committed_value`` would triple a big read's cost.
        """
        values = target.__dict__
        row_id: uuid.UUID | None = None
        for attr in self.encrypted:
            sealed = values.get(attr.key)
            if type(sealed) is not Sealed or (only is not None and attr.key not in only):
                continue
            row_id = row_id or _row_id(target)
            values[attr.key] = attr.type.decode(sealed.open(FieldBinding(attr.table, attr.column, row_id)))


def open_column(sealed: Sealed | None, column: Any, row_id: uuid.UUID) -> Any:
    """Open a value read with Core from ``column`` (a mapped attribute or table column)."""
    if sealed is None:
        return None
    table, name, column_type = _column_info(column)
    return column_type.decode(sealed.open(FieldBinding(table, name, row_id)))


@functools.cache
def _column_info(column: Any) -> tuple[str, str, EncryptedType]:
    """Where an encrypted column lives; resolved once per column, not once per value."""
    table_column = column.property.columns[0] if hasattr(column, "property") else column
    column_type = table_column.type
    if not isinstance(column_type, EncryptedType):
        raise TypeError(f"{table_column} is not an encrypted column")
    return table_column.table.name, table_column.name, column_type
