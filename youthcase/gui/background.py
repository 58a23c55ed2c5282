"""Slow work off the GUI thread: one queue, results handed back on the GUI thread.

After superqt's worker: a ``QRunnable`` runs a plain callable and a separate ``QObject`` carries its
signals (``returned`` / ``errored`` / ``finished``). The signals object is created on the GUI thread
and the worker only emits an internal ``_outcome`` signal, which Qt queues to that thread; the
public signals are emitted from there, so every callback runs on the GUI thread. Workers never touch
widgets: the callable gets plain values and returns plain values.

An operation that changes the vault says what it changes (``changes=``): once it has succeeded the
queue's ``notice`` announces it to every screen (``youthcase.gui.notice``).

Vault work runs one task at a time (like Anki's database executor), so a SQLite connection, the key
store header and the KDF's memory are never used by two tasks at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot

from youthcase.gui.changes import Changes
from youthcase.gui.notice import ChangeNotice

log = logging.getLogger(__name__)


class Lockable(Protocol):
    def lock(self) -> None: ...


class TaskSignals(QObject):
    """Lives on the GUI thread; its public signals are only ever emitted there."""

    returned = Signal(object)
    errored = Signal(object)  # the exception instance
    finished = Signal()
    _outcome = Signal(bool, object)  # emitted by the worker thread: (succeeded, value or error)

    def __init__(self) -> None:
        super().__init__()
        self.discarded = False
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(bool, object)
    def _deliver(self, succeeded: bool, value: object) -> None:
        if not self.discarded:
            if succeeded:
                self.returned.emit(value)
            else:
                self.errored.emit(value)
        self.finished.emit()


class Task(QRunnable):
    """One call of ``work`` on a pool thread."""

    def __init__(self, work: Callable[[], Any], name: str, essential: bool = False) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it, so the signals object outlives run()
        self.name = name
        self.essential = essential  # never discarded (locking the vault)
        self.signals = TaskSignals()
        self._work: Callable[[], Any] | None = work

    def run(self) -> None:
        work, self._work = self._work, None  # drop captured arguments (passwords) as soon as we can
        assert work is not None
        try:
            result = work()
        except Exception as error:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.signals._outcome.emit(False, error)
        else:
            self.signals._outcome.emit(True, result)

    def discard(self) -> None:
        """Drop the result when it arrives: whoever asked for it is gone (the vault was locked)."""
        self.signals.discarded = True


class Background(QObject):
    """The GUI's single queue for slow work: unlocking, creating vaults, loading and saving."""

    settled = Signal()  # nothing is queued or running any more

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._tasks: set[Task] = set()
        self.notice = ChangeNotice(self)

    def run(
        self,
        work: Callable[[], Any],
        *,
        name: str,
        on_returned: Callable[[Any], None] | None = None,
        on_errored: Callable[[BaseException], None] | None = None,
        on_finished: Callable[[], None] | None = None,
        essential: bool = False,
        changes: Changes | None = None,
    ) -> Task:
        """Queue ``work``; the callbacks run later on the GUI thread (never before this returns).

        An ``essential`` task survives ``discard_all`` (it is the lock itself). ``changes`` is what
        the work changes in the vault: announced on ``notice`` after ``on_returned``, on success.
        """
        task = Task(work, name, essential)
        if on_returned is not None:
            task.signals.returned.connect(on_returned)
        if changes:
            task.signals.returned.connect(lambda _value: self.notice.announce(changes))
        if on_errored is not None:
            task.signals.errored.connect(on_errored)
        else:  # nobody shows this failure: the log does (and a test fails on it)
            task.signals.errored.connect(lambda error: log.error("background task %r failed: %r", name, error))
        if on_finished is not None:
            task.signals.finished.connect(on_finished)
        task.signals.finished.connect(lambda: self._forget(task))
        self._tasks.add(task)
        self._pool.start(task)
        return task

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def discard_all(self) -> None:
        """Drop every pending result and unstarted task (called when the vault locks)."""
        for task in list(self._tasks):
            if task.essential:
                continue
            task.discard()
            if self._pool.tryTake(task):
                self._forget(task)

    def lock_when_safe(self, vault: Lockable) -> None:
        """Lock now, or right after the running task: disposing the engine under a task that is
        using it crashes SQLite. The queue runs one task at a time, so the lock goes next."""
        if self.busy:
            self.run(vault.lock, name="lock", essential=True)
        else:
            vault.lock()

    def wait_for_done(self, timeout_ms: int) -> bool:
        """Block until the worker thread is idle (shutdown, tests); results still arrive later."""
        return self._pool.waitForDone(timeout_ms)

    def _forget(self, task: Task) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self.settled.emit()
