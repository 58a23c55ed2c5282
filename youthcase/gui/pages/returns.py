"""Returns: the anonymised monthly return for commissioners, built, previewed and saved.

Pick a month (the last complete month by default, from the 24 before this one), a site (all sites or
one) and, when commissioners ask for it, a stricter disclosure rule. "Build return" runs
``ReturnService.produce`` on the background queue; its progress messages reach the GUI thread by a
queued signal, never by touching a widget from the worker. The PDF's own pages are then drawn into
the page (``youthcase.gui.pdf_preview``), on the queue too. "Save PDF and CSV…" asks for the PDF's
file name once; the CSV goes beside it with the same stem (commissioners receive the two together),
and replacing an existing file is confirmed first.

Producing is audited by the service (an ``export`` event for the return's id) before the documents
come back; saving writes each file atomically. Supervisors and administrators see this page; the
service refuses anyone else anyway.

Locking calls ``clear()``: a build still running is cancelled at its next progress step (the
service rolls back and audits nothing), and the PDF, the CSV and the pixmaps are dropped.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from youthcase.gui.background import Background
from youthcase.gui.errors import sentence, user_message
from youthcase.gui.inline import InlineError
from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout
from youthcase.gui.pdf_preview import ZOOM_LEVELS, PdfPreview
from youthcase.gui.prompts import Prompts
from youthcase.gui.values import instant_text
from youthcase.gui.windows import close_windows
from youthcase.returns.disclosure import STANDARD, DisclosureRule
from youthcase.returns.kpis import Month
from youthcase.services.sites import SiteService, SiteSummary
from youthcase.services.vault import UnlockedVault

if TYPE_CHECKING:
    from youthcase.services.returns import ReturnDocuments

MONTHS_OFFERED = 24
ALL_SITES_TEXT = "All sites"
MAX_SETTING = 999  # three digits: far beyond any rule a commissioner asks for
PROGRESS_STEPS = 1000
BUILD_TEXT = "Build return"
SAVE_TEXT = "Save PDF and CSV…"

Progress = Callable[[float, str], None]


class BuildCancelled(Exception):
    """Raised from the progress callback after a lock: the service rolls back, audits nothing."""


@dataclass(frozen=True)
class ReturnRequest:
    month: Month
    site: str | None  # a site code; None for all sites
    rule: DisclosureRule


# --- plain functions: the background queue runs these (values in and out, no widgets) ------------


def load_sites(vault: UnlockedVault) -> list[SiteSummary]:
    return SiteService(vault).list_sites()


def produce_return(vault: UnlockedVault, request: ReturnRequest, progress: Progress) -> ReturnDocuments:
    """Read the figures, apply disclosure control, draw the PDF and the CSV, audit the export."""
    from youthcase.services.returns import ReturnService  # reportlab loads on the worker thread

    return ReturnService(vault).produce(request.month, request.site, request.rule, progress)


def save_return(documents: ReturnDocuments, pdf_path: Path, csv_path: Path) -> None:
    from youthcase.services.returns import ReturnService

    ReturnService.save(documents, pdf_path, csv_path)


# --- choices and checks, kept apart from the widgets so they can be tested on their own --------


def months_before(now: dt.datetime, count: int = MONTHS_OFFERED) -> list[Month]:
    """The ``count`` complete months before the one ``now`` is in, the latest first."""
    latest = Month.containing(now).plus(-1)
    return [latest.plus(-offset) for offset in range(count)]


def site_text(site: SiteSummary) -> str:
    text = f"{site.code} · {site.name}"
    return text if site.active else f"{text} (closed)"


def disclosure_rule(stricter: bool, threshold: str, rounding_base: str) -> DisclosureRule:
    """The rule asked for; ``ValueError`` with a sentence for the user when it cannot be used."""
    if not stricter:
        return STANDARD
    suppress = _whole_number(threshold, "Suppress counts up to", STANDARD.max_suppressed)
    base = _whole_number(rounding_base, "Round to the nearest", STANDARD.rounding_base)
    try:
        return DisclosureRule(suppress, base)
    except ValueError as error:
        raise ValueError(sentence(str(error)) + ".") from None


def _whole_number(text: str, what: str, least: int) -> int:
    text = text.strip()
    if not text.isdigit() or not least <= int(text) <= MAX_SETTING:
        raise ValueError(f"{what}: write a whole number from {least} to {MAX_SETTING}.")
    return int(text)


def pdf_path_for(chosen: Path) -> Path:
    """The file name given, ending in ``.pdf`` ("march" becomes "march.pdf")."""
    return chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")


def csv_path_for(pdf_path: Path) -> Path:
    """The CSV beside the PDF, with the same stem."""
    return pdf_path.with_suffix(".csv")


def rule_summary(rule: DisclosureRule) -> str:
    """One line for the form (the PDF's methodology carries the whole rule)."""
    return (
        f"Counts of 1 to {rule.max_suppressed} are shown as *; other counts are rounded to the "
        f"nearest {rule.rounding_base} (never below {rule.smallest_shown}); 0 stays 0."
    )


def save_problem(error: BaseException) -> str:
    """The service names the file at fault in lower case ("pdf: ..."); on screen, "PDF: ..."."""
    text = user_message(error)
    for what in ("PDF", "CSV"):
        if text.startswith(f"{what.capitalize()}: "):
            return what + text[len(what) :]
    return text


def rule_text(rule: DisclosureRule) -> str:
    if rule == STANDARD:
        return "standard disclosure control"
    return f"stricter disclosure control (1 to {rule.max_suppressed} suppressed, rounded to {rule.rounding_base})"


# --- Qt ----------------------------------------------------------------------------------------


class ReturnFileDialog:
    """The save dialog for a return: one PDF file name. Tests replace it with a scripted fake.

    (``Prompts`` has no dialog for a return yet; this belongs there when the prompts are next
    touched.)
    """

    def choose_pdf(self, parent: QWidget | None, suggested: Path) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            parent, "Save the return (the CSV is saved beside the PDF)", str(suggested), "PDF files (*.pdf)"
        )
        return Path(name) if name else None


class ProgressRelay(QObject):
    """Lives on the GUI thread; the worker emits, Qt queues the call to the GUI thread."""

    reported = Signal(int, float, str)  # build number, fraction done, message


def _caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setObjectName("fieldCaption")
    label.setBuddy(buddy)
    return label


def _number_input(text: str) -> QLineEdit:
    edit = QLineEdit(text)
    edit.setMaxLength(len(str(MAX_SETTING)))
    edit.setFixedWidth(72)
    edit.setAlignment(Qt.AlignmentFlag.AlignRight)
    return edit


def _repolish(widget: QWidget) -> None:
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class ReturnsPage(QWidget):
    progress_reported = Signal(float, str)  # on the GUI thread, for each step of the build
    built = Signal()  # documents are ready (the preview is drawn after)
    saved = Signal(object)  # the PDF's path; the CSV is beside it

    def __init__(
        self,
        spec: SectionSpec,
        vault: UnlockedVault,
        background: Background,
        prompts: Prompts,
        parent: QWidget | None = None,
        file_dialog: ReturnFileDialog | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("returnsPage")
        self._vault: UnlockedVault | None = vault
        self._background = background
        self._prompts = prompts
        self.file_dialog = file_dialog or ReturnFileDialog()
        self.documents: ReturnDocuments | None = None
        self._build_number = 0  # bumped by each build and by clear(): late reports are ignored
        self._cancel: threading.Event | None = None
        self._building = False
        self._saving = False
        self._folder: Path | None = None  # where the last return was saved, this session
        self._relay = ProgressRelay(self)
        self._relay.reported.connect(self._progress, Qt.ConnectionType.QueuedConnection)

        self.month = QComboBox()
        self.month.setObjectName("returnMonth")
        self.month.setMinimumWidth(180)
        self.site = QComboBox()
        self.site.setObjectName("returnSite")
        self.site.setMinimumWidth(280)
        self.build_button = QPushButton(BUILD_TEXT)
        self.build_button.setObjectName("primaryButton")
        self.stricter = QCheckBox("Use a stricter disclosure rule")
        self.threshold = _number_input(str(STANDARD.max_suppressed))
        self.rounding_base = _number_input(str(STANDARD.rounding_base))
        self.rule_help = QLabel()
        self.rule_help.setObjectName("fieldHelp")
        self.rule_help.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setObjectName("busyBar")
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.progress.setVisible(False)
        self.progress_message = QLabel()
        self.progress_message.setObjectName("secondaryText")
        self.error = InlineError()
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.details = QLabel()
        self.details.setObjectName("secondaryText")
        self.details.setWordWrap(True)
        self.saved_note = QLabel()
        self.saved_note.setProperty("tone", "good")
        self.saved_note.setWordWrap(True)
        self.saved_note.setVisible(False)
        self.zoom = QComboBox()
        self.zoom.setObjectName("previewZoom")
        for level in ZOOM_LEVELS:
            self.zoom.addItem(f"{level:.0%}", level)
        self.zoom.setCurrentIndex(ZOOM_LEVELS.index(1.0))
        self.save_button = QPushButton(SAVE_TEXT)
        self.save_button.setObjectName("primaryButton")
        self.preview = PdfPreview(background)
        self.empty = self._empty_state()
        self.preview_stack = QStackedWidget()
        self.preview_stack.addWidget(self.empty)
        self.preview_stack.addWidget(self.preview)

        layout = page_layout(self)
        page_header(
            layout,
            spec.title,
            "The anonymised monthly return for commissioners: counts "
            "by site, age band and type of violence, small numbers suppressed and the rest "
            "rounded. Saved as a PDF with a CSV of the same figures.",
        )
        layout.addSpacing(12)
        layout.addWidget(self._choices_card())
        layout.addWidget(self.progress)
        layout.addWidget(self.progress_message)
        layout.addWidget(self.error)
        layout.addSpacing(4)
        layout.addLayout(self._result_row())
        layout.addWidget(self.saved_note)
        layout.addWidget(self.preview_stack, 1)

        self.stricter.toggled.connect(self._rule_changed)
        self.threshold.textChanged.connect(self._rule_changed)
        self.rounding_base.textChanged.connect(self._rule_changed)
        self.month.currentIndexChanged.connect(self._update_buttons)
        self.build_button.clicked.connect(self.build)
        self.save_button.clicked.connect(self.save)
        self.zoom.currentIndexChanged.connect(self._zoom_changed)
        self.preview.rendered.connect(self._preview_done)
        self.preview.failed.connect(self.error.show_message)
        self._show_sites([])
        self._rule_changed()
        self._show_documents(None)

    def _choices_card(self) -> QFrame:
        card = QFrame()
        card.setObjectName("caseHeader")  # the white card the case view's header uses
        grid = QGridLayout(card)
        grid.setContentsMargins(18, 10, 18, 10)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(6)
        grid.addWidget(_caption("&Month", self.month), 0, 0)
        grid.addWidget(_caption("&Site", self.site), 0, 1)
        grid.addWidget(self.month, 1, 0)
        grid.addWidget(self.site, 1, 1)
        grid.addWidget(self.build_button, 1, 3)
        grid.setColumnStretch(2, 1)
        rule_row = QHBoxLayout()
        rule_row.setSpacing(8)
        rule_row.addWidget(self.stricter)
        rule_row.addSpacing(16)
        self._threshold_caption = QLabel("Suppress counts up to")
        self._base_caption = QLabel("round the rest to the nearest")
        rule_row.addWidget(self._threshold_caption)
        rule_row.addWidget(self.threshold)
        rule_row.addWidget(self._base_caption)
        rule_row.addWidget(self.rounding_base)
        rule_row.addStretch(1)
        # Beside the month and site, not under them: the preview gets the height (1366x768).
        grid.addLayout(rule_row, 0, 2)
        grid.addWidget(self.rule_help, 1, 2)
        return card

    @staticmethod
    def _empty_state() -> QWidget:
        holder = QWidget()
        card = QFrame()
        card.setObjectName("placeholderCard")
        text = QLabel(
            "Choose a month and a site, then build the return. Its pages are shown here "
            "as commissioners will see them, ready to save as a PDF and a CSV."
        )
        text.setObjectName("secondaryText")
        text.setWordWrap(True)
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(24, 20, 24, 20)
        card_layout.addWidget(text)
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card)
        layout.addStretch(1)
        return holder

    def _result_row(self) -> QHBoxLayout:
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.summary)
        text.addWidget(self.details)
        row = QHBoxLayout()
        row.addLayout(text, 1)
        self._zoom_caption = QLabel("Zoom")
        self._zoom_caption.setObjectName("secondaryText")
        row.addWidget(self._zoom_caption)
        row.addWidget(self.zoom)
        row.addSpacing(8)
        row.addWidget(self.save_button)
        return row

    # --- loading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        vault = self._vault
        if vault is None:
            return
        self._show_months(months_before(vault.clock.now()))
        self._background.run(
            lambda: load_sites(vault),
            name="load sites for the return",
            on_returned=self._sites_loaded,
            on_errored=self._failed,
        )

    def _show_months(self, months: list[Month]) -> None:
        chosen = self.month.currentData()
        self.month.clear()
        for month in months:
            self.month.addItem(month.label, month.key)
        index = self.month.findData(chosen) if chosen is not None else -1
        self.month.setCurrentIndex(max(index, 0) if months else -1)

    def _sites_loaded(self, sites: list[SiteSummary]) -> None:
        if self._vault is not None:
            self._show_sites(sites)

    def _show_sites(self, sites: list[SiteSummary]) -> None:
        chosen = self.site.currentData()
        self.site.clear()
        self.site.addItem(ALL_SITES_TEXT, None)
        for site in sites:
            self.site.addItem(site_text(site), site.code)
        index = self.site.findData(chosen) if chosen is not None else 0
        self.site.setCurrentIndex(max(index, 0))

    def _failed(self, error: BaseException) -> None:
        self.error.show_message(user_message(error))

    # --- the request -----------------------------------------------------------------------

    def request(self) -> ReturnRequest | None:
        """What the choices ask for; None while they cannot be used."""
        key = self.month.currentData()
        if not isinstance(key, str):
            return None
        month = Month.parse(key)
        try:
            rule = self._rule()
        except ValueError:
            return None
        site = self.site.currentData()
        return ReturnRequest(month, site if isinstance(site, str) else None, rule)

    def _rule(self) -> DisclosureRule:
        return disclosure_rule(self.stricter.isChecked(), self.threshold.text(), self.rounding_base.text())

    def _rule_changed(self, *_args: object) -> None:
        stricter = self.stricter.isChecked()
        for widget in (self.threshold, self.rounding_base, self._threshold_caption, self._base_caption):
            widget.setVisible(stricter)
            widget.setEnabled(not self._building)
        problem = ""
        try:
            rule = self._rule()
        except ValueError as error:
            problem = str(error)
            rule = None
        self.rule_help.setText(problem or (rule_summary(rule) if rule else ""))
        self.rule_help.setObjectName("fieldError" if problem else "fieldHelp")
        _repolish(self.rule_help)
        for edit in (self.threshold, self.rounding_base):
            edit.setProperty("invalid", bool(problem))
            _repolish(edit)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        ready = self._vault is not None and not self._building
        self.build_button.setEnabled(ready and self.request() is not None)
        self.save_button.setEnabled(ready and not self._saving and self.documents is not None)
        for widget in (self.month, self.site, self.stricter):
            widget.setEnabled(ready)

    # --- building --------------------------------------------------------------------------

    @property
    def building(self) -> bool:
        return self._building

    def build(self) -> None:
        vault, request = self._vault, self.request()
        if vault is None or request is None or self._building:
            return
        self._build_number += 1
        number = self._build_number
        cancel = threading.Event()
        self._cancel = cancel
        relay = self._relay

        def progress(fraction: float, message: str) -> None:  # runs on the worker thread
            if cancel.is_set():
                raise BuildCancelled()
            relay.reported.emit(number, fraction, message)

        self._show_documents(None)
        self.error.clear()
        self._building = True
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.progress_message.setText("Starting…")
        self.build_button.setText("Building…")
        self._rule_changed()
        self._background.run(
            lambda: produce_return(vault, request, progress),
            name="build return",
            on_returned=lambda documents: self._built(number, documents),
            on_errored=lambda error: self._build_failed(number, error),
        )

    def _progress(self, number: int, fraction: float, message: str) -> None:
        if number != self._build_number or not self._building:
            return
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * PROGRESS_STEPS))
        self.progress_message.setText(f"{message}…" if fraction < 1 else message)
        self.progress_reported.emit(fraction, message)

    def _built(self, number: int, documents: ReturnDocuments) -> None:
        if number != self._build_number:
            return
        self._stop_building()
        self.progress_message.setText("Drawing the pages…")
        self._show_documents(documents)
        self.built.emit()

    def _build_failed(self, number: int, error: BaseException) -> None:
        if number != self._build_number:
            return
        self._stop_building()
        self.progress_message.clear()
        self.error.show_message(user_message(error))

    def _stop_building(self) -> None:
        self._building = False
        self._cancel = None
        self.progress.setVisible(False)
        self.build_button.setText(BUILD_TEXT)
        self._rule_changed()

    # --- the result ------------------------------------------------------------------------

    def _show_documents(self, documents: ReturnDocuments | None) -> None:
        self.documents = documents
        self.saved_note.setVisible(False)
        has = documents is not None
        for widget in (self.summary, self.details, self.zoom, self._zoom_caption, self.save_button):
            widget.setVisible(has)
        if documents is None:
            self.preview.clear()
            self.preview_stack.setCurrentWidget(self.empty)
            self.summary.clear()
            self.details.clear()
        else:
            model = documents.model
            site = model.overall
            where = f"{site.code} · {site.name}" if site.site_id is not None else site.name
            self.summary.setText(f"{model.month.label} · {where}")
            self._describe(documents, pages=None)
            self.preview_stack.setCurrentWidget(self.preview)
            self.preview.show_pdf(documents.pdf)
        self._update_buttons()

    def _describe(self, documents: ReturnDocuments, pages: int | None) -> None:
        model = documents.model
        facts = [
            f"{pages} page{'s' if pages != 1 else ''}" if pages is not None else None,
            f"produced {instant_text(model.produced_at)}",
            rule_text(model.rule),
        ]
        self.details.setText(" · ".join(fact for fact in facts if fact))

    def _preview_done(self, pages: int) -> None:
        if self.documents is not None:
            self._describe(self.documents, pages)
            if not self._building:
                self.progress_message.clear()

    def _zoom_changed(self, _index: int) -> None:
        level = self.zoom.currentData()
        if isinstance(level, float):
            self.preview.set_zoom(level)

    # --- saving ----------------------------------------------------------------------------

    def _suggested_path(self, documents: ReturnDocuments) -> Path:
        folder = self._folder
        if folder is None:
            documents_folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            folder = Path(documents_folder) if documents_folder else Path.home()
        return folder / f"{documents.suggested_name}.pdf"

    def save(self) -> None:
        documents = self.documents
        if documents is None or self._saving:
            return
        chosen = self.file_dialog.choose_pdf(self, self._suggested_path(documents))
        if chosen is None or self.documents is not documents:  # cancelled, or locked meanwhile
            return
        pdf_path = pdf_path_for(chosen)
        csv_path = csv_path_for(pdf_path)
        # The dialog asked about the name it was given; ask about any other file to be replaced.
        replaced = [p for p in (pdf_path, csv_path) if p != chosen and p.exists()]
        if replaced:
            names = " and ".join(p.name for p in replaced)
            if (
                not self._prompts.confirm(
                    self,
                    "Replace files",
                    f"{names} already {'exists' if len(replaced) == 1 else 'exist'} in "
                    f"{pdf_path.parent}. Replace {'it' if len(replaced) == 1 else 'them'}?",
                    "Replace",
                )
                or self.documents is not documents
            ):
                return
        self._saving = True
        self.error.clear()
        self.saved_note.setVisible(False)
        self._update_buttons()
        number = self._build_number
        self._background.run(
            lambda: save_return(documents, pdf_path, csv_path),
            name="save return",
            on_returned=lambda _: self._saved(number, pdf_path, csv_path),
            on_errored=lambda error: self._save_failed(number, error),
        )

    def _saved(self, number: int, pdf_path: Path, csv_path: Path) -> None:
        if number != self._build_number:
            return
        self._saving = False
        self._folder = pdf_path.parent
        self.saved_note.setText(f"Saved {pdf_path.name} and {csv_path.name} in {pdf_path.parent}.")
        self.saved_note.setVisible(True)
        self._update_buttons()
        self.saved.emit(pdf_path)

    def _save_failed(self, number: int, error: BaseException) -> None:
        if number != self._build_number:
            return
        self._saving = False
        self.error.show_message(save_problem(error))
        self._update_buttons()

    # --- locking ---------------------------------------------------------------------------

    def clear(self) -> None:
        """Cancel a build, drop the return's PDF, CSV and pixmaps, and forget the sites."""
        close_windows(self)
        if self._cancel is not None:
            self._cancel.set()
        self._build_number += 1
        self._vault = None
        self._building = False
        self._saving = False
        self._cancel = None
        self.progress.setVisible(False)
        self.progress_message.clear()
        self.build_button.setText(BUILD_TEXT)
        self.error.clear()
        self._show_documents(None)
        self._show_sites([])
        self.month.clear()
        self._rule_changed()
