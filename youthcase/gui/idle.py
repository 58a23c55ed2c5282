"""Noticing that nobody has touched the application for a while.

An application-wide event filter records the time of the last key press, click, mouse move or wheel
turn; a timer polls every few seconds and compares ``clock.monotonic()`` with it. The clock is
injected, so a test advances a fake clock and calls ``poll()`` instead of waiting five minutes.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

from youthcase.domain.clock import Clock

POLL_INTERVAL_MS = 5_000

USER_INPUT = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
    }
)


class IdleWatch(QObject):
    """Emits ``idle`` once when no user input has arrived for ``timeout_seconds``."""

    idle = Signal()

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.timeout_seconds: float | None = None
        self._last_activity = clock.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_INTERVAL_MS)
        self._timer.timeout.connect(self.poll)
        self._filtering = False

    @property
    def running(self) -> bool:
        return self.timeout_seconds is not None

    def start(self, timeout_seconds: float) -> None:
        app = QCoreApplication.instance()
        if app is not None and not self._filtering:
            app.installEventFilter(self)
            self._filtering = True
        self.timeout_seconds = timeout_seconds
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        self.timeout_seconds = None
        self._timer.stop()
        app = QCoreApplication.instance()
        if app is not None and self._filtering:
            app.removeEventFilter(self)
            self._filtering = False

    def touch(self) -> None:
        self._last_activity = self.clock.monotonic()

    def poll(self) -> None:
        if self.timeout_seconds is None:
            return
        if self.clock.monotonic() - self._last_activity >= self.timeout_seconds:
            self.stop()
            self.idle.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in USER_INPUT:
            self._last_activity = self.clock.monotonic()
        return False
