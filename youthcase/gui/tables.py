"""Read-only table views as the supervisors' screens show them: whole rows selected, sorted on the
models' sort role through a proxy, headers left-aligned, no grid."""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLineEdit, QTableView, QToolButton

from youthcase.gui.models import OBJECT_ROLE, SORT_ROLE


def sorted_proxy(model: QAbstractItemModel) -> QSortFilterProxyModel:
    proxy = QSortFilterProxyModel(model)
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    return proxy


def spoken(object_name: str) -> str:
    """An object name as words, for an accessible name: ``contactTable`` -> ``Contact table``."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", object_name).replace("_", " ").lower().strip()
    return words[:1].upper() + words[1:]


class ColumnFit(QObject):
    """Columns as wide as their contents, unless together they would not fit the table's width:
    then the widest are narrowed to one width (their text elided), so a table never scrolls
    sideways. Again on every resize and new contents."""

    def __init__(self, view: QTableView) -> None:
        super().__init__(view)
        self.view = view
        self.stretched: set[int] = set()  # columns the table gives the spare width to
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted):
            signal.connect(self.fit)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self, *_: object) -> None:
        view, header = self.view, self.view.horizontalHeader()
        shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not shown:
            return
        wanted = {c: max(view.sizeHintForColumn(c), header.sectionSizeHint(c)) for c in shown}
        room = view.viewport().width()
        cap = max(wanted.values())
        if sum(wanted.values()) > room:  # the one width for the widest that makes them fit
            narrow = sorted(wanted.values())
            cap, left = 0, room
            for position, width in enumerate(narrow):
                even = left // (len(narrow) - position)
                if width > even:
                    cap = even
                    break
                left -= width
                cap = width
        stretch = QHeaderView.ResizeMode.Stretch
        self.stretched |= {c for c in shown if header.sectionResizeMode(c) == stretch}
        for column in shown:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, min(wanted[column], cap))
        for column in self.stretched & set(shown):
            header.setSectionResizeMode(column, stretch)


def name_search(line: QLineEdit, name: str) -> None:
    """A search box's accessible name, and names for its icons (Qt's clear button, a search
    glass): call it once the icons are added."""
    line.setAccessibleName(name)
    for button in line.findChildren(QToolButton):
        action = button.defaultAction()
        clears = action is not None and action.objectName() == "_q_qlineeditclearaction"
        button.setAccessibleName(f"Clear {name.lower()}" if clears else name)
        button.setToolTip(button.accessibleName())


def table_view(
    model: QAbstractItemModel,
    name: str,
    *,
    sort_column: int | None = None,
    descending: bool = False,
    many: bool = False,
    stretch_last: bool = True,
    view: QTableView | None = None,
) -> QTableView:
    """A view of ``model`` (put behind a sorting proxy when ``sort_column`` is given); ``view``
    is a table view of a subclass to set up, else a plain one is made."""
    own_view = view is None  # a view passed in sizes its columns itself
    view = view if view is not None else QTableView()
    view.setObjectName(name)
    if not view.accessibleName():  # what a screen reader calls it: "accountTable" -> "Account table"
        view.setAccessibleName(spoken(name))
    view.setModel(sorted_proxy(model) if sort_column is not None else model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection if many else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTabKeyNavigation(False)
    view.verticalHeader().setVisible(False)
    header = view.horizontalHeader()
    header.setAccessibleName(f"{view.accessibleName()} columns")
    header.setHighlightSections(False)
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(stretch_last)
    if own_view:
        ColumnFit(view)
    if sort_column is not None:
        view.setSortingEnabled(True)
        view.sortByColumn(sort_column, Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder)
    return view


def selected_objects(view: QTableView) -> list[Any]:
    """The objects (``OBJECT_ROLE``) of the selected rows, top to bottom."""
    rows = sorted(view.selectionModel().selectedRows(), key=lambda index: index.row())
    return [index.data(OBJECT_ROLE) for index in rows]


def selected_object(view: QTableView) -> Any:
    found = selected_objects(view)
    return found[0] if found else None
