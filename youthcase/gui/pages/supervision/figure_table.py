"""A dashboard table as tall as its rows, its figure columns as wide as their headings."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QTableView, QWidget

from youthcase.gui.models.dashboard import NAME

ROW_HEIGHT = 30
HEADER_PADDING = 26  # the stylesheet's 8 + 11 px, and a little air
SORT_ARROW = 16  # more for the column the table is sorted by


class FigureTable(QTableView):
    """A dashboard table as tall as its rows (the page scrolls, the table does not). Each figure
    column is as wide as its two-line heading; the name column takes what is left, and a scroll
    bar appears when the window is too narrow for every figure."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._widths: list[int] = []  # each column's own width; the name column's is its least
        self.least_name = 0  # the other table's name column, so that the figures line up
        self.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self.fit_columns())

    def measure(self) -> None:
        """After a load: the width each column needs (headings in the header's bold font)."""
        model = self.model()
        self.ensurePolished()
        bold = self.font()
        bold.setBold(True)
        heading = QFontMetrics(bold)
        widths = []
        for column in range(model.columnCount()):
            lines = str(model.headerData(column, Qt.Orientation.Horizontal) or "").split("\n")
            text = max(heading.horizontalAdvance(line) for line in lines)
            widths.append(max(text + HEADER_PADDING, self.sizeHintForColumn(column)))
        self._widths = widths
        self.fit_columns()

    @property
    def name_width(self) -> int:
        return self._widths[NAME] if self._widths else 0

    def fit_columns(self) -> None:
        if not self._widths:
            return
        header = self.horizontalHeader()
        widths = list(self._widths)
        widths[NAME] = max(widths[NAME], self.least_name)
        sorted_by = header.sortIndicatorSection()
        if sorted_by != NAME and 0 <= sorted_by < len(widths):
            widths[sorted_by] += SORT_ARROW  # the arrow sits beside the heading
        widths[NAME] += max(self.viewport().width() - sum(widths), 0)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = self.model().rowCount() if self.model() is not None else 0
        height = self.horizontalHeader().sizeHint().height() + rows * ROW_HEIGHT + 2 * self.frameWidth()
        if self.horizontalHeader().length() > self.viewport().width():
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(super().sizeHint().width(), height)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.fit_columns()


__all__ = ["ROW_HEIGHT", "FigureTable"]
