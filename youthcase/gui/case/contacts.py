"""The Contacts tab: every contact and failed attempt, newest first, the selected one's notes, and
the New contact form (also the case view's header button and Ctrl+Shift+N), which keeps a draft."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import QPushButton, QSplitter, QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui import shortcuts
from youthcase.gui.case.blocks import heading_row, notes_panel, record_table, scrolled, secondary, tab_layout
from youthcase.gui.case.context import CaseContext
from youthcase.gui.changes import Changes
from youthcase.gui.drafts import NEW_CONTACT_FORM
from youthcase.gui.forms.fields import Raw
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.models.records import ContactTableModel
from youthcase.gui.tables import selected_object
from youthcase.gui.values import instant_edit_text, person_name
from youthcase.services.cases import CaseDetail, RecordView

NEW_CONTACT_SHORTCUT = shortcuts.NEW_CONTACT
BEDSIDE_HOURS = 48  # a new contact defaults to the bedside while the arrival is this recent
CONTACT_FIELDS = (
    "contact_at",
    "medium",
    "successful",
    "contact_with",
    "duration_minutes",
    "notes",
    "topics",
    "follow_up_due",
)


class ContactsTab(QWidget):
    title = "Contacts"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: CaseDetail | None = None
        layout = tab_layout(self)
        add = QPushButton("New contact…")
        add.setToolTip(NEW_CONTACT_SHORTCUT)
        add.clicked.connect(lambda: self.open_new_contact())
        self.summary = secondary()
        layout.addLayout(heading_row("Contacts, newest first", add))
        layout.addWidget(self.summary)
        self.model = ContactTableModel(self)
        self.view = record_table(self.model, "contactTable")
        self.notes = notes_panel()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(scrolled(self.notes))
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)
        self.view.selectionModel().selectionChanged.connect(self._selected)

    def show_case(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.model.set_rows(detail.contacts)
        standing = [c for c in detail.contacts if not c.values.get("struck_out")]
        made = sum(1 for c in standing if c.values.get("successful"))
        failed = len(standing) - made
        struck = len(detail.contacts) - len(standing)
        self.summary.setText(
            f"{made} contact{'s' if made != 1 else ''} made, {failed} failed attempt{'s' if failed != 1 else ''}"
            + (f"; {struck} struck out as recorded in error." if struck else ".")
            if detail.contacts
            else "No contacts yet. Log every attempt, including the ones that fail."
        )
        self.notes.clear()
        if self.model.rowCount():
            self.view.selectRow(0)

    def clear_case(self) -> None:
        self.detail = None
        self.model.clear()
        self.notes.clear()
        self.summary.clear()

    def _selected(self, _s: QItemSelection, _d: QItemSelection) -> None:
        record: RecordView | None = selected_object(self.view)
        notes = record.values.get("notes") if record else None
        text = notes or ("No notes for this contact." if record else "")
        if record and record.values.get("struck_out"):
            text = "Struck out as recorded in error (the reason is in History).\n\n" + text
        self.notes.setText(text)

    def contact_defaults(self) -> dict[str, Raw]:
        now = self.context.now()
        detail = self.detail
        recent = detail is not None and now - detail.case.values["arrival_at"] <= dt.timedelta(hours=BEDSIDE_HOURS)
        return {
            "contact_at": instant_edit_text(now),
            "medium": "bedside" if recent else "phone",
            "successful": "yes",
            "contact_with": "young_person",
        }

    def open_new_contact(self, restored: Mapping[str, Any] | None = None) -> RecordDialog | None:
        """Defaults now, bedside or phone, contact made, with the young person."""
        detail = self.detail
        if detail is None:
            return None
        person = detail.person.values
        name = person_name(person["given_name"], person["family_name"], self.context.hide_names)
        return self.context.open_form(
            self,
            detail,
            entity=dd.CONTACT,
            names=CONTACT_FIELDS,
            title="New contact",
            heading=f"New contact  ·  {detail.reference}",
            intro=f"With {name} or about them. A failed attempt counts too: set Contact made to "
            "No. Saved as a draft while you type.",
            submit="Save contact",
            initial=self.contact_defaults(),
            keeper_form=NEW_CONTACT_FORM,
            restored=restored,
            first_field="medium",
            save=lambda service, case_id, values: service.add_contact(case_id, values),
            changes=Changes(contacts=True),
        )
