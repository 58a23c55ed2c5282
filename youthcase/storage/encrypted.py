"""Encrypted column types and the ORM hooks that bind each value to its row.

A ``TypeDecorator`` sees a value but not the row it belongs to, while the AAD must name the row.
So the ORM does the binding: setting an encrypted attribute replaces the value with a carrier (a
``str`` or ``date`` subclass, so application code sees an ordinary value) that also knows its table,
column and row id, and the type seals it on the way to the database. On the
way back the type returns a ``Sealed`` value that only opens with the right binding; the ``load``
and ``refresh`` hooks open it with the instance's own id. A value that reaches the database without
a binding, or a sealed value that does not open, is an error, never silently plaintext.

The cipher lives on the engine's dialect (``attach_field_cipher``): it exists exactly as long as the
unlocked engine, and locking disposes both.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import LargeBinary, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from youthcase.crypto.fields import FieldBinding, FieldCipher

_CIPHER_ATTRIBUTE = "youthcase_field_cipher"


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
    cipher = getattr(dialect, _CIPHER_ATTRIBUTE, None)
    if cipher is None:
        raise VaultLockedError("the vault is locked: encrypted fields cannot be read or written")
    return cipher


class BoundText(str):
    """A ``str`` that knows which row and column it belongs to."""

    field_binding: FieldBinding

    def __new__(cls, value: str, binding: FieldBinding) -> BoundText:
        carrier = super().__new__(cls, value)
        carrier.field_binding = binding
        return carrier


class BoundDate(dt.date):
    """A ``date`` that knows which row and column it belongs to."""

    field_binding: FieldBinding

    def __new__(cls, value: dt.date, binding: FieldBinding) -> BoundDate:
        carrier = super().__new__(cls, value.year, value.month, value.day)
        carrier.field_binding = binding
        return carrier


@dataclass(frozen=True, slots=True)
class Sealed:
    """Ciphertext read from the database; opens only with the binding it was sealed under."""

    blob: bytes
    cipher: FieldCipher

    def open(self, binding: FieldBinding) -> bytes:
        return self.cipher.open(self.blob, binding)


class _Encrypted(TypeDecorator[Any]):
    """Base: subclasses say how a Python value becomes bytes and back."""

    impl = LargeBinary
    cache_ok = True

    def encode(self, value: Any) -> bytes:
        raise NotImplementedError

    def decode(self, data: bytes) -> Any:
        raise NotImplementedError

    def carry(self, value: Any, binding: FieldBinding) -> Any:
        """Wrap a plaintext value in the carrier that remembers its binding."""
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        binding = getattr(value, "field_binding", None)
        if not isinstance(binding, FieldBinding):
            raise UnboundValueError("encrypted column written without its row binding")
        return _cipher_of(dialect).seal(self.encode(value), binding)

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        if value is None:
            return None
        return Sealed(bytes(value), _cipher_of(dialect))


class EncryptedText(_Encrypted):
    """Identifying or free text, stored as AES-256-GCM ciphertext."""

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, str):
            raise TypeError("EncryptedText holds str")
        return value.encode("utf-8")

    def decode(self, data: bytes) -> str:
        return data.decode("utf-8")

    def carry(self, value: Any, binding: FieldBinding) -> BoundText:
        if not isinstance(value, str):
            raise TypeError("EncryptedText holds str")
        return BoundText(value, binding)


class EncryptedDate(_Encrypted):
    """An identifying date (such as a date of birth), stored as ciphertext of its ISO form."""

    def encode(self, value: Any) -> bytes:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise TypeError("EncryptedDate holds datetime.date")
        return value.isoformat().encode("ascii")

    def decode(self, data: bytes) -> dt.date:
        return dt.date.fromisoformat(data.decode("ascii"))

    def carry(self, value: Any, binding: FieldBinding) -> BoundDate:
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise TypeError("EncryptedDate holds datetime.date")
        return BoundDate(value, binding)


def bind(column_type: _Encrypted, binding: FieldBinding, value: Any) -> Any:
    """Bind a value for a Core-level insert (bulk loads bypass the ORM hooks)."""
    return None if value is None else column_type.carry(value, binding)


def open_value(sealed: Sealed | None, column_type: _Encrypted, binding: FieldBinding) -> Any:
    """Open a value read with Core (``select`` of columns) rather than through ORM instances."""
    return None if sealed is None else column_type.decode(sealed.open(binding))


# --- ORM hooks ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _EncryptedAttribute:
    key: str
    table: str
    column: str
    type: _Encrypted


_ENCRYPTED_ATTRIBUTES: dict[type, tuple[_EncryptedAttribute, ...]] = {}


def _row_id(instance: Any) -> uuid.UUID:
    row_id = instance.id
    if not isinstance(row_id, uuid.UUID):
        raise UnboundValueError(f"{type(instance).__name__} has no id yet; ids are set on creation")
    return row_id


def _open_instance(instance: Any, only: set[str] | None = None) -> None:
    """Replace each sealed value just loaded with its plaintext.

    Loaded values can be plain ``str``/``date``: only values on their way *to* the database need a
    carrier, and those always pass the ``set`` hook. This writes the instance ``__dict__`` directly:
    it runs inside ``load``/``refresh``, where the values are freshly committed, and
    ``set_committed_value`` would triple the cost of a big read.
    """
    values = instance.__dict__
    row_id: uuid.UUID | None = None
    for attr in _ENCRYPTED_ATTRIBUTES.get(type(instance), ()):
        sealed = values.get(attr.key)
        if type(sealed) is not Sealed or (only is not None and attr.key not in only):
            continue
        row_id = row_id or _row_id(instance)
        values[attr.key] = attr.type.decode(sealed.open(FieldBinding(attr.table, attr.column, row_id)))


def install_encryption_hooks(mapper: Mapper[Any], cls: type) -> None:
    """Called once per mapped class: find its encrypted columns and hook them."""
    found = []
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, _Encrypted):
            found.append(_EncryptedAttribute(prop.key, mapper.local_table.name, column.name, column.type))  # type: ignore[attr-defined]
    if not found:
        return
    _ENCRYPTED_ATTRIBUTES[cls] = tuple(found)
    for attr in found:
        event.listen(getattr(cls, attr.key), "set", _make_binder(attr), retval=True)
    event.listen(cls, "load", lambda target, context: _open_instance(target))
    event.listen(cls, "refresh", lambda target, context, attrs: _open_instance(target, attrs and set(attrs)))


def _make_binder(attr: _EncryptedAttribute) -> Any:
    def binder(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
        if value is None:
            return None
        return attr.type.carry(value, FieldBinding(attr.table, attr.column, _row_id(target)))

    return binder
