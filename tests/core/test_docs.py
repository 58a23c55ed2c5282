"""docs/security.md classifies every column, and every encrypted column is marked encrypted."""

from __future__ import annotations

import re
from pathlib import Path

from youthcase.storage.encrypted import EncryptedType
from youthcase.storage.models import Base

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROW = re.compile(r"^\| (\w+)\.(\w+) \| ([a-z ]+) \|", re.MULTILINE)


def test_classification_table_covers_every_column() -> None:
    documented = {(t, c): cls.strip() for t, c, cls in ROW.findall(DOC.read_text(encoding="utf-8"))}
    actual = {(table.name, column.name): column for table in Base.metadata.sorted_tables for column in table.columns}
    assert set(documented) == set(actual)
    for key, column in actual.items():
        assert (documented[key] == "encrypted") == isinstance(column.type, EncryptedType), key
