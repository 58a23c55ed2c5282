"""Guard against a PySide6 build that drops references to ``None``, ``True`` and ``False``.

PySide6-Essentials 6.12.0 (the abi3 wheel) returns these singletons from void methods and from
``Signal.emit()`` without adding a reference. On Python 3.12+ they are immortal, so nothing happens;
on Python 3.11 every ``label.setText(...)`` or ``signal.emit(...)`` takes one reference away, and
after a few thousand calls the interpreter aborts with "Fatal Python error: none_dealloc" (or
``bool_dealloc``). Objects other than these three singletons are not affected.

The guard measures the leak once at import and, only if it is there, gives the three singletons a
very large reference count, which is what Python 3.12 does for them anyway. The real fix is a
PySide6 build without the bug, or Python 3.12 or later; remove this module then.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

PROBE_CALLS = 16
BIAS = 1 << 40  # far more references than any process could drop


def singletons_leak() -> bool:
    """Whether a void PySide6 call takes a reference to ``None`` away."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(PROBE_CALLS):
        probe.setObjectName("probe")
    after = sys.getrefcount(None)
    return before - after >= PROBE_CALLS


def install() -> bool:
    """Apply the guard when this interpreter and PySide6 build need it; True when applied."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal singletons; or a debug build, whose object header differs
    if not singletons_leak():
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += BIAS
    log.warning("this PySide6 build drops references to None/True/False on Python %d.%d; "
                "guarded (see youthcase.gui.pyside_guard)", *sys.version_info[:2])
    return True


installed = install()
