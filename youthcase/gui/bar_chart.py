"""A small horizontal bar chart drawn with QPainter: a label, a bar and the count on each line.

For a picture that reads faster than a table (the caseload by worker, the referrals waiting by
service). QtCharts is not in PySide6-Essentials, and a dozen bars do not need it. The numbers are
also in the tooltip and the accessible description, for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR_COLOUR = "#1f5f8b"
TRACK_COLOUR = "#eef1f4"
TEXT_COLOUR = "#1f2933"
MUTED_COLOUR = "#52606d"
ROW_HEIGHT = 24
BAR_HEIGHT = 14
GAP = 8
LABEL_MAX = 200  # longer labels are elided
VALUE_SPACE = 40
MIN_BAR = 60


class BarChart(QWidget):
    def __init__(self, empty_text: str = "Nothing to show.", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("barChart")
        self.empty_text = empty_text
        self._bars: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_bars([])

    @property
    def bars(self) -> list[tuple[str, int]]:
        return list(self._bars)

    def set_bars(self, bars: Sequence[tuple[str, int]]) -> None:
        self._bars = [(label, max(0, int(value))) for label, value in bars]
        summary = "; ".join(f"{label}: {value}" for label, value in self._bars) or self.empty_text
        self.setToolTip(summary.replace("; ", "\n"))
        self.setAccessibleDescription(summary)
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self.set_bars([])

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        rows = max(len(self._bars), 1)
        return QSize(360, rows * ROW_HEIGHT + GAP)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(220, self.sizeHint().height())

    def _label_width(self) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label, _ in self._bars), default=0)
        return min(widest, LABEL_MAX, max(self.width() * 2 // 5, 60))

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        if not self._bars:
            painter.setPen(QColor(MUTED_COLOUR))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.empty_text)
            painter.end()
            return
        label_width = self._label_width()
        bar_left = label_width + GAP
        bar_space = max(self.width() - bar_left - GAP - VALUE_SPACE, MIN_BAR)
        top_value = max(value for _, value in self._bars) or 1
        for row, (label, value) in enumerate(self._bars):
            top = row * ROW_HEIGHT + GAP // 2
            line = QRectF(0, top, label_width, ROW_HEIGHT)
            painter.setPen(QColor(TEXT_COLOUR))
            shown = metrics.elidedText(label, Qt.TextElideMode.ElideRight, label_width)
            painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
            bar_top = top + (ROW_HEIGHT - BAR_HEIGHT) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(TRACK_COLOUR))
            painter.drawRoundedRect(QRectF(bar_left, bar_top, bar_space, BAR_HEIGHT), 3, 3)
            if value:
                length = max(bar_space * value / top_value, 4.0)
                painter.setBrush(QColor(BAR_COLOUR))
                painter.drawRoundedRect(QRectF(bar_left, bar_top, length, BAR_HEIGHT), 3, 3)
            painter.setPen(QColor(MUTED_COLOUR))
            painter.drawText(
                QRectF(bar_left + bar_space + GAP, top, VALUE_SPACE, ROW_HEIGHT),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                str(value),
            )
        painter.end()
