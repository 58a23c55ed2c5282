"""The Qt layer: widgets on top of the services, never the session or the crypto directly.

Start-up is kept light: only PySide6, ``youthcase.config`` and the error types are imported before
the login window shows; the services (SQLAlchemy, Alembic) load on the background queue.

Map: ``app`` starts everything; ``shell`` is the one main window (lock screen or workspace) and owns
locking; ``login`` and ``wizard`` open or create a vault; ``workspace``, ``navigation`` and
``pages/`` are the unlocked session; ``forms/`` are the small modal forms; ``models/`` the table
models; ``background`` and ``tasks`` run slow work off the GUI thread; ``idle`` notices inactivity;
``prompts`` wraps message boxes and file dialogs so tests can replace them.

Pages: ``caseload`` and ``case_view`` (with ``referrals_tab`` and ``case_supervision``), ``referrals_board``
(and ``overdue_referrals`` for the count in the navigation), ``supervision`` (dashboard, closures,
``audit_viewer``), ``returns`` (with ``pdf_preview``), ``administration`` (with ``service_directory``).
Forms are built from the data dictionary by ``forms/fields.py`` and ``forms/record.py``; unsaved
forms autosave through ``drafts``.

PySide6-Essentials 6.12.0 is excluded in pyproject.toml: on Python 3.11 its void calls drop
references to ``None``/``True``/``False`` until the interpreter aborts ("none_dealloc").
"""
