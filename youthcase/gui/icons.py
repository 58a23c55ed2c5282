"""Icons from ``resources/icons`` through the one resource accessor (works in the frozen bundle)."""

from __future__ import annotations

from PySide6.QtGui import QIcon

from youthcase.resources import resource_path


def icon(name: str) -> QIcon:
    return QIcon(str(resource_path(f"icons/{name}.svg")))
