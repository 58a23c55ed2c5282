"""Recording a new case on the ward, from the keyboard: the young person, the case, the incident.

Defaults: arrival now, my first site, referred by ED staff, assigned to me. Enter goes on to the
next required field still empty; Tab runs through every field: the person, then the case, then the
incident. Each field is checked by the data dictionary as it is left; the rules that span fields
come back from the service (``CaseInvalid``) onto their fields. Ctrl+Enter records the case.

Once the NHS number, or the name and date of birth, are in, the service is asked (in the
background) whether the young person is already known. If so the form says where their earlier
cases are, whether one is still open and who holds it (never what those cases say: that stays
under each case's own key), and offers to link the new case to that young person. The person's
fields stay editable and are all sent: each case keeps its own copy of the identifiers. The
form's values are autosaved as an encrypted draft while it is dirty.
"""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain import dictionary as dd
from youthcase.domain.codes import Code
from youthcase.domain.records import Problem
from youthcase.domain.validation import FieldError
from youthcase.gui import values
from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.case.incident import INCIDENT_FIELDS
from youthcase.gui.changes import Changes
from youthcase.gui.drafts import NEW_CASE_FORM, DraftKeeper
from youthcase.gui.errors import user_message
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.forms.fields import DictionaryForm
from youthcase.gui.forms.record import add_save_shortcuts
from youthcase.gui.inline import InlineError
from youthcase.gui.prompts import Prompts
from youthcase.gui.values import instant_edit_text
from youthcase.services.cases import CaseDetail, CaseService, EarlierCase, NewCase, PersonMatch
from youthcase.services.errors import PermissionDenied
from youthcase.services.vault import UnlockedVault

# The person's fields in the order a worker asks for them; the less-used ones come last.
NEW_PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "estimated_age",
    "nhs_number",
    "sex",
    "ethnicity",
    "borough",
    "postcode",
    "preferred_name",
    "phone",
    "address",
    "contacts",
    "school_or_employer",
    "education_employment",
    "interpreter_language",
    "known_to_social_care",
    "known_to_youth_justice",
    "known_to_camhs",
)
NEW_CASE_FIELDS = (
    "site",
    "arrival_at",
    "referral_source",
    "consent_support",
    "consent_share",
    "consent_recorded_on",
    "next_action_due",
    "notes",
)
DEFAULT_REFERRAL_SOURCE = "ed_staff"
USE_EXISTING_SHORTCUT = "Alt+U"

Lookup = Callable[[str | None, str, str, dt.date | None], list[PersonMatch]]


def find_matches(
    vault: UnlockedVault, nhs: str | None, given: str, family: str, dob: dt.date | None
) -> list[PersonMatch]:
    return CaseService(vault).find_returning_person(nhs, given, family, dob)


def create_case(vault: UnlockedVault, new: NewCase) -> CaseDetail:
    return CaseService(vault).create_case(new)


def _match_to_raw(match: PersonMatch) -> dict[str, Any]:
    return {
        "person_id": str(match.person_id),
        "matched_on": match.matched_on,
        "earlier_cases": [
            {
                "site_code": case.site_code,
                "arrival_month": case.arrival_month.isoformat(),
                "open": case.open,
                "held_by": case.held_by,
            }
            for case in match.earlier_cases
        ],
        "within": match.within_re_attendance_window,
    }


def _match_from_raw(raw: Mapping[str, Any]) -> PersonMatch:
    return PersonMatch(
        uuid.UUID(raw["person_id"]),
        raw["matched_on"],
        tuple(
            EarlierCase(
                str(case["site_code"]),
                dt.date.fromisoformat(case["arrival_month"]),
                bool(case["open"]),
                str(case["held_by"]),
            )
            for case in raw.get("earlier_cases") or ()
        ),
        bool(raw.get("within")),
    )


def earlier_case_text(case: EarlierCase) -> str:
    return html.escape(values.earlier_case_text(case))


def others_text(cases: Sequence[EarlierCase], what: str = "earlier case") -> str:
    """One earlier case in a sentence, several listed briefly (newest first), up to four."""
    if not cases:
        return ""
    if len(cases) == 1:
        return f"{what.capitalize()} at {earlier_case_text(cases[0])}."
    shown = "; ".join(earlier_case_text(case) for case in cases[:4])
    more = f"; and {len(cases) - 4} more" if len(cases) > 4 else ""
    return f"{len(cases)} {what}s: {shown}{more}."


def describe_match(match: PersonMatch, hide_names: bool = False) -> str:
    """What a match may say: that the young person is known, on what, and where their cases are.

    ``hide_names`` is accepted for the panel's setting; a match carries no names to hide."""
    text = f"<b>This young person is already known</b> (matched on {html.escape(match.matched_on)})."
    cases = match.earlier_cases
    if not cases:
        return text
    opened = match.open_case
    if len(cases) == 1 and opened is not None:
        site = html.escape(opened.site_code)
        text += f" Earlier case at {earlier_case_text(opened)}: ask them or a supervisor of {site} to share it."
    else:
        text += " " + others_text(cases)
        if opened is not None:
            site, holder = html.escape(opened.site_code), html.escape(opened.held_by)
            text += f" The open case: ask {holder} or a supervisor of {site} to share it."
    text += (
        " Last arrival <b>within the last 12 months</b> (a re-attendance)."
        if match.within_re_attendance_window
        else " Last arrival more than 12 months ago."
    )
    return text


class ReturningPanel(QFrame):
    """Offers the young people already known who may be the one arriving now."""

    chosen = Signal(object)  # PersonMatch
    undone = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("returningPanel")
        self.setVisible(False)
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(12, 10, 12, 10)
        self._content: QWidget | None = None
        self.matches: list[PersonMatch] = []
        self.chosen_match: PersonMatch | None = None
        self.use_buttons: list[QPushButton] = []
        self.hide_names = False

    def _reset(self) -> QVBoxLayout:
        """A fresh, empty content widget (the old one and its buttons go)."""
        if self._content is not None:
            self._outer.removeWidget(self._content)
            self._content.hide()  # at once: deleteLater() waits for the event loop
            self._content.deleteLater()
        self._content = QWidget()
        self._outer.addWidget(self._content)
        self.use_buttons = []
        layout = QVBoxLayout(self._content)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        return layout

    def offer(self, matches: Sequence[PersonMatch]) -> None:
        self.matches = list(matches)
        self.chosen_match = None
        self._show()

    def choose(self, match: PersonMatch) -> None:
        self.chosen_match = match
        self._show()
        self.chosen.emit(match)

    def undo(self) -> None:
        self.chosen_match = None
        self._show()
        self.undone.emit()

    def set_hide_names(self, hide: bool) -> None:
        self.hide_names = hide
        self._show()

    def _show(self) -> None:
        layout = self._reset()
        if self.chosen_match is not None:
            text = QLabel(
                "This new case will be linked to the young person already known. "
                + describe_match(self.chosen_match, self.hide_names)
                + " Each case keeps its own copy of their details: fill in the young person's"
                " fields below as they are today."
            )
            text.setWordWrap(True)
            undo = QPushButton("Record as a new young person instead")
            undo.clicked.connect(self.undo)
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(undo)
            layout.addWidget(text)
            layout.addLayout(row)
            self.setVisible(True)
            return
        for position, match in enumerate(self.matches[:3]):
            text = QLabel(describe_match(match, self.hide_names))
            text.setWordWrap(True)
            use = QPushButton(
                f"Link to this young person  ({USE_EXISTING_SHORTCUT})"
                if position == 0
                else "Link to this young person"
            )
            use.setObjectName("useExistingButton")
            use.clicked.connect(lambda _checked=False, m=match: self.choose(m))
            self.use_buttons.append(use)
            row = QHBoxLayout()
            row.addWidget(text, 1)
            row.addWidget(use, 0, Qt.AlignmentFlag.AlignVCenter)
            layout.addLayout(row)
        self.setVisible(bool(self.matches))


class NewCaseDialog(QDialog):
    created = Signal(object)  # CaseDetail

    def __init__(
        self,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        sites: Sequence[Code],
        *,
        hide_names: bool = False,
        restored: Mapping[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("newCaseDialog")
        self.setWindowTitle("New case")
        self.setModal(True)
        self.resize(780, 760)
        self._vault = vault
        self._background = background
        self._prompts = prompts
        self._checked_for: tuple[Any, ...] | None = None
        self.lookups = 0  # returning-person checks started (tests wait on it)

        heading = QLabel("New case")
        heading.setObjectName("dialogHeading")
        intro = QLabel(
            f"Assigned to you ({vault.actor.username}). Fields marked * are required. "
            "Ctrl+Enter records the case; it is saved as an encrypted draft while you "
            "type."
        )
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)
        self.returning = ReturningPanel()
        self.returning.set_hide_names(hide_names)
        self.person = DictionaryForm(dd.YOUNG_PERSON, NEW_PERSON_FIELDS)
        self.case = DictionaryForm(dd.CASE, NEW_CASE_FIELDS, {"site": sites})
        self.incident = DictionaryForm(dd.INCIDENT, INCIDENT_FIELDS)
        self.forms = {"young_person": self.person, "case": self.case, "incident": self.incident}
        self.case.restore(self.defaults(sites))
        self._pristine = self.raw()

        body = QWidget()
        body.setObjectName("formBody")
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 12, 0)
        body_layout.setSpacing(10)
        for title, form in (("Young person", self.person), ("Case", self.case), ("Index incident", self.incident)):
            caption = QLabel(title)
            caption.setObjectName("formSection")
            body_layout.addWidget(caption)
            body_layout.addWidget(form)
            body_layout.addSpacing(6)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setObjectName("formScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        self.form_scroll = scroll

        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit = self.buttons.addButton("Record case", QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit.setToolTip("Ctrl+Enter")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.setDefault(True)
        bar = busy_bar()
        self.busy = Busy(bar, [body, self.submit, cancel, self.returning])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(*DIALOG_MARGINS)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.returning)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.error)
        layout.addWidget(bar)
        layout.addWidget(self.buttons)

        def keeper_values() -> dict[str, Any]:
            return self.raw()

        self.keeper = DraftKeeper(vault, background, NEW_CASE_FORM, None, keeper_values, self)
        for form in self.forms.values():
            form.changed.connect(self.keeper.mark_dirty)
        self.restored = restored is not None
        if restored is not None:
            self.restore(restored)

        for name in ("nhs_number", "given_name", "family_name", "date_of_birth"):
            self.person[name].left.connect(self.check_returning)
        for form in self.forms.values():
            for row in form.rows.values():
                row.input.installEventFilter(self)
        self.returning.chosen.connect(self._use_existing)
        self.returning.undone.connect(self._use_new)
        self.buttons.accepted.connect(self.start_save)
        self.buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.start_save)
        use = QShortcut(QKeySequence(USE_EXISTING_SHORTCUT), self)
        use.activated.connect(self.use_first_match)
        self.person["given_name"].setFocus(Qt.FocusReason.OtherFocusReason)

    # --- defaults and drafts ----------------------------------------------------------------

    def defaults(self, sites: Sequence[Code]) -> dict[str, str]:
        mine = sorted(self._vault.actor.site_codes)
        site = mine[0] if mine else (sites[0].code if sites else "")
        return {
            "site": site,
            "arrival_at": instant_edit_text(self._vault.clock.now()),
            "referral_source": DEFAULT_REFERRAL_SOURCE,
        }

    def raw(self) -> dict[str, Any]:
        match = self.returning.chosen_match
        return {
            "person": self.person.raw(),
            "case": self.case.raw(),
            "incident": self.incident.raw(),
            "existing_person": _match_to_raw(match) if match is not None else None,
        }

    def restore(self, raw: Mapping[str, Any]) -> None:
        self.person.restore(raw.get("person") or {})
        self.case.restore(raw.get("case") or {})
        self.incident.restore(raw.get("incident") or {})
        existing = raw.get("existing_person")
        if existing:
            match = _match_from_raw(existing)
            self.returning.offer([match])
            self.returning.choose(match)

    @property
    def edited(self) -> bool:
        return self.raw() != self._pristine

    def set_hide_names(self, hide: bool) -> None:
        self.returning.set_hide_names(hide)

    def save_draft_now(self) -> None:
        if self.keeper.active and (self.edited or self.restored):
            self.keeper.save_now(essential=True)

    # --- the returning young person ---------------------------------------------------------

    def _person_key(self) -> tuple[Any, ...] | None:
        """(NHS number, given, family, date of birth) once enough is typed to look them up."""

        def value(name: str) -> Any:
            try:
                return self.person[name].value()
            except FieldError:
                return None

        nhs = value("nhs_number")
        given, family, dob = value("given_name"), value("family_name"), value("date_of_birth")
        if nhs is None and not (given and family and dob):
            return None
        return (nhs, given or "", family or "", dob)

    def check_returning(self) -> None:
        if self.returning.chosen_match is not None or self.busy.active:
            return
        key = self._person_key()
        if key is None or key == self._checked_for:
            return
        self._checked_for = key
        vault = self._vault
        self.lookups += 1
        nhs, given, family, dob = key
        self._background.run(
            lambda: find_matches(vault, nhs, given, family, dob),
            name="find returning person",
            on_returned=self._matches_found,
            on_errored=self._lookup_failed,
        )

    def _lookup_failed(self, error: BaseException) -> None:
        """Say why nobody could be looked up (the searches of the hour are used up); the next
        change of the young person's fields tries again."""
        self._checked_for = None
        if isinstance(error, PermissionDenied):
            self.error.show_message(user_message(error))

    def use_first_match(self) -> None:
        """Alt+U: take the first young person offered."""
        if self.returning.isVisible() and self.returning.matches and self.returning.chosen_match is None:
            self.returning.choose(self.returning.matches[0])

    def _matches_found(self, matches: list[PersonMatch]) -> None:
        if self.returning.chosen_match is None:
            self.returning.offer(matches)

    def _use_existing(self, match: PersonMatch) -> None:
        self.keeper.mark_dirty()
        self.person["given_name"].setFocus(Qt.FocusReason.OtherFocusReason)

    def _use_new(self) -> None:
        self.keeper.mark_dirty()
        self.person["given_name"].setFocus(Qt.FocusReason.OtherFocusReason)

    # --- saving -----------------------------------------------------------------------------

    def new_case(self) -> tuple[NewCase | None, list[Problem]]:
        """All the typed fields; linked to the known young person if one was chosen."""
        match = self.returning.chosen_match
        problems: list[Problem] = []
        person, found = self.person.values()
        problems += found
        case, found = self.case.values()
        problems += found
        incident, found = self.incident.values()
        problems += found
        if problems:
            return None, problems
        return NewCase(person, case, incident, match.person_id if match else None), []

    def start_save(self) -> None:
        if self.busy.active:
            return
        new, problems = self.new_case()
        if new is None:
            self.error.show_message("Put right the fields marked in red.")
            self._focus_first_problem()
            return
        self.error.clear()
        vault = self._vault
        self.busy.start()
        self._background.run(
            lambda: create_case(vault, new),
            name="create case",
            on_returned=self._created,
            on_errored=self._failed,
            changes=Changes(cases=True),
        )

    def _created(self, detail: CaseDetail) -> None:
        self.busy.stop()
        self.keeper.discard()
        self.created.emit(detail)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        problems: list[Problem] = list(getattr(error, "problems", []) or [])
        if not problems:
            self.error.show_message(user_message(error))
            return
        unplaced = [p for p in problems if p.entity not in self.forms or not self.forms[p.entity].show_problem(p)]
        message = "Put right the fields marked in red."
        if unplaced:
            message += " Also: " + "; ".join(f"{p.field.replace('_', ' ')}: {p.message}" for p in unplaced)
        self.error.show_message(message)
        self._focus_first_problem()

    def _focus_first_problem(self) -> None:
        for form in self.forms.values():
            row = form.first_problem()
            if row is not None and row.isEnabled():
                self.form_scroll.ensureWidgetVisible(row)
                row.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def reject(self) -> None:
        if self.busy.active:
            return
        if (self.edited or self.restored) and not self._prompts.confirm(
            self, "New case", "Discard this new case? What you typed will not be kept.", "Discard"
        ):
            return
        self.keeper.discard()
        super().reject()

    def done(self, result: int) -> None:
        self.keeper.stop()  # a lock closes the form with done(): its draft stays for next time
        super().done(result)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Keep the field with the focus in view while tabbing through the long form; Enter in a
        field goes on to the next required field still empty (Tab visits every field)."""
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self.form_scroll.ensureWidgetVisible(watched, 20, 40)
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and not isinstance(watched, QPlainTextEdit)
        ):
            return self.next_required(watched)
        return False

    def next_required(self, after: QObject) -> bool:
        """Focus the first required, empty field after ``after``, else Record case."""
        rows = [row for form in self.forms.values() for row in form.rows.values()]
        at = next((i for i, row in enumerate(rows) if row.input is after), None)
        if at is None:
            return False
        rows[at].settle_choice()
        for row in rows[at + 1 :]:
            if row.spec.required and row.is_empty() and row.isEnabled():
                row.input.setFocus(Qt.FocusReason.TabFocusReason)
                return True
        self.submit.setFocus(Qt.FocusReason.TabFocusReason)
        return True
