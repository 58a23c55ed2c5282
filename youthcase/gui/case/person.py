"""The Person tab: the young person's details (names as initials when names are hidden), and
editing them; other cases of the same young person keep their own copies, and saving says so."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from youthcase.domain import dictionary as dd
from youthcase.gui.case.blocks import RecordSheet, ScrolledTab, heading_row
from youthcase.gui.case.context import CaseContext
from youthcase.gui.changes import Changes
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.values import earlier_case_text, edit_text
from youthcase.services.cases import CaseDetail, EarlierCase

PERSON_FIELDS = (
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "estimated_age",
    "nhs_number",
    "sex",
    "ethnicity",
    "borough",
    "postcode",
    "address",
    "phone",
    "contacts",
    "school_or_employer",
    "education_employment",
    "interpreter_language",
    "known_to_social_care",
    "known_to_youth_justice",
    "known_to_camhs",
)


class PersonTab(ScrolledTab):
    title = "Person"

    def __init__(self, context: CaseContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.detail: CaseDetail | None = None
        layout = self.column
        self.edit_button = QPushButton("Edit details…")
        self.edit_button.clicked.connect(self.open_edit_person)
        layout.addLayout(heading_row("Young person", self.edit_button))
        self.sheet = RecordSheet(dd.YOUNG_PERSON, PERSON_FIELDS)
        layout.addWidget(self.sheet)
        layout.addStretch(1)

    def show_case(self, detail: CaseDetail) -> None:
        self.detail = detail
        self.sheet.show_values(detail.person.values, self.context.hide_names)

    def clear_case(self) -> None:
        self.detail = None
        self.sheet.clear()

    def open_edit_person(self) -> RecordDialog | None:
        detail = self.detail
        if detail is None:
            return None
        initial = {name: edit_text(dd.YOUNG_PERSON[name], detail.person.values.get(name)) for name in PERSON_FIELDS}
        return self.context.open_form(
            self,
            detail,
            entity=dd.YOUNG_PERSON,
            names=PERSON_FIELDS,
            title="Young person",
            heading="The young person's details",
            intro="Stored encrypted.",
            submit="Save changes",
            initial=initial,
            save=lambda service, case_id, values: service.update_person(case_id, values),
            changes=Changes(cases=True),
            on_saved=self._saved,
        )

    def _saved(self, others: object) -> None:
        """Other cases of the same young person keep their own copies: say where they are."""
        if not isinstance(others, list) or not others:
            return
        cases = [case for case in others if isinstance(case, EarlierCase)]
        count = len(cases)
        self.context.prompts.inform(
            self,
            "Young person",
            f"Saved on this case. {count} other case{'s' if count != 1 else ''} of this young person "
            f"exist{'s' if count == 1 else ''}, each with its own copy of their details: "
            + "; ".join(earlier_case_text(case) for case in cases)
            + ". Ask whoever holds them to correct them there if needed.",
        )
