"""A form for one record of a case (contact, assessment, concern, goal, follow-up, closure, edits),
built from the data dictionary. Ctrl+Enter saves; the save runs on the background queue; problems
the service finds (``CaseInvalid``) are shown on their fields and the form stays open.

Forms that keep a draft (a new contact) get a ``DraftKeeper``: their values are autosaved while
they are dirty and the draft is removed once the record is saved or the form is discarded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.codes import Code
from youthcase.domain.dictionary import EntitySpec, FieldKind
from youthcase.gui.background import Background
from youthcase.gui.busy import Busy, busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.drafts import DraftKeeper
from youthcase.gui.errors import user_message
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.forms.fields import DictionaryForm, Raw
from youthcase.gui.inline import InlineError
from youthcase.gui.prompts import Prompts

SaveRecord = Callable[[dict[str, Any]], object]  # runs on the background queue
KeeperFactory = Callable[[Callable[[], dict[str, Any]], QWidget], DraftKeeper]
SAVE_SHORTCUTS = ("Ctrl+Return", "Ctrl+Enter")
SCROLL_FROM_HEIGHT = 440
SCROLL_HEIGHT = 420
NARROW_WIDTH = 560
WIDE_WIDTH = 760


def add_save_shortcuts(dialog: QDialog, submit: Callable[[], None]) -> None:
    for keys in SAVE_SHORTCUTS:
        shortcut = QShortcut(QKeySequence(keys), dialog)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(submit)


class RecordDialog(QDialog):
    saved = Signal(object)  # what the save returned

    def __init__(
        self,
        *,
        entity: EntitySpec,
        names: Sequence[str],
        title: str,
        heading: str,
        intro: str,
        submit_label: str,
        save: SaveRecord,
        background: Background,
        prompts: Prompts,
        initial: Mapping[str, Raw] | None = None,
        choices: Mapping[str, Sequence[Code]] | None = None,
        keeper: KeeperFactory | None = None,
        restored: Mapping[str, Any] | None = None,
        first_field: str | None = None,
        changes: Changes | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"{entity.name}Dialog")
        self.setWindowTitle(title)
        self.setModal(True)
        has_ticks = any(entity[name].kind is FieldKind.CODES for name in names)
        self.setMinimumWidth(WIDE_WIDTH if has_ticks else NARROW_WIDTH)  # ticks sit in two columns
        self._save = save
        self._changes = changes  # what saving changes, announced to every screen
        self._background = background
        self._prompts = prompts
        self._title = title

        heading_label = QLabel(heading)
        heading_label.setObjectName("dialogHeading")
        intro_label = QLabel(intro)
        intro_label.setObjectName("secondaryText")
        intro_label.setWordWrap(True)
        self.form = DictionaryForm(entity, names, choices)
        if initial:
            self.form.restore(initial)
        self._pristine = self.form.raw()
        self.restored = restored is not None
        if restored:
            self.form.restore(restored)
        self.error = InlineError()
        self.buttons = QDialogButtonBox()
        self.submit: QPushButton = self.buttons.addButton(submit_label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit.setToolTip("Ctrl+Enter")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.submit.setDefault(True)
        bar = busy_bar()
        self.busy = Busy(bar, [self.form, self.submit, cancel])
        note = QLabel("* required  ·  Ctrl+Enter saves")
        note.setObjectName("secondaryText")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(*DIALOG_MARGINS)
        layout.setSpacing(12)
        layout.addWidget(heading_label)
        layout.addWidget(intro_label)
        self.form.ensurePolished()
        if self.form.sizeHint().height() > SCROLL_FROM_HEIGHT:  # taller than a laptop allows
            scroll = QScrollArea()
            scroll.setObjectName("formScroll")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            scroll.setWidget(self.form)
            scroll.setMinimumHeight(SCROLL_HEIGHT)
            layout.addWidget(scroll, 1)
        else:
            layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(bar)
        footer = QVBoxLayout()
        footer.addWidget(note)
        layout.addLayout(footer)
        layout.addWidget(self.buttons)

        self.keeper = keeper(self.form.raw, self) if keeper is not None else None
        if self.keeper is not None:
            self.form.changed.connect(self.keeper.mark_dirty)
        self.buttons.accepted.connect(self.start_save)
        self.buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.start_save)
        start = self.form.rows.get(first_field or names[0])
        if start is not None:
            start.setFocus(Qt.FocusReason.OtherFocusReason)
        self.ensurePolished()  # the size from the stylesheet's paddings, not the bare widgets'
        self.adjustSize()

    def start_save(self) -> None:
        if self.busy.active:
            return
        values, problems = self.form.values()
        if problems:
            self.error.show_message("Put right the fields marked in red.")
            self._focus_first_problem()
            return
        self.error.clear()
        save = self._save
        self.busy.start()
        self._background.run(
            lambda: save(values),
            name=f"save {self._title.lower()}",
            on_returned=self._saved,
            on_errored=self._failed,
            changes=self._changes,
        )

    def _saved(self, result: object) -> None:
        self.busy.stop()
        if self.keeper is not None:
            self.keeper.discard()
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.busy.stop()
        problems = getattr(error, "problems", None)
        if problems:
            shown = [p for p in problems if self.form.show_problem(p)]
            others = [f"{p.field.replace('_', ' ')}: {p.message}" for p in problems if p not in shown]
            self.error.show_message(
                user_message(error)
                if others and not shown
                else "Put right the fields marked in red." + (f" Also: {'; '.join(others)}" if others else "")
            )
            self._focus_first_problem()
            return
        self.error.show_message(user_message(error))

    def _focus_first_problem(self) -> None:
        row = self.form.first_problem()
        if row is not None:
            row.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def edited(self) -> bool:
        return self.form.raw() != self._pristine

    def reject(self) -> None:
        """Cancel or Esc: a form with something typed in asks first, then forgets its draft."""
        if self.busy.active:
            return
        if (self.edited or self.restored) and not self._prompts.confirm(
            self, self._title, "Discard what you have typed? It will not be kept.", "Discard"
        ):
            return
        if self.keeper is not None:
            self.keeper.discard()
        super().reject()

    def done(self, result: int) -> None:
        """Every way out; a lock closes the form with ``done`` and its draft stays for next time."""
        if self.keeper is not None:
            self.keeper.stop()
        super().done(result)

    def save_draft_now(self) -> None:
        if self.keeper is not None and self.keeper.active and (self.edited or self.restored):
            self.keeper.save_now(essential=True)
