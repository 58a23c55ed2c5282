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

Keys v2: which key seals a row's values is declared per model (``__field_key__``): the case key of
the case the row belongs to (all case content), the account's own key (drafts) or the directory key
every account holds (staff names). The ``FieldKeys`` keyring on the engine's dialect
(``attach_field_keys``) resolves them; it exists exactly as long as the unlocked engine, and
locking disposes both. A key the account does not hold raises ``NoKeyError``: the keys, not the
queries, decide what an account can read.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, NamedTuple, Protocol

from sqlalchemy import LargeBinary, Table, event, select, update
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Mapper, attributes
from sqlalchemy.types import TypeDecorator

from youthcase.crypto.fields import FieldBinding, FieldCipher

_KEYS_ATTRIBUTE = "youthcase_field_keys"
_PLAINTEXT_DURING_FLUSH = "_youthcase_plaintext_during_flush"


class VaultLockedError(RuntimeError):
    """Encrypted data was touched while no field key is available."""


class UnboundValueError(RuntimeError):
    """An encrypted column was written without a row binding (a programming error)."""


class KeyScope(Enum):
    """Whose key seals a row's encrypted values; the value is the key id byte of the ciphertext."""

    DIRECTORY = 1  # staff names: every account holds the directory key
    CASE = 2  # everything about a young person and their case: the case key
    OWNER = 3  # an account's drafts: a key only that account can compute


@dataclass(frozen=True, slots=True)
class FieldKey:
    """A model's ``__field_key__``: the scope, and the attribute holding the scope's id."""

    scope: KeyScope
    attribute: str = "id"


class FieldKeys(Protocol):
    """The keyring of an unlocked vault: a cipher per (scope, id) the account holds."""

    def cipher(self, scope: KeyScope, scope_id: uuid.UUID) -> FieldCipher: ...


def attach_field_keys(engine: Engine, keys: FieldKeys) -> None:
    setattr(engine.dialect, _KEYS_ATTRIBUTE, keys)


def detach_field_keys(engine: Engine) -> None:
    if hasattr(engine.dialect, _KEYS_ATTRIBUTE):
        delattr(engine.dialect, _KEYS_ATTRIBUTE)


def _keys_of(dialect: Dialect) -> FieldKeys:
    keys: FieldKeys | None = getattr(dialect, _KEYS_ATTRIBUTE, None)
    if keys is None:
        raise VaultLockedError("the vault is locked: encrypted fields cannot be read or written")
    return keys


class SealedForWrite(bytes):
    """Ciphertext already bound to its row, on its way to the database."""


@dataclass(frozen=True, slots=True)
class PendingSeal:
    """A plaintext with its binding and key, for Core-level inserts that bypass the ORM hooks."""

    value: Any
    binding: FieldBinding
    scope: KeyScope
    scope_id: uuid.UUID


class Sealed(NamedTuple):
    """Ciphertext read from the database; opens only with the binding and key it was sealed under.

    A named tuple because one is made for every encrypted value read: it is the cheapest carrier.
    """

    blob: bytes
    keys: FieldKeys

    def open(self, binding: FieldBinding, scope: KeyScope, scope_id: uuid.UUID) -> bytes:
        return self.keys.cipher(scope, scope_id).open(self.blob, binding)


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
            cipher = _keys_of(dialect).cipher(value.scope, value.scope_id)
            return cipher.seal(self.encode(value.value), value.binding)
        raise UnboundValueError("encrypted column written without its row binding")

    def process_result_value(self, value: Any, dialect: Dialect) -> Sealed | None:
        if value is None:
            return None
        return Sealed(value if type(value) is bytes else bytes(value), _keys_of(dialect))


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


def bind(column: Any, row_id: uuid.UUID, scope_id: uuid.UUID, value: Any) -> PendingSeal | None:
    """Bind a value of ``column`` for a Core-level insert (bulk loads bypass the ORM hooks)."""
    if value is None:
        return None
    table, name, _type, field_key = _column_info(column)
    return PendingSeal(value, FieldBinding(table, name, row_id), field_key.scope, scope_id)


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


_FIELD_KEYS: dict[str, FieldKey] = {}
"""Table name -> the key scope of its encrypted columns (filled as the models are mapped)."""


def scope_of_table(table_name: str) -> FieldKey | None:
    """Whose key seals the encrypted columns of a table (None: it has none)."""
    return _FIELD_KEYS.get(table_name)


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
    field_key = getattr(cls, "__field_key__", None)
    if not isinstance(field_key, FieldKey):
        raise TypeError(f"{cls.__name__} has encrypted columns but no __field_key__ saying whose key seals them")
    _FIELD_KEYS[mapper.local_table.name] = field_key  # type: ignore[attr-defined]
    hooks = _EncryptionHooks(found, field_key)
    event.listen(cls, "before_insert", hooks.seal_new)
    event.listen(cls, "before_update", hooks.seal_changed)
    event.listen(cls, "after_insert", hooks.restore_plaintext)
    event.listen(cls, "after_update", hooks.restore_plaintext)
    event.listen(cls, "load", hooks.open_loaded)
    event.listen(cls, "refresh", hooks.open_refreshed)


class _EncryptionHooks:
    def __init__(self, encrypted: tuple[_EncryptedAttribute, ...], field_key: FieldKey) -> None:
        self.encrypted = encrypted
        self.field_key = field_key

    def _scope_id(self, target: Any) -> uuid.UUID:
        scope_id = getattr(target, self.field_key.attribute)
        if not isinstance(scope_id, uuid.UUID):
            raise UnboundValueError(f"{type(target).__name__}.{self.field_key.attribute} is not set")
        return scope_id

    def _cipher(self, keys: FieldKeys, target: Any) -> FieldCipher:
        return keys.cipher(self.field_key.scope, self._scope_id(target))

    def _seal(self, connection: Connection, target: Any, only_changed: bool) -> None:
        values = target.__dict__
        changed = attributes.instance_state(target).committed_state if only_changed else None
        cipher: FieldCipher | None = None
        plaintexts = {}
        row_id: uuid.UUID | None = None
        for attr in self.encrypted:
            value = values.get(attr.key)
            if value is None or type(value) is SealedForWrite:
                continue
            if changed is not None and attr.key not in changed:
                continue
            row_id = row_id or _row_id(target)
            cipher = cipher or self._cipher(_keys_of(connection.dialect), target)
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
        cipher: FieldCipher | None = None
        for attr in self.encrypted:
            sealed = values.get(attr.key)
            if type(sealed) is not Sealed or (only is not None and attr.key not in only):
                continue
            row_id = row_id or _row_id(target)
            cipher = cipher or self._cipher(sealed.keys, target)
            binding = FieldBinding(attr.table, attr.column, row_id)
            values[attr.key] = attr.type.decode(cipher.open(sealed.blob, binding))


def open_column(sealed: Sealed | None, column: Any, row_id: uuid.UUID, scope_id: uuid.UUID) -> Any:
    """Open a value read with Core from ``column`` (a mapped attribute or table column).

    ``scope_id`` is the id of whatever the column's key belongs to (the case, for case content).
    """
    if sealed is None:
        return None
    table, name, column_type, field_key = _column_info(column)
    return column_type.decode(sealed.open(FieldBinding(table, name, row_id), field_key.scope, scope_id))


def open_row(
    columns: Sequence[Any], values: Sequence[Sealed | None], row_id: uuid.UUID, scope_id: uuid.UUID
) -> list[Any]:
    """Open several values of one row read with Core (columns of one table, so one key): the
    cipher is looked up once, not once a value (the caseload opens three values a case)."""
    opened: list[Any] = []
    cipher: FieldCipher | None = None
    for column, sealed in zip(columns, values, strict=True):
        if sealed is None:
            opened.append(None)
            continue
        table, name, column_type, field_key = _column_info(column)
        cipher = cipher or sealed.keys.cipher(field_key.scope, scope_id)
        opened.append(column_type.decode(cipher.open(sealed.blob, FieldBinding(table, name, row_id))))
    return opened


@functools.cache
def _column_info(column: Any) -> tuple[str, str, EncryptedType, FieldKey]:
    """Where an encrypted column lives and whose key seals it; resolved once per column."""
    table_column = column.property.columns[0] if hasattr(column, "property") else column
    column_type = table_column.type
    if not isinstance(column_type, EncryptedType):
        raise TypeError(f"{table_column} is not an encrypted column")
    table = table_column.table.name
    return table, table_column.name, column_type, _FIELD_KEYS[table]


def reseal_scope(
    connection: Connection,
    tables: Iterable[Table],
    scope: KeyScope,
    scope_id: uuid.UUID,
    old: FieldCipher,
    new: FieldCipher,
) -> int:
    """Open every value sealed under ``old`` for one scope (a case) and seal it again under ``new``.

    Used when someone loses access to a case: they may have kept its old key, so the case gets a
    new one and nothing written from now on is readable with the old. Returns the values resealed."""
    resealed = 0
    for table in tables:
        field_key = scope_of_table(table.name)
        if field_key is None or field_key.scope is not scope:
            continue
        encrypted = [column for column in table.columns if isinstance(column.type, EncryptedType)]
        scope_column = table.columns[field_key.attribute]
        rows = connection.execute(select(table.c.id, *encrypted).where(scope_column == scope_id)).all()
        for row in rows:
            values = {}
            for column, sealed in zip(encrypted, row[1:], strict=True):
                if sealed is None:
                    continue
                binding = FieldBinding(table.name, column.name, row[0])
                values[column.name] = SealedForWrite(new.seal(old.open(sealed.blob, binding), binding))
            if values:
                connection.execute(update(table).where(table.c.id == row[0]).values(**values))
                resealed += len(values)
    return resealed
