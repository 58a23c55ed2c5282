"""Message boxes and file dialogs behind one object, so tests can swap in a scripted fake.

Widgets never call ``QMessageBox`` or ``QFileDialog`` directly: they get a ``Prompts`` and ask it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


class Prompts:
    def inform(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    def warn(self, parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.warning(parent, title, text)

    def confirm(self, parent: QWidget | None, title: str, text: str, action: str) -> bool:
        """Ask before something that cannot be undone; ``action`` labels the confirming button."""
        box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes

    def choose_new_vault_file(self, parent: QWidget | None, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Where to keep the vault", str(suggested), "youthcase vault (*.vault);;All files (*)"
        )
        return Path(name) if name else None

    def choose_letter_file(self, parent: QWidget | None, suggested: Path) -> Path | None:
        """Where to save a referral letter (PDF); the caller writes nothing anywhere else."""
        name, _ = QFileDialog.getSaveFileName(
            parent, "Save the referral letter", str(suggested), "PDF documents (*.pdf)"
        )
        return Path(name) if name else None

    def choose_import_file(self, parent: QWidget | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Import cases from a CSV file", "", "CSV files (*.csv);;All files (*)"
        )
        return Path(name) if name else None

    def choose_backup_folder(self, parent: QWidget | None, current: Path) -> Path | None:
        name = QFileDialog.getExistingDirectory(parent, "Where to keep the backups", str(current))
        return Path(name) if name else None

    def choose_backup_file(self, parent: QWidget | None, folder: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent, "Choose a backup to restore", str(folder), "youthcase backups (*.ycbackup);;All files (*)"
        )
        return Path(name) if name else None

    def choose_restored_vault_file(self, parent: QWidget | None, suggested: Path) -> Path | None:
        """Where the restored vault goes: a new file (a file that exists is only replaced after a
        confirmation)."""
        name, _ = QFileDialog.getSaveFileName(
            parent,
            "Restore to",
            str(suggested),
            "youthcase vault (*.vault);;All files (*)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        return Path(name) if name else None
