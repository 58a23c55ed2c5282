"""The Qt layer: widgets on top of the services, never the session or the crypto directly.

Start-up is kept light: only PySide6, ``youthcase.config`` and the error types are imported before
the login window shows; the services (SQLAlchemy, Alembic) load on the background queue.
"""

from youthcase.gui import pyside_guard  # noqa: E402,F401 - must run before any other Qt call
