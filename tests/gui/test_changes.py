"""The change notice: an operation says what it changes, the queue announces it once it succeeded,
and the screens refresh themselves from the flags."""

from __future__ import annotations

import pytest

from youthcase.gui.background import Background
from youthcase.gui.changes import Changes

from .conftest import WAIT_MS

pytestmark = pytest.mark.gui


def test_flags_combine_and_group() -> None:
    assert not Changes()
    both = Changes(contacts=True) | Changes(referrals=True)
    assert both.names == ["contacts", "referrals"]
    assert both.case_content and both.caseload
    assert Changes(access=True).caseload and not Changes(access=True).case_content
    assert not Changes(directory=True).caseload


def test_the_notice_follows_a_success_only(qtbot, background: Background) -> None:
    heard: list[tuple[str, object]] = []
    background.notice.changed.connect(lambda changes: heard.append(("notice", changes)))

    def fail() -> None:
        raise ValueError("no")

    failed = background.run(fail, name="fail", on_errored=lambda _e: None, changes=Changes(cases=True))
    with qtbot.waitSignal(failed.signals.finished, timeout=WAIT_MS):
        pass
    assert heard == []

    done = background.run(
        lambda: 1, name="work", on_returned=lambda v: heard.append(("returned", v)), changes=Changes(cases=True)
    )
    with qtbot.waitSignal(done.signals.finished, timeout=WAIT_MS):
        pass
    assert heard == [("returned", 1), ("notice", Changes(cases=True))]  # the initiator first

    quiet = background.run(lambda: 2, name="read", changes=Changes())
    with qtbot.waitSignal(quiet.signals.finished, timeout=WAIT_MS):
        pass
    assert len(heard) == 2  # nothing changed: nothing announced
