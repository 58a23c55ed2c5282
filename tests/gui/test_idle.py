"""Idle detection with a fake clock: no waiting for real minutes."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from youthcase.gui.idle import IdleWatch

pytestmark = pytest.mark.gui


def test_idle_fires_once_after_the_timeout(qtbot, clock) -> None:
    watch = IdleWatch(clock)
    watch.start(300)
    fired: list[bool] = []
    watch.idle.connect(lambda: fired.append(True))
    clock.advance(299)
    watch.poll()
    assert fired == []
    clock.advance(1)
    watch.poll()
    watch.poll()
    assert fired == [True]
    assert not watch.running
    watch.stop()


def test_user_input_anywhere_resets_the_timer(qtbot, clock) -> None:
    watch = IdleWatch(clock)
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    watch.start(300)
    fired: list[bool] = []
    watch.idle.connect(lambda: fired.append(True))
    clock.advance(200)
    qtbot.keyClick(field, Qt.Key.Key_A)
    clock.advance(200)
    watch.poll()
    assert fired == []
    clock.advance(100)
    watch.poll()
    assert fired == [True]
    watch.stop()


def test_a_stopped_watch_never_fires(qtbot, clock) -> None:
    watch = IdleWatch(clock)
    watch.start(60)
    watch.stop()
    fired: list[bool] = []
    watch.idle.connect(lambda: fired.append(True))
    clock.advance(3600)
    watch.poll()
    assert fired == []
