"""The service directory on the Administration page: where young people are referred to.

Administrators list every service (inactive ones too), add one, and edit one (above all its chase
interval, and whether it is still offered for new referrals). The service layer allows this to
administrators only; the forms are dictionary-driven ``RecordDialog``s saving on the background
queue.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import QItemSelection, QModelIndex, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from youthcase.domain.referrals import DEFAULT_CHASE_INTERVAL_DAYS
from youthcase.gui.background import Background
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms.fields import Raw
from youthcase.gui.forms.record import RecordDialog, SaveRecord
from youthcase.gui.forms.referral_fields import SERVICE
from youthcase.gui.inline import InlineError
from youthcase.gui.models import OBJECT_ROLE
from youthcase.gui.models import referrals as columns
from youthcase.gui.models.referrals import ServiceTableModel
from youthcase.gui.prompts import Prompts
from youthcase.gui.tables import table_view
from youthcase.gui.values import edit_text
from youthcase.gui.windows import close_windows, open_form
from youthcase.services.service_directory import ServiceDirectory, ServiceEntry
from youthcase.services.vault import UnlockedVault

NEW_SERVICE_FIELDS = ("service_type", "name", "provider", "borough", "phone", "email", "address", "chase_interval_days")
EDIT_SERVICE_FIELDS = (*NEW_SERVICE_FIELDS, "active")
MIN_TABLE_HEIGHT = 150  # a few services in sight on a laptop, below accounts and sites


def list_directory(vault: UnlockedVault) -> list[ServiceEntry]:
    return ServiceDirectory(vault).list_services(active_only=False)


class ServiceDirectoryPanel(QWidget):
    loaded = Signal()

    def __init__(
        self, vault: UnlockedVault, background: Background, prompts: Prompts, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("serviceDirectory")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        background.notice.changed.connect(self._vault_changed)

        self.model = ServiceTableModel(self)
        self.view = table_view(self.model, "serviceTable", sort_column=columns.SERVICE_TYPE_COLUMN)
        self.view.setMinimumHeight(MIN_TABLE_HEIGHT)

        self.add_button = QPushButton("Add service…")
        self.add_button.setObjectName("addServiceButton")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setObjectName("editServiceButton")
        self.edit_button.setToolTip("Change the chase interval, or stop offering the service")
        self.edit_button.setEnabled(False)
        self.error = InlineError()

        title = QLabel("Service directory")
        title.setObjectName("sectionTitle")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(self.edit_button)
        heading.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addLayout(heading)
        layout.addWidget(self.error)
        layout.addWidget(self.view, 1)

        self.add_button.clicked.connect(lambda: self.open_add_service())
        self.edit_button.clicked.connect(lambda: self.open_edit_service())
        self.view.activated.connect(self._activated)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.model.modelReset.connect(lambda: self._selection_changed())

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self._background.run(
            lambda: list_directory(vault),
            name="load service directory",
            on_returned=self._loaded,
            on_errored=self._failed,
        )

    def _loaded(self, services: list[ServiceEntry]) -> None:
        self.error.clear()
        self.model.set_rows(services)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.error.show_message(user_message(error))

    def _vault_changed(self, changes: Changes) -> None:
        if changes.directory:
            self.refresh()

    def clear(self) -> None:
        close_windows(self)
        self.model.clear()
        self.error.clear()
        self._vault = None

    # --- adding and editing ----------------------------------------------------------------

    def selected(self) -> ServiceEntry | None:
        rows = self.view.selectionModel().selectedRows()
        service: ServiceEntry | None = rows[0].data(OBJECT_ROLE) if rows else None
        return service

    def _selection_changed(self, _s: QItemSelection | None = None, _d: QItemSelection | None = None) -> None:
        self.edit_button.setEnabled(self.selected() is not None)

    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_edit_service()

    def _dialog(
        self,
        title: str,
        heading: str,
        intro: str,
        submit: str,
        names: tuple[str, ...],
        initial: dict[str, Raw],
        save: SaveRecord,
    ) -> RecordDialog:
        dialog = RecordDialog(
            entity=SERVICE,
            names=names,
            title=title,
            heading=heading,
            intro=intro,
            submit_label=submit,
            save=save,
            background=self._background,
            prompts=self._prompts,
            initial=initial,
            changes=Changes(directory=True),
            parent=self,
        )
        dialog.finished.connect(dialog.deleteLater)
        open_form(dialog)
        return dialog

    def open_add_service(self) -> RecordDialog | None:
        vault = self._vault
        if vault is None:
            return None
        return self._dialog(
            "Add service",
            "Add a service to the directory",
            "Workers choose it when they refer a young person on. Organisations only, never a named person.",
            "Add service",
            NEW_SERVICE_FIELDS,
            {"chase_interval_days": str(DEFAULT_CHASE_INTERVAL_DAYS)},
            lambda values: ServiceDirectory(vault).add_service(values),
        )

    def open_edit_service(self) -> RecordDialog | None:
        vault, service = self._vault, self.selected()
        if vault is None or service is None:
            return None
        service_id: uuid.UUID = service.service_id
        initial = {name: edit_text(SERVICE[name], getattr(service, name)) for name in EDIT_SERVICE_FIELDS}
        return self._dialog(
            "Edit service",
            f"Edit  ·  {service.name}",
            "A new chase interval applies to referrals already made, from today. A service no "
            "longer offered stays on the referrals made to it.",
            "Save changes",
            EDIT_SERVICE_FIELDS,
            initial,
            lambda values: ServiceDirectory(vault).update_service(service_id, values),
        )
