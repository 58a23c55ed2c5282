"""Small ward fixes: the audit viewer's case filter finds a case's child-row events, hide-names
hides every identifier, and a label with "&" (A&E) shows it instead of making an Alt shortcut."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QLabel

from youthcase.config import VaultLocation
from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import HIDDEN_TEXT, RecordSheet
from youthcase.gui.case.person import PERSON_FIELDS
from youthcase.gui.forms.fields import DictionaryForm
from youthcase.gui.tasks import create_new_vault
from youthcase.services.audit_trail import AuditTrail
from youthcase.services.service_directory import STARTER_SERVICES, ServiceDirectory

from .conftest import signed_in
from .test_referrals import make_case, refer, services  # noqa: F401 - services: a fixture

pytestmark = pytest.mark.gui


def test_the_case_filter_finds_the_events_of_its_referrals(
    vault,
    clock,
    services,  # noqa: F811 - the fixture imported above
) -> None:
    case_id = make_case(vault, clock)
    refer(vault, clock, case_id, services["Southwark CAMHS"], "sent")
    with signed_in(vault.location, clock, vault.supervisor) as unlocked:
        entries = AuditTrail(unlocked).entries(case_reference="rlh-26-00001")
    entities = {entry.entity for entry in entries}
    assert {"case_episode", "referral"} <= entities, entities
    assert all(entry.case_reference == "RLH-26-00001" for entry in entries)


def test_hide_names_hides_every_identifier(qtbot) -> None:
    sheet = RecordSheet(dd.YOUNG_PERSON, PERSON_FIELDS)
    qtbot.addWidget(sheet)
    values = {
        "given_name": "Jamal",
        "family_name": "Okafor",
        "date_of_birth": None,
        "nhs_number": "9434765919",
        "postcode": "SE15 4QL",
        "address": "1 Rye Lane",
    }
    sheet.show_values(values, hide_names=True)
    shown = {name: sheet.values[name].text() for name in values}
    assert shown["given_name"] == "J." and shown["family_name"] == "O."
    assert shown["nhs_number"] == shown["postcode"] == shown["address"] == HIDDEN_TEXT
    assert all("9434" not in text and "Rye" not in text for text in shown.values())
    sheet.show_values(values, hide_names=False)
    assert sheet.values["postcode"].text() == "SE15 4QL"


def test_arrival_at_a_and_e_is_shown_with_its_ampersand(qtbot) -> None:
    form = DictionaryForm(dd.CASE, ("arrival_at",))
    qtbot.addWidget(form)
    [label] = [w for w in form.findChildren(QLabel) if w.buddy() is form["arrival_at"].input]
    assert QKeySequence.mnemonic(label.text()).isEmpty()  # no accidental Alt+E
    assert label.text().replace("&&", "&").startswith("Arrival at A&E")
    assert form["arrival_at"].input.accessibleName() == "Arrival at A&E (required)"


def test_a_new_vault_has_a_starter_service_directory(tmp_path, clock) -> None:
    new = create_new_vault(VaultLocation(path=tmp_path / "new.vault"), clock, "admin", "harbour lantern quietly 41")
    try:
        directory = ServiceDirectory(new.opened.vault)
        offered = {entry.service_type for entry in directory.list_services()}
        assert offered == {values["service_type"] for values in STARTER_SERVICES}
        assert "camhs" in offered and "rehabilitation" in offered  # the first referrals
        assert directory.add_starter_services() == []  # never twice
    finally:
        new.opened.vault.lock()
