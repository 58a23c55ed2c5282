"""Importing cases from a spreadsheet saved as CSV: choose the file, see every row and every
problem (row, column, reason), import only when there are none, with progress, then a summary.

The file is read once; the preview and the import work on the same bytes, so what is imported is
what was previewed. The service validates everything again and imports all rows or none.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from youthcase.gui.background import Background
from youthcase.gui.changes import Changes
from youthcase.gui.errors import user_message
from youthcase.gui.forms import DIALOG_MARGINS
from youthcase.gui.inline import InlineError
from youthcase.gui.models.imports import PreviewTableModel, ProblemTableModel
from youthcase.gui.prompts import Prompts
from youthcase.services.case_import import (
    MAX_FILE_BYTES,
    CaseImport,
    ImportPreview,
    ImportResult,
    RowStatus,
)
from youthcase.services.vault import UnlockedVault

if TYPE_CHECKING:
    from youthcase.services.case_import import Progress


class ProgressRelay(QObject):
    """Carries ``progress(done, total)`` from the worker thread to the GUI thread (queued)."""

    moved = Signal(int, int)

    def __call__(self, done: int, total: int) -> None:
        self.moved.emit(done, total)


def read_import_file(path: Path) -> bytes | Path:
    """The file's bytes, read once; a file too big is passed on as a path for the service to
    refuse with its own message, without reading it."""
    if path.stat().st_size > MAX_FILE_BYTES:
        return path
    return path.read_bytes()


def preview_file(vault: UnlockedVault, path: Path, progress: Progress) -> tuple[bytes | Path, ImportPreview]:
    source = read_import_file(path)
    return source, CaseImport(vault).preview(source, progress)


def summary_text(preview: ImportPreview) -> str:
    rows = len(preview.rows)
    new = preview.count(RowStatus.NEW)
    parts = [f"{rows} row{'s' if rows != 1 else ''} read"]
    if new:
        returning = f" ({preview.returning} for young people already known)" if preview.returning else ""
        parts.append(f"{new} new case{'s' if new != 1 else ''}{returning}")
    already = preview.count(RowStatus.ALREADY_IMPORTED)
    if already:
        parts.append(f"{already} already imported (skipped)")
    repeated = preview.count(RowStatus.REPEATED)
    if repeated:
        parts.append(f"{repeated} repeated in the file (imported once)")
    if preview.problems:
        count = len(preview.problems)
        parts.append(f"{count} problem{'s' if count != 1 else ''}: nothing can be imported until the file is put right")
    elif not new:
        parts.append("nothing new to import")
    return "; ".join(parts) + "."


def result_text(result: ImportResult) -> str:
    text = f"Imported {result.imported} case{'s' if result.imported != 1 else ''}"
    if result.references:
        first, last = result.references[0], result.references[-1]
        text += f" ({first})" if first == last else f" ({first} to {last})"
    extras = []
    if result.returning_matched:
        extras.append(f"{result.returning_matched} for young people already known")
    if result.already_imported:
        extras.append(f"{result.already_imported} already imported before")
    if result.repeated_in_file:
        extras.append(f"{result.repeated_in_file} repeated rows imported once")
    return text + (f"; {'; '.join(extras)}" if extras else "") + ". They are on your caseload."


def _table(name: str) -> QTableView:
    view = QTableView()
    view.setObjectName(name)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ImportDialog(QDialog):
    imported = Signal(object)  # ImportResult
    previewed = Signal()

    def __init__(
        self,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        *,
        hide_names: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import cases")
        self.setModal(True)
        self.resize(880, 620)
        self._vault = vault
        self._background = background
        self._prompts = prompts
        self._source: bytes | Path | None = None
        self.preview: ImportPreview | None = None
        self.path: Path | None = None
        self.running = False

        heading = QLabel("Import cases from a spreadsheet")
        heading.setObjectName("dialogHeading")
        intro = QLabel(
            "Save the spreadsheet as CSV UTF-8 with the template's columns "
            "(case-import-template.csv). Every row is checked first: nothing is "
            "imported until there are no problems, and then every row is imported "
            "together. Rows imported before are skipped."
        )
        intro.setObjectName("secondaryText")
        intro.setWordWrap(True)
        self.file_label = QLabel("No file chosen.")
        self.file_label.setObjectName("fileName")
        self.choose_button = QPushButton("Choose file…")
        self.choose_button.setAutoDefault(False)
        self.progress = QProgressBar()
        self.progress.setObjectName("importProgress")
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.progress.setVisible(False)
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.error = InlineError()

        self.rows = PreviewTableModel(self)
        self.rows.set_hide_names(hide_names)
        self.problems = ProblemTableModel(self)
        self.row_view = _table("previewTable")
        self.row_view.setModel(self.rows)
        self.problem_view = _table("problemTable")
        self.problem_view.setModel(self.problems)
        self.problem_view.setWordWrap(True)  # a reason is a sentence; there are few of them
        self.problems.modelReset.connect(self.problem_view.resizeRowsToContents)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.row_view, "Rows")
        self.tabs.addTab(self.problem_view, "Problems")

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.import_button.setDefault(True)

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_label, 1)
        file_row.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(*DIALOG_MARGINS)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(file_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

        self.relay = ProgressRelay(self)
        self.relay.moved.connect(self._moved)
        self.choose_button.clicked.connect(self.choose_file)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)

    def set_hide_names(self, hide: bool) -> None:
        self.rows.set_hide_names(hide)

    # --- preview ---------------------------------------------------------------------------

    def choose_file(self) -> None:
        if self.running:
            return
        path = self._prompts.choose_import_file(self)
        if path is not None:
            self.start_preview(path)

    def start_preview(self, path: Path) -> None:
        vault, relay = self._vault, self.relay
        self.path = path
        self.file_label.setText(path.name)
        self.file_label.setToolTip(str(path))
        self._reset_preview()
        self._start("Checking the rows…")
        self._background.run(
            lambda: preview_file(vault, path, relay),
            name="preview import",
            on_returned=self._previewed,
            on_errored=self._failed,
        )

    def _reset_preview(self) -> None:
        self.preview = None
        self._source = None
        self.rows.clear()
        self.problems.clear()
        self.error.clear()
        self.import_button.setEnabled(False)

    def _previewed(self, outcome: tuple[bytes | Path, ImportPreview]) -> None:
        self._stop()
        self._source, preview = outcome
        self.preview = preview
        self.rows.set_rows(preview.rows)
        self.problems.set_rows(preview.problems)
        self.summary.setText(summary_text(preview))
        self.summary.setProperty("tone", "problem" if preview.problems else "good")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self.tabs.setTabText(1, f"Problems ({len(preview.problems)})")
        self.tabs.setCurrentIndex(1 if preview.problems else 0)
        self.import_button.setEnabled(preview.ok and preview.count(RowStatus.NEW) > 0)
        self.previewed.emit()

    # --- import ----------------------------------------------------------------------------

    def start_import(self) -> None:
        source, preview = self._source, self.preview
        if self.running or source is None or preview is None or not preview.ok:
            return
        vault, relay = self._vault, self.relay
        self._start("Importing…")
        self.import_button.setEnabled(False)
        self._background.run(
            lambda: CaseImport(vault).import_file(source, relay),
            name="import cases",
            on_returned=self._imported,
            on_errored=self._failed,
            changes=Changes(cases=True),
        )

    def _imported(self, result: ImportResult) -> None:
        self._stop()
        self._source = None
        self.summary.setText(result_text(result))
        self.summary.setProperty("tone", "good")
        self.summary.style().unpolish(self.summary)
        self.summary.style().polish(self.summary)
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.imported.emit(result)

    # --- common ----------------------------------------------------------------------------

    def _start(self, text: str) -> None:
        self.running = True
        self.summary.setText(text)
        self.summary.setProperty("tone", "hint")
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.choose_button.setEnabled(False)
        self.close_button.setEnabled(False)

    def _stop(self) -> None:
        self.running = False
        self.progress.setVisible(False)
        self.choose_button.setEnabled(True)
        self.close_button.setEnabled(True)

    def _moved(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _failed(self, error: BaseException) -> None:
        self._stop()
        problems = getattr(error, "problems", None)
        if problems:  # the file changed under us, or the service found more: show them
            self.problems.set_rows(problems)
            self.tabs.setTabText(1, f"Problems ({len(problems)})")
            self.tabs.setCurrentIndex(1)
            self.import_button.setEnabled(False)
        self.summary.clear()
        self.error.show_message(user_message(error))

    def reject(self) -> None:
        if not self.running:
            super().reject()

    def done(self, result: int) -> None:
        self._source = None  # the file's contents leave memory with the dialog
        self.rows.clear()
        self.problems.clear()
        super().done(result)
