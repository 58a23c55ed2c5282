"""Form fields built from the data dictionary: one editor per kind, judged by the dictionary."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from youthcase.domain import dictionary as dd
from youthcase.domain.dictionary import FieldKind
from youthcase.domain.records import Problem
from youthcase.gui.forms.fields import DictionaryForm, FieldRow
from youthcase.gui.values import display, edit_text

pytestmark = pytest.mark.gui
WAIT_MS = 10_000


def form(qtbot, entity: dd.EntitySpec, names: tuple[str, ...]) -> DictionaryForm:
    widget = DictionaryForm(entity, names)
    qtbot.addWidget(widget)
    return widget


def test_one_editor_per_kind(qtbot) -> None:
    contact = form(qtbot, dd.CONTACT, ("contact_at", "medium", "successful", "topics", "notes"))
    assert isinstance(contact["contact_at"].input, QLineEdit)
    assert contact["contact_at"].input.placeholderText() == "YYYY-MM-DD HH:MM"
    assert isinstance(contact["medium"].input, QComboBox) and contact["medium"].input.isEditable()
    assert isinstance(contact["successful"].input, QComboBox)
    assert [contact["successful"].input.itemText(i) for i in range(2)] == ["Yes", "No"]  # required
    code_list = dd.CONTACT["topics"].code_list
    assert code_list is not None
    assert len(contact["topics"].input.findChildren(QCheckBox)) == len(code_list.codes)
    assert isinstance(contact["notes"].input, QPlainTextEdit)
    labels = [cast(QLabel, contact.layout_.labelForField(row)).text() for row in contact.rows.values()]
    assert labels[:3] == ["Date and time *", "How *", "Contact made *"]


def test_leaving_a_field_checks_it_and_fixing_it_clears_the_message(qtbot) -> None:
    person = form(qtbot, dd.YOUNG_PERSON, ("given_name", "nhs_number", "postcode"))
    holder = QWidget()
    qtbot.addWidget(holder)
    person.setParent(holder)
    holder.show()
    qtbot.waitExposed(holder, timeout=WAIT_MS)
    holder.activateWindow()
    qtbot.waitUntil(holder.isActiveWindow, timeout=WAIT_MS)
    nhs = person["nhs_number"]
    nhs.input.setFocus()
    qtbot.keyClicks(nhs.input, "943 476 5918")  # a mistyped check digit
    assert not nhs.has_problem  # not while typing the first time
    qtbot.keyClick(nhs.input, Qt.Key.Key_Tab)
    assert nhs.has_problem and "check digit" in nhs.message.text()
    assert nhs.message.text()[0].isupper()
    assert nhs.input.property("invalid") is True
    nhs.input.setFocus()
    qtbot.keyClick(nhs.input, Qt.Key.Key_Backspace)
    assert nhs.has_problem  # still wrong, now too short
    qtbot.keyClick(nhs.input, Qt.Key.Key_9)
    assert not nhs.has_problem  # right again: the message goes as you type
    assert nhs.value() == "9434765919"
    assert nhs.input.property("invalid") is False


def test_codes_are_chosen_by_label_or_code(qtbot) -> None:
    person = form(qtbot, dd.YOUNG_PERSON, ("sex", "borough", "known_to_camhs"))
    sex, borough, camhs = person["sex"], person["borough"], person["known_to_camhs"]
    sex_box, borough_box = cast(QComboBox, sex.input), cast(QComboBox, borough.input)
    assert sex.raw() == ""
    with pytest.raises(ValueError, match="Sex / stated gender is required"):
        sex.value()
    sex_box.setEditText("Female")
    assert sex.raw() == "2" and sex.value() == "2"
    sex_box.setEditText("x")  # a code typed in works too
    assert sex.value() == "X"
    borough_box.setEditText("tower ham")  # the start of one label: that choice
    assert borough.value() == "tower_hamlets" and borough_box.currentText() == "Tower Hamlets"
    borough_box.setEditText("Atlantis")
    with pytest.raises(ValueError, match="'Atlantis' is not one of the choices"):
        borough.value()
    borough.restore("tower_hamlets")
    assert borough_box.currentText() == "Tower Hamlets" and borough.value() == "tower_hamlets"
    assert camhs.raw() == "" and camhs.value() is None
    camhs.restore("yes")
    assert camhs.value() is True


def test_lists_of_codes_tick_and_restore(qtbot) -> None:
    contact = form(qtbot, dd.CONTACT, ("topics",))
    topics = contact["topics"]
    changes = []
    topics.changed.connect(lambda: changes.append(1))
    housing = topics.input.findChild(QCheckBox, "topics_housing")
    assert housing is not None
    housing.setChecked(True)
    safety = topics.input.findChild(QCheckBox, "topics_safety")
    assert safety is not None
    safety.setChecked(True)
    assert topics.raw() == ["safety", "housing"] and topics.value() == ("safety", "housing")
    assert changes == [1, 1]
    topics.restore(["education"])
    assert topics.raw() == ["education"] and changes == [1, 1]  # restoring is not editing


def test_form_values_raw_and_problems(qtbot) -> None:
    goal = form(qtbot, dd.PLAN_GOAL, ("goal", "status", "target_date"))
    values, problems = goal.values()
    assert {p.field for p in problems} == {"goal", "status"}
    assert goal["goal"].has_problem and goal.first_problem() is goal["goal"]
    goal.restore({"goal": "Back to college", "status": "in_progress", "target_date": "2026-04-20"})
    values, problems = goal.values()
    assert problems == []
    assert values == {"goal": "Back to college", "status": "in_progress", "target_date": dt.date(2026, 4, 20)}
    assert goal.raw() == {"goal": "Back to college", "status": "in_progress", "target_date": "2026-04-20"}
    assert goal.show_problem(Problem("plan_goal", "target_date", "cannot be before the arrival"))
    assert goal["target_date"].message.text() == "Cannot be before the arrival"
    assert not goal.show_problem(Problem("plan_goal", "no_such_field", "x"))


@pytest.mark.parametrize(
    ("entity", "name", "value", "shown"),
    [
        (dd.CONTACT, "contact_at", dt.datetime(2026, 7, 1, 20, 15, tzinfo=dt.UTC), "1 Jul 2026 21:15"),
        (dd.CONTACT, "topics", ("safety", "housing"), "Safety planning, Housing"),
        (dd.CONTACT, "successful", False, "No"),
        (dd.YOUNG_PERSON, "nhs_number", "9434765919", "943 476 5919"),
        (dd.YOUNG_PERSON, "date_of_birth", dt.date(2009, 5, 7), "7 May 2009"),
        (dd.YOUNG_PERSON, "borough", "tower_hamlets", "Tower Hamlets"),
        (dd.YOUNG_PERSON, "estimated_age", 16, "16"),
    ],
)
def test_values_shown_and_edited_round_trip(entity: dd.EntitySpec, name: str, value: object, shown: str) -> None:
    spec = entity[name]
    assert display(spec, value) == shown  # summer time: London is an hour ahead of UTC
    text = edit_text(spec, value)
    back = spec.check(tuple(text)) if spec.kind is FieldKind.CODES else spec.parse(cast(str, text))
    assert back == value


def test_field_row_focus_goes_to_its_editor(qtbot) -> None:
    row = FieldRow(dd.CONTACT["notes"])
    qtbot.addWidget(row)
    assert row.focusProxy() is row.input
    assert cast(QPlainTextEdit, row.input).tabChangesFocus()
