"""The background queue: work off the GUI thread, results back on it, dropped after a lock."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QThread

from youthcase.gui.background import Background

pytestmark = pytest.mark.gui
WAIT_MS = 5_000


def test_work_runs_off_the_gui_thread_and_results_arrive_on_it(qtbot, background: Background) -> None:
    gui_thread = threading.get_ident()
    app = QCoreApplication.instance()
    assert app is not None
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.get_ident()
        return 42

    def returned(value: int) -> None:
        seen["value"] = value
        seen["on_gui_thread"] = QThread.currentThread() is app.thread()

    task = background.run(work, name="answer", on_returned=returned)
    with qtbot.waitSignal(task.signals.finished, timeout=WAIT_MS):
        pass
    assert seen == {"worker": seen["worker"], "value": 42, "on_gui_thread": True}
    assert seen["worker"] != gui_thread
    assert not background.busy


def test_errors_arrive_as_exceptions(qtbot, background: Background) -> None:
    def work() -> None:
        raise ValueError("no")

    errors: list[BaseException] = []
    task = background.run(
        work, name="failing", on_errored=errors.append, on_returned=lambda _: pytest.fail("should not return")
    )
    with qtbot.waitSignal(task.signals.finished, timeout=WAIT_MS):
        pass
    assert [type(e) for e in errors] == [ValueError]


def test_none_results_are_delivered_many_times(qtbot, background: Background) -> None:
    """Guards the PySide6 singleton refcount workaround: thousands of emits must not crash."""
    results: list[object] = []
    for _ in range(300):
        background.run(lambda: None, name="nothing", on_returned=results.append)
    qtbot.waitUntil(lambda: len(results) == 300, timeout=WAIT_MS)
    assert results == [None] * 300


def test_discarded_results_never_reach_the_callback(qtbot, background: Background) -> None:
    release = threading.Event()
    delivered: list[object] = []
    first = background.run(lambda: release.wait(WAIT_MS / 1000) and "late", name="slow", on_returned=delivered.append)
    background.run(lambda: "queued", name="queued", on_returned=delivered.append)
    background.discard_all()
    release.set()
    with qtbot.waitSignal(first.signals.finished, timeout=WAIT_MS):
        pass
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    assert delivered == []


def test_essential_tasks_survive_a_discard(qtbot, background: Background) -> None:
    release = threading.Event()
    ran: list[str] = []
    background.run(lambda: release.wait(WAIT_MS / 1000), name="slow")
    background.run(lambda: ran.append("lock"), name="lock", essential=True)
    background.run(lambda: ran.append("listing"), name="listing")
    background.discard_all()
    release.set()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT_MS)
    assert ran == ["lock"]
