"""The Qt layer: widgets on top of the services, never the session or the crypto directly.

Start-up is kept light: only PySide6, ``youthcase.config`` and the error types are imported before
the login window shows; the services (SQLAlchemy, Alembic) load on the background queue.

Map: ``app`` starts everything; ``shell`` is the one main window (lock screen or workspace) and owns
locking; ``login`` and ``wizard`` open or create a vault; ``workspace``, ``navigation`` and
``pages/`` are the unlocked session; ``case/`` is one case on screen (the ``CaseHost`` the pages
share, the case view and a module per tab); ``forms/`` are the small modal forms; ``models/`` the
table models (one base, ``models/table.py``); ``background`` and ``tasks`` run slow work off the GUI
thread, and ``changes`` and ``notice`` tell every screen what an operation changed; ``idle``
notices inactivity; ``prompts`` wraps message boxes and file dialogs so tests can replace them.

Pages: ``caseload`` (its case host), ``referrals_board`` (and ``overdue_referrals`` for the count in
the navigation), ``supervision/`` (a module per screen: dashboard, closures, the cases behind a
figure, audit trail, access; and its case host), ``returns`` (with ``pdf_preview``),
``administration`` (with ``service_directory``). Forms are built from the data dictionary by
``forms/fields.py`` and ``forms/record.py``; unsaved forms autosave through ``drafts``.

PySide6-Essentials 6.12.0 is excluded in pyproject.toml: on Python 3.11 its void calls drop
references to ``None``/``True``/``False`` until the interpreter aborts ("none_dealloc").
"""
