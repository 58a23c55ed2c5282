"""Admissions to the sites a supervisor holds the key of: who is waiting, who is admitted, the
cases disabled accounts still hold, and the site key's rotation.

Keys v2: a home site (set by an administrator) gives no access. A supervisor of the site admits a
person, which seals the site's key to them; revoking hands that person's cases there to the
supervisor; the open cases of a disabled account wait for the supervisor to hand them over to
someone admitted to the site; a site whose key a disabled account held must have its key rotated.
Every call runs on the background queue; failures are shown through the prompts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.codes import Code, CodeList
from youthcase.domain.roles import Role
from youthcase.gui.background import Background
from youthcase.gui.busy import busy_bar
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.record import RecordDialog
from youthcase.gui.forms.supervision import handover_entity
from youthcase.gui.models.table import Column, TableModel
from youthcase.gui.pages import section_title
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import selected_object, table_view
from youthcase.gui.values import instant_text
from youthcase.gui.windows import open_form
from youthcase.services.access import AccessService
from youthcase.services.accounts import AccountService
from youthcase.services.audit_trail import AuditEntry, AuditTrail
from youthcase.services.supervision import HeldByDisabled, SupervisionService
from youthcase.services.vault import UnlockedVault

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Admission:
    username: str
    site_code: str
    role: str = ""


@dataclass(frozen=True)
class AccessOverview:
    waiting: list[Admission]
    admitted: list[Admission]
    due_rotation: list[str]
    sites: list[str]  # the sites I supervise (whose key I hold)
    held: list[HeldByDisabled]  # open cases disabled accounts still hold at those sites
    recovery_uses: list[AuditEntry]  # every use of the recovery key in the last RECOVERY_DAYS


RECOVERY_DAYS = 90


def recovery_text(uses: Sequence[AuditEntry]) -> str:
    """Shown to every supervisor: the recovery key reaches every case, so each use is told."""
    if not uses:
        return f"The recovery key has not been used in the last {RECOVERY_DAYS} days."
    listed = "; ".join(f"{instant_text(use.at)} {use.action}" for use in uses[:5])
    more = f" and {len(uses) - 5} more" if len(uses) > 5 else ""
    times = "once" if len(uses) == 1 else f"{len(uses)} times"
    return f"The recovery key was used {times} in the last {RECOVERY_DAYS} days ({listed}{more})."


def admitted_staff(admitted: Sequence[Admission], site_code: str) -> CodeList:
    """The people admitted to a site, to choose whom its cases go to."""
    return CodeList(
        "staff",
        tuple(
            Code(a.username, f"{a.username}  ·  {Role(a.role).label}")
            for a in admitted
            if a.site_code == site_code and a.role
        ),
    )


def load_access(vault: UnlockedVault) -> AccessOverview:
    """On the background queue: who waits, who is admitted, which cases wait for a handover and
    which sites are due a key rotation."""
    access = AccessService(vault)
    roles = {account.username: account.role.value for account in AccountService(vault).list_users()}
    return AccessOverview(
        [Admission(user, site, roles.get(user, "")) for user, site in access.waiting_for_admission()],
        [Admission(user, site, role) for user, role, site in access.admissions()],
        access.sites_due_rotation(),
        sorted(vault.actor.site_codes),
        SupervisionService(vault).held_by_disabled(),
        AuditTrail(vault).recovery_uses(vault.clock.now() - dt.timedelta(days=RECOVERY_DAYS)),
    )


class AdmissionModel(TableModel[Admission]):
    columns = (
        Column("Person", lambda a: a.username, lambda a: a.username),
        Column("Role", lambda a: a.role.capitalize(), lambda a: a.role),
        Column("Site", lambda a: a.site_code, lambda a: a.site_code),
    )


class AccessPanel(QWidget):
    """The "Access" tab of the Supervision page."""

    loaded = Signal()

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("accessPanel")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.overview: AccessOverview | None = None
        self.loading = busy_bar()
        self._busy = False
        background.notice.changed.connect(self._vault_changed)

        intro = QLabel(
            "A home site gives no access to its cases: you admit each person to the sites you "
            "supervise, which hands them the site's key. Revoking passes their cases there to you."
        )
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)

        self.rotation_banner = QFrame()
        self.rotation_banner.setObjectName("draftBanner")  # the amber notice style
        self.rotation_text = QLabel()
        self.rotation_text.setWordWrap(True)
        banner = QHBoxLayout(self.rotation_banner)
        banner.setContentsMargins(12, 8, 12, 8)
        banner.addWidget(self.rotation_text, 1)
        self.rotation_banner.setVisible(False)

        self.recovery_uses = QLabel()
        self.recovery_uses.setObjectName("recoveryUses")
        self.recovery_uses.setWordWrap(True)

        self.held_panel = QFrame()
        self.held_panel.setObjectName("handoverPanel")  # the amber notice style
        self.handover_buttons: list[QPushButton] = []  # one per disabled account and site
        held_text = QLabel(
            "Hand each one's open cases to someone admitted to the site before you rotate its key: "
            "a rotation passes them all to you."
        )
        held_text.setWordWrap(True)
        held = QVBoxLayout(self.held_panel)
        held.setContentsMargins(12, 8, 12, 8)
        held.addWidget(section_title("Cases held by disabled accounts"))
        held.addWidget(held_text)
        self.held_rows = QVBoxLayout()
        held.addLayout(self.held_rows)
        self.held_panel.setVisible(False)

        self.waiting = AdmissionModel(self)
        self.waiting_view = table_view(self.waiting, "waitingTable")
        self.waiting_empty = QLabel("Nobody is waiting to be admitted.")
        self.waiting_empty.setObjectName("secondaryText")
        self.admit_button = QPushButton("Admit")
        self.admit_button.setObjectName("primaryButton")
        self.admitted = AdmissionModel(self)
        self.admitted_view = table_view(self.admitted, "admittedTable")
        self.revoke_button = QPushButton("Revoke…")
        self.site_choice = QComboBox()
        self.site_choice.setObjectName("rotationSite")
        self.rotate_button = QPushButton("Rotate site key…")
        self.rotate_button.setObjectName("rotateButton")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)
        layout.addWidget(intro)
        layout.addWidget(self.loading)
        layout.addWidget(self.rotation_banner)
        layout.addWidget(self.recovery_uses)
        layout.addWidget(self.held_panel)
        layout.addWidget(section_title("Waiting for admission"))
        layout.addWidget(self.waiting_empty)
        layout.addWidget(self.waiting_view, 1)
        layout.addLayout(_buttons(self.admit_button))
        layout.addWidget(section_title("Admitted"))
        layout.addWidget(self.admitted_view, 2)
        layout.addLayout(_buttons(self.revoke_button))
        layout.addWidget(section_title("Site key"))
        rotate = QHBoxLayout()
        rotate.addWidget(QLabel("Site"))
        rotate.addWidget(self.site_choice)
        rotate.addWidget(self.rotate_button)
        rotate.addStretch(1)
        layout.addLayout(rotate)

        self.admit_button.clicked.connect(self.admit_selected)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.rotate_button.clicked.connect(self.rotate_chosen)
        self.waiting_view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.admitted_view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self._enable()

    @property
    def busy(self) -> bool:
        return self._busy

    def _enable(self) -> None:
        idle = not self.busy and self._vault is not None
        self.admit_button.setEnabled(idle and selected_object(self.waiting_view) is not None)
        mine = self._vault.actor.username if self._vault is not None else None
        chosen = selected_object(self.admitted_view)
        self.revoke_button.setEnabled(idle and chosen is not None and chosen.username != mine)
        self.rotate_button.setEnabled(idle and bool(self.site_choice.currentText()))
        for button in self.handover_buttons:
            button.setEnabled(idle)

    # --- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self._run(lambda: load_access(vault), "load admissions", self._loaded)

    def _loaded(self, overview: AccessOverview) -> None:
        self.overview = overview
        self.waiting.set_rows(overview.waiting)
        self.admitted.set_rows(overview.admitted)
        self.waiting_empty.setVisible(not overview.waiting)
        self.waiting_view.setVisible(bool(overview.waiting))
        if overview.waiting:
            self.waiting_view.selectRow(0)
        self._show_held(overview.held)
        self.recovery_uses.setText(recovery_text(overview.recovery_uses))
        due = overview.due_rotation
        self.rotation_banner.setVisible(bool(due))
        if due:
            self.rotation_text.setText(
                f"<b>Rotate the key of {', '.join(due)}.</b> A disabled account held it: until it is "
                "rotated, that account's copy of the key could still open the site's cases."
            )
        current = self.site_choice.currentText()
        self.site_choice.clear()
        self.site_choice.addItems(overview.sites)
        chosen = due[0] if due else current
        if chosen in overview.sites:
            self.site_choice.setCurrentText(chosen)
        # The action stands out while a rotation is due (the primary button style).
        self.rotate_button.setObjectName("primaryButton" if due else "rotateButton")
        self.rotate_button.setProperty("due", bool(due))
        self.rotate_button.style().unpolish(self.rotate_button)
        self.rotate_button.style().polish(self.rotate_button)
        self._enable()
        self.loaded.emit()

    def _show_held(self, held: Sequence[HeldByDisabled]) -> None:
        """A line per disabled account and site: who, where, how many, and a Hand over button."""
        self.held_panel.setVisible(False)  # the new lines show with the panel
        while self.held_rows.count():
            item = self.held_rows.takeAt(0)
            line = item.widget() if item is not None else None
            if line is not None:
                line.deleteLater()
        self.handover_buttons = []
        for entry in held:
            line = QWidget()
            row = QHBoxLayout(line)
            row.setContentsMargins(0, 0, 0, 0)
            cases = _cases(entry.open_cases, "open case")
            row.addWidget(QLabel(f"<b>{entry.username}</b> (disabled) holds {cases} at <b>{entry.site_code}</b>."), 1)
            button = QPushButton("Hand over…")
            button.setObjectName("primaryButton")
            button.clicked.connect(lambda _checked=False, chosen=entry: self.hand_over(chosen))
            row.addWidget(button)
            self.held_rows.addWidget(line)
            self.handover_buttons.append(button)
        self.held_panel.setVisible(bool(held))

    @property
    def attention(self) -> int:
        """What asks for the supervisor: people waiting, cases to hand over and sites due a rotation
        (the tab's count)."""
        if self.overview is None:
            return 0
        return len(self.overview.waiting) + len(self.overview.held) + len(self.overview.due_rotation)

    # --- actions ----------------------------------------------------------------------------

    def admit_selected(self) -> None:
        vault, chosen = self._vault, selected_object(self.waiting_view)
        if vault is None or not isinstance(chosen, Admission) or self.busy:
            return
        self._run(
            lambda: AccessService(vault).grant(chosen.username, chosen.site_code),
            "admit",
            changes=Changes(access=True),
        )

    def revoke_selected(self) -> None:
        vault, chosen = self._vault, selected_object(self.admitted_view)
        if vault is None or not isinstance(chosen, Admission) or self.busy:
            return
        if not self._prompts.confirm(
            self,
            "Revoke admission",
            f"Revoke {chosen.username}'s admission to {chosen.site_code}? Their cases there pass to you.",
            "Revoke",
        ):
            return

        def revoked(moved: int) -> None:
            self._prompts.inform(
                self,
                "Revoke admission",
                f"{chosen.username} is no longer admitted to {chosen.site_code}. {_cases(moved)} passed to you.",
            )

        self._run(
            lambda: AccessService(vault).revoke(chosen.username, chosen.site_code),
            "revoke",
            revoked,
            Changes(access=True, assignments=True),
        )

    def hand_over(self, chosen: HeldByDisabled) -> RecordDialog | None:
        """Choose whom a disabled account's open cases at a site go to."""
        vault, overview = self._vault, self.overview
        if vault is None or overview is None or self.busy:
            return None
        cases = _cases(chosen.open_cases, "open case")
        dialog = RecordDialog(
            entity=handover_entity(admitted_staff(overview.admitted, chosen.site_code)),
            names=("to_worker",),
            title="Hand over cases",
            heading=f"Hand over {chosen.username}'s {cases} at {chosen.site_code}",
            intro=f"Every open case {chosen.username} holds at {chosen.site_code} moves to the person you "
            'choose, who gets its key; each keeps "handed over: account disabled" in its history.',
            submit_label="Hand over",
            save=lambda values: SupervisionService(vault).hand_over_disabled(
                chosen.username, chosen.site_code, values["to_worker"]
            ),
            background=self._background,
            prompts=self._prompts,
            changes=Changes(assignments=True),
            parent=self,
        )

        def handed_over(moved: int) -> None:
            self._prompts.inform(
                self, "Hand over cases", f"{_cases(moved)} of {chosen.username} at {chosen.site_code} handed over."
            )

        dialog.saved.connect(handed_over)
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def rotate_chosen(self) -> None:
        vault, site = self._vault, self.site_choice.currentText()
        if vault is None or not site or self.busy:
            return
        if not self._prompts.confirm(
            self,
            "Rotate site key",
            f"Make a new key for {site}? Every case key and admission there is wrapped again; cases "
            "held by disabled accounts pass to you. This can take a while on a large site.",
            "Rotate key",
        ):
            return

        def rotated(count: int) -> None:
            self._prompts.inform(self, "Rotate site key", f"{site} has a new key: {_cases(count)} re-wrapped.")

        self._run(
            lambda: AccessService(vault).rotate_site_key(site),
            "rotate site key",
            rotated,
            Changes(access=True, assignments=True),
        )

    def _vault_changed(self, changes: Changes) -> None:
        """Who waits, who is admitted and who holds cases may differ: load again (the tab's
        count shows even while another tab is open)."""
        if changes.access or changes.assignments or changes.accounts:
            self.reload()

    def _run(
        self,
        work: Callable[[], Any],
        name: str,
        on_returned: Callable[[Any], None] | None = None,
        changes: Changes | None = None,
    ) -> None:
        self._busy = True
        self.loading.setVisible(True)
        self._enable()

        def returned(result: Any) -> None:
            self._busy = False
            self.loading.setVisible(False)
            if on_returned is not None:
                on_returned(result)
            self._enable()

        self._background.run(work, name=name, on_returned=returned, on_errored=self._failed, changes=changes)

    def _failed(self, error: BaseException) -> None:
        self._busy = False
        self.loading.setVisible(False)
        self._enable()
        self._prompts.warn(self, "Access", user_message(error))

    def clear(self) -> None:
        """The vault locked: forget everyone."""
        self._vault = None
        self.overview = None
        self.waiting.clear()
        self.admitted.clear()
        self._show_held([])
        self.site_choice.clear()
        self.rotation_banner.setVisible(False)
        self.recovery_uses.clear()
        self._busy = False
        self.loading.setVisible(False)
        self._enable()


def _buttons(*buttons: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def _cases(count: int, what: str = "case") -> str:
    return f"{count} {what}{'s' if count != 1 else ''}"
