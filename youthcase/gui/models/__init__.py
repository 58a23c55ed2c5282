"""Table models: column constants, a sort role and an object role; tested without widgets.

Every model is a ``table.TableModel`` (declared columns over a list of row objects), checked with
``QAbstractItemModelTester`` in tests/gui/test_model_contract.py."""

from __future__ import annotations

from PySide6.QtCore import Qt

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 2
