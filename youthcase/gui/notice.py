"""The application-wide notice of what changed: one ``QObject``, owned by the background queue,
whose ``changed`` signal carries the ``Changes`` of every operation that succeeded.

Every screen that shows vault data connects to it and decides from the flags whether to refresh
(see ``youthcase.gui.changes``). It is emitted on the GUI thread, after the operation's own
``on_returned`` callback, so the screen that started the operation has already reacted.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from youthcase.gui.changes import Changes


class ChangeNotice(QObject):
    changed = Signal(object)  # Changes

    def announce(self, changes: Changes) -> None:
        if changes:
            self.changed.emit(changes)


__all__ = ["ChangeNotice"]
