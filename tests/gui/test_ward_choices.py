"""Choice fields: type-ahead by label prefix or contents in any case, a typed code shown by its
label, and one short message naming the closest choices (never the list of every code)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from youthcase.domain import dictionary as dd
from youthcase.domain.validation import FieldError
from youthcase.gui.forms.fields import DictionaryForm

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


@pytest.fixture
def person(qtbot) -> DictionaryForm:
    form = DictionaryForm(dd.YOUNG_PERSON, ("sex", "borough", "given_name"))
    qtbot.addWidget(form)
    form.show()
    qtbot.waitExposed(form, timeout=WAIT_MS)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=WAIT_MS)
    return form


def type_and_leave(qtbot, form: DictionaryForm, name: str, text: str) -> QComboBox:
    box = form[name].input
    assert isinstance(box, QComboBox)
    box.setFocus()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    return box


@pytest.mark.parametrize(
    ("typed", "shown", "code"),
    [("south", "Southwark", "southwark"), ("SOUTHW", "Southwark", "southwark"), ("wark", "Southwark", "southwark")],
)
def test_part_of_a_label_chooses_it(qtbot, person: DictionaryForm, typed: str, shown: str, code: str) -> None:
    box = type_and_leave(qtbot, person, "borough", typed)
    assert box.currentText() == shown and person["borough"].raw() == code
    assert not person["borough"].has_problem


def test_a_typed_code_shows_its_label(qtbot, person: DictionaryForm) -> None:
    box = type_and_leave(qtbot, person, "sex", "1")
    assert box.currentText() == "Male" and person["sex"].raw() == "1"


def test_several_matches_give_one_short_message(qtbot, person: DictionaryForm) -> None:
    type_and_leave(qtbot, person, "borough", "ton")
    row = person["borough"]
    assert row.has_problem
    message = row.message.text()
    assert message.startswith("Several choices match 'ton': ") and "=" not in message
    assert message.count(",") <= 3 and len(message) < 160


def test_nothing_close_gives_the_closest_or_a_hint(qtbot, person: DictionaryForm) -> None:
    type_and_leave(qtbot, person, "borough", "Southwak")  # a typo: no label contains it
    message = person["borough"].message.text()
    assert "Did you mean Southwark" in message and "=" not in message


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", min_size=1, max_size=12))
def test_any_text_is_a_choice_or_one_short_message(qtbot, person: DictionaryForm, text: str) -> None:
    row = person["borough"]
    box = row.input
    assert isinstance(box, QComboBox)
    box.setEditText(text)
    try:
        value = row.value()
    except FieldError as error:  # one short line, no code list
        assert "=" not in str(error) and len(str(error)) < 200
    else:
        assert value is None or box.findData(value) >= 0
    box.setEditText("")
    box.setCurrentIndex(-1)
    row.clear_problem()
