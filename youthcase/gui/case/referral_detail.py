"""How one referral is shown: its table row (the case tab and the board share ``referral_table``),
and the panel under the case's table with the service, the status, the reason, the derived figures
and the milestone timeline."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QTableView, QVBoxLayout, QWidget

from youthcase.domain import codes
from youthcase.gui.case.blocks import set_tone
from youthcase.gui.models.referrals import (
    Mark,
    ReferralProxy,
    TimelineEntry,
    days_text,
    referral_facts,
    status_text,
    timeline,
    type_label,
)
from youthcase.gui.tables import table_view
from youthcase.gui.values import day_text
from youthcase.services.referrals import ReferralView
from youthcase.services.service_directory import ServiceEntry

MARKS = {
    Mark.DONE: ("●", "good"),
    Mark.CURRENT: ("◉", "good"),
    Mark.OVERDUE: ("◉", "problem"),
    Mark.STOPPED: ("◉", "hint"),
    Mark.NEXT: ("○", "hint"),
}
CHIP_TONES = {"help_started": "good", "completed": "good", "declined": "warning", "did_not_attend": "warning"}


def referral_table(proxy: ReferralProxy, name: str) -> QTableView:
    """Rows in the order loaded until a header is clicked; nothing cut short (narrow windows
    scroll sideways)."""
    view = table_view(proxy, name)
    header = view.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # the service's order first
    view.setSortingEnabled(True)
    return view


class MilestoneTimeline(QWidget):
    """The milestones top to bottom: a dot, the date, the step and its detail."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("milestoneTimeline")
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.grid.setVerticalSpacing(8)
        self.grid.setColumnStretch(2, 1)
        self.entries: list[TimelineEntry] = []

    def show_entries(self, entries: Sequence[TimelineEntry]) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.entries = list(entries)
        for row, entry in enumerate(entries):
            symbol, tone = MARKS[entry.mark]
            dot = QLabel(symbol)
            dot.setProperty("tone", tone)
            dot.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            when = QLabel(day_text(entry.on))
            when.setObjectName("secondaryText")
            when.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
            text = f"<b>{html.escape(entry.title)}</b>"
            if entry.detail:
                detail = html.escape(entry.detail).replace("\n", "<br>")
                text += f"<br><span style='color:#52606d'>{detail}</span>"
            what = QLabel(text)
            what.setTextFormat(Qt.TextFormat.RichText)
            what.setWordWrap(True)
            what.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.grid.addWidget(dot, row, 0)
            self.grid.addWidget(when, row, 1)
            self.grid.addWidget(what, row, 2)

    def lines(self) -> list[str]:
        """What the timeline says, one line an entry (for tests and screen readers)."""
        return [f"{day_text(e.on)} {e.title}".strip() + (f": {e.detail}" if e.detail else "") for e in self.entries]


class ReferralDetail(QFrame):
    """One referral: service, status, reason, the derived figures and the timeline."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self.title = QLabel()
        self.title.setObjectName("sectionTitle")
        self.chip = QLabel()
        self.chip.setObjectName("chip")
        self.meta = QLabel()
        self.meta.setObjectName("secondaryText")
        self.meta.setWordWrap(True)
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.overdue = QLabel()
        self.overdue.setObjectName("referralOverdue")
        self.overdue.setProperty("tone", "problem")
        self.overdue.setWordWrap(True)
        self.facts = QLabel()
        self.facts.setObjectName("secondaryText")
        self.facts.setWordWrap(True)
        self.timeline = MilestoneTimeline()
        self.empty = QLabel()
        self.empty.setObjectName("secondaryText")
        self.empty.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(8)
        top.addWidget(self.chip)
        top.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(self.timeline)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(self.reason)
        right.addWidget(self.overdue)
        right.addWidget(self.facts)
        right.addStretch(1)
        columns_row = QHBoxLayout()
        columns_row.setSpacing(24)
        columns_row.addLayout(left, 1)
        columns_row.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.meta)
        layout.addSpacing(6)
        layout.addLayout(columns_row, 1)
        self.show_referral(None)

    def show_referral(
        self, view: ReferralView | None, service: ServiceEntry | None = None, empty_text: str = ""
    ) -> None:
        shown = view is not None
        for widget in (self.title, self.chip, self.meta, self.reason, self.overdue, self.facts, self.timeline):
            widget.setVisible(shown)
        self.empty.setText(empty_text)
        self.empty.setVisible(not shown and bool(empty_text))
        if view is None:
            self.timeline.show_entries([])
            return
        self.title.setText(view.service_name)
        self.chip.setText(status_text(view))
        set_tone(self.chip, "problem" if view.overdue else CHIP_TONES.get(view.status, "muted"))
        meta = [type_label(view.service_type), f"{codes.REFERRAL_URGENCY.label(view.urgency)} referral"]
        if service is not None:
            meta.append(f"chased after {days_text(service.chase_interval_days)}")
        self.meta.setText("  ·  ".join(meta))
        self.reason.setText(f"<b>Reason</b><br>{html.escape(view.reason).replace(chr(10), '<br>')}")
        chase = service.chase_interval_days if service is not None else None
        facts = referral_facts(view, chase)
        overdue = facts.pop(0) if view.overdue else ""
        self.overdue.setText(overdue)
        self.overdue.setVisible(bool(overdue))
        self.facts.setText("\n".join(facts))
        self.timeline.show_entries(timeline(view))
