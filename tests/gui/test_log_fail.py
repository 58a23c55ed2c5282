"""A logged error fails the test: Qt's warnings through pytest-qt, ``logging`` errors through the
``logged_errors`` fixture (tests/gui/conftest.py)."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import qWarning

from youthcase.gui.background import Background

from .conftest import WAIT_MS, LoggedErrors

pytestmark = pytest.mark.gui


@pytest.mark.qt_log_ignore("deliberate warning")
def test_qt_warnings_are_captured(qtlog) -> None:
    qWarning("deliberate warning")
    assert [record.message for record in qtlog.records] == ["deliberate warning"]


def test_logged_errors_are_recorded(logged_errors: LoggedErrors) -> None:
    logging.getLogger("youthcase.gui").error("deliberate %s", "error")
    logging.getLogger("youthcase.gui").warning("not an error")
    assert logged_errors.take() == ["deliberate error"]
    assert logged_errors.records == []  # taken: the test passes


def test_a_failed_task_nobody_handles_is_logged(qtbot, background: Background, logged_errors: LoggedErrors) -> None:
    def work() -> None:
        raise ValueError("no")

    task = background.run(work, name="unhandled")
    with qtbot.waitSignal(task.signals.finished, timeout=WAIT_MS):
        pass
    assert logged_errors.take() == ["background task 'unhandled' failed: ValueError('no')"]
