"""A section whose screen is not built yet: it says what is coming, and holds no data."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from youthcase.gui.navigation import SectionSpec
from youthcase.gui.pages import page_header, page_layout


class PlaceholderPage(QWidget):
    def __init__(self, spec: SectionSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{spec.section.value}Page")
        self.spec = spec
        layout = page_layout(self)
        page_header(layout, spec.title, spec.summary)
        layout.addSpacing(16)
        card = QFrame()
        card.setObjectName("placeholderCard")
        card_layout = QVBoxLayout(card)
        card_layout.setContentsMargins(24, 20, 24, 20)
        title = QLabel("Coming in a later release")
        title.setObjectName("placeholderTitle")
        text = QLabel(
            f"The {spec.title.lower()} screen is being built. Nothing is stored or shown here yet."
        )
        text.setObjectName("secondaryText")
        text.setWordWrap(True)
        card_layout.addWidget(title)
        card_layout.addWidget(text)
        layout.addWidget(card, 0, Qt.AlignmentFlag.AlignTop)
        layout.addStretch(1)

    def refresh(self) -> None:
        pass

    def clear(self) -> None:
        pass
