"""The pages of the main window. Every page can ``refresh()`` from the vault and ``clear()``
everything it shows: locking calls ``clear()`` on each, so no record survives on screen."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget


class Page(Protocol):
    def refresh(self) -> None:
        """Load what the page shows (on the background queue)."""

    def clear(self) -> None:
        """Forget everything the page shows and close its dialogs."""


def page_header(layout: QVBoxLayout, title: str, summary: str) -> None:
    """The title and one-line purpose every page starts with."""
    heading = QLabel(title)
    heading.setObjectName("pageTitle")
    blurb = QLabel(summary)
    blurb.setObjectName("pageSummary")
    blurb.setWordWrap(True)
    layout.addWidget(heading)
    layout.addWidget(blurb)


def page_layout(widget: QWidget) -> QVBoxLayout:
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(32, 28, 32, 24)
    layout.setSpacing(8)
    return layout


def section_title(text: str) -> QLabel:
    """A heading inside a page or a tab."""
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    return label
