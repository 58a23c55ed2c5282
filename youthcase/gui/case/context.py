"""What every part of one case view shares: the session (dropped when the vault locks), the
background queue, the prompts, whether names are hidden, and the one way a tab opens a form that
records on the case shown.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from PySide6.QtWidgets import QWidget

from youthcase.domain.caseload_rules import london_today
from youthcase.domain.dictionary import EntitySpec
from youthcase.domain.roles import Permission
from youthcase.gui.background import Background
from youthcase.gui.changes import Changes
from youthcase.gui.drafts import DraftKeeper
from youthcase.gui.forms.fields import Raw
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.prompts import Prompts
from youthcase.gui.windows import open_form
from youthcase.services.cases import CaseDetail, CaseService
from youthcase.services.permissions import allowed
from youthcase.services.vault import UnlockedVault

SaveOnCase = Callable[[CaseService, uuid.UUID, dict[str, Any]], object]  # on the background queue


class CaseTab(Protocol):
    """A tab of the case view: shows a case (again, after every change) and forgets it."""

    title: str  # the tab's text

    def show_case(self, detail: CaseDetail) -> None: ...

    def clear_case(self) -> None: ...


class CaseContext:
    def __init__(self, vault: UnlockedVault, background: Background, prompts: Prompts) -> None:
        self.vault: UnlockedVault | None = vault
        self.background = background
        self.prompts = prompts
        self.username = vault.actor.username
        self.supervises = allowed(vault.actor, Permission.SUPERVISE)
        self.records = allowed(vault.actor, Permission.RECORD_CASES)
        self.hide_names = False
        # The case view's busy bar and error line, for work a tab starts outside a form.
        self.show_busy: Callable[[bool], None] = lambda _busy: None
        self.show_error: Callable[[BaseException], None] = lambda _error: None

    def lock(self) -> None:
        """The vault locked: nothing here reaches it any more."""
        self.vault = None

    def now(self) -> dt.datetime:
        vault = self.vault
        return vault.clock.now() if vault is not None else dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return london_today(self.now())

    def open_form(
        self,
        parent: QWidget,
        detail: CaseDetail | None,
        *,
        entity: EntitySpec,
        names: Sequence[str],
        title: str,
        heading: str,
        intro: str,
        submit: str,
        save: SaveOnCase,
        changes: Changes,
        initial: Mapping[str, Raw] | None = None,
        keeper_form: str | None = None,
        restored: Mapping[str, Any] | None = None,
        first_field: str | None = None,
        on_saved: Callable[[object], None] | None = None,
    ) -> RecordDialog | None:
        """A dictionary form that saves ``save`` on the case; ``keeper_form`` keeps a draft of it.
        The change notice then loads the case again."""
        vault = self.vault
        if vault is None or detail is None:
            return None
        case_id = detail.case_id
        background = self.background

        def run(values: dict[str, Any]) -> object:
            return save(CaseService(vault), case_id, values)

        keeper = None
        if keeper_form is not None:

            def keeper(values: Callable[[], dict[str, Any]], parent: QWidget) -> DraftKeeper:
                return DraftKeeper(vault, background, keeper_form, case_id, values, parent)

        dialog = RecordDialog(
            entity=entity,
            names=names,
            title=title,
            heading=heading,
            intro=intro,
            submit_label=submit,
            save=run,
            background=background,
            prompts=self.prompts,
            initial=initial,
            keeper=keeper,
            restored=restored,
            first_field=first_field,
            changes=changes,
            parent=parent,
        )
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog


__all__ = ["CaseContext", "CaseTab", "SaveOnCase"]
