"""The pages of a PDF shown inside the app, one under the other, as PDFium draws them.

QtPdf is not part of PySide6-Essentials; pypdfium2 ships PDFium for every platform. Drawing a page
is slow for a big document, so it runs on the background queue, a few pages a task: the first pages
appear at once, and a lock (which drops pending results) stops the rest. ``render_pages`` takes and
returns plain values (bytes in, pixels out); only the GUI thread turns pixels into pixmaps.

PDFium is not thread-safe: ``render_pages`` runs only on the background queue, one task at a time.
pypdfium2 is imported there, so it loads off the GUI thread and never on the start-up path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from youthcase.gui.background import Background, Task
from youthcase.gui.errors import user_message

PAGES_PER_TASK = 3
POINTS_PER_INCH = 72
SCREEN_DPI = 96  # a PDF at 100% is as large on screen as on paper, at Qt's logical 96 dpi
ZOOM_LEVELS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
PAGE_GAP = 16

# The palette of resources/style.qss (lines #d9dee4 and #c3cbd4, a grey desk under white paper).
# Kept with the widget until the stylesheet has a section for the preview.
PREVIEW_STYLE = """
#pdfPreview { background: #e4e8ec; border: 1px solid #d9dee4; border-radius: 6px; }
#pdfPreview > QWidget#qt_scrollarea_viewport, #pdfPages { background: #e4e8ec; }
#pdfPage { background: #ffffff; border: 1px solid #c3cbd4; }
"""


@dataclass(frozen=True)
class RenderedPage:
    """One page drawn by PDFium: RGBX pixels, four bytes each, ``stride`` bytes a row."""

    number: int  # from 0
    width: int
    height: int
    stride: int
    pixels: bytes


@dataclass(frozen=True)
class RenderedBatch:
    page_count: int  # pages in the whole document
    pages: list[RenderedPage]


def render_pages(pdf: bytes, first: int, count: int, scale: float) -> RenderedBatch:
    """Draw pages ``first`` to ``first + count - 1`` at ``scale`` pixels a point (background)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    document = pdfium.PdfDocument(pdf)
    try:
        total = len(document)
        pages: list[RenderedPage] = []
        for number in range(first, min(first + count, total)):
            page = document[number]
            try:
                bitmap = page.render(scale=scale, rev_byteorder=True, force_bitmap_format=pdfium_c.FPDFBitmap_BGRx)
                try:
                    pages.append(RenderedPage(number, bitmap.width, bitmap.height, bitmap.stride, bytes(bitmap.buffer)))
                finally:
                    bitmap.close()
            finally:
                page.close()
        return RenderedBatch(total, pages)
    finally:
        document.close()


def to_pixmap(page: RenderedPage, device_pixel_ratio: float) -> QPixmap:
    """On the GUI thread: the pixels as a pixmap (a copy, so the bytes can go)."""
    image = QImage(page.pixels, page.width, page.height, page.stride, QImage.Format.Format_RGBX8888)
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


class PdfPreview(QScrollArea):
    """A PDF's pages at a zoom level, drawn on the background queue; ``clear()`` forgets them."""

    rendered = Signal(int)  # every page is shown: the number of pages
    failed = Signal(str)  # a sentence for the user

    def __init__(self, background: Background, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreview")
        self.setStyleSheet(PREVIEW_STYLE)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._background = background
        self._pdf: bytes | None = None
        self._zoom = 1.0
        self._run = 0  # bumped by every new document, zoom and clear: older batches are dropped
        self._tasks: list[Task] = []
        self._labels: list[QLabel] = []
        self._drawing = False
        self.expected_pages = 0

        self.body = QWidget()
        self.body.setObjectName("pdfPages")
        self._layout = QVBoxLayout(self.body)
        self._layout.setContentsMargins(PAGE_GAP, PAGE_GAP, PAGE_GAP, PAGE_GAP)
        self._layout.setSpacing(PAGE_GAP)
        self._layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.setWidget(self.body)

    # --- what is shown ---------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return self._zoom

    @property
    def page_count(self) -> int:
        """Pages drawn so far."""
        return len(self._labels)

    @property
    def busy(self) -> bool:
        """Pages are still being drawn."""
        return self._drawing

    def pixmaps(self) -> list[QPixmap]:
        return [label.pixmap() for label in self._labels]

    def show_pdf(self, pdf: bytes) -> None:
        self._pdf = pdf
        self._restart()

    def set_zoom(self, zoom: float) -> None:
        if zoom == self._zoom:
            return
        self._zoom = zoom
        if self._pdf is not None:
            self._restart()

    def clear(self) -> None:
        """Drop the PDF and every pixmap; batches still on the queue are thrown away."""
        self._pdf = None
        self._stop()
        self.expected_pages = 0

    # --- drawing ---------------------------------------------------------------------------

    def _scale(self) -> float:
        return self._zoom * SCREEN_DPI / POINTS_PER_INCH * self.devicePixelRatioF()

    def _stop(self) -> None:
        self._run += 1
        self._drawing = False
        for task in self._tasks:
            task.discard()
        self._tasks.clear()
        for label in self._labels:  # hidden and emptied now: deletion waits for the event loop
            self._layout.removeWidget(label)
            label.hide()
            label.clear()
            label.deleteLater()
        self._labels.clear()

    def _restart(self) -> None:
        self._stop()
        self.expected_pages = 0
        self._drawing = True
        self._queue(0)

    def _queue(self, first: int) -> None:
        pdf, run, scale = self._pdf, self._run, self._scale()
        if pdf is None:
            return
        task = self._background.run(
            lambda: render_pages(pdf, first, PAGES_PER_TASK, scale),
            name="render PDF pages",
            on_returned=self._guarded(run, self._batch_ready),
            on_errored=self._guarded(run, self._batch_failed),
        )
        self._tasks.append(task)
        task.signals.finished.connect(lambda: self._forget(task))

    def _forget(self, task: Task) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

    def _guarded(self, run: int, slot: Callable[[object], None]) -> Callable[[object], None]:
        def deliver(value: object) -> None:
            if run == self._run:
                slot(value)

        return deliver

    def _batch_ready(self, value: object) -> None:
        assert isinstance(value, RenderedBatch)
        self.expected_pages = value.page_count
        ratio = self.devicePixelRatioF()
        for page in value.pages:
            label = QLabel()
            label.setObjectName("pdfPage")
            label.setPixmap(to_pixmap(page, ratio))
            label.setAccessibleName(f"Page {page.number + 1} of {value.page_count}")
            self._layout.addWidget(label, 0, Qt.AlignmentFlag.AlignHCenter)
            self._labels.append(label)
        if value.pages and self.page_count < value.page_count:
            self._queue(self.page_count)
        else:
            self._drawing = False
            self.rendered.emit(self.page_count)

    def _batch_failed(self, error: object) -> None:
        assert isinstance(error, BaseException)
        self._drawing = False
        self.failed.emit(user_message(error))
