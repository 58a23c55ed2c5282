"""The Qt layer: widgets on top of the services, never the session or the crypto directly.

Start-up is kept light: only PySide6, ``youthcase.config`` and the error types are imported before
the login window shows; the services (SQLAlchemy, Alembic) load on the background queue.

Map: ``app`` starts everything; ``shell`` is the one main window (lock screen or workspace) and owns
locking; ``login`` and ``wizard`` open or create a vault; ``workspace``, ``navigation`` and
``pages/`` are the unlocked session; ``forms/`` are the small modal forms; ``models/`` the table
models; ``background`` and ``tasks`` run slow work off the GUI thread; ``idle`` notices inactivity;
``prompts`` wraps message boxes and file dialogs so tests can replace them.
"""

from youthcase.gui import pyside_guard  # noqa: F401 - must run before any other Qt call
